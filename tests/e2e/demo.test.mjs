// The README's demo command (scripts/demo.sh, with the build skipped) in a namespace of its own:
// it starts seccam-server, coturn and a test camera on 127.0.0.1 and prints what to sign up
// with; a browser with default WebRTC settings (mDNS host names on, as people have it) signs
// up and watches; Ctrl-C (SIGINT) stops all of it.
//
// Measured here: on one machine the video flows over the host candidates of its non-loopback
// interface (here the namespace's veth pair; Chromium's mDNS-hidden host shows up at the camera
// as peer-reflexive). The demo hands out its coturn on 127.0.0.1 over UDP, TCP and TLS (its
// own self-signed certificate), and a relay-only viewer plays through it (relay/relay on
// 127.0.0.1, TURN over UDP).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
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
  for (const name of ['demo-data', 'cluster-demo-data']) {
    const logs = stack && path.join(stack.dir, name, 'logs');
    if (logs && fs.existsSync(logs)) fs.cpSync(logs, path.join(stack.logDir, name), { recursive: true, force: true });
  }
  await stack?.stop();
});

test('the demo runs everything on loopback, a browser watches its camera, Ctrl-C stops it all', async () => {
  // coturn's temporary folder goes here (TMPDIR), for checking it is removed; coturn's own user
  // must reach it, as it does /tmp.
  fs.chmodSync(stack.dir, 0o711);
  const demo = stack.spawn('demo', ['env', 'SECCAM_DEMO_SKIP_BUILD=1', `SECCAM_BUILD_DIR=${BUILD_DIR}`, `TMPDIR=${stack.dir}`,
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

  // The browser trusts the demo's own TURN certificate by its key, as a user who installed it
  // would (Chromium checks a TURN server's certificate).
  const turnCert = new X509Certificate(fs.readFileSync(path.join(stack.dir, 'demo-data', 'tls', 'turn-cert.pem')));
  const spki = createHash('sha256').update(turnCert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  const browser = await stack.launchBrowser({
    args: [...CHROMIUM_ARGS.filter((a) => a !== MDNS_FLAG), `--ignore-certificate-errors-spki-list=${spki}`],
  });
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

  // The demo hands out its coturn over UDP, TCP and TLS, and coturn answers TLS with the
  // demo's own certificate: a relay-only browser gets a relay candidate from the turns: URL.
  const { iceServers } = await page.evaluate(async () => (await fetch('/api/ice-servers')).json());
  assert.deepEqual(iceServers[0].urls, ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp',
    'turns:127.0.0.1:5349?transport=tcp']);
  const tls = await page.evaluate(async (server) => {
    const pc = new RTCPeerConnection({ iceServers: [{ ...server, urls: server.urls.filter((u) => u.startsWith('turns:')) }], iceTransportPolicy: 'relay' });
    const candidates = [];
    const errors = [];
    pc.onicecandidate = (e) => e.candidate && candidates.push(e.candidate.candidate);
    pc.onicecandidateerror = (e) => errors.push(`${e.url} ${e.errorCode} ${e.errorText}`);
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 10000);
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && (clearTimeout(timer), resolve());
    });
    pc.close();
    return { candidates, errors };
  }, iceServers[0]);
  assert.equal(tls.candidates.filter((c) => / typ relay /.test(c)).length, 1, JSON.stringify(tls));
  assert.deepEqual(tls.errors, []);

  // A relay-only viewer (`?relay=1`) plays through the demo's coturn on 127.0.0.1.
  const relayed = await page.context().newPage();
  await relayed.goto(`${page.url()}&relay=1`);
  const relayedStats = await expectPlaying(relayed, { timeoutMs: 30000 });
  assert.equal(relayedStats.path, 'relayed', JSON.stringify(relayedStats));
  assert.equal(relayedStats.localCandidateType, 'relay', JSON.stringify(relayedStats));
  await browser.close();

  demo.child.kill('SIGINT');
  await demo.exited;
  assert.equal(demo.child.exitCode, 130, `demo.sh exit status; its output:\n${demo.log()}`);
  assert.doesNotMatch(demo.log(), /stopped unexpectedly/);
  await waitFor(() => stack.pidsInside().length === 0, { timeoutMs: 10000, what: 'every demo process to stop' });
  assert.match(demo.log(), /Stopped\./);
  assert.deepEqual(fs.readdirSync(stack.dir).filter((name) => name.startsWith('seccam-demo-turn.')), [],
    "coturn's temporary folder (configuration with the secret) is removed");
});

// scripts/cluster-demo.sh in the same namespace (the first demo has stopped): PostgreSQL,
// Redis, three nodes, HAProxy, coturn and a camera through HAProxy; an account made through
// HAProxy sees the camera online on every node; kill -9 of the camera's node moves the camera
// to another and ends nothing else; Ctrl-C stops it all and removes the database.
test('the cluster demo runs three nodes behind HAProxy, survives a node killed, Ctrl-C stops it all', async () => {
  const data = path.join(stack.dir, 'cluster-demo-data');
  const demo = stack.spawn('cluster-demo', ['env', 'SECCAM_DEMO_SKIP_BUILD=1', `SECCAM_BUILD_DIR=${BUILD_DIR}`,
    `TMPDIR=${stack.dir}`, `SECCAM_DEMO_DATA=${data}`, path.join(REPO_ROOT, 'scripts/cluster-demo.sh')]);
  const banner = await waitFor(() => {
    if (!demo.running) throw new Error(`cluster-demo.sh exited:\n${demo.log()}`);
    const log = demo.log();
    return /Logs: /.test(log) ? log : null;
  }, { timeoutMs: DEMO_STARTUP_TIMEOUT_MS, intervalMs: 200, what: 'the cluster demo banner' });
  const origin = banner.match(/Open\s+(\S+)\//)[1];
  assert.equal(origin, 'http://127.0.0.1:8080');
  const cameraNode = Number(banner.match(/The test camera is connected, to node (\d)/)[1]);
  const pgDir = banner.match(/PostgreSQL\s+(\S+)/)[1];
  assert.ok(fs.existsSync(pgDir));
  const camera = { cameraId: banner.match(/Camera ID\s+(\S+)/)[1], claimCode: banner.match(/Claim code\s+(\S+)/)[1] };

  const jar = path.join(stack.dir, 'cluster-demo-cookies.txt');
  const curl = (...args) => {
    const out = stack.inNamespace('curl', '-s', '--max-time', '5', '-b', jar, '-c', jar, '-w', '\n%{http_code}', ...args);
    const cut = out.lastIndexOf('\n');
    return { status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
  };
  const signup = curl('-H', `Origin: ${origin}`, '-H', 'Content-Type: application/json', '--data-binary',
    JSON.stringify({ username: 'demo-user', password: 'Demo-Passw0rd!', ...camera }), `${origin}/api/register`);
  assert.equal(signup.status, 201, signup.body);
  // Three requests through HAProxy's round robin: one to each node, each says online.
  const onlineThroughBalancer = () => [0, 1, 2].every(() => {
    const { status, body } = curl(`${origin}/api/cameras`);
    return status === 200 && JSON.parse(body).cameras.find((c) => c.id === camera.cameraId)?.online === true;
  });
  await waitFor(onlineThroughBalancer, { timeoutMs: 5000, what: 'the camera online on every node' });

  // kill -9 the camera's node: the camera comes back through HAProxy to another.
  const nodePid = stack.pidsInside().find((pid) => {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('serve') && argv.includes(`127.0.0.1:${8080 + cameraNode}`);
  });
  process.kill(nodePid, 'SIGKILL');
  // Connected to another node (its /metrics, open to loopback), and online through HAProxy.
  const onAnotherNode = () => [1, 2, 3].some((n) => n !== cameraNode
    && /^seccam_cameras_connected 1$/m.test(curl(`http://127.0.0.1:${8080 + n}/metrics`).body));
  await waitFor(() => onAnotherNode() && onlineThroughBalancer(), { timeoutMs: 5000, what: 'the camera online again on another node' });
  assert.ok(demo.running, 'the demo goes on without the node');

  demo.child.kill('SIGINT');
  await demo.exited;
  assert.equal(demo.child.exitCode, 130, `cluster-demo.sh exit status; its output:\n${demo.log()}`);
  assert.doesNotMatch(demo.log(), /stopped unexpectedly/);
  await waitFor(() => stack.pidsInside().length === 0, { timeoutMs: 10000, what: 'every cluster demo process to stop' });
  assert.ok(!fs.existsSync(pgDir), 'the throw-away PostgreSQL is removed');
  assert.deepEqual(fs.readdirSync(stack.dir).filter((name) => name.startsWith('seccam-demo-turn.')), []);
});

