// Soak (issue 11): Chromium viewers joining and leaving one camera every few seconds for a
// set time, every other session relay-only through the namespace's coturn, while the
// server's, the camera's and coturn's memory (VmRSS) and open descriptors are sampled; the
// glass-to-glass latency (the latency probe, as in glass-to-glass.mjs) at the start and at
// the end. Prints a table and writes JSON.
//   node bench/browser/soak.mjs [--seconds 1200] [--interval 3] [--concurrent 3]
//        [--relay-every 2] [--sample 5] [--size 640x480] [--g2g-seconds 10] [--json soak.json]
import fs from 'node:fs';
import path from 'node:path';
import {
  Stack, waitFor, parseArgs, percentile, signedInContext, newAccount, liveUrl, waitOnline, writeJson,
} from './bench-common.mjs';
import { CAMERA_BINARY } from '../../tests/e2e/harness.mjs';

const opts = parseArgs({
  seconds: '1200', interval: '3', concurrent: '3', 'relay-every': '2', sample: '5', size: '640x480',
  'g2g-seconds': '10', json: 'soak.json',
});
const seconds = Number(opts.seconds);
const intervalMs = Number(opts.interval) * 1000;
const concurrent = Number(opts.concurrent);
const relayEvery = Number(opts['relay-every']);
const sampleMs = Number(opts.sample) * 1000;
const g2gSeconds = Number(opts['g2g-seconds']);
const [width, height] = opts.size.split('x').map(Number);
const FIRST_FRAME_TIMEOUT_MS = 20000;

// VmRSS (KiB) and the number of open descriptors of a process, from /proc.
function processSample(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)[1]);
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    return { rssKiB, fds };
  } catch {
    return null; // the process is gone
  }
}

// The least-squares slope of y over t (seconds), per hour.
function growthPerHour(points) {
  if (points.length < 2) return null;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den ? (num / den) * 3600 : null;
}

const stack = await Stack.start({ label: 'bench-soak', cameraCount: 1 });
const samples = [];
const sessions = [];
let g2gStart = null;
let g2gEnd = null;
let sampler = null;
try {
  const camera = stack.cameras[0];
  // The agent from the file provisioning wrote, with the latency probe and its event log.
  const eventLogPath = path.join(stack.logDir, 'camera.events');
  const agent = stack.spawn('camera', [
    CAMERA_BINARY, '--config', path.join(stack.dir, 'cameras', `${camera.cameraId}.toml`),
    '--source', 'test', '--width', String(width), '--height', String(height), '--fps', '30',
    '--latency-probe', '--event-log', eventLogPath, '--data', path.join(stack.dir, 'camera-data'),
  ]);
  agent.eventLogPath = eventLogPath;
  stack.agents.set(camera.cameraId, agent);
  const watched = { server: stack.server, camera: agent, coturn: stack.turn };

  const t0 = Date.now();
  let phase = 'start';
  const takeSample = () => {
    const row = { t: (Date.now() - t0) / 1000, phase, viewers: open.length };
    for (const [name, proc] of Object.entries(watched)) row[name] = processSample(proc.child.pid);
    samples.push(row);
    return row;
  };
  const open = []; // the churning viewers' pages, oldest first

  const account = newAccount();
  const browser = await stack.launchBrowser();
  const home = await signedInContext(browser, stack, camera, account);
  await waitOnline(stack, home.page, camera.cameraId);
  takeSample(); // the camera online, nobody watching yet

  // Glass-to-glass as glass-to-glass.mjs measures it: one viewer, every presented frame.
  const glassToGlass = async () => {
    const viewer = await signedInContext(browser, stack, camera, account);
    try {
      await viewer.page.goto(liveUrl(stack, camera.cameraId));
      await waitFor(() => viewer.page.evaluate(() => window.__seccamBench.firstFrames.length > 0),
        { timeoutMs: 30000, what: 'first frame (glass-to-glass)' });
      await viewer.page.evaluate(() => { window.__seccamBench.latencies = []; window.__seccamBench.submitted = []; window.__seccamBench.probe = true; });
      await new Promise((resolve) => setTimeout(resolve, g2gSeconds * 1000));
      const b = await viewer.page.evaluate(() => ({
        latencies: window.__seccamBench.latencies, submitted: window.__seccamBench.submitted, probeErrors: window.__seccamBench.probeErrors,
      }));
      return {
        frames: b.latencies.length, fps: b.latencies.length / g2gSeconds, probeErrors: b.probeErrors,
        p50Ms: percentile(b.latencies, 50), p95Ms: percentile(b.latencies, 95),
        submittedP50Ms: percentile(b.submitted, 50), submittedP95Ms: percentile(b.submitted, 95),
      };
    } finally {
      await viewer.context.close();
    }
  };
  // Every session so far torn down on the camera (its agent closed, TURN given back).
  const allTornDown = () => waitFor(
    () => agent.events('viewer_closed').length >= agent.events('viewer_joined').length,
    { timeoutMs: 30000, what: 'every viewer gone from the camera' },
  ).catch(() => {});
  g2gStart = await glassToGlass();
  await allTornDown();

  sampler = setInterval(takeSample, sampleMs);
  phase = 'churn';
  takeSample();
  // Churning viewers share one signed-in context (one session cookie): a page each.
  const churn = await signedInContext(browser, stack, camera, account);
  await churn.page.close();
  const churnEnd = Date.now() + seconds * 1000;
  let n = 0;
  const leave = async (viewer) => {
    // Half leave by closing the tab, half by navigating away (the page ends its session).
    if (viewer.n % 2) await viewer.page.goto(`${stack.origin}/cameras.html`).catch(() => {});
    await viewer.page.close().catch(() => {});
  };
  while (Date.now() < churnEnd) {
    const started = Date.now();
    n += 1;
    const relay = relayEvery > 0 && n % relayEvery === 0;
    const page = await churn.context.newPage();
    const session = { n, relay, t: (started - t0) / 1000, firstFrameMs: null, path: null, error: null };
    sessions.push(session);
    try {
      await page.goto(liveUrl(stack, camera.cameraId, { relay }));
      session.firstFrameMs = await waitFor(() => page.evaluate(() => {
        const b = window.__seccamBench;
        return b.offers.length && b.firstFrames.length ? b.firstFrames[0] - b.offers[0] : null;
      }), { timeoutMs: FIRST_FRAME_TIMEOUT_MS, intervalMs: 50, what: `first frame of session ${n}` });
      session.path = await waitFor(() => page.locator('#stats').evaluate((node) => node.dataset.path || null),
        { timeoutMs: 10000, what: 'stats path' });
    } catch (error) {
      session.error = error.message;
    }
    open.push({ n, page });
    while (open.length > concurrent) await leave(open.shift());
    const rest = intervalMs - (Date.now() - started);
    if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
  }
  while (open.length) await leave(open.shift());
  await churn.context.close();

  phase = 'end';
  // The camera has seen every session leave, then one more idle sample.
  await allTornDown();
  clearInterval(sampler);
  sampler = null;
  takeSample();
  g2gEnd = await glassToGlass();
  await home.context.close();
  await allTornDown();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  takeSample();

  const joined = agent.events('viewer_joined').length;
  const left = agent.events('viewer_left').length;
  const closed = agent.events('viewer_closed').length;
  const failed = sessions.filter((s) => s.error);
  const relayed = sessions.filter((s) => s.path === 'relayed').length;
  const firstFrames = sessions.filter((s) => s.firstFrameMs !== null).map((s) => s.firstFrameMs);

  // Start: the first sample of the churn; end: the idle sample after it. Growth: the slope
  // over the churn's samples after its first tenth (allocator pools filling up at first),
  // and over its second half alone (a leak keeps its slope; filling pools flatten out).
  const churnSamples = samples.filter((s) => s.phase === 'churn');
  const settled = churnSamples.filter((s) => s.t >= churnSamples[0].t + seconds / 10);
  const secondHalf = churnSamples.filter((s) => s.t >= churnSamples[0].t + seconds / 2);
  const summary = {};
  for (const name of Object.keys(watched)) {
    const first = churnSamples[0][name];
    const last = samples[samples.length - 1][name];
    const points = (key, from = settled) => from.filter((s) => s[name]).map((s) => ({ t: s.t, y: s[name][key] }));
    summary[name] = {
      idleBeforeRssKiB: samples[0][name]?.rssKiB ?? null,
      startRssKiB: first?.rssKiB ?? null,
      endRssKiB: last?.rssKiB ?? null,
      maxRssKiB: Math.max(...samples.filter((s) => s[name]).map((s) => s[name].rssKiB)),
      rssGrowthKiBPerHour: growthPerHour(points('rssKiB')),
      rssGrowthSecondHalfKiBPerHour: growthPerHour(points('rssKiB', secondHalf)),
      idleBeforeFds: samples[0][name]?.fds ?? null,
      startFds: first?.fds ?? null,
      endFds: last?.fds ?? null,
      maxFds: Math.max(...samples.filter((s) => s[name]).map((s) => s[name].fds)),
      fdGrowthPerHour: growthPerHour(points('fds')),
      fdGrowthSecondHalfPerHour: growthPerHour(points('fds', secondHalf)),
    };
  }
  const result = {
    date: new Date().toISOString(),
    options: { seconds, interval: intervalMs / 1000, concurrent, relayEvery, sample: sampleMs / 1000, size: opts.size, g2gSeconds },
    sessions: {
      count: sessions.length, failed: failed.length, relayed, cameraJoined: joined, cameraLeft: left, cameraClosed: closed,
      firstFrameP50Ms: percentile(firstFrames, 50), firstFrameP95Ms: percentile(firstFrames, 95),
      errors: failed.slice(0, 10).map((s) => `${s.n}: ${s.error}`),
    },
    glassToGlass: { start: g2gStart, end: g2gEnd },
    summary,
    samples,
  };

  console.log(`${sessions.length} sessions in ${seconds} s (${relayed} relayed, ${failed.length} without a frame), `
    + `camera: ${joined} joined / ${left} left / ${closed} torn down; first frame p50 ${result.sessions.firstFrameP50Ms?.toFixed(0)} ms`);
  const mib = (kib) => (kib === null ? '-' : (kib / 1024).toFixed(1));
  const perHour = (value, unit, digits) => (value === null ? '-' : (value / unit).toFixed(digits));
  console.log('process   RSS MiB idle / start / end / max   growth MiB/h (2nd half)   fds idle / start / end / max   growth fds/h (2nd half)');
  for (const [name, s] of Object.entries(summary)) {
    console.log(`${name.padEnd(9)} ${[s.idleBeforeRssKiB, s.startRssKiB, s.endRssKiB, s.maxRssKiB].map(mib).join(' / ').padEnd(31)} `
      + `${`${perHour(s.rssGrowthKiBPerHour, 1024, 2)} (${perHour(s.rssGrowthSecondHalfKiBPerHour, 1024, 2)})`.padEnd(25)} `
      + `${[s.idleBeforeFds, s.startFds, s.endFds, s.maxFds].join(' / ').padEnd(30)} `
      + `${perHour(s.fdGrowthPerHour, 1, 1)} (${perHour(s.fdGrowthSecondHalfPerHour, 1, 1)})`);
  }
  for (const [when, g] of [['start', g2gStart], ['end', g2gEnd]]) {
    console.log(`glass-to-glass ${when.padEnd(5)}: shown p50 ${g.p50Ms?.toFixed(1)} ms p95 ${g.p95Ms?.toFixed(1)} ms, `
      + `to compositor p50 ${g.submittedP50Ms?.toFixed(1)} ms p95 ${g.submittedP95Ms?.toFixed(1)} ms `
      + `(${g.frames} frames, ${g.fps.toFixed(1)} fps, ${g.probeErrors} unreadable)`);
  }
  writeJson(opts.json, result);
} finally {
  if (sampler) clearInterval(sampler);
  await stack.stop();
}
