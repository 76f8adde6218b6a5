// The browser benchmarks (bench/browser, issue 5), run with tiny parameters: not a
// measurement (no figure is compared with anything), only that each still runs end to end
// from its one command and writes what docs/PERFORMANCE.md reads from it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './harness.mjs';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seccam-bench-smoke-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function bench(script, args) {
  const json = path.join(dir, `${path.basename(script, '.mjs')}.json`);
  const { stdout } = await run('node', [path.join(REPO_ROOT, 'bench/browser', script), ...args, '--json', json],
    { env: process.env, timeout: 120000 });
  return { stdout, results: JSON.parse(fs.readFileSync(json, 'utf8')).results };
}

// soak.mjs writes one object (not a list of rows): the whole of it.
async function soak(args) {
  const json = path.join(dir, 'soak.json');
  const { stdout } = await run('node', [path.join(REPO_ROOT, 'bench/browser/soak.mjs'), ...args, '--json', json],
    { env: process.env, timeout: 120000 });
  return { stdout, results: JSON.parse(fs.readFileSync(json, 'utf8')) };
}

test('first-frame.mjs measures direct and relayed sessions, and relayed over TCP and TLS with UDP blocked', async () => {
  const { stdout, results } = await bench('first-frame.mjs', ['--sessions', '2', '--size', '320x240']);
  assert.deepEqual(results.map((r) => r.mode), ['direct', 'relay', 'tcp', 'tls'], stdout);
  for (const r of results) {
    assert.equal(r.timesMs.length, 2);
    assert.ok(r.timesMs.every((ms) => ms > 0), stdout);
  }
  assert.equal(results[0].relayedSessions, 0, 'direct sessions go direct');
  assert.equal(results[1].relayedSessions, 2, 'relay-only sessions go through coturn');
  assert.deepEqual(results[2].relayProtocols, { tcp: 2 }, 'with UDP blocked: TURN over TCP');
  assert.deepEqual(results[3].relayProtocols, { tls: 2 }, 'with plain TCP blocked too: TURN over TLS');
});

test('glass-to-glass.mjs reads the latency probe from every frame', async () => {
  const { stdout, results } = await bench('glass-to-glass.mjs', ['--sizes', '320x240', '--viewers', '1', '--seconds', '2']);
  assert.equal(results.length, 1, stdout);
  const [row] = results;
  assert.ok(row.frames >= 20, `frames decoded in 2 s at 30 fps: ${row.frames}`);
  assert.equal(row.probeErrors, 0, 'every frame carried a readable stamp');
  assert.ok(Number.isFinite(row.p50Ms) && Number.isFinite(row.submittedP50Ms), stdout);
});

test('network.mjs measures a viewer under loss and behind a bottleneck', async () => {
  const { stdout, results } = await bench('network.mjs', ['--seconds', '2', '--size', '640x360', '--conditions', 'loss2,bottleneck600k']);
  assert.deepEqual(results.map((r) => r.condition), ['loss2', 'bottleneck600k'], stdout);
  for (const r of results) {
    assert.ok(r.fps > 0, `frames decoded under ${r.condition}: ${stdout}`);
    assert.ok(r.impairmentCounters.sent > 0, `the impairment matched the viewer's media: ${stdout}`);
    assert.ok(r.kbps > 0 && Number.isFinite(r.worstSecondFps), `bitrate and worst second measured: ${stdout}`);
  }
});

test('soak.mjs churns viewers with TURN and samples memory and descriptors', async () => {
  const { stdout, results } = await soak(['--seconds', '20', '--interval', '2', '--sample', '2', '--size', '320x240', '--g2g-seconds', '2']);
  const { sessions, summary, glassToGlass, samples } = results;
  assert.ok(sessions.count >= 5, `sessions in 20 s at one every 2 s: ${sessions.count}\n${stdout}`);
  assert.equal(sessions.failed, 0, `every session got a frame: ${sessions.errors.join('; ')}`);
  assert.ok(sessions.relayed >= 1, 'some sessions went through coturn');
  assert.equal(sessions.cameraClosed, sessions.cameraJoined, 'the camera tore down every session it had');
  for (const name of ['server', 'camera', 'coturn']) {
    assert.ok(summary[name].startRssKiB > 0 && summary[name].endRssKiB > 0, `${name} RSS sampled`);
    assert.ok(summary[name].startFds > 0 && summary[name].endFds > 0, `${name} descriptors sampled`);
  }
  assert.ok(samples.filter((s) => s.phase === 'churn').length >= 5, 'sampled during the churn');
  for (const g of [glassToGlass.start, glassToGlass.end]) {
    assert.ok(g.frames >= 20 && g.probeErrors === 0, `glass-to-glass read from every frame: ${JSON.stringify(g)}`);
  }
});
