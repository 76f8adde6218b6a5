// Issue 13 (notifications), the page side: the installable app's service worker shows a
// notification when a push message arrives (delivered through Chromium's DevTools protocol,
// as a push service would), open pages show a toast and a badge, and another account can
// neither subscribe to nor switch the notifications of a camera it does not own, by hand-made
// calls from its page.
// Service workers need a secure context: the namespace's http origin is declared one with
// Chromium's --unsafely-treat-insecure-origin-as-secure (as https or localhost would be).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { CHROMIUM_ARGS, Stack, newPage, screenshotPath, signUp, waitFor } from './harness.mjs';
import { makeBrowserKeys } from './push-endpoint.mjs';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let stack;
let browser;
let ann; // {page, camera}
let bob;
const ANN_CAMERA_NAME = 'Ann’s porch';

before(async () => {
  stack = await Stack.start({ label: 'push', cameraCount: 2 });
  browser = await stack.launchBrowser({ args: [...CHROMIUM_ARGS, `--unsafely-treat-insecure-origin-as-secure=${stack.origin}`] });
  const [annCamera, bobCamera] = stack.cameras;
  ann = { page: await newPage(browser), camera: annCamera };
  bob = { page: await newPage(browser), camera: bobCamera };
  await ann.page.context().grantPermissions(['notifications'], { origin: stack.origin });
  await signUp(ann.page, stack, annCamera, { cameraName: ANN_CAMERA_NAME });
  await signUp(bob.page, stack, bobCamera, { cameraName: 'Bob’s garage' });
});

after(async () => {
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

// axe-core's serious and critical violations on the page as it is, light and dark (as
// a11y.test.mjs does for the other states: here the switch, the badge and the toast show).
async function seriousViolations(page) {
  const found = [];
  await page.evaluate(AXE_SOURCE);
  // Colors mid-transition would be measured half-way.
  await page.evaluate(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('*, *::before, *::after { transition: none !important; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  });
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] }))
      .violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })));
    found.push(...violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ ...v, colorScheme })));
  }
  return found;
}

// The service worker registration of the site's root scope, by its DevTools ID.
async function registrationId(cdp) {
  const registrations = new Map();
  cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
    for (const r of updated) registrations.set(r.scopeURL, r);
  });
  await cdp.send('ServiceWorker.enable');
  const found = await waitFor(() => {
    const r = registrations.get(`${stack.origin}/`);
    return r && !r.isDeleted ? r : null;
  }, { what: 'the service worker registration' });
  return found.registrationId;
}

test('the dashboard is an installable app whose service worker shows a notification when a push arrives', async () => {
  const { page, camera } = ann;
  await page.goto(`${stack.origin}/cameras.html`);
  await page.locator(`.camera-card[data-camera-id="${camera.cameraId}"]`).waitFor();
  // The manifest and the worker load under the pages' Content-Security-Policy.
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel="manifest"]').href;
    const response = await fetch(href);
    return { type: response.headers.get('content-type'), json: await response.json() };
  });
  assert.equal(manifest.type, 'application/manifest+json');
  assert.equal(manifest.json.display, 'standalone');
  assert.ok(manifest.json.icons.some((icon) => icon.sizes === '512x512' && icon.type === 'image/png'));
  const scope = await page.evaluate(() => Promise.race([
    navigator.serviceWorker.ready.then((registration) => registration.scope),
    new Promise((resolve) => { setTimeout(() => resolve('no service worker within 10 s'), 10000); }),
  ]));
  assert.equal(scope, `${stack.origin}/`);
  // Where push works, each camera has its switch.
  await page.getByRole('switch', { name: `Notify me of events at ${ANN_CAMERA_NAME}` }).waitFor();

  const cdp = await page.context().newCDPSession(page);
  const at = new Date().toISOString();
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: stack.origin,
    registrationId: await registrationId(cdp),
    data: JSON.stringify({ type: 'event', camera: { id: camera.cameraId, name: ANN_CAMERA_NAME }, at }),
  });

  const notifications = await waitFor(async () => {
    const shown = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
    });
    return shown.length ? shown : null;
  }, { what: 'a notification' });
  assert.equal(notifications.length, 1);
  assert.equal(notifications[0].title, ANN_CAMERA_NAME);
  assert.match(notifications[0].body, /^Something happened at \d/);
  assert.equal(notifications[0].data.url, `/camera.html?id=${encodeURIComponent(camera.cameraId)}`);

  // The open dashboard shows it too: a toast and a badge on the camera's card.
  await page.locator('.toast-event', { hasText: ANN_CAMERA_NAME }).waitFor();
  assert.equal(await page.locator(`.camera-card[data-camera-id="${camera.cameraId}"] .event-badge`).textContent(), '1');
  assert.match(await page.title(), /^\(1\) /);
  await page.screenshot({ path: screenshotPath('push-dashboard-toast'), fullPage: true });
  assert.deepEqual(await seriousViolations(page), []);
  assert.deepEqual(page.errors || [], []);
});

test("another account can neither subscribe to nor switch the notifications of a camera it does not own", async () => {
  const { page } = bob;
  await page.goto(`${stack.origin}/cameras.html`);
  await page.locator(`.camera-card[data-camera-id="${bob.camera.cameraId}"]`).waitFor();
  assert.equal(await page.locator(`[data-camera-id="${ann.camera.cameraId}"]`).count(), 0);
  const keys = makeBrowserKeys().json;
  const results = await page.evaluate(async ({ other, own, keys }) => {
    const call = async (method, path, body) => {
      const response = await fetch(path, {
        method, headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, code: text ? JSON.parse(text).error?.code ?? null : null };
    };
    const path = `/api/cameras/${encodeURIComponent(other)}/notifications`;
    const endpoint = 'https://fcm.googleapis.com/fcm/send/bob-test';
    return {
      switchOn: await call('PUT', path, { enabled: true }),
      read: await call('GET', path),
      test: await call('POST', `${path}/test`),
      subscribe: await call('POST', '/api/push/subscriptions', { endpoint, keys, cameras: [other] }),
      subscribeMixed: await call('POST', '/api/push/subscriptions', { endpoint, keys, cameras: [own, other] }),
      list: await (await fetch('/api/push/subscriptions')).json(),
      own: await call('PUT', `/api/cameras/${encodeURIComponent(own)}/notifications`, { enabled: true }),
    };
  }, { other: ann.camera.cameraId, own: bob.camera.cameraId, keys });
  for (const name of ['switchOn', 'read', 'test', 'subscribe', 'subscribeMixed']) {
    assert.deepEqual(results[name], { status: 404, code: 'not_found' }, name);
  }
  assert.deepEqual(results.list, { subscriptions: [] });
  // His own camera he may switch.
  assert.equal(results.own.status, 200);

  // Ann's switch is untouched.
  const annSwitch = await ann.page.evaluate(async (id) => (await fetch(`/api/cameras/${encodeURIComponent(id)}/notifications`)).json(),
    ann.camera.cameraId);
  assert.deepEqual(annSwitch, { enabled: false });
});

// This headless Chromium has no push service to subscribe with (pushManager.subscribe fails
// at once): the switch says so and stays off, and the camera's switch on the server is not
// turned on for a browser that would not get anything.
test('turning notifications on where the browser cannot subscribe says why and leaves the switch off', async () => {
  const { page, camera } = ann;
  await page.goto(`${stack.origin}/cameras.html`);
  const toggle = page.getByRole('switch', { name: `Notify me of events at ${ANN_CAMERA_NAME}` });
  await toggle.click();
  await page.locator('.toast', { hasText: 'could not sign up for notifications' }).waitFor();
  await waitFor(async () => !(await toggle.isDisabled()), { what: 'the switch to settle' });
  assert.equal(await toggle.isChecked(), false);
  const state = await page.evaluate(async (id) => (await fetch(`/api/cameras/${encodeURIComponent(id)}/notifications`)).json(), camera.cameraId);
  assert.deepEqual(state, { enabled: false });
});
