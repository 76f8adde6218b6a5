// Time to first frame (issue 5, item 2): from the browser's createOffer to the first
// presented frame, over fresh sessions, the first one right after the camera agent starts,
// direct and relay-only (through coturn), in Debian's Chromium inside a network namespace.
//   node bench/browser/first-frame.mjs [--sessions 20] [--size 1280x720] [--modes direct,relay]
import {
  Stack, waitFor, parseArgs, percentile, startProbeCamera, signedInContext, newAccount, liveUrl, waitOnline, writeJson,
} from './bench-common.mjs';

const opts = parseArgs({ sessions: '20', size: '1280x720', modes: 'direct,relay', json: 'first-frame.json' });
const [width, height] = opts.size.split('x').map(Number);
const sessions = Number(opts.sessions);

const stack = await Stack.start({ label: 'bench-first-frame', cameraCount: 1 });
const results = [];
try {
  const camera = stack.cameras[0];
  const account = newAccount();
  const browser = await stack.launchBrowser();
  for (const mode of opts.modes.split(',')) {
    const relay = mode === 'relay';
    await stack.stopCamera(camera);
    const { context, page } = await signedInContext(browser, stack, camera, account);
    startProbeCamera(stack, camera, { width, height });
    await waitOnline(stack, page, camera.cameraId);
    const times = [];
    let relayedSessions = 0;
    for (let i = 0; i < sessions; i += 1) {
      await page.goto(liveUrl(stack, camera.cameraId, { relay }));
      const ms = await waitFor(() => page.evaluate(() => {
        const b = window.__seccamBench;
        return b.offers.length && b.firstFrames.length ? b.firstFrames[0] - b.offers[0] : null;
      }), { timeoutMs: 30000, intervalMs: 20, what: `first frame of session ${i + 1}` });
      const path = await waitFor(() => page.locator('#stats').evaluate((n) => n.dataset.path || null), { timeoutMs: 10000, what: 'stats path' });
      if (path === 'relayed') relayedSessions += 1;
      times.push(ms);
    }
    await context.close();
    const row = {
      mode, width, height, sessions, firstSessionMs: times[0],
      p50Ms: percentile(times, 50), p95Ms: percentile(times, 95), maxMs: Math.max(...times), relayedSessions, timesMs: times,
    };
    results.push(row);
    console.log(`${mode.padEnd(6)} ${width}x${height}: first ${times[0].toFixed(0)} ms  p50 ${row.p50Ms.toFixed(0)} ms  `
      + `p95 ${row.p95Ms.toFixed(0)} ms  max ${row.maxMs.toFixed(0)} ms  (${relayedSessions}/${sessions} relayed)`);
  }
} finally {
  await stack.stop();
}
writeJson(opts.json, { date: new Date().toISOString(), results });
