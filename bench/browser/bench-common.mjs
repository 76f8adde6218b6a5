// Shared by the browser benchmarks: the e2e harness's namespace stack, a signed-in browser
// context on the live view with the measuring script injected, and percentiles.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack, waitFor, TEST_PASSWORD, CAMERA_BINARY, uniqueUsername } from '../../tests/e2e/harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const MEASURE_SCRIPT = fs.readFileSync(path.join(HERE, 'measure-in-page.js'), 'utf8');
export { Stack, waitFor };

export function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * (sorted.length - 1)))];
}

export function parseArgs(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in defaults)) throw new Error(`unknown option --${key}; known: ${Object.keys(defaults).join(', ')}`);
    out[key] = argv[i + 1];
    i += 1;
  }
  return out;
}

// A test-pattern camera agent at the given size, with the latency probe on.
// `binary`: another build of seccam-camera, for before/after figures.
export function startProbeCamera(stack, camera, { width, height, fps = 30, binary = CAMERA_BINARY }) {
  const agent = stack.spawn(`camera-${camera.cameraId}-${width}x${height}-${Date.now()}`, [
    binary, '--server', camera.server, '--camera-id', camera.cameraId, '--device-key', camera.deviceKey,
    '--source', 'test', '--width', String(width), '--height', String(height), '--fps', String(fps),
    '--latency-probe',
    // This build: the scrolling pattern the figures have always been taken with (the encoder
    // at work), so no motion detection, and no clips. An older build scrolls by itself.
    ...(binary === CAMERA_BINARY
      ? ['--test-scroll', '2', '--motion-enabled', 'false', '--data', path.join(stack.dir, `camera-data-${camera.cameraId}`)]
      : []),
  ]);
  stack.agents.set(camera.cameraId, agent);
  return agent;
}

export async function waitOnline(stack, page, cameraId) {
  await waitFor(async () => {
    const res = await page.evaluate(async (id) => (await fetch(`/api/cameras/${id}`)).json(), cameraId);
    return res.camera && res.camera.online;
  }, { timeoutMs: 20000, what: 'camera online' });
}

// Registers an account owning `camera` through the API from inside the page (so the browser
// context holds the session cookie), once per stack.
export async function signedInContext(browser, stack, camera, account) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(MEASURE_SCRIPT);
  const page = await context.newPage();
  await page.goto(`${stack.origin}/index.html`);
  const path = account.registered ? '/api/login' : '/api/register';
  const body = account.registered
    ? { username: account.username, password: TEST_PASSWORD }
    : { username: account.username, password: TEST_PASSWORD, cameraId: camera.cameraId, claimCode: camera.claimCode };
  const status = await page.evaluate(async ({ path, body }) => {
    const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    return res.status;
  }, { path, body });
  if (status !== 200 && status !== 201) throw new Error(`${path} answered ${status}`);
  account.registered = true;
  return { context, page };
}

export function newAccount() {
  return { username: uniqueUsername('bench'), registered: false };
}

export function liveUrl(stack, cameraId, { relay = false } = {}) {
  return `${stack.origin}/camera.html?id=${encodeURIComponent(cameraId)}${relay ? '&relay=1' : ''}`;
}

export function writeJson(file, data) {
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  console.log(`results written to ${file}`);
}
