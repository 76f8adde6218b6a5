// Per-viewer congestion control (docs/CONGESTION.md): a viewer behind a 600 kbit/s policer is
// moved down the camera's quality ladder and keeps playing, and comes back to the full picture
// once the policer is gone, while another viewer of the same camera keeps the full picture
// throughout. The policer is nftables inside the test's namespace (no netem here).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, expectPlaying, inboundVideo, keepPeerConnections, newPage, signUp, sleep, waitFor } from './harness.mjs';

const VIDEO = { width: 1280, height: 720, fps: 25 };
const POLICER_KBYTES_PER_SECOND = 75; // 600 kbit/s: below the full picture's 2 Mbit/s
const POLICER_BURST_KBYTES = 19; // a bucket of 250 ms (nft's default holds a whole second)
let stack;
let browser;
let policer = null;

before(async () => {
  stack = await Stack.start({ label: 'ladder', cameraCount: 1 });
  browser = await stack.launchBrowser();
});

after(async () => {
  policer?.remove();
  if (process.exitCode || process.env.SECCAM_SHOW_LOGS) console.error(stack?.logs());
  await stack?.stop();
});

// What the page's video element, its quality hint and its peer connection say right now.
async function viewerState(page) {
  const inbound = await inboundVideo(page);
  const shown = await page.evaluate(() => {
    const hint = document.querySelector('#quality');
    return {
      height: document.querySelector('#video').videoHeight,
      rendition: hint.dataset.rendition,
      hintShown: !hint.hidden,
      hintText: hint.textContent,
    };
  });
  return { ...inbound, ...shown };
}

async function openLive(context, camera) {
  const page = await context.newPage();
  await keepPeerConnections(page);
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}`);
  await expectPlaying(page);
  return page;
}

test('a viewer behind a thin link steps down the ladder and back up; the other viewer keeps the full picture', async () => {
  const [camera] = stack.cameras;
  const setup = await newPage(browser);
  await signUp(setup, stack, camera); // the context is signed in from here on
  const agent = stack.startCamera(camera, VIDEO);
  const thin = await openLive(setup.context(), camera);
  const good = await openLive(setup.context(), camera);

  const thinStart = await viewerState(thin);
  const goodStart = await viewerState(good);
  assert.equal(thinStart.height, VIDEO.height, 'both start on the full picture');
  assert.equal(goodStart.height, VIDEO.height);
  assert.equal(thinStart.rendition, 'full');
  assert.equal(thinStart.hintShown, false, 'no weak-connection hint on a clean link');
  assert.ok(thinStart.camera?.port && goodStart.camera?.port, 'both have a selected candidate pair');
  assert.notEqual(thinStart.camera.port, goodStart.camera.port, 'each viewer has its own socket on the camera');

  // Only what the camera sends the thin viewer is policed; the other viewer's socket is not.
  policer = stack.impairFrom(thinStart.camera,
    ['limit', 'rate', 'over', String(POLICER_KBYTES_PER_SECOND), 'kbytes/second',
      'burst', String(POLICER_BURST_KBYTES), 'kbytes', 'drop']);
  const policedAt = Date.now();
  const stepped = await waitFor(async () => {
    const s = await viewerState(thin);
    return s.rendition !== 'full' && s.height > 0 && s.height < VIDEO.height ? s : null;
  }, { timeoutMs: 20000, what: 'the thin viewer to step down' });
  const adaptedMs = Date.now() - policedAt;
  assert.equal(stepped.hintShown, true, 'the page shows the weak-connection hint');
  assert.match(stepped.hintText, /Weak connection/);
  assert.ok(policer.counters().dropped > 0, 'the policer dropped packets');

  // Adapted: the thin viewer keeps playing on the smaller picture, the other on the full one.
  // Sampled over 5 s: the camera probes for the full picture every few seconds, and a probe
  // the link seems to carry is followed by a short step up and back, so one instant proves
  // nothing; most of the time the thin viewer must be on a smaller picture.
  await sleep(2000);
  const thinMid = await viewerState(thin);
  const goodMid = await viewerState(good);
  const measuredFrom = Date.now();
  const thinHeights = [];
  const goodHeights = [];
  for (let i = 0; i < 10; i += 1) {
    await sleep(500);
    thinHeights.push((await viewerState(thin)).height);
    goodHeights.push((await viewerState(good)).height);
  }
  const thinLater = await viewerState(thin);
  const goodLater = await viewerState(good);
  const seconds = (Date.now() - measuredFrom) / 1000;
  const thinFps = (thinLater.framesDecoded - thinMid.framesDecoded) / seconds;
  const goodFps = (goodLater.framesDecoded - goodMid.framesDecoded) / seconds;
  console.log(`ladder: adapted in ${adaptedMs} ms to ${stepped.rendition} (${stepped.height} lines); thin ${thinFps} fps, good ${goodFps} fps; thin heights ${thinHeights}`);
  const smaller = thinHeights.filter((h) => h > 0 && h < VIDEO.height).length;
  assert.ok(smaller >= 6, `the thin viewer is on a smaller rendition most of the time while policed: ${thinHeights}`);
  assert.ok(thinFps >= 10, `the thin viewer keeps playing: ${thinFps} fps`);
  assert.ok(goodHeights.every((h) => h === VIDEO.height), `the other viewer keeps the full picture: ${goodHeights}`);
  assert.equal(goodLater.rendition, 'full');
  assert.ok(goodFps >= 0.8 * VIDEO.fps, `the other viewer keeps its frame rate: ${goodFps} fps`);

  policer.remove();
  const liftedAt = Date.now();
  const back = await waitFor(async () => {
    const s = await viewerState(thin);
    return s.rendition === 'full' && s.height === VIDEO.height ? s : null;
  }, { timeoutMs: 30000, what: 'the thin viewer to come back to the full picture' });
  console.log(`ladder: back to full ${Date.now() - liftedAt} ms after the policer went`);
  assert.equal(back.hintShown, false, 'the hint goes with the weak connection');

  // The camera's own account: only one session moved, and each move was announced.
  const moves = agent.events('rendition_changed');
  assert.ok(moves.length >= 2, `at least one step down and one up: ${JSON.stringify(moves)}`);
  assert.equal(new Set(moves.map((e) => e.session)).size, 1, 'only the thin viewer moved');
  assert.equal(moves.at(-1).rendition, 'full');
  await setup.context().close();
});
