#!/usr/bin/env node
// Time from "something happened at a camera" to the Web Push request arriving at the push
// service: a seccam-server on loopback with a fresh data folder, the stand-in push service of
// the tests (tests/e2e/push-endpoint.mjs, which decrypts and checks every request), and
// notifyOwner reached through POST /api/cameras/{id}/notifications/test.
//   node bench/server/push_latency.mjs [N=100] [BROWSERS=20]
// First N notifications one at a time to one browser (request → the service has it), then
// one notification fanned out to BROWSERS browsers of the account (→ the last one has it).
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, SERVER_BINARY, TEST_PASSWORD, waitFor, freePort } from '../../tests/e2e/harness.mjs';
import { decryptPush, makeBrowserKeys, startPushEndpoint, verifyVapid } from '../../tests/e2e/push-endpoint.mjs';

const N = Number(process.argv[2] || 100);
const BROWSERS = Number(process.argv[3] || 20);

function stats(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1).toFixed(1)} ms (n=${sorted.length})`;
}

const endpoint = await startPushEndpoint();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seccam-push-bench-'));
const listen = `127.0.0.1:${await freePort()}`;
const origin = `http://${listen}`;
const [camera] = execFileSync(SERVER_BINARY, ['camera', 'provision', '--json', '--count', '1', '--data', dir, '--listen', listen,
  '--out', '-'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const server = spawn(SERVER_BINARY, ['serve', '--listen', listen, '--data', dir, '--web-root', path.join(REPO_ROOT, 'web'),
  '--log-level', 'warn', '--push-allow-http', 'true', '--push-endpoint-hosts', '127.0.0.1', '--push-contact', 'mailto:bench@seccam.test'],
{ stdio: 'ignore' });
try {
  await waitFor(async () => (await fetch(`${origin}/healthz`)).status === 200, { what: 'seccam-server' });
  const call = (method, p, body, cookie) => fetch(`${origin}${p}`, {
    method, headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const registered = await call('POST', '/api/register', { username: 'bench', password: TEST_PASSWORD, cameraId: camera.cameraId, claimCode: camera.claimCode });
  const cookie = registered.headers.get('set-cookie').split(';')[0];
  const browsers = Array.from({ length: BROWSERS }, () => makeBrowserKeys());
  await call('POST', '/api/push/subscriptions', { endpoint: `${endpoint.origin}/push/0`, keys: browsers[0].json }, cookie);
  await call('PUT', `/api/cameras/${camera.cameraId}/notifications`, { enabled: true }, cookie);
  const test = `/api/cameras/${camera.cameraId}/notifications/test`;

  const single = [];
  for (let i = 0; i < N; i += 1) {
    const before = endpoint.received.length;
    const start = performance.now();
    await call('POST', test, null, cookie);
    await waitFor(() => endpoint.received.length > before, { intervalMs: 1, what: 'the push' });
    single.push(performance.now() - start);
  }
  const last = endpoint.received.at(-1);
  verifyVapid(last.headers.authorization);
  decryptPush(last.body, browsers[0]);
  console.log(`one browser: ${stats(single)}`);

  for (let i = 1; i < BROWSERS; i += 1) {
    await call('POST', '/api/push/subscriptions', { endpoint: `${endpoint.origin}/push/${i}`, keys: browsers[i].json }, cookie);
  }
  const fanOut = [];
  for (let round = 0; round < 10; round += 1) {
    const before = endpoint.received.length;
    const start = performance.now();
    await call('POST', test, null, cookie);
    await waitFor(() => endpoint.received.length >= before + BROWSERS, { intervalMs: 1, what: 'every push' });
    fanOut.push(performance.now() - start);
  }
  console.log(`${BROWSERS} browsers, until the last has it: ${stats(fanOut)}`);
} finally {
  server.kill('SIGTERM');
  await once(server, 'exit');
  await endpoint.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
