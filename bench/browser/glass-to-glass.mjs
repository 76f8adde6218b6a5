// Glass-to-glass latency (issue 5, item 1): a test-pattern camera stamping its capture time
// into each frame, Debian's Chromium viewers in a network namespace, and the stamp decoded
// from every presented frame and compared with the time it was shown.
//   node bench/browser/glass-to-glass.mjs [--sizes 640x480,1280x720] [--viewers 1,8] [--seconds 20]
import {
  Stack, waitFor, parseArgs, percentile, startProbeCamera, signedInContext, newAccount, liveUrl, waitOnline, writeJson,
} from './bench-common.mjs';

const opts = parseArgs({ sizes: '640x480,1280x720', viewers: '1,8', seconds: '20', fps: '30', json: 'glass-to-glass.json' });
const sizes = opts.sizes.split(',').map((s) => s.split('x').map(Number));
const viewerCounts = opts.viewers.split(',').map(Number);
const seconds = Number(opts.seconds);

const stack = await Stack.start({ label: 'bench-glass-to-glass', cameraCount: 1 });
const results = [];
try {
  const camera = stack.cameras[0];
  const account = newAccount();
  const browser = await stack.launchBrowser();
  for (const [width, height] of sizes) {
    startProbeCamera(stack, camera, { width, height, fps: Number(opts.fps) });
    for (const count of viewerCounts) {
      const viewers = [];
      for (let i = 0; i < count; i += 1) {
        const viewer = await signedInContext(browser, stack, camera, account);
        if (i === 0) await waitOnline(stack, viewer.page, camera.cameraId);
        await viewer.page.goto(liveUrl(stack, camera.cameraId));
        viewers.push(viewer);
      }
      for (const { page } of viewers) {
        await waitFor(() => page.evaluate(() => window.__seccamBench.firstFrames.length > 0), { timeoutMs: 30000, what: 'first frame' });
      }
      for (const { page } of viewers) await page.evaluate(() => { window.__seccamBench.latencies = []; window.__seccamBench.submitted = []; window.__seccamBench.probe = true; });
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const latencies = [];
      const submitted = [];
      let probeErrors = 0;
      let frames = 0;
      const breakdown = await viewers[0].page.evaluate(() => window.__seccamBench.receiverBreakdown());
      for (const { page } of viewers) {
        const b = await page.evaluate(() => ({
          latencies: window.__seccamBench.latencies, submitted: window.__seccamBench.submitted, probeErrors: window.__seccamBench.probeErrors,
        }));
        latencies.push(...b.latencies);
        submitted.push(...b.submitted);
        probeErrors += b.probeErrors;
        frames += b.latencies.length;
      }
      for (const { context } of viewers) await context.close();
      const row = {
        width, height, viewers: count, seconds,
        frames, fpsPerViewer: frames / count / seconds, probeErrors,
        p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99),
        submittedP50Ms: percentile(submitted, 50), submittedP95Ms: percentile(submitted, 95),
        firstViewerReceiver: breakdown,
      };
      results.push(row);
      console.log(`${width}x${height} viewers ${String(count).padStart(2)}: p50 ${row.p50Ms?.toFixed(1)} ms  p95 ${row.p95Ms?.toFixed(1)} ms  `
        + `p99 ${row.p99Ms?.toFixed(1)} ms  (${frames} frames, ${row.fpsPerViewer.toFixed(1)} fps a viewer, ${probeErrors} unreadable)`);
      console.log(`    capture to compositor: p50 ${row.submittedP50Ms?.toFixed(1)} ms  p95 ${row.submittedP95Ms?.toFixed(1)} ms`);
      if (breakdown) {
        console.log(`    first viewer per frame: jitter buffer ${breakdown.jitterBufferMs.toFixed(1)} ms, decode ${breakdown.decodeMs.toFixed(1)} ms, `
          + `receive to decoded ${breakdown.processingMs.toFixed(1)} ms, dropped ${breakdown.framesDropped}`);
      }
    }
    await stack.stopCamera(camera);
  }
} finally {
  await stack.stop();
}
writeJson(opts.json, { date: new Date().toISOString(), results });
