// Issue 13 (notifications): the server's Web Push requests, received by a stand-in push
// service on loopback (push-endpoint.mjs) that verifies the VAPID signature and decrypts the
// message with Node's crypto; the subscription and switch API with its errors, and what
// another account may not do; a push service's 410 makes the server forget the browser.
// Real seccam-server on 127.0.0.1 (no browser, no namespace needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, SERVER_BINARY, TEST_PASSWORD, ARTIFACTS_DIR, waitFor, uniqueUsername, freePort } from './harness.mjs';
import { makeBrowserKeys, verifyVapid, decryptPush, startPushEndpoint } from './push-endpoint.mjs';

const CONTACT = 'mailto:ops@seccam.test';
let dir, server, origin, endpoint, cameras, annCookie;
const gone = new Set(); // paths the push service answers 410 for

async function call(method, urlPath, { cookie, body } = {}) {
  const response = await fetch(`${origin}${urlPath}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null, headers: response.headers };
}

async function register(camera) {
  const username = uniqueUsername('push');
  const response = await fetch(`${origin}/api/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD, cameraId: camera.cameraId, claimCode: camera.claimCode }),
  });
  assert.equal(response.status, 201, await response.text());
  return response.headers.get('set-cookie').split(';')[0];
}

before(async () => {
  endpoint = await startPushEndpoint({ statusFor: (p) => (gone.has(p) ? 410 : 201) });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seccam-web-push-'));
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  origin = `http://${listen}`;
  const out = execFileSync(SERVER_BINARY, ['camera', 'provision', '--json', '--count', '2', '--data', dir, '--listen', listen,
    '--out', path.join(dir, 'cameras')], { encoding: 'utf8' });
  cameras = out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  fs.mkdirSync(path.join(ARTIFACTS_DIR, 'logs'), { recursive: true });
  const log = fs.openSync(path.join(ARTIFACTS_DIR, 'logs', 'web-push-server.log'), 'w');
  // Plain http and a loopback "push service": test settings (production accepts only https
  // to the push services' own hosts).
  server = spawn(SERVER_BINARY, ['serve', '--listen', listen, '--data', dir, '--web-root', path.join(REPO_ROOT, 'web'),
    '--push-allow-http', 'true', '--push-endpoint-hosts', '127.0.0.1', '--push-contact', CONTACT, '--push-ttl', '600'],
  { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  await waitFor(async () => (await fetch(`${origin}/healthz`)).status === 200, { what: 'seccam-server /healthz' });
});

after(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  await endpoint?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a push for a switched-on camera reaches the owner\'s browser, signed with VAPID and readable only with its keys', async () => {
  const [cam] = cameras;
  const ann = await register(cam);
  annCookie = ann;
  const { status, json: keyBody } = await call('GET', '/api/push/key', { cookie: ann });
  assert.equal(status, 200);
  const serverKey = Buffer.from(keyBody.publicKey, 'base64url');
  assert.equal(serverKey.length, 65);
  // Made at first start, private like the master key.
  assert.equal(fs.statSync(path.join(dir, 'vapid.pem')).mode & 0o777, 0o600);

  const browser = makeBrowserKeys();
  const subscribed = await call('POST', '/api/push/subscriptions', {
    cookie: ann, body: { endpoint: `${endpoint.origin}/push/ann`, keys: browser.json },
  });
  assert.equal(subscribed.status, 201, JSON.stringify(subscribed.json));
  assert.equal(subscribed.json.subscription.endpoint, `${endpoint.origin}/push/ann`);
  assert.equal(subscribed.json.subscription.cameras, null);

  // Off until the owner turns it on: nothing is sent.
  assert.deepEqual((await call('GET', `/api/cameras/${cam.cameraId}/notifications`, { cookie: ann })).json, { enabled: false });
  const on = await call('PUT', `/api/cameras/${cam.cameraId}/notifications`, { cookie: ann, body: { enabled: true } });
  assert.equal(on.status, 200);
  assert.deepEqual(on.json, { enabled: true });

  const before = Math.floor(Date.now() / 1000);
  assert.equal((await call('POST', `/api/cameras/${cam.cameraId}/notifications/test`, { cookie: ann })).status, 202);
  const request = await waitFor(() => endpoint.received.find((r) => r.path === '/push/ann'), { what: 'the push request' });

  assert.equal(request.method, 'POST');
  assert.equal(request.headers['content-encoding'], 'aes128gcm');
  assert.equal(request.headers.ttl, '600');
  assert.match(request.headers.urgency, /^(very-low|low|normal|high)$/);

  const vapid = verifyVapid(request.headers.authorization);
  assert.equal(vapid.key, keyBody.publicKey);
  assert.deepEqual(vapid.header, { typ: 'JWT', alg: 'ES256' });
  assert.equal(vapid.claims.aud, endpoint.origin);
  assert.equal(vapid.claims.sub, CONTACT);
  assert.ok(vapid.claims.exp > before && vapid.claims.exp <= before + 24 * 3600 + 5, `exp ${vapid.claims.exp}`);

  const message = JSON.parse(decryptPush(request.body, browser));
  // Which camera and when, nothing more.
  assert.deepEqual(Object.keys(message).sort(), ['at', 'camera', 'type']);
  assert.equal(message.type, 'event');
  assert.deepEqual(message.camera, { id: cam.cameraId, name: cam.cameraId });
  const at = Date.parse(message.at) / 1000;
  assert.ok(at >= before - 1 && at <= Date.now() / 1000 + 1, message.at);

  // Another browser's keys cannot read it.
  assert.throws(() => decryptPush(request.body, makeBrowserKeys()));
});

test('bad subscriptions and switches get clear errors, and another account can neither subscribe to nor switch a camera it does not own', async () => {
  const [annCam, bobCam] = cameras;
  const bob = await register(bobCam);
  const keys = makeBrowserKeys().json;

  const foreign = await call('POST', '/api/push/subscriptions', { cookie: bob, body: { endpoint: 'https://evil.example/push', keys } });
  assert.equal(foreign.status, 400);
  assert.equal(foreign.json.error.code, 'invalid_input');
  assert.ok(foreign.json.error.fields.endpoint);
  const badKey = await call('POST', '/api/push/subscriptions', {
    cookie: bob, body: { endpoint: `${endpoint.origin}/push/bob`, keys: { p256dh: 'AAAA', auth: 'short' } },
  });
  assert.equal(badKey.status, 400);
  assert.ok(badKey.json.error.fields['keys.p256dh']);
  assert.ok(badKey.json.error.fields['keys.auth']);
  const noKeys = await call('POST', '/api/push/subscriptions', { cookie: bob, body: { endpoint: `${endpoint.origin}/push/bob` } });
  assert.equal(noKeys.status, 400);
  assert.ok(noKeys.json.error.fields.keys);
  const badSwitch = await call('PUT', `/api/cameras/${bobCam.cameraId}/notifications`, { cookie: bob, body: { enabled: 'yes' } });
  assert.equal(badSwitch.status, 400);
  assert.ok(badSwitch.json.error.fields.enabled);
  assert.equal((await call('GET', '/api/push/key')).status, 401);

  // Ann's camera, from Bob's account: 404 exactly like a camera that does not exist.
  const theirs = await call('POST', '/api/push/subscriptions', {
    cookie: bob, body: { endpoint: `${endpoint.origin}/push/bob`, keys, cameras: [annCam.cameraId] },
  });
  assert.equal(theirs.status, 404);
  assert.equal(theirs.json.error.code, 'not_found');
  assert.equal((await call('PUT', `/api/cameras/${annCam.cameraId}/notifications`, { cookie: bob, body: { enabled: false } })).status, 404);
  assert.equal((await call('GET', `/api/cameras/${annCam.cameraId}/notifications`, { cookie: bob })).status, 404);
  assert.equal((await call('POST', `/api/cameras/${annCam.cameraId}/notifications/test`, { cookie: bob })).status, 404);
  assert.deepEqual((await call('GET', '/api/push/subscriptions', { cookie: bob })).json, { subscriptions: [] });
  // Ann's switch is as she left it.
  assert.deepEqual((await call('GET', `/api/cameras/${annCam.cameraId}/notifications`, { cookie: annCookie })).json, { enabled: true });

  // Bob's own browser, subscribed for every camera he owns, hears nothing of Ann's camera:
  // after Ann's next push has arrived, nothing has come for Bob.
  const mine = await call('POST', '/api/push/subscriptions', { cookie: bob, body: { endpoint: `${endpoint.origin}/push/bob`, keys } });
  assert.equal(mine.status, 201);
  const sentBefore = endpoint.received.length;
  assert.equal((await call('POST', `/api/cameras/${annCam.cameraId}/notifications/test`, { cookie: annCookie })).status, 202);
  await waitFor(() => endpoint.received.slice(sentBefore).some((r) => r.path === '/push/ann'), { what: 'Ann\'s push' });
  assert.ok(endpoint.received.every((r) => r.path !== '/push/bob'));
});

test('a subscription the push service says is gone (410) is deleted', async () => {
  const cam = cameras[0];
  gone.add('/push/ann');
  assert.equal((await call('POST', `/api/cameras/${cam.cameraId}/notifications/test`, { cookie: annCookie })).status, 202);
  await waitFor(async () => (await call('GET', '/api/push/subscriptions', { cookie: annCookie })).json.subscriptions.length === 0,
    { what: 'the gone subscription to be deleted' });
});
