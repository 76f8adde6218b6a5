// The browser tests' world with several servers (README "More than one server"): in the
// namespace of a Stack, a throw-away PostgreSQL (tests/support/test-postgres.sh: a Unix socket
// in a temporary folder, run as the postgres user), a redis-server, three seccam-server nodes
// sharing both, and HAProxy in front of them with deploy/haproxy/haproxy.cfg (its addresses
// replaced). stack.origin is the balancer; stack.nodeOrigin(i) is node i itself.
//
// SECCAM_E2E_CLUSTER_NO_BUS=1 starts the same nodes without [bus] url (each node alone on the
// shared store): the cluster tests must then fail, which is how they were checked.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { REPO_ROOT, SERVER_BINARY, Stack, TURN_PORT, TURN_TLS_PORT, waitFor } from './harness.mjs';

const POSTGRES_SCRIPT = path.join(REPO_ROOT, 'tests/support/test-postgres.sh');
const HAPROXY_CONFIG = path.join(REPO_ROOT, 'deploy/haproxy/haproxy.cfg');
const BALANCER_PORT = 8080;
const FIRST_NODE_PORT = 8081;
const REDIS_PORT = 6379;

let clusterCounter = 0;

export class ClusterStack extends Stack {
  nodes = []; // NamespacedProcess of node i, or null once killed
  nodeCount = 3;
  bus = process.env.SECCAM_E2E_CLUSTER_NO_BUS !== '1';
  metricsToken = randomBytes(16).toString('hex');

  nodeOrigin(i) {
    return `http://${this.cameraAddress}:${FIRST_NODE_PORT + i}`;
  }

  get storeUrl() {
    return `postgresql://postgres@/postgres?host=${encodeURIComponent(this.postgresDir)}`;
  }

  async startServers() {
    removeStalePostgres();
    clusterCounter += 1;
    // Under /tmp: the postgres user must reach it (the stack's folder is the test's).
    this.postgresDir = `/tmp/seccam-e2e-pg-${process.pid}-${clusterCounter}`;
    execFileSync(POSTGRES_SCRIPT, ['start', this.postgresDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.startRedis();
    for (let i = 0; i < this.nodeCount; i += 1) await this.startNode(i);
    this.#startBalancer();
    // Every node up in HAProxy's checks (rise 2, inter 1 s) before a test uses the balancer.
    await waitFor(async () => (await this.balancerNodesUp()) === this.nodeCount, { what: 'HAProxy sees every node up' });
  }

  startRedis() {
    const dir = path.join(this.dir, 'redis');
    fs.mkdirSync(dir, { recursive: true });
    this.redis = this.spawn('redis', ['/usr/bin/redis-server', '--port', String(REDIS_PORT), '--bind', '127.0.0.1',
      '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--daemonize', 'no']);
  }

  // kill -9 Redis (startRedis then starts a fresh, empty one on the same port).
  async killRedis() {
    await this.redis.stop('SIGKILL');
    this.processes = this.processes.filter((p) => p !== this.redis);
  }

  async startNode(i) {
    const node = this.spawn(`seccam-server-${i}`, [
      SERVER_BINARY, 'serve', '--listen', `${this.cameraAddress}:${FIRST_NODE_PORT + i}`, '--data', this.dataDir,
      '--web-root', path.join(REPO_ROOT, 'web'), '--turn-secret', this.turnSecret,
      '--turn-host', this.cameraAddress, '--turn-port', String(TURN_PORT), '--turn-tls-port', String(TURN_TLS_PORT),
      '--store-url', this.storeUrl, ...(this.bus ? ['--bus-url', `redis://127.0.0.1:${REDIS_PORT}`] : []),
      // HAProxy connects from the stack's own address and appends X-Forwarded-For.
      '--trusted-proxies', this.cameraAddress, '--metrics-token', this.metricsToken,
    ]);
    this.nodes[i] = node;
    await waitFor(() => {
      if (!node.running) throw new Error(`seccam-server ${i} exited:\n${node.log()}`);
      return this.get('/healthz', { origin: this.nodeOrigin(i) }).status === 200;
    }, { what: `node ${i} /healthz` });
  }

  async killNode(i) {
    await this.nodes[i].stop('SIGKILL');
    this.nodes[i] = null;
  }

  #startBalancer() {
    let config = fs.readFileSync(HAPROXY_CONFIG, 'utf8')
      .replace(/^(\s*bind )127\.0\.0\.1:8080$/m, `$1${this.cameraAddress}:${BALANCER_PORT}`)
      // node1..node3 (in both backends) are nodes 0..2 here.
      .replace(/^(\s*server node)(\d) 127\.0\.0\.1:\d+$/gm,
        (_, head, n) => `${head}${n} ${this.cameraAddress}:${FIRST_NODE_PORT + Number(n) - 1}`);
    // The runtime API: which nodes HAProxy's checks see up.
    config = config.replace(/^global\n/m, `global\n    stats socket ${path.join(this.dir, 'haproxy.sock')} mode 600\n`);
    const file = path.join(this.dir, 'haproxy.cfg');
    fs.writeFileSync(file, config);
    this.balancer = this.spawn('haproxy', ['/usr/sbin/haproxy', '-db', '-f', file]);
  }

  // What HAProxy's health checks say of each node now (its runtime API's `show stat`): 'UP',
  // 'DOWN', or a transition such as 'UP 1/2' (one check failed, still sent to).
  async balancerNodeStates() {
    const socket = path.join(this.dir, 'haproxy.sock');
    if (!fs.existsSync(socket)) return [];
    const csv = await new Promise((resolve, reject) => {
      const connection = net.createConnection(socket, () => connection.end('show stat\n'));
      let text = '';
      connection.setEncoding('utf8');
      connection.setTimeout(2000, () => connection.destroy(new Error('HAProxy runtime API timed out')));
      connection.on('data', (chunk) => { text += chunk; });
      connection.on('end', () => resolve(text));
      connection.on('error', reject);
    });
    return csv.split('\n').filter((line) => /^seccam_nodes,node\d+,/.test(line)).map((line) => line.split(',')[17]);
  }

  async balancerNodesUp() {
    return (await this.balancerNodeStates()).filter((state) => state === 'UP').length;
  }

  // Node i's count of connected cameras (its /metrics), or -1 when it does not answer.
  camerasOnNode(i) {
    const { status, body } = this.get('/metrics', { origin: this.nodeOrigin(i), headers: [`Authorization: Bearer ${this.metricsToken}`] });
    if (status !== 200) return -1;
    const match = /^seccam_cameras_connected (\d+)/m.exec(body);
    return match ? Number(match[1]) : -1;
  }

  // Provisions cameras whose config points at `origin` (the balancer by default: any node).
  provision(count, { origin = this.origin } = {}) {
    if (count === 0) return [];
    const listen = new URL(origin).host;
    const out = execFileSync(SERVER_BINARY, ['camera', 'provision', '--json', '--count', String(count),
      '--data', this.dataDir, '--store-url', this.storeUrl, '--listen', listen, '--out', path.join(this.dir, 'cameras')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const cameras = out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
    if (cameras.length !== count) throw new Error(`provision printed ${cameras.length} cameras:\n${out}`);
    return cameras;
  }

  // A JSON API request from inside the namespace, as a browser on `origin` would make it
  // (its Origin header, its cookies in `jar`): {status, body}.
  api(method, urlPath, { origin = this.origin, jar, body } = {}) {
    const args = ['curl', '-s', '-o', '-', '-w', '\n%{http_code}', '--max-time', '5', '-X', method,
      '-H', `Origin: ${origin}`, '-b', jar, '-c', jar];
    if (body !== undefined) args.push('-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(body));
    const out = this.inNamespace(...args, `${origin}${urlPath}`);
    const cut = out.lastIndexOf('\n');
    const text = out.slice(0, cut);
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: Number(out.slice(cut + 1)), body: parsed };
  }

  newCookieJar() {
    return path.join(this.dir, `cookies-${randomBytes(4).toString('hex')}.txt`);
  }

  async stop() {
    await super.stop();
    this.#stopPostgres();
  }

  emergencyStop() {
    super.emergencyStop();
    this.#stopPostgres();
  }

  #stopPostgres() {
    if (!this.postgresDir) return;
    const dir = this.postgresDir;
    this.postgresDir = null;
    try {
      execFileSync(POSTGRES_SCRIPT, ['stop', dir], { stdio: 'ignore' });
    } catch {
      // gone already
    }
  }
}

// PostgreSQL clusters left by an earlier run that was killed outright (pg_ctl's postgres
// outlives it): only ours (the folder carries the pid), only when that pid is gone.
function removeStalePostgres() {
  for (const name of fs.readdirSync('/tmp')) {
    const match = /^seccam-e2e-pg-(\d+)-\d+$/.exec(name);
    if (!match || Number(match[1]) === process.pid) continue;
    try {
      process.kill(Number(match[1]), 0);
      continue; // its run is still going
    } catch {
      // gone
    }
    try {
      execFileSync(POSTGRES_SCRIPT, ['stop', path.join('/tmp', name)], { stdio: 'ignore' });
    } catch {
      // another run got there first
    }
  }
}

