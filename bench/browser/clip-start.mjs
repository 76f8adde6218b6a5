// Clip start-of-playback (issue 13): from the click on a clip in the camera page to its first
// frame shown (requestVideoFrameCallback on the clip's <video>; also the part until the whole
// MP4 is in a Blob), the MP4 fetched whole from the
// camera over the live view's data channel (docs/PROTOCOL.md, "The clip channel"), in Debian's
// Chromium inside the test namespace. One scripted motion event (default recording settings:
// 5 s pre-roll, 5 s post-roll) gives the clip; each round is a fresh page load (a fresh
// session), the live view playing when the clip is clicked. Modes: `direct` (host
// candidates) and `tcp` (all UDP blocked, relay-only through coturn over TCP).
//   node bench/browser/clip-start.mjs [--rounds 10] [--size 1280x720] [--modes direct,tcp]
import fs from 'node:fs';
import { Stack, waitFor, parseArgs, percentile, writeJson } from './bench-common.mjs';
import { expectPlaying, newPage, signUp } from '../../tests/e2e/harness.mjs';

const opts = parseArgs({ rounds: '10', size: '1280x720', modes: 'direct,tcp', json: 'clip-start.json' });
const MODES = { direct: { relay: false }, tcp: { relay: true, block: {} } };
const [width, height] = opts.size.split('x').map(Number);
const rounds = Number(opts.rounds);

const stack = await Stack.start({ label: 'bench-clip-start', cameraCount: 1 });
const results = [];
try {
  const camera = stack.cameras[0];
  const browser = await stack.launchBrowser();
  const setup = await newPage(browser);
  await signUp(setup, stack, camera, { cameraName: 'Bench' });
  const agent = stack.startCamera(camera, {
    width, height, fps: 30,
    args: ['--test-motion', 'still:3,move:5,still:3600', '--motion-quiet-period', '1', '--motion-zones',
      `${width}x${Math.round(height * 0.7)}+0+${Math.round(height * 0.13)}`],
  });
  const saved = await waitFor(() => agent.events('clip_saved')[0] || null, { timeoutMs: 60000, what: 'a saved clip' });
  const bytes = fs.statSync(saved.path).size;
  console.log(`clip ${saved.id}: ${bytes} bytes`);
  for (const mode of opts.modes.split(',')) {
    if (!MODES[mode]) throw new Error(`unknown mode ${mode}; known: ${Object.keys(MODES).join(', ')}`);
    const { relay, block } = MODES[mode];
    if (block) stack.blockUdp(block);
    const times = [];
    const fetches = []; // click to the whole MP4 in a Blob
    for (let i = 0; i < rounds; i += 1) {
      const page = await setup.context().newPage();
      await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}${relay ? '&relay=1' : ''}`);
      await expectPlaying(page, { timeoutMs: 30000 });
      const button = page.locator(`#clips-list li[data-clip-id="${saved.id}"] button`);
      await button.waitFor({ timeout: 30000 });
      // Let the thumbnails arrive first: the click measures the clip alone.
      await page.locator(`#clips-list li[data-clip-id="${saved.id}"] img[data-loaded="true"]`).waitFor({ timeout: 30000 });
      await button.click();
      const ms = await waitFor(() => page.locator('#clip-video').evaluate((v) => (v.dataset.clickToFirstFrameMs ? Number(v.dataset.clickToFirstFrameMs) : null)),
        { timeoutMs: 60000, intervalMs: 20, what: `round ${i + 1}'s first clip frame` });
      times.push(ms);
      fetches.push(await page.locator('#clip-video').evaluate((v) => Number(v.dataset.fetchMs)));
      await page.close();
    }
    if (block) stack.unblockUdp();
    const row = { mode, rounds, clipBytes: bytes, p50: percentile(times, 50), p95: percentile(times, 95), max: Math.max(...times), times,
      fetchP50: percentile(fetches, 50), fetchP95: percentile(fetches, 95), fetches };
    console.log(JSON.stringify(row));
    results.push(row);
  }
  await browser.close();
} finally {
  stack.unblockUdp();
  await stack.stop();
}
writeJson(opts.json, { size: opts.size, results });
