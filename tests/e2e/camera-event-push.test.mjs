// Issue 13: a real camera's motion event makes the server send its owner's browser a Web Push
// request (through notifyOwner), checked by the tests' stand-in push service
// (push-endpoint.mjs: VAPID signature verified, message decrypted with Node's crypto). The
// push says which camera and when the event started, nothing more; another account's browser
// gets nothing. Real seccam-server and seccam-camera (test source, scripted motion) on
// 127.0.0.1, no browser. The time from the event's start to the push request is printed as a
// figure (docs/PERFORMANCE.md), not asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARTIFACTS_DIR, CAMERA_BINARY, REPO_ROOT, SERVER_BINARY, TEST_PASSWORD, waitFor, uniqueUsername, freePort } from './harness.mjs';
import { makeBrowserKeys, verifyVapid, decryptPush, startPushEndpoint } from './push-endpoint.mjs';

let dir, server, camera, origin, endpoint, cameras;

async function call(method, urlPath, { cookie, body } = {}) {
  const response = await fetch(`${origin}${urlPath}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function register(cam) {
  const response = await fetch(`${origin}/api/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: uniqueUsername('evpush'), password: TEST_PASSWORD, cameraId: cam.cameraId, claimCode: cam.claimCode }),
  });
  assert.equal(response.status, 201, await response.text());
  return response.headers.get('set-cookie').split(';')[0];
}

async function stop(child) {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

before(async () => {
  endpoint = await startPushEndpoint();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seccam-event-push-'));
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  origin = `http://${listen}`;
  const out = execFileSync(SERVER_BINARY, ['camera', 'provision', '--json', '--count', '2', '--data', dir, '--listen', listen,
    '--out', path.join(dir, 'cameras')], { encoding: 'utf8' });
  cameras = out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  fs.mkdirSync(path.join(ARTIFACTS_DIR, 'logs'), { recursive: true });
  const log = fs.openSync(path.join(ARTIFACTS_DIR, 'logs', 'event-push-server.log'), 'w');
  server = spawn(SERVER_BINARY, ['serve', '--listen', listen, '--data', dir, '--web-root', path.join(REPO_ROOT, 'web'),
    '--push-allow-http', 'true', '--push-endpoint-hosts', '127.0.0.1', '--push-contact', 'mailto:ops@seccam.test'],
  { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  await waitFor(async () => (await fetch(`${origin}/healthz`)).status === 200, { what: 'seccam-server /healthz' });
});

after(async () => {
  await stop(camera);
  await stop(server);
  await endpoint?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("a camera's motion event sends its owner's browser a Web Push that says which camera and when; another account's gets none", async () => {
  const [annCam, bobCam] = cameras;
  const ann = await register(annCam);
  const bob = await register(bobCam);
  const annBrowser = makeBrowserKeys();
  const bobBrowser = makeBrowserKeys();
  for (const [cookie, keys, name, cam] of [[ann, annBrowser, 'ann', annCam], [bob, bobBrowser, 'bob', bobCam]]) {
    assert.equal((await call('POST', '/api/push/subscriptions', { cookie, body: { endpoint: `${endpoint.origin}/push/${name}`, keys: keys.json } })).status, 201);
    assert.equal((await call('PUT', `/api/cameras/${cam.cameraId}/notifications`, { cookie, body: { enabled: true } })).status, 200);
  }
  const { json: keyBody } = await call('GET', '/api/push/key', { cookie: ann });

  const log = fs.openSync(path.join(ARTIFACTS_DIR, 'logs', 'event-push-camera.log'), 'w');
  camera = spawn(CAMERA_BINARY, ['--config', path.join(dir, 'cameras', `${annCam.cameraId}.toml`), '--source', 'test',
    '--width', '320', '--height', '240', '--fps', '15', '--test-motion', 'still:2,move:6', '--motion-quiet-period', '2',
    '--data', path.join(dir, 'camera-data')], { stdio: ['ignore', log, log] });
  fs.closeSync(log);

  const request = await waitFor(() => endpoint.received.find((r) => r.path === '/push/ann'), { timeoutMs: 30000, what: 'the push request' });
  assert.equal(request.headers['content-encoding'], 'aes128gcm');
  assert.equal(verifyVapid(request.headers.authorization).key, keyBody.publicKey);
  const message = JSON.parse(decryptPush(request.body, annBrowser));
  assert.deepEqual(Object.keys(message).sort(), ['at', 'camera', 'type']);
  assert.equal(message.type, 'event');
  assert.equal(message.camera.id, annCam.cameraId);

  // `at` is the stored event's start, to the second.
  const listed = await waitFor(async () => {
    const { json } = await call('GET', `/api/cameras/${annCam.cameraId}/events`, { cookie: ann });
    return json.events.length ? json : null;
  }, { what: 'the stored event' });
  const first = listed.events[listed.events.length - 1];
  assert.equal(Date.parse(message.at), Math.floor(first.start / 1000) * 1000);
  console.log(`# figure: event start (camera stamp) -> push request at the push service: ${request.at - first.start} ms`);

  // None to Bob's browser (his camera saw nothing).
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(endpoint.received.filter((r) => r.path === '/push/bob').length, 0);
});
