// Recovery without a reload: the camera agent stops and starts again while a dashboard and a
// live view are open; the dashboard follows (pushed, not polled) and the video comes back.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, expectPlaying, newPage, screenshotPath, signUp } from './harness.mjs';

const VIDEO = { width: 320, height: 240, fps: 15 };

let stack;
let browser;
let livePage; // the live view left open by the first test

before(async () => {
  stack = await Stack.start({ label: 'recovery', cameraCount: 1 });
  browser = await stack.launchBrowser();
});

after(async () => {
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

test('the camera agent stops and starts again: dashboard shows offline then online, the live view recovers', async () => {
  const [camera] = stack.cameras;
  const dashboard = await newPage(browser);
  await signUp(dashboard, stack, camera);
  stack.startCamera(camera, VIDEO);
  await dashboard.goto(`${stack.origin}/cameras.html`);
  const card = dashboard.locator(`.camera-card[data-camera-id="${camera.cameraId}"]`);
  await card.and(dashboard.locator('[data-online="true"]')).waitFor({ timeout: 15000 });

  // The live view in a second tab of the same browser profile.
  const live = await dashboard.context().newPage();
  await live.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}`);
  await expectPlaying(live);

  // Count the dashboard's HTTP requests from here on: the status must arrive without polling.
  const apiRequests = [];
  dashboard.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) apiRequests.push(request.url());
  });

  await stack.stopCamera(camera);
  await card.and(dashboard.locator('[data-online="false"]')).waitFor({ timeout: 15000 });
  assert.match(await card.locator('.pill').textContent(), /Offline/);
  assert.match(await card.locator('.last-seen').textContent(), /Last seen/);
  await live.locator('#conn-state[data-state="offline"]').waitFor({ timeout: 15000 });
  assert.match(await live.locator('#overlay-text').textContent(), /offline/i);
  await live.screenshot({ path: screenshotPath('live-camera-offline-desktop'), fullPage: true });
  await dashboard.screenshot({ path: screenshotPath('dashboard-camera-offline-desktop'), fullPage: true });

  stack.startCamera(camera, VIDEO);
  await card.and(dashboard.locator('[data-online="true"]')).waitFor({ timeout: 15000 });
  assert.match(await card.locator('.pill').textContent(), /Online/);
  const playing = await expectPlaying(live, { timeoutMs: 20000 });
  assert.equal(playing.videoWidth, VIDEO.width);
  assert.deepEqual(apiRequests, [], 'the dashboard learnt the status over the WebSocket');
  assert.deepEqual(live.errors ?? [], []);
  await dashboard.close();
  livePage = live;
});

test('the live view recovers by itself when the server restarts (WebSocket and camera drop)', async () => {
  const live = livePage;
  await expectPlaying(live);
  // Every state the page shows from here on: it may leave "playing" and come back to it
  // before a check after the restart could look.
  await live.evaluate(() => {
    const conn = document.getElementById('conn-state');
    window.connStatesSeen = [];
    new MutationObserver(() => window.connStatesSeen.push(conn.dataset.state))
      .observe(conn, { attributes: true, attributeFilter: ['data-state'] });
  });
  await stack.restartServer();
  // The page notices the loss, then reconnects with backoff and starts a fresh session.
  await live.waitForFunction(() => window.connStatesSeen.some((state) => state !== 'playing'),
    null, { timeout: 15000 });
  const playing = await expectPlaying(live, { timeoutMs: 30000 });
  assert.equal(playing.videoWidth, VIDEO.width);
  assert.deepEqual(live.errors ?? [], []);
  await live.context().close();
});
