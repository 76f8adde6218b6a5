// The README's demo command (scripts/demo.sh, with the build skipped) in a namespace of its own:
// it starts seccam-server, coturn and a test camera on 127.0.0.1 and prints what to sign up
// with; a browser with default WebRTC settings (mDNS host names on, as people have it) signs
// up and watches; Ctrl-C (SIGINT) stops all of it.
//
// Measured here: on one machine the video flows over the host candidates of its non-loopback
// interface (here the namespace's veth pair; Chromium's mDNS-hidden host shows up at the camera
// as peer-reflexive). A relay-only viewer through the demo's coturn on 127.0.0.1 does not
// connect: the camera's libnice gets no answer through a relay on a loopback address.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BUILD_DIR, CHROMIUM_ARGS, REPO_ROOT, Stack, expectPlaying, newPage, waitFor } from './harness.mjs';

const DEMO_STARTUP_TIMEOUT_MS = 40000;
const MDNS_FLAG = '--disable-features=WebRtcHideLocalIpsWithMdns';

let stack;

before(async () => {
  stack = await Stack.start({ label: 'demo', services: false });
});

after(async () => {
  if (process.exitCode) console.error(stack?.logs());
  // The demo's own logs (server, coturn, camera) are kept beside the test's.
  if (stack) fs.cpSync(path.join(stack.dir, 'demo-data', 'logs'), stack.logDir, { recursive: true, force: true });
  await stack?.stop();
});

test('the demo runs everything on loopback, a browser watches its camera, Ctrl-C stops it all', async () => {
  const demo = stack.spawn('demo', ['env', 'SECCAM_DEMO_SKIP_BUILD=1', `SECCAM_BUILD_DIR=${BUILD_DIR}`,
    `SECCAM_DEMO_DATA=${path.join(stack.dir, 'demo-data')}`, path.join(REPO_ROOT, 'scripts/demo.sh')]);
  const banner = await waitFor(() => {
    if (!demo.running) throw new Error(`demo.sh exited:\n${demo.log()}`);
    const log = demo.log();
    return /Claim code\s+\S+/.test(log) ? log : null;
  }, { timeoutMs: DEMO_STARTUP_TIMEOUT_MS, intervalMs: 200, what: 'the demo banner' });
  const url = banner.match(/Open\s+(\S+)/)[1];
  const camera = { cameraId: banner.match(/Camera ID\s+(\S+)/)[1], claimCode: banner.match(/Claim code\s+(\S+)/)[1] };
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.match(banner, /The test camera is connected/);

  const browser = await stack.launchBrowser({ args: CHROMIUM_ARGS.filter((a) => a !== MDNS_FLAG) });
  const page = await newPage(browser);
  await page.goto(url);
  await page.getByRole('link', { name: /Create an account/ }).click();
  await page.getByLabel('Camera ID').fill(camera.cameraId);
  await page.getByLabel('Claim code').fill(camera.claimCode);
  await page.getByLabel('Username').fill('demo-user');
  await page.getByLabel('Password', { exact: true }).fill('Demo-Passw0rd!');
  await page.getByLabel('Password again').fill('Demo-Passw0rd!');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#setup-status[data-status="online"]').waitFor({ timeout: 15000 });
  await page.getByRole('link', { name: 'Watch live' }).click();
  const playing = await expectPlaying(page, { timeoutMs: 30000 });
  assert.ok(playing.videoWidth > 0 && playing.videoHeight > 0);
  console.log(`demo: ${playing.videoWidth}x${playing.videoHeight}, path ${playing.path} (local ${playing.localCandidateType}, remote ${playing.remoteCandidateType})`);

  // A second viewer at once (a second tab) plays as well.
  const second = await page.context().newPage();
  await second.goto(page.url());
  await expectPlaying(second, { timeoutMs: 30000 });
  await browser.close();

  demo.child.kill('SIGINT');
  await demo.exited;
  assert.equal(demo.child.exitCode, 130, `demo.sh exit status; its output:\n${demo.log()}`);
  assert.doesNotMatch(demo.log(), /stopped unexpectedly/);
  await waitFor(() => stack.pidsInside().length === 0, { timeoutMs: 10000, what: 'every demo process to stop' });
  assert.match(demo.log(), /Stopped\./);
});
