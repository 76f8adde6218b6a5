// One account cannot see or watch another account's camera: not through the pages, not by
// hand-made API calls or WebSocket messages from the page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, TEST_PASSWORD, expectPlaying, newPage, screenshotPath, signUp } from './harness.mjs';

const VIDEO = { width: 160, height: 120, fps: 10 };

let stack;
let browser;
let ann; // {page, camera}
let bob;

before(async () => {
  stack = await Stack.start({ label: 'isolation', cameraCount: 2 });
  browser = await stack.launchBrowser();
  const [annCamera, bobCamera] = stack.cameras;
  for (const camera of stack.cameras) stack.startCamera(camera, VIDEO);
  ann = { page: await newPage(browser), camera: annCamera };
  bob = { page: await newPage(browser), camera: bobCamera };
  ann.username = await signUp(ann.page, stack, annCamera, { cameraName: 'Ann’s porch' });
  await signUp(bob.page, stack, bobCamera, { cameraName: 'Bob’s garage' });
});

after(async () => {
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

test("the dashboard lists only the account's own cameras", async () => {
  const { page } = bob;
  await page.goto(`${stack.origin}/cameras.html`);
  await page.locator(`.camera-card[data-camera-id="${bob.camera.cameraId}"]`).waitFor();
  assert.equal(await page.locator('.camera-card').count(), 1);
  assert.equal(await page.locator(`[data-camera-id="${ann.camera.cameraId}"]`).count(), 0);
  assert.ok(!(await page.content()).includes(ann.camera.cameraId));
});

test("the live view of someone else's camera says it is not found and plays nothing", async () => {
  const { page } = bob;
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(ann.camera.cameraId)}`);
  await page.getByRole('heading', { name: 'Camera not found' }).waitFor();
  await page.screenshot({ path: screenshotPath('live-not-found-desktop'), fullPage: true });
  assert.ok(await page.locator('#player').isHidden());
  assert.equal(await page.locator('#video').evaluate((v) => v.srcObject), null);
});

test("hand-made API calls for someone else's camera get 404 not_found, like a camera that does not exist", async () => {
  const results = await bob.page.evaluate(async ({ other }) => {
    const call = async (method, path, body) => {
      const response = await fetch(path, {
        method, headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      return { status: response.status, code: text ? JSON.parse(text).error?.code : null };
    };
    const path = `/api/cameras/${encodeURIComponent(other)}`;
    return {
      get: await call('GET', path),
      patch: await call('PATCH', path, { name: 'mine now' }),
      remove: await call('DELETE', path),
      missing: await call('GET', '/api/cameras/sc-DOESNOTEXIST0000'),
      list: await (await fetch('/api/cameras', { headers: { 'Content-Type': 'application/json' } })).json(),
    };
  }, { other: ann.camera.cameraId });
  for (const key of ['get', 'patch', 'remove', 'missing']) {
    assert.deepEqual(results[key], { status: 404, code: 'not_found' }, key);
  }
  assert.deepEqual(results.list.cameras.map((c) => c.id), [bob.camera.cameraId]);
});

test("a hand-made WebSocket offer for someone else's camera is refused with not_found", async () => {
  const result = await bob.page.evaluate(async ({ other }) => {
    const socket = new WebSocket(`ws://${location.host}/ws`);
    const messages = [];
    const next = (type) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} in time; got ${JSON.stringify(messages)}`)), 10000);
      const check = () => {
        const found = messages.find((m) => m.type === type);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else {
          setTimeout(check, 20);
        }
      };
      check();
    });
    socket.onmessage = (event) => messages.push(JSON.parse(event.data));
    const hello = await next('hello');
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    const offer = await pc.createOffer();
    socket.send(JSON.stringify({ type: 'offer', session: 'handmade-session-1', camera: other, sdp: offer.sdp }));
    const error = await next('error');
    socket.send(JSON.stringify({ type: 'candidate', session: 'handmade-session-1', candidate: '', sdpMid: '0', sdpMLineIndex: 0 }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.close();
    pc.close();
    return {
      helloCameras: hello.cameras.map((c) => c.id),
      error,
      answers: messages.filter((m) => m.type === 'answer').length,
    };
  }, { other: ann.camera.cameraId });
  assert.deepEqual(result.helloCameras, [bob.camera.cameraId]);
  assert.equal(result.error.code, 'not_found');
  assert.equal(result.error.session, 'handmade-session-1');
  assert.equal(result.answers, 0);
});

test('the owner still watches the camera after all that', async () => {
  const { page } = ann;
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(ann.camera.cameraId)}`);
  const playing = await expectPlaying(page);
  assert.equal(playing.videoWidth, VIDEO.width);
  assert.equal(await page.locator('#heading').textContent(), 'Ann’s porch');
});

test('removing a camera takes it off the account; it can no longer be watched', async () => {
  const { page } = bob;
  await page.goto(`${stack.origin}/cameras.html`);
  const card = page.locator(`.camera-card[data-camera-id="${bob.camera.cameraId}"]`);
  await card.getByRole('button', { name: /^Remove/ }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove camera' }).click();
  await card.waitFor({ state: 'detached' });
  await page.getByRole('heading', { name: 'No cameras yet' }).waitFor();
  await page.screenshot({ path: screenshotPath('dashboard-empty-desktop'), fullPage: true });
  const status = await page.evaluate(async (id) => (await fetch(`/api/cameras/${encodeURIComponent(id)}`, { headers: { 'Content-Type': 'application/json' } })).status, bob.camera.cameraId);
  assert.equal(status, 404);
});

test('a wrong password is refused with a clear message; signing out ends the session', async () => {
  const page = await newPage(browser);
  await page.goto(`${stack.origin}/index.html`);
  await page.getByLabel('Username').fill(ann.username);
  await page.getByLabel('Password').fill('Not-the-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /do not match/ }).waitFor();
  assert.match(page.url(), /\/index\.html/);

  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/cameras\.html/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/index\.html/);
  const me = await page.evaluate(async () => (await fetch('/api/me', { headers: { 'Content-Type': 'application/json' } })).status);
  assert.equal(me, 401);
  await page.goto(`${stack.origin}/cameras.html`);
  await page.waitForURL(/\/index\.html\?next=/);
  await page.context().close();
});
