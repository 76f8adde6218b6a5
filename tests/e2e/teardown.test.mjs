// Viewers leaving while the camera's ICE is still gathering: the camera gets TURN servers in
// every session, one of which never answers (an address on the link with no host behind it),
// so its candidate gathering is still running when the viewers go. Two viewers with
// Chromium's default settings (mDNS host names) leave at once, round after round.
//
// GStreamer 1.22's ICE glue ran its "candidate-gathering-done" handler on the webrtcbin:ice
// thread while the camera finalized that webrtcbin: before the fix (viewer_peer.cpp silences
// the agent's handlers on that thread first) this crashed the camera in most runs of the demo
// with a TURN URL.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CHROMIUM_ARGS, Stack, expectPlaying, newPage, signUp } from './harness.mjs';

const VIDEO = { width: 320, height: 240, fps: 15 };
const ROUNDS = 4;
const MDNS_FLAG = '--disable-features=WebRtcHideLocalIpsWithMdns';

let stack;
let browser;

// What a page did, for the failure message: console lines, failed requests, its WebSocket.
function traceOf(page) {
  const lines = [];
  const at = () => new Date().toISOString().slice(11, 23);
  page.on('console', (m) => lines.push(`${at()} console ${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`${at()} page error: ${e.message}`));
  page.on('requestfailed', (r) => lines.push(`${at()} request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) lines.push(`${at()} ${r.status()} ${r.url()}`); });
  page.on('websocket', (ws) => {
    lines.push(`${at()} WebSocket ${ws.url()}`);
    ws.on('framereceived', (f) => lines.push(`${at()} received ${String(f.payload).slice(0, 60)}`));
    ws.on('framesent', (f) => lines.push(`${at()} sent ${String(f.payload).slice(0, 60)}`));
    ws.on('close', () => lines.push(`${at()} WebSocket closed`));
  });
  return lines;
}

before(async () => {
  // The silent TURN server: the namespace's gateway address, where no host answers.
  stack = await Stack.start({
    label: 'teardown',
    turnUrls: (s) => [...s.coturnUrls, `turn:${s.gatewayAddress}:3478?transport=udp`],
  });
  browser = await stack.launchBrowser({ args: CHROMIUM_ARGS.filter((a) => a !== MDNS_FLAG) });
});

after(async () => {
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

test('two viewers leaving at once while the camera still gathers ICE never take the camera down', async () => {
  const [camera] = stack.cameras;
  const setup = await newPage(browser);
  await signUp(setup, stack, camera);
  const agent = stack.startCamera(camera, VIDEO);
  await setup.locator('#setup-status[data-status="online"]').waitFor({ timeout: 15000 });
  const liveUrl = `${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}`;
  const cameraLog = () => agent.log();

  for (let round = 1; round <= ROUNDS; round += 1) {
    // Two fresh windows per round (a context each), signed in through the set-up page's
    // cookie. Two tabs of one window opened together once left the background one without a
    // session in CI: headless Chromium does not run a background tab like a visible one.
    const storageState = await setup.context().storageState();
    const contexts = await Promise.all([0, 1].map(() => browser.newContext({ storageState })));
    const pages = await Promise.all(contexts.map((c) => c.newPage()));
    const trace = pages.map((p) => traceOf(p));
    await Promise.all(pages.map((p) => p.goto(liveUrl)));
    try {
      await Promise.all(pages.map((p) => expectPlaying(p, { timeoutMs: 30000 })));
    } catch (error) {
      error.message += `\nround ${round}, what each viewer saw:\n${trace.map((t, i) => `viewer ${i}:\n  ${t.join('\n  ')}`).join('\n')}`;
      throw error;
    }
    await Promise.all(contexts.map((c) => c.close())); // both leave at once
    // Both sessions end at the camera (closing their ICE agents) while it keeps running.
    const closed = () => agent.events('viewer_closed').length;
    const deadline = Date.now() + 15000;
    while (closed() < 2 * round && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(closed(), 2 * round, `round ${round}: both sessions closed at the camera\n${cameraLog()}`);
    // The crash came within a few hundred milliseconds of the close: give it time to show.
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(agent.running, `round ${round}: the camera agent is still running\n${cameraLog()}`);
  }
  // And it still serves: a new viewer plays.
  const last = await setup.context().newPage();
  await last.goto(liveUrl);
  await expectPlaying(last, { timeoutMs: 30000 });
  assert.ok(agent.running, `the camera agent is still running\n${cameraLog()}`);
});
