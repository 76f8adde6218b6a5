// From a camera's motion to its owner (issue 13): for each of N events of a real seccam-camera
// with scripted motion, the time from the event's start (the camera's own stamp, as the server
// lists it) to (a) the toast on the owner's open dashboard in Debian's Chromium and (b) the
// Web Push request arriving at the tests' stand-in push service (tests/e2e/push-endpoint.mjs).
// Server, camera, browser and push service on 127.0.0.1; one machine clock for all stamps.
//   node bench/browser/event-latency.mjs [--events 10] [--json event-latency.json]
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs, percentile, waitFor, writeJson } from './bench-common.mjs';
import { CAMERA_BINARY, CHROMIUM_ARGS, REPO_ROOT, SERVER_BINARY, TEST_PASSWORD, uniqueUsername, freePort } from '../../tests/e2e/harness.mjs';
import { makeBrowserKeys, startPushEndpoint } from '../../tests/e2e/push-endpoint.mjs';

const { chromium } = createRequire(path.join(REPO_ROOT, 'tests/e2e/package.json'))('playwright-core');
const opts = parseArgs({ events: '10', json: 'event-latency.json' });
const wanted = Number(opts.events);
// Still 3 s, moving 2 s, quiet 1 s: an event about every 6 s.
const MOTION = ['--test-motion', 'still:3,move:2', '--motion-quiet-period', '1'];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seccam-bench-events-'));
const children = [];
function start(name, argv) {
  const log = fs.openSync(path.join(dir, `${name}.log`), 'w');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  children.push(child);
  return child;
}

const endpoint = await startPushEndpoint();
let browser;
try {
  const listen = `127.0.0.1:${await freePort()}`;
  const origin = `http://${listen}`;
  const provisioned = execFileSync(SERVER_BINARY, ['camera', 'provision', '--json', '--count', '1', '--data', dir,
    '--listen', listen, '--out', path.join(dir, 'cameras')], { encoding: 'utf8' });
  const camera = JSON.parse(provisioned.split('\n').find((line) => line.startsWith('{')));
  start('server', [SERVER_BINARY, 'serve', '--listen', listen, '--data', dir, '--web-root', path.join(REPO_ROOT, 'web'),
    '--push-allow-http', 'true', '--push-endpoint-hosts', '127.0.0.1', '--push-contact', 'mailto:ops@seccam.test',
    '--events-max-per-minute', '60']);
  await waitFor(async () => (await fetch(`${origin}/healthz`).catch(() => ({ status: 0 }))).status === 200, { what: 'seccam-server' });

  // The owner: an account, a subscribed browser (the stand-in's keys), notifications on.
  const registered = await fetch(`${origin}/api/register`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: uniqueUsername('bench'), password: TEST_PASSWORD, cameraId: camera.cameraId, claimCode: camera.claimCode }),
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const [cookieName, cookieValue] = registered.headers.get('set-cookie').split(';')[0].split('=');
  const call = (method, urlPath, body) => fetch(`${origin}${urlPath}`, {
    method, headers: { 'Content-Type': 'application/json', Cookie: `${cookieName}=${cookieValue}` }, body: JSON.stringify(body),
  });
  await call('POST', '/api/push/subscriptions', { endpoint: `${endpoint.origin}/push/owner`, keys: makeBrowserKeys().json });
  await call('PUT', `/api/cameras/${camera.cameraId}/notifications`, { enabled: true });

  // The owner's dashboard, open, noting when each event's toast appears.
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext();
  await context.addCookies([{ name: cookieName, value: cookieValue, url: origin }]);
  const page = await context.newPage();
  await page.goto(`${origin}/cameras.html`);
  await page.locator(`.camera-card[data-camera-id="${camera.cameraId}"]`).waitFor();
  await page.evaluate(() => {
    window.__toasts = [];
    new MutationObserver((records) => {
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (node.nodeType === 1 && node.matches('.toast-event')) window.__toasts.push(Date.now());
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });

  start('camera', [CAMERA_BINARY, '--config', path.join(dir, 'cameras', `${camera.cameraId}.toml`), '--source', 'test',
    '--width', '640', '--height', '360', '--fps', '30', ...MOTION, '--data', path.join(dir, 'camera-data')]);
  const limitMs = (wanted + 3) * 8000;
  await waitFor(async () => (await page.evaluate(() => window.__toasts.length)) >= wanted,
    { timeoutMs: limitMs, intervalMs: 500, what: `${wanted} toasts` });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the last push request

  // Events oldest first, matched in order with toasts and push requests (one each per event).
  const { events } = await (await call('GET', `/api/cameras/${camera.cameraId}/events?limit=500`)).json();
  const starts = events.map((e) => e.start).sort((a, b) => a - b).slice(0, wanted);
  const toasts = (await page.evaluate(() => window.__toasts)).slice(0, wanted);
  const pushes = endpoint.received.filter((r) => r.path === '/push/owner').map((r) => r.at).sort((a, b) => a - b).slice(0, wanted);
  if (toasts.length !== starts.length || pushes.length !== starts.length) {
    throw new Error(`events ${starts.length}, toasts ${toasts.length}, pushes ${pushes.length}: cannot match them`);
  }
  const toastMs = starts.map((s, i) => toasts[i] - s);
  const pushMs = starts.map((s, i) => pushes[i] - s);
  const row = (name, values) => ({ name, p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values), values });
  const results = [row('event start -> toast on the open dashboard', toastMs), row('event start -> push request at the push service', pushMs)];
  for (const r of results) console.log(`${r.name.padEnd(50)} p50 ${r.p50} ms  p95 ${r.p95} ms  max ${r.max} ms  (${r.values.length} events)`);
  writeJson(opts.json, { date: new Date().toISOString(), events: wanted, results });
} finally {
  await browser?.close().catch(() => {});
  for (const child of children.reverse()) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  await endpoint.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
