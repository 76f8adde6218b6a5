// Network conditions (issue 10, item 5): Debian's Chromium viewers in the test namespace, the
// path from the camera to one viewer impaired with nftables (no netem here): random loss,
// policed bottlenecks, a step from 4 Mbit/s down to 500 kbit/s and back, and eight viewers of
// whom one is on a thin link. Per condition: frames decoded a second, the share of the time
// frozen (Chromium's totalFreezesDuration), glass-to-glass from the latency probe, the picture
// height the viewer got, and for bottlenecks how long the camera took to adapt and to come back.
// UDP blocked (TURN over TCP and TLS) is measured by first-frame.mjs (modes tcp and tls).
//   node bench/browser/network.mjs [--seconds 20] [--conditions clean,loss1,...] [--camera PATH]
// `--camera` runs another build of seccam-camera (e.g. one from before a change) for comparing.
import {
  Stack, waitFor, parseArgs, percentile, startProbeCamera, signedInContext, newAccount, liveUrl, waitOnline, writeJson,
} from './bench-common.mjs';
import { CAMERA_BINARY, inboundVideo } from '../../tests/e2e/harness.mjs';

const CONDITIONS = {
  clean: {},
  loss1: { loss: 10 },
  loss2: { loss: 20 },
  loss5: { loss: 50 },
  bottleneck300k: { kbit: 300 },
  bottleneck600k: { kbit: 600 },
  bottleneck1m: { kbit: 1000 },
  bottleneck3m: { kbit: 3000 },
  step4mTo500k: { kbit: 4000, stepTo: 500 },
  eightViewersOneThin: { kbit: 500, viewers: 8 },
};
const opts = parseArgs({
  seconds: '20', conditions: Object.keys(CONDITIONS).join(','), size: '1280x720', fps: '30',
  camera: CAMERA_BINARY, json: 'network.json',
});
const seconds = Number(opts.seconds);
const [width, height] = opts.size.split('x').map(Number);
// How long a bottleneck may take to be adapted to, and to be left once lifted.
const ADAPT_LIMIT_MS = 15000;
const RECOVER_LIMIT_MS = 30000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A bottleneck is an nftables policer: its bucket holds a second of its rate plus the burst
// given here (250 ms of its rate), which lets any shorter burst through (docs/CONGESTION.md).
function rule({ loss, kbit }) {
  if (loss) return ['numgen', 'random', 'mod', '1000', '<', String(loss), 'drop'];
  return ['limit', 'rate', 'over', String(Math.round(kbit / 8)), 'kbytes/second',
    'burst', String(Math.max(2, Math.round(kbit / 32))), 'kbytes', 'drop'];
}

// What one viewer's page says now: its inbound video, the camera's socket it talks to, and
// the rendition the camera says it sends.
async function sample(page) {
  const inbound = await inboundVideo(page);
  return {
    ...inbound,
    at: await page.evaluate(() => performance.now()),
    freezes: inbound.totalFreezesDuration,
    nacks: inbound.nackCount,
    retransmitted: inbound.retransmittedPacketsReceived,
    rendition: await page.evaluate(() => document.querySelector('#quality')?.dataset.rendition ?? 'full'),
  };
}

async function resetLatencies(page) {
  await page.evaluate(() => { window.__seccamBench.latencies = []; window.__seccamBench.probeErrors = 0; window.__seccamBench.probe = true; });
}

// Frames a second (overall and the worst second), frozen share, bitrate, glass-to-glass and
// the heights seen, over `ms`.
async function measure(page, ms) {
  await resetLatencies(page);
  const first = await sample(page);
  const heights = {};
  const end = Date.now() + ms;
  let last = first;
  let renditionChanges = 0;
  const samples = [first];
  while (Date.now() < end) {
    await sleep(500);
    const next = await sample(page);
    if (next.rendition !== last.rendition) renditionChanges += 1;
    last = next;
    samples.push(last);
    heights[last.frameHeight] = (heights[last.frameHeight] || 0) + 1;
  }
  // The worst second: frames decoded between samples about a second apart.
  let worstSecondFps = null;
  for (let i = 2; i < samples.length; i += 1) {
    const a = samples[i - 2];
    const b = samples[i];
    const fps = (b.framesDecoded - a.framesDecoded) / ((b.at - a.at) / 1000);
    if (worstSecondFps === null || fps < worstSecondFps) worstSecondFps = fps;
  }
  const { latencies, probeErrors } = await page.evaluate(() => ({
    latencies: window.__seccamBench.latencies, probeErrors: window.__seccamBench.probeErrors,
  }));
  const span = (last.at - first.at) / 1000;
  return {
    fps: (last.framesDecoded - first.framesDecoded) / span,
    worstSecondFps,
    kbps: ((last.bytesReceived - first.bytesReceived) * 8) / 1000 / span,
    frozenShare: (last.freezes - first.freezes) / span,
    g2gP50Ms: percentile(latencies, 50),
    g2gP95Ms: percentile(latencies, 95),
    probeErrors,
    nacks: last.nacks - first.nacks,
    retransmitted: last.retransmitted - first.retransmitted,
    heights,
    renditionChanges,
  };
}

async function waitForRendition(page, wanted, limitMs) {
  const start = Date.now();
  try {
    await waitFor(async () => {
      const s = await sample(page);
      return wanted(s) ? s : null;
    }, { timeoutMs: limitMs, intervalMs: 100, what: 'rendition' });
    return Date.now() - start;
  } catch {
    return null; // did not happen within the limit
  }
}

const stack = await Stack.start({ label: 'bench-network', cameraCount: 1 });
const results = [];
try {
  const camera = stack.cameras[0];
  const account = newAccount();
  const browser = await stack.launchBrowser();
  for (const name of opts.conditions.split(',')) {
    const condition = CONDITIONS[name];
    if (!condition) throw new Error(`unknown condition ${name}; known: ${Object.keys(CONDITIONS).join(', ')}`);
    const agent = startProbeCamera(stack, camera, { width, height, fps: Number(opts.fps), binary: opts.camera });
    const viewers = [];
    for (let i = 0; i < (condition.viewers || 1); i += 1) {
      const viewer = await signedInContext(browser, stack, camera, account);
      if (i === 0) await waitOnline(stack, viewer.page, camera.cameraId);
      await viewer.page.goto(liveUrl(stack, camera.cameraId));
      viewers.push(viewer);
    }
    for (const { page } of viewers) {
      await waitFor(() => page.evaluate(() => window.__seccamBench.firstFrames.length > 0), { timeoutMs: 30000, what: 'first frame' });
    }
    const thin = viewers[0].page;
    const row = { condition: name, ...condition, seconds };
    // ICE may still move to another pair just after the first frame: settle first.
    await sleep(3000);
    const start = await sample(thin);
    let impairment = null;
    if (condition.loss || condition.kbit) impairment = stack.impairFrom(start.camera, rule(condition));
    if (condition.kbit && !condition.stepTo) {
      // Adapted: the viewer got a smaller rendition (none, when the full one fits).
      row.adaptMs = await waitForRendition(thin, (s) => s.rendition !== 'full', ADAPT_LIMIT_MS);
    }
    // Measured once settled: the first seconds of a condition are its adaptation.
    await sleep(3000);
    Object.assign(row, await measure(thin, seconds * 1000));
    if (condition.viewers) {
      // The others, measured together after the thin one: their picture and frame rate.
      const others = await Promise.all(viewers.slice(1).map(({ page }) => measure(page, 5000)));
      row.others = {
        minFps: Math.min(...others.map((o) => o.fps)),
        maxFrozenShare: Math.max(...others.map((o) => o.frozenShare)),
        allFullHeight: others.every((o) => Object.keys(o.heights).every((h) => Number(h) === height)),
      };
    }
    if (condition.stepTo) {
      // The step: the link drops to `stepTo` while the viewer plays at full quality.
      impairment.remove();
      impairment = stack.impairFrom(start.camera, rule({ kbit: condition.stepTo }));
      row.adaptMs = await waitForRendition(thin, (s) => s.rendition !== 'full', ADAPT_LIMIT_MS);
      await sleep(3000);
      row.afterStep = await measure(thin, seconds * 1000);
    }
    if (impairment) {
      row.impairmentCounters = impairment.counters();
      if (row.impairmentCounters.sent < 100) throw new Error(`${name}: the impairment missed the media: ${JSON.stringify(row.impairmentCounters)}`);
      impairment.remove();
      if (condition.kbit) {
        row.recoverMs = await waitForRendition(thin, (s) => s.rendition === 'full' && s.frameHeight === height, RECOVER_LIMIT_MS);
      }
    }
    results.push(row);
    const f = (x, d = 1) => (x === null || x === undefined ? '-' : Number(x).toFixed(d));
    const after = row.afterStep || row;
    console.log(`${name.padEnd(20)} fps ${f(after.fps)} (worst second ${f(after.worstSecondFps)})  ${f(after.kbps, 0)} kbit/s  frozen ${f(100 * after.frozenShare)} %  g2g p50 ${f(after.g2gP50Ms)} ms  `
      + `heights ${JSON.stringify(after.heights)} (${after.renditionChanges} changes)  adapt ${f(row.adaptMs, 0)} ms  recover ${f(row.recoverMs, 0)} ms`
      + `${row.others ? `  others: min ${f(row.others.minFps)} fps, full height ${row.others.allFullHeight}` : ''}`);
    if (process.env.SECCAM_SHOW_LOGS) console.log(agent.log().slice(-6000));
    for (const { context } of viewers) await context.close();
    await stack.stopCamera(camera);
  }
} finally {
  await stack.stop();
}
writeJson(opts.json, { date: new Date().toISOString(), camera: opts.camera, size: opts.size, results });
