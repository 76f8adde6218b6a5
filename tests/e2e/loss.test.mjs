// Loss recovery: with 2 % random loss on the camera→viewer media path (nft inside the test's
// namespace; no netem here), Chromium's NACKs are answered with RFC 4588 retransmissions and
// the video keeps playing instead of freezing until the next key frame.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, expectPlaying, inboundVideo, keepPeerConnections, newPage, signUp, sleep } from './harness.mjs';

const VIDEO = { width: 640, height: 480, fps: 25 };
const LOSS_PER_MILLE = 20; // 2 %
const MEASURE_MS = 15000;
let stack;
let browser;
let loss = null;

before(async () => {
  stack = await Stack.start({ label: 'loss', cameraCount: 1 });
  browser = await stack.launchBrowser();
});

after(async () => {
  loss?.remove();
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

test('under 2 % loss towards the viewer, NACKs are answered with retransmissions and the video keeps playing', async () => {
  const [camera] = stack.cameras;
  const page = await newPage(browser);
  await keepPeerConnections(page);
  await signUp(page, stack, camera); // signed in from here on
  stack.startCamera(camera, VIDEO);
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}`);
  await expectPlaying(page);

  const start = await inboundVideo(page);
  assert.ok(start.camera?.port, 'the viewer has a selected candidate pair');
  // Only what the camera sends this viewer: its NACKs, PLIs and the signaling pass.
  loss = stack.impairFrom(start.camera, ['numgen', 'random', 'mod', '1000', '<', String(LOSS_PER_MILLE), 'drop']);
  await sleep(MEASURE_MS);
  const end = await inboundVideo(page);
  const counters = loss.counters();
  loss.remove();

  const seconds = MEASURE_MS / 1000;
  const figures = {
    fps: (end.framesDecoded - start.framesDecoded) / seconds,
    freezeShare: (end.totalFreezesDuration - start.totalFreezesDuration) / seconds,
    freezes: end.freezeCount - start.freezeCount,
    keyFramesDecoded: end.keyFramesDecoded - start.keyFramesDecoded,
    nackCount: end.nackCount - start.nackCount,
    pliCount: end.pliCount - start.pliCount,
    retransmittedPacketsReceived: end.retransmittedPacketsReceived - start.retransmittedPacketsReceived,
    packetsLost: end.packetsLost - start.packetsLost,
    ...counters,
  };
  console.log(`loss figures: ${JSON.stringify(figures)}`);

  // The rule really dropped about 2 % of what the camera sent the viewer.
  assert.ok(counters.dropped > 0 && counters.sent > 500, `the loss rule matched: ${JSON.stringify(counters)}`);
  const share = counters.dropped / counters.sent;
  assert.ok(share > 0.005 && share < 0.05, `about 2 % dropped: ${JSON.stringify(counters)}`);

  assert.ok(figures.nackCount > 0, `Chromium sent NACKs: ${JSON.stringify(figures)}`);
  assert.ok(figures.retransmittedPacketsReceived > 0, `retransmissions arrived: ${JSON.stringify(figures)}`);
  assert.ok(figures.fps >= 0.8 * VIDEO.fps, `the video kept playing: ${JSON.stringify(figures)}`);
  assert.ok(figures.freezeShare < 0.1, `frozen less than 10 % of the time: ${JSON.stringify(figures)}`);
  // Loss does not turn into a key frame for every PLI: at most one forced a second.
  assert.ok(figures.keyFramesDecoded <= seconds + 1, `key frames stay bounded: ${JSON.stringify(figures)}`);
  await page.context().close();
});
