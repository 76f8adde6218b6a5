// Issue 13 (events to the server), the page side: a real seccam-camera with scripted motion
// reports an event; the owner's open dashboard shows it live (toast and badge, over the page's
// WebSocket, no push involved), another account's open dashboard shows nothing, and another
// account can neither list the events by hand-made API calls from its page. The time from the
// event's start (the camera's stamp) to the toast is printed as a figure (docs/PERFORMANCE.md),
// not asserted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, newPage, screenshotPath, signUp, waitFor } from './harness.mjs';

let stack;
let browser;
let ann; // {page, camera}
let bob;
const ANN_CAMERA_NAME = 'Ann’s door';

// Records when the first event toast appears on the page (page clock = machine clock).
async function watchToasts(page) {
  await page.evaluate(() => {
    window.__firstToastAt = null;
    new MutationObserver(() => {
      if (!window.__firstToastAt && document.querySelector('.toast-event')) window.__firstToastAt = Date.now();
    }).observe(document.body, { childList: true, subtree: true });
  });
}

before(async () => {
  stack = await Stack.start({ label: 'events', cameraCount: 2 });
  browser = await stack.launchBrowser();
  const [annCamera, bobCamera] = stack.cameras;
  ann = { page: await newPage(browser), camera: annCamera };
  bob = { page: await newPage(browser), camera: bobCamera };
  await signUp(ann.page, stack, annCamera, { cameraName: ANN_CAMERA_NAME });
  await signUp(bob.page, stack, bobCamera, { cameraName: 'Bob’s garage' });
});

after(async () => {
  await stack?.stop();
});

test("the owner's open dashboard shows a camera's motion event live; another account's shows nothing and cannot list it", async () => {
  for (const { page, camera } of [ann, bob]) {
    await page.goto(`${stack.origin}/cameras.html`);
    await page.locator(`.camera-card[data-camera-id="${camera.cameraId}"]`).waitFor();
    await watchToasts(page);
  }
  // Still for 2 s, then moving: one event soon after the camera starts.
  stack.startCamera(ann.camera, { args: ['--test-motion', 'still:2,move:6', '--motion-quiet-period', '2'] });

  const toast = ann.page.locator('.toast-event', { hasText: ANN_CAMERA_NAME });
  await toast.waitFor({ timeout: 30000 });
  await waitFor(async () => (await ann.page.locator(`.camera-card[data-camera-id="${ann.camera.cameraId}"] .event-badge`).count()) === 1,
    { what: 'the badge on the camera card' });
  assert.equal(await ann.page.locator(`.camera-card[data-camera-id="${ann.camera.cameraId}"] .event-badge`).textContent(), '1');
  const toastAt = await ann.page.evaluate(() => window.__firstToastAt);
  await ann.page.screenshot({ path: screenshotPath('events-dashboard-toast'), fullPage: true });

  // The owner's list has it, with the camera's ID and start.
  const listed = await ann.page.evaluate(async (id) => {
    const response = await fetch(`/api/cameras/${encodeURIComponent(id)}/events`);
    return { status: response.status, body: await response.json() };
  }, ann.camera.cameraId);
  assert.equal(listed.status, 200);
  assert.ok(listed.body.events.length >= 1, JSON.stringify(listed.body));
  const first = listed.body.events[listed.body.events.length - 1];
  assert.equal(first.kind, 'motion');
  assert.match(first.id, /^[A-Za-z0-9_-]{1,64}$/);
  console.log(`# figure: event start (camera stamp) -> toast on the open dashboard: ${toastAt - first.start} ms`);

  // Bob's dashboard, open all along, shows nothing; his hand-made calls are refused.
  assert.equal(await bob.page.locator('.toast-event').count(), 0);
  assert.equal(await bob.page.locator('.event-badge').count(), 0);
  const foreign = await bob.page.evaluate(async (id) => {
    const response = await fetch(`/api/cameras/${encodeURIComponent(id)}/events`);
    return { status: response.status, body: await response.json() };
  }, ann.camera.cameraId);
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.error.code, 'not_found');
});
