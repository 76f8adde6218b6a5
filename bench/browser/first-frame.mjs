// Time to first frame (issue 5, item 2): from the browser's createOffer to the first
// presented frame, over fresh sessions, the first one right after the camera agent starts,
// direct and relay-only (through coturn), in Debian's Chromium inside a network namespace.
// With all UDP blocked (issue 10, item 3: nft in the namespace, coturn's own relay leg let
// through) relay-only through coturn over TCP (`tcp`), and over TLS (`tls`: plain TCP to
// coturn's port blocked too). The server hands out coturn's UDP, TCP and TLS URLs.
// `--turn udp` hands out coturn's UDP URL only (as before issue 10), for comparing the rest.
// Modes `rtsp` and `rtsp-wait` (issue 10, item 4): the camera passes an RTSP camera's H.264
// through (the project's test RTSP server, a key frame every `--key-frame-interval` frames at
// 30 fps), with instant start and without it.
//   node bench/browser/first-frame.mjs [--sessions 20] [--size 1280x720] [--modes direct,relay,tcp,tls,rtsp,rtsp-wait] [--turn all|udp] [--key-frame-interval 120]
import path from 'node:path';
import {
  Stack, waitFor, parseArgs, percentile, startProbeCamera, signedInContext, newAccount, liveUrl, waitOnline, writeJson,
} from './bench-common.mjs';
import { BUILD_DIR, CAMERA_BINARY } from '../../tests/e2e/harness.mjs';

const opts = parseArgs({
  sessions: '20', size: '1280x720', modes: 'direct,relay,tcp,tls', turn: 'all', 'key-frame-interval': '120', json: 'first-frame.json',
});
// Per mode: relay-only or not, the UDP block, and the relay protocol its sessions must use.
const MODES = {
  direct: { relay: false },
  relay: { relay: true },
  tcp: { relay: true, block: {}, relayProtocol: 'tcp' },
  tls: { relay: true, block: { plainTcpToo: true }, relayProtocol: 'tls' },
  rtsp: { relay: false, rtsp: { instantStart: true } },
  'rtsp-wait': { relay: false, rtsp: { instantStart: false } },
};

// An RTSP camera (the project's test server) and a camera agent passing its H.264 through.
function startRtspCamera(stack, camera, { width, height, instantStart }) {
  const port = 8554;
  if (!stack.rtspServer) {
    stack.rtspServer = stack.spawn('rtsp-server', [
      path.join(BUILD_DIR, 'tests/tools/seccam-test-rtsp-server'), '--address', stack.cameraAddress, '--port', String(port),
      '--path', '/cam', '--width', String(width), '--height', String(height),
      '--key-frame-interval', opts['key-frame-interval'],
    ]);
  }
  const agent = stack.spawn(`camera-rtsp-${instantStart}-${Date.now()}`, [
    CAMERA_BINARY, '--server', camera.server, '--camera-id', camera.cameraId, '--device-key', camera.deviceKey,
    '--source', `rtsp://${stack.cameraAddress}:${port}/cam`, '--instant-start', String(instantStart),
  ]);
  stack.agents.set(camera.cameraId, agent);
}
const [width, height] = opts.size.split('x').map(Number);
const sessions = Number(opts.sessions);

if (!['all', 'udp'].includes(opts.turn)) throw new Error('--turn is all or udp');
const stack = await Stack.start({
  label: 'bench-first-frame', cameraCount: 1, turnUrls: opts.turn === 'udp' ? (s) => [s.coturnUrls[0]] : null,
});
const results = [];
try {
  const camera = stack.cameras[0];
  const account = newAccount();
  const browser = await stack.launchBrowser();
  for (const mode of opts.modes.split(',')) {
    if (!MODES[mode]) throw new Error(`unknown mode ${mode}; known: ${Object.keys(MODES).join(', ')}`);
    const { relay, block, relayProtocol, rtsp } = MODES[mode];
    await stack.stopCamera(camera);
    const { context, page } = await signedInContext(browser, stack, camera, account);
    if (rtsp) startRtspCamera(stack, camera, { width, height, ...rtsp });
    else startProbeCamera(stack, camera, { width, height });
    await waitOnline(stack, page, camera.cameraId);
    if (block) stack.blockUdp(block);
    const times = [];
    const connectTimes = []; // offer to connectionState 'connected'
    let relayedSessions = 0;
    const relayProtocols = {};
    for (let i = 0; i < sessions; i += 1) {
      await page.goto(liveUrl(stack, camera.cameraId, { relay }));
      const ms = await waitFor(() => page.evaluate(() => {
        const b = window.__seccamBench;
        return b.offers.length && b.firstFrames.length ? b.firstFrames[0] - b.offers[0] : null;
      }), { timeoutMs: 30000, intervalMs: 20, what: `first frame of session ${i + 1}` });
      const path = await waitFor(() => page.locator('#stats').evaluate((n) => n.dataset.path || null), { timeoutMs: 10000, what: 'stats path' });
      if (path === 'relayed') relayedSessions += 1;
      connectTimes.push(await page.evaluate(() => {
        const b = window.__seccamBench;
        return b.connected.length ? b.connected[0] - b.offers[0] : null;
      }));
      const protocol = await localRelayProtocol(page);
      relayProtocols[protocol] = (relayProtocols[protocol] || 0) + 1;
      times.push(ms);
    }
    await context.close();
    if (block) stack.unblockUdp();
    const row = {
      mode, width, height, sessions, firstSessionMs: times[0],
      p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), maxMs: Math.max(...times),
      connectedP50Ms: percentile(connectTimes.filter((ms) => ms !== null), 50), relayedSessions, relayProtocols, timesMs: times,
    };
    results.push(row);
    console.log(`${mode.padEnd(6)} ${width}x${height}: first ${times[0].toFixed(0)} ms  p50 ${row.p50Ms.toFixed(0)} ms  `
      + `p95 ${row.p95Ms.toFixed(0)} ms  max ${row.maxMs.toFixed(0)} ms  (connected: p50 ${row.connectedP50Ms?.toFixed(0)} ms; `
      + `${relayedSessions}/${sessions} relayed, `
      + `viewer's relay protocol ${JSON.stringify(relayProtocols)})`);
    if (relayProtocol && relayProtocols[relayProtocol] !== sessions) {
      throw new Error(`${mode}: every session must go through TURN over ${relayProtocol}: ${JSON.stringify(relayProtocols)}`);
    }
  }
} finally {
  await stack.stop();
}
writeJson(opts.json, { date: new Date().toISOString(), turn: opts.turn, results });

// The viewer's side of the selected candidate pair: 'udp', 'tcp' or 'tls' when it is a relay
// candidate (the transport to coturn), 'none' otherwise.
async function localRelayProtocol(page) {
  return page.evaluate(async () => {
    const pc = window.__seccamBench.pcs[window.__seccamBench.pcs.length - 1];
    const report = await pc.getStats();
    let local;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) local = report.get(report.get(s.selectedCandidatePairId).localCandidateId);
    });
    return local?.candidateType === 'relay' ? local.relayProtocol : 'none';
  });
}
