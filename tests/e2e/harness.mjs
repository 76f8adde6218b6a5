// The browser tests' world: a network namespace made for one test file, with a real
// seccam-server, a real coturn, real seccam-camera agents and Debian's Chromium all inside it,
// torn down at the end, also when a test fails or the process is interrupted.

import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../..');
export const ARTIFACTS_DIR = path.join(HERE, 'artifacts');
export const BUILD_DIR = path.resolve(process.env.SECCAM_BUILD_DIR || path.join(REPO_ROOT, 'build'));
export const SERVER_BINARY = path.join(BUILD_DIR, 'src/server/seccam-server');
export const CAMERA_BINARY = path.join(BUILD_DIR, 'src/camera/seccam-camera');
const CHROMIUM = '/usr/bin/chromium';
const TURNSERVER = '/usr/bin/turnserver';

// docs/WEBRTC-NOTES.md: the flags Debian's Chromium needs here (Playwright adds --headless).
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

const SERVER_PORT = 8080;
export const TURN_PORT = 3478;
export const TURN_TLS_PORT = 5349;
// coturn runs as its own user (Debian's package creates it), so that nft can tell the relay's
// own packets from everyone else's (`meta skuid`): see udp-blocked.test.mjs.
export const TURN_USER = 'turnserver';
const UDP_BLOCK_TABLE = 'seccamudpblock';
const TURN_RELAY_PORTS = [49152, 49252];
const START_TIMEOUT_MS = 15000;
// Chromium's first start after the build and the C++ tests (nothing of it in the page cache
// yet, the two cores still busy) took over 15 s in two fresh-clone runs: every test of the
// first browser file then failed in its set-up. A start is given this long instead.
const BROWSER_LAUNCH_TIMEOUT_MS = 60000;
const STOP_TIMEOUT_MS = 5000;
// A free TCP port on 127.0.0.1 (for processes the tests start outside the namespace).
export async function freePort() {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export const TEST_PASSWORD = 'Correct-Horse-9';

let namespaceCounter = 0;
const liveStacks = new Set();

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(check, { timeoutMs = START_TIMEOUT_MS, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
}

// One process started inside the namespace, its output in a log file.
class NamespacedProcess {
  constructor(namespace, name, argv, logPath) {
    this.name = name;
    this.logPath = logPath;
    this.argv = argv;
    const log = fs.openSync(logPath, 'a');
    // `ip netns exec` execs the program: this child's pid is the program's pid.
    this.child = spawn('ip', ['netns', 'exec', namespace, ...argv], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.exited = once(this.child, 'exit');
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  log() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  // A camera agent's structured events (its `--event-log`, one JSON object a line), those of
  // one kind when `kind` is given. Tests read these, never the wording of log lines.
  events(kind) {
    let text = '';
    try {
      text = fs.readFileSync(this.eventLogPath, 'utf8');
    } catch {
      return [];
    }
    // A line still being written has no newline yet: it is read next time.
    const lines = text.split('\n').slice(0, -1);
    return lines.map((line) => JSON.parse(line)).filter((e) => !kind || e.event === kind);
  }

  async stop(signal = 'SIGTERM') {
    if (!this.running) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

export class Stack {
  cameras = []; // provisioned: {cameraId, claimCode, deviceKey, server}
  agents = new Map(); // camera ID -> NamespacedProcess
  processes = [];
  browsers = [];

  constructor(label) {
    // Unique per run (pid) and per stack in this process (counter).
    namespaceCounter += 1;
    this.namespace = `seccam-e2e-${process.pid}-${namespaceCounter}`;
    // Per-run addresses too (docs/WEBRTC-NOTES.md): 10.X.Y.0/24 from the pid and counter.
    const x = 64 + ((process.pid >> 8) % 128);
    const y = (process.pid + namespaceCounter) % 250;
    this.cameraAddress = `10.${x}.${y}.1`;
    this.viewerAddress = `10.${x}.${y}.2`;
    this.gatewayAddress = `10.${x}.${y}.254`;
    this.origin = `http://${this.cameraAddress}:${SERVER_PORT}`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `seccam-e2e-${label}-`));
    this.dataDir = path.join(this.dir, 'data');
    this.logDir = path.join(ARTIFACTS_DIR, 'logs', label);
    fs.mkdirSync(this.dataDir, { recursive: true });
    fs.rmSync(this.logDir, { recursive: true, force: true });
    fs.mkdirSync(this.logDir, { recursive: true });
    this.turnSecret = randomBytes(24).toString('hex');
    liveStacks.add(this);
  }

  // Creates the namespace and starts coturn and seccam-server; provisions `cameraCount`.
  // `services: false`: the namespace alone (the demo test starts its own).
  // The server hands out the namespace's coturn as the default configuration does (`--turn-host`:
  // TURN over UDP, TCP and TLS). `turnUrls(stack)`: the URL list to hand out instead
  // (`--turn-urls`), e.g. with one that never answers.
  static async start({ label, cameraCount = 1, services = true, turnUrls = null }) {
    for (const binary of [SERVER_BINARY, CAMERA_BINARY]) {
      if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: build first (scripts/build.sh)`);
    }
    removeStaleNamespaces();
    // `this`: Stack or a subclass (cluster-harness.mjs).
    const stack = new this(label);
    stack.turnUrls = turnUrls && turnUrls(stack);
    try {
      stack.#createNamespace();
      if (!services) return stack;
      stack.#startTurn();
      await stack.startServers();
      stack.cameras = stack.provision(cameraCount);
      return stack;
    } catch (error) {
      await stack.stop();
      throw error;
    }
  }

  #ns(...args) {
    return run('ip', ['netns', 'exec', this.namespace, ...args]);
  }

  // A command run inside the namespace (for subclasses); its standard output.
  inNamespace(...args) {
    return this.#ns(...args);
  }

  // The servers of the stack: one seccam-server here; several behind HAProxy in ClusterStack.
  async startServers() {
    await this.#startServer();
  }

  // docs/WEBRTC-NOTES.md: veth pair with both ends inside (not named veth*: libnice skips those),
  // and a default route so that Chromium offers host candidates. Nothing leaves the namespace.
  #createNamespace() {
    run('ip', ['netns', 'add', this.namespace]);
    this.namespaceCreated = true;
    // IPv4 only. With IPv6 on, the veth ends get link-local addresses whose duplicate address
    // detection finishes a second or two later; Chromium takes that as a network change and
    // fails its requests in flight (net::ERR_NETWORK_CHANGED), e.g. a page's module script.
    this.#ns('sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    this.#ns('ip', 'link', 'set', 'lo', 'up');
    this.#ns('ip', 'link', 'add', 'cam0', 'type', 'veth', 'peer', 'name', 'view0');
    this.#ns('ip', 'addr', 'add', `${this.cameraAddress}/24`, 'dev', 'cam0');
    this.#ns('ip', 'addr', 'add', `${this.viewerAddress}/24`, 'dev', 'view0');
    this.#ns('ip', 'link', 'set', 'cam0', 'up');
    this.#ns('ip', 'link', 'set', 'view0', 'up');
    this.#ns('ip', 'route', 'add', 'default', 'via', this.gatewayAddress, 'dev', 'cam0');
  }

  spawn(name, argv) {
    const proc = new NamespacedProcess(this.namespace, name, argv, path.join(this.logDir, `${name}.log`));
    this.processes.push(proc);
    return proc;
  }

  // The URLs the server hands out for the namespace's coturn by default.
  get coturnUrls() {
    return [`turn:${this.cameraAddress}:${TURN_PORT}?transport=udp`, `turn:${this.cameraAddress}:${TURN_PORT}?transport=tcp`,
      `turns:${this.cameraAddress}:${TURN_TLS_PORT}?transport=tcp`];
  }

  // coturn with TLS on TURN_TLS_PORT (a self-signed certificate for the camera address, made
  // here), dropping root for TURN_USER once its ports are open.
  #startTurn() {
    // coturn opens its database again after dropping root: it must reach this folder.
    fs.chmodSync(this.dir, 0o711);
    const turnDir = path.join(this.dir, 'turn');
    fs.mkdirSync(turnDir, { mode: 0o700 });
    const cert = path.join(turnDir, 'cert.pem');
    const key = path.join(turnDir, 'key.pem');
    run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=seccam-e2e-turn',
      '-addext', `subjectAltName=IP:${this.cameraAddress}`]);
    run('chown', ['-R', `${TURN_USER}:`, turnDir]);
    this.turnCertificate = cert;
    // Chromium verifies a TURN server's TLS certificate (docs/WEBRTC-NOTES.md): the browsers
    // trust this one by its key (launchBrowser).
    const spki = new X509Certificate(fs.readFileSync(cert)).publicKey.export({ type: 'spki', format: 'der' });
    this.turnCertificateSpki = createHash('sha256').update(spki).digest('base64');
    this.turn = this.spawn('coturn', [
      TURNSERVER, '-n', '--no-cli', '--no-dtls', `--proc-user=${TURN_USER}`, `--proc-group=${TURN_USER}`,
      `--listening-ip=${this.cameraAddress}`, `--relay-ip=${this.cameraAddress}`,
      `--listening-port=${TURN_PORT}`, `--tls-listening-port=${TURN_TLS_PORT}`, `--cert=${cert}`, `--pkey=${key}`,
      `--min-port=${TURN_RELAY_PORTS[0]}`, `--max-port=${TURN_RELAY_PORTS[1]}`,
      '--use-auth-secret', `--static-auth-secret=${this.turnSecret}`, '--realm=seccam.test',
      '--fingerprint', '--no-multicast-peers', '--log-file=stdout', '--simple-log',
      `--pidfile=${path.join(turnDir, 'turnserver.pid')}`, `--userdb=${path.join(turnDir, 'turndb.sqlite')}`,
    ]);
  }

  async #startServer() {
    this.server = this.spawn('seccam-server', [
      SERVER_BINARY, 'serve', '--listen', `${this.cameraAddress}:${SERVER_PORT}`, '--data', this.dataDir,
      '--web-root', path.join(REPO_ROOT, 'web'),
      '--turn-secret', this.turnSecret,
      ...(this.turnUrls ? ['--turn-urls', this.turnUrls.join(',')]
        : ['--turn-host', this.cameraAddress, '--turn-port', String(TURN_PORT), '--turn-tls-port', String(TURN_TLS_PORT)]),
    ]);
    await waitFor(() => {
      if (!this.server.running) throw new Error(`seccam-server exited:\n${this.server.log()}`);
      return this.get('/healthz').status === 200;
    }, { what: 'seccam-server /healthz' });
  }

  // Stops seccam-server (SIGTERM) and starts it again on the same address and data.
  async restartServer() {
    await this.server.stop();
    this.processes = this.processes.filter((p) => p !== this.server);
    await this.#startServer();
  }

  // A GET from inside the namespace (curl): {status, body}. `origin`: another server's.
  get(urlPath, { origin = this.origin, headers = [] } = {}) {
    const out = this.#ns('curl', '-s', '-o', '-', '-w', '\n%{http_code}', '--max-time', '2',
      ...headers.flatMap((h) => ['-H', h]), `${origin}${urlPath}`);
    const cut = out.lastIndexOf('\n');
    return { status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
  }

  provision(count) {
    const out = run(SERVER_BINARY, ['camera', 'provision', '--json', '--count', String(count),
      '--data', this.dataDir, '--listen', `${this.cameraAddress}:${SERVER_PORT}`, '--out', path.join(this.dir, 'cameras')]);
    const cameras = out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    if (cameras.length !== count) throw new Error(`provision printed ${cameras.length} cameras:\n${out}`);
    return cameras;
  }

  // Starts the test-pattern agent of a provisioned camera (small video unless asked).
  // `args`: more flags for the agent as they are (scripted motion, recording settings, e.g.
  // --test-motion still:2,move:5).
  startCamera(camera, { width = 320, height = 240, fps = 15, args = [] } = {}) {
    const eventLogPath = path.join(this.logDir, `camera-${camera.cameraId}-${this.agents.size}.events`);
    const agent = this.spawn(`camera-${camera.cameraId}`, [
      // The file provisioning wrote, as a real camera gets it (the key stays off the command line).
      CAMERA_BINARY, '--config', path.join(this.dir, 'cameras', `${camera.cameraId}.toml`),
      '--source', 'test', '--width', String(width), '--height', String(height), '--fps', String(fps),
      '--event-log', eventLogPath,
      // Its motion clips stay in the run's folder.
      '--data', path.join(this.dir, `camera-data-${camera.cameraId}`),
      ...args,
    ]);
    agent.eventLogPath = eventLogPath;
    this.agents.set(camera.cameraId, agent);
    return agent;
  }

  async stopCamera(camera) {
    const agent = this.agents.get(camera.cameraId);
    if (agent) await agent.stop();
    this.agents.delete(camera.cameraId);
  }

  // Chromium inside the namespace: Playwright starts this wrapper, which enters the namespace
  // and execs the real browser (the debugging pipe's descriptors pass through exec). It trusts
  // the namespace coturn's certificate for TURN over TLS, as a user would have to install the
  // demo's (it needs a user data folder, which Playwright always gives).
  async launchBrowser({ args = CHROMIUM_ARGS } = {}) {
    const wrapper = path.join(this.dir, 'chromium-in-namespace.sh');
    if (!fs.existsSync(wrapper)) {
      fs.writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec '${this.namespace}' '${CHROMIUM}' "$@"\n`, { mode: 0o755 });
    }
    if (this.turnCertificateSpki) args = [...args, `--ignore-certificate-errors-spki-list=${this.turnCertificateSpki}`];
    const browser = await chromium.launch({ executablePath: wrapper, args, timeout: BROWSER_LAUNCH_TIMEOUT_MS });
    this.browsers.push(browser);
    return browser;
  }

  // Drops every UDP packet in the namespace except coturn's own (its relay leg between the
  // viewer's and the camera's allocations: coturn runs as TURN_USER); with `plainTcpToo`, also
  // TCP to coturn's plain port, leaving TURN over TLS as the only way. nftables, output hook:
  // every packet here is sent by a local process (docs/WEBRTC-NOTES.md).
  blockUdp({ plainTcpToo = false } = {}) {
    const table = ['inet', UDP_BLOCK_TABLE];
    this.#ns('nft', 'add', 'table', ...table);
    this.#ns('nft', 'add', 'chain', ...table, 'out', '{ type filter hook output priority 0 ; }');
    this.#ns('nft', 'add', 'rule', ...table, 'out', 'meta', 'l4proto', 'udp', 'meta', 'skuid', '!=', TURN_USER, 'counter', 'drop');
    if (plainTcpToo) this.#ns('nft', 'add', 'rule', ...table, 'out', 'tcp', 'dport', String(TURN_PORT), 'counter', 'drop');
  }

  // What blockUdp's rules dropped so far: [UDP packets, TCP packets (with plainTcpToo)].
  blockedPackets() {
    const table = JSON.parse(this.#ns('nft', '-j', 'list', 'table', 'inet', UDP_BLOCK_TABLE));
    return table.nftables.filter((o) => o.rule).map((o) => o.rule.expr.find((e) => e.counter).counter.packets);
  }

  unblockUdp() {
    try {
      this.#ns('nft', 'delete', 'table', 'inet', UDP_BLOCK_TABLE);
    } catch {
      // not blocked, or the namespace is gone already
    }
  }

  // Impairs what the camera sends from one viewer's ICE socket (that viewer's media,
  // retransmissions and RTCP) and nothing else: `rule` is the tail of an nft rule, e.g.
  // ['numgen', 'random', 'mod', '1000', '<', '20', 'drop'] for 2 % loss or
  // ['limit', 'rate', 'over', '75', 'kbytes/second', 'drop'] for a 600 kbit/s policer (no netem
  // here: docs/WEBRTC-NOTES.md). Returns { counters(): {sent, dropped}, remove() }.
  impairFrom({ address, port }, rule) {
    const table = ['inet', `seccamimpair${(this.impairments = (this.impairments || 0) + 1)}`];
    this.#ns('nft', 'add', 'table', ...table);
    this.#ns('nft', 'add', 'chain', ...table, 'out', '{ type filter hook output priority 0 ; }');
    const match = ['ip', 'saddr', address, 'udp', 'sport', String(port)];
    this.#ns('nft', 'add', 'rule', ...table, 'out', ...match, 'counter');
    const verdict = rule.at(-1);
    this.#ns('nft', 'add', 'rule', ...table, 'out', ...match, ...rule.slice(0, -1), 'counter', verdict);
    let removed = false;
    return {
      counters: () => {
        const listed = JSON.parse(this.#ns('nft', '-j', 'list', 'table', ...table));
        const [sent, dropped] = listed.nftables.filter((o) => o.rule)
          .map((o) => o.rule.expr.find((e) => e.counter).counter.packets);
        return { sent, dropped };
      },
      remove: () => {
        if (removed) return;
        removed = true;
        try {
          this.#ns('nft', 'delete', 'table', ...table);
        } catch {
          // the namespace is gone already
        }
      },
    };
  }

  // PIDs of every process still inside the namespace.
  pidsInside() {
    return run('ip', ['netns', 'pids', this.namespace]).split('\n').filter(Boolean).map(Number);
  }

  logs() {
    return this.processes.map((p) => `----- ${p.name} -----\n${p.log().slice(-4000)}`).join('\n');
  }

  async stop() {
    liveStacks.delete(this);
    for (const browser of this.browsers.splice(0)) await browser.close().catch(() => {});
    await Promise.all(this.processes.splice(0).reverse().map((p) => p.stop()));
    this.#deleteNamespace();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  #deleteNamespace() {
    if (!this.namespaceCreated) return;
    this.namespaceCreated = false;
    try {
      run('ip', ['netns', 'del', this.namespace]);
    } catch {
      // already gone
    }
  }

  // Last resort on exit: kill what is left and delete the namespace, synchronously.
  emergencyStop() {
    for (const p of this.processes) if (p.running) p.child.kill('SIGKILL');
    this.#deleteNamespace();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

process.on('exit', () => {
  for (const stack of liveStacks) stack.emergencyStop();
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(130));
}

// Namespaces left by an earlier run that was killed outright (SIGKILL skips every clean-up):
// only ours (the name carries the pid), only when that pid is gone.
function removeStaleNamespaces() {
  const names = run('ip', ['netns', 'list']).split('\n').map((line) => line.split(' ')[0]);
  for (const name of names) {
    const match = /^seccam-e2e-(\d+)-\d+$/.exec(name);
    if (!match || Number(match[1]) === process.pid || processAlive(Number(match[1]))) continue;
    try {
      for (const pid of run('ip', ['netns', 'pids', name]).split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
      run('ip', ['netns', 'del', name]);
    } catch {
      // another run got there first
    }
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---- Page helpers shared by the tests ----

export async function newPage(browser, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    (page.errors ||= []).push(error.message);
  });
  // Whatever the pages' Content-Security-Policy refused counts as an error of the page too.
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
      (page.errors ||= []).push(message.text());
    }
  });
  return page;
}

// Keeps every RTCPeerConnection the page makes in window.__pcs, for getStats() and SDP checks.
export async function keepPeerConnections(page) {
  await page.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = function (...args) {
      const pc = new Original(...args);
      window.__pcs.push(pc);
      return pc;
    };
    window.RTCPeerConnection.prototype = Original.prototype;
  });
}

export function uniqueUsername(prefix = 'user') {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

// Fills in and submits the create-account page; ends on the set-up page.
export async function signUp(page, stack, camera, { username = uniqueUsername(), cameraName } = {}) {
  await page.goto(`${stack.origin}/signup.html`);
  await page.getByLabel('Camera ID').fill(camera.cameraId);
  await page.getByLabel('Claim code').fill(camera.claimCode);
  if (cameraName) await page.getByLabel(/Camera name/).fill(cameraName);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByLabel('Password again').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/setup\.html\?camera=/);
  return username;
}

export async function signIn(page, stack, username) {
  await page.goto(`${stack.origin}/index.html`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/cameras\.html/);
}

// The newest peer connection's inbound video (Chromium's getStats) and the camera's side of
// its selected candidate pair ({address, port}: what Stack.impairFrom matches).
export async function inboundVideo(page) {
  return page.evaluate(async () => {
    const pcs = window.__pcs || window.__seccamBench.pcs;
    const report = await pcs[pcs.length - 1].getStats();
    let inbound = {};
    let pair;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    const remote = pair && report.get(pair.remoteCandidateId);
    const counters = ['framesDecoded', 'keyFramesDecoded', 'nackCount', 'pliCount', 'packetsLost', 'packetsReceived',
      'retransmittedPacketsReceived', 'freezeCount', 'totalFreezesDuration', 'frameHeight', 'bytesReceived'];
    return {
      ...Object.fromEntries(counters.map((name) => [name, inbound[name] ?? 0])),
      camera: remote && { address: remote.address, port: remote.port },
    };
  });
}

// The live view's stats line, as its data attributes say.
export async function liveStats(page) {
  return page.locator('#stats').evaluate((node) => ({ ...node.dataset }));
}

// Waits until the live view plays and its decoded frame count rises; returns the stats.
export async function expectPlaying(page, { timeoutMs = 20000 } = {}) {
  await page.locator('#conn-state[data-state="playing"]').waitFor({ timeout: timeoutMs });
  const first = await waitFor(async () => {
    const s = await liveStats(page);
    return Number(s.framesDecoded) > 0 ? s : null;
  }, { timeoutMs, what: 'decoded frames' });
  const later = await waitFor(async () => {
    const s = await liveStats(page);
    return Number(s.framesDecoded) > Number(first.framesDecoded) + 5 ? s : null;
  }, { timeoutMs, what: 'framesDecoded to rise' });
  const size = await page.locator('#video').evaluate((v) => ({ width: v.videoWidth, height: v.videoHeight }));
  return { ...later, videoWidth: size.width, videoHeight: size.height };
}

export function screenshotPath(name) {
  const dir = path.join(ARTIFACTS_DIR, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}
