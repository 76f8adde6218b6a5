// Reference relay for the signaling benchmark (issue 12): the seed's design, one single-threaded
// Node process with `ws`, speaking the WebSocket part of docs/PROTOCOL.md as seccam-server does,
// so that bench/signaling/signaling_load drives both with the same clients and compares the
// server CPU per message, the saturation rate and the memory per idle connection.
//
// Dev tooling only, not a product: no TLS, no store, no HTTP API. Viewers are authenticated
// by a session token looked up in a JSON file the load generator writes
// ({"<token>": {"username": "...", "cameras": ["sc-…", …]}}); cameras by the challenge signed
// with their device key, derived from the fleet master key as seccam-server does.
//
// Per message it does what our hub does: JSON.parse, the type and field checks of
// src/common/protocol.cpp, a token bucket per connection, the session binding (a session is
// bound to one viewer connection and one of its cameras by the first offer) and a JSON.stringify
// of the forwarded object.
//
//   node relay.mjs --port P --master-key FILE --accounts FILE
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'master-key': { type: 'string' },
    accounts: { type: 'string' },
  },
});
if (!args.port || !args['master-key'] || !args.accounts) {
  console.error('usage: node relay.mjs --port P --master-key FILE --accounts FILE');
  process.exit(2);
}

// PROTOCOL.md "Limits", the same numbers as src/server/config/signaling_limits.hpp.
const MAX_MESSAGE_BYTES = 64 * 1024;
const RATE_PER_SECOND = 50;
const RATE_BURST = 200;
const RATE_STRIKES_BEFORE_CLOSE = 5;
const MAX_SESSIONS_PER_VIEWER = 16;
const PING_INTERVAL_MS = 20_000;
const AUTH_TIMEOUT_MS = 10_000;

const CAMERA_ID = /^[A-Za-z0-9._-]{1,64}$/;
const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

// The master key file as seccam-server reads it: 32 raw bytes, or 64 hex digits.
const masterKey = (() => {
  const raw = readFileSync(args['master-key']);
  if (raw.length === 32) return raw;
  const hex = raw.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  throw new Error(`master key file ${args['master-key']} must hold 32 bytes or 64 hex digits`);
})();

// The accounts file, read again whenever it changed (the generator adds accounts while the
// relay runs): a stat per viewer upgrade, nothing per message.
let accounts = {};
let accountsStamp = '';
function lookUpAccount(token) {
  const st = statSync(args.accounts, { throwIfNoEntry: false });
  const stamp = st ? `${st.ino}:${st.mtimeMs}:${st.size}` : '';
  if (stamp !== accountsStamp) {
    accounts = st ? JSON.parse(readFileSync(args.accounts, 'utf8')) : {};
    accountsStamp = stamp;
  }
  return Object.hasOwn(accounts, token) ? accounts[token] : undefined;
}

// Routing state, all on the one thread.
const cameras = new Map();   // camera ID -> its authenticated connection
const audience = new Map();  // camera ID -> Set of viewer connections that may watch it
const sessions = new Map();  // session ID -> { viewer, camera, cameraId }

function send(ws, message) {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
function sendError(ws, session, code, message) {
  send(ws, session ? { type: 'error', session, code, message } : { type: 'error', code, message });
}

// Token bucket: RATE_PER_SECOND sustained, RATE_BURST deep; a full bucket forgives strikes.
function allowMessage(ws) {
  const now = performance.now();
  const b = ws.bucket;
  b.tokens = Math.min(RATE_BURST, b.tokens + ((now - b.at) / 1000) * RATE_PER_SECOND);
  b.at = now;
  if (b.tokens >= RATE_BURST) b.strikes = 0;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  sendError(ws, undefined, 'rate_limited', 'Too many messages; slow down.');
  if (++b.strikes >= RATE_STRIKES_BEFORE_CLOSE) ws.close(4429, 'rate limited');
  return false;
}

// Field checks (src/common/protocol.cpp): a thrown string becomes a `bad_request` error.
function str(msg, name) {
  if (typeof msg[name] !== 'string') throw `field '${name}' must be a string`;
  return msg[name];
}
function sessionOf(msg) {
  const s = str(msg, 'session');
  if (!SESSION_ID.test(s)) throw "field 'session' must be 8-64 characters of letters, digits, '_' and '-'";
  return s;
}
function cameraOf(msg) {
  const c = str(msg, 'camera');
  if (!CAMERA_ID.test(c)) throw "field 'camera' is not a valid camera ID";
  return c;
}
function sdpOf(msg) {
  const sdp = str(msg, 'sdp');
  if (sdp === '') throw "field 'sdp' must not be empty";
  return sdp;
}
// A candidate rebuilt from its checked fields: nothing the sender added travels on.
function candidateOf(msg) {
  const out = { type: 'candidate', session: sessionOf(msg), candidate: str(msg, 'candidate') };
  if (msg.sdpMid != null) out.sdpMid = str(msg, 'sdpMid');
  if (msg.sdpMLineIndex != null) {
    const i = msg.sdpMLineIndex;
    if (!Number.isInteger(i) || i < 0 || i > 1024) throw "field 'sdpMLineIndex' must be a small non-negative integer";
    out.sdpMLineIndex = i;
  }
  return out;
}
function byeOf(msg) {
  const out = { type: 'bye', session: sessionOf(msg) };
  if (msg.reason != null) out.reason = str(msg, 'reason');
  return out;
}

// Parses one text message; null (after a `bad_request` error) when it is not valid.
function parse(ws, data, isBinary) {
  let msg;
  try {
    msg = JSON.parse(isBinary ? data.toString('utf8') : data);
  } catch {
    sendError(ws, undefined, 'bad_request', 'invalid JSON');
    return null;
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
    sendError(ws, undefined, 'bad_request', 'a message must be a JSON object');
    return null;
  }
  if (typeof msg.type !== 'string') {
    sendError(ws, typeof msg.session === 'string' ? msg.session : undefined, 'bad_request',
              "field 'type' must be a string");
    return null;
  }
  return msg;
}
function refuse(ws, msg, why) {
  const session = typeof msg.session === 'string' && msg.session.length <= 64 ? msg.session : undefined;
  sendError(ws, session, 'bad_request', why);
}

// A message within a bound session, from the end `from` ('viewer' or 'camera') to the other.
function relayInSession(ws, from, out) {
  const s = sessions.get(out.session);
  if (!s || s[from] !== ws) return sendError(ws, out.session, 'not_found', 'No such camera or session.');
  const to = from === 'viewer' ? s.camera : s.viewer;
  if (out.type === 'bye') endSession(out.session);
  send(to, out);
}
function endSession(id) {
  const s = sessions.get(id);
  if (!s) return;
  sessions.delete(id);
  s.viewer.sessions.delete(id);
  s.camera.sessions.delete(id);
}

// ---- viewers: GET /ws ----
function onViewerMessage(ws, data, isBinary) {
  if (!allowMessage(ws)) return;
  const msg = parse(ws, data, isBinary);
  if (!msg) return;
  try {
    if (msg.type === 'candidate') return relayInSession(ws, 'viewer', candidateOf(msg));
    if (msg.type === 'bye') return relayInSession(ws, 'viewer', byeOf(msg));
    if (msg.type !== 'offer') throw `unknown message type '${msg.type.slice(0, 32)}'`;
    const session = sessionOf(msg), cameraId = cameraOf(msg), sdp = sdpOf(msg);
    if (!ws.cameras.has(cameraId)) return sendError(ws, session, 'not_found', 'No such camera or session.');
    const bound = sessions.get(session);
    if (bound) {
      // A renegotiation within the viewer's own session; anyone else's is not found.
      if (bound.viewer !== ws || bound.cameraId !== cameraId) return sendError(ws, session, 'not_found', 'No such camera or session.');
      return send(bound.camera, { type: 'offer', session, sdp, iceServers: [] });
    }
    const camera = cameras.get(cameraId);
    if (!camera) return sendError(ws, session, 'camera_offline', 'The camera is offline.');
    if (ws.sessions.size >= MAX_SESSIONS_PER_VIEWER) {
      return sendError(ws, session, 'too_many_viewers', 'Too many live sessions on this connection.');
    }
    sessions.set(session, { viewer: ws, camera, cameraId });
    ws.sessions.add(session);
    camera.sessions.add(session);
    send(camera, { type: 'offer', session, sdp, iceServers: [] });  // the camera learns no viewer
  } catch (why) {
    if (typeof why !== 'string') throw why;
    refuse(ws, msg, why);
  }
}

function viewerJoined(ws, account) {
  ws.sessions = new Set();
  ws.cameras = new Set(account.cameras);
  for (const id of ws.cameras) {
    if (!audience.has(id)) audience.set(id, new Set());
    audience.get(id).add(ws);
  }
  send(ws, {
    type: 'hello',
    user: { username: account.username },
    cameras: account.cameras.map((id) => ({ id, name: id, online: cameras.has(id), lastSeen: null })),
    iceServers: [],
  });
  ws.on('message', (data, isBinary) => onViewerMessage(ws, data, isBinary));
  ws.on('close', () => {
    for (const id of ws.sessions) {
      const camera = sessions.get(id).camera;
      endSession(id);
      send(camera, { type: 'bye', session: id, reason: 'viewer_left' });
    }
    for (const id of ws.cameras) {
      const a = audience.get(id);
      a.delete(ws);
      if (a.size === 0) audience.delete(id);
    }
  });
}

// ---- cameras: GET /ws/camera ----
function onCameraMessage(ws, data, isBinary) {
  if (!allowMessage(ws)) return;
  const msg = parse(ws, data, isBinary);
  if (!msg) return;
  try {
    if (ws.cameraId === undefined) {
      if (msg.type !== 'auth') return refuse(ws, msg, 'Authentication is in progress.');
      return authenticate(ws, cameraOf(msg), str(msg, 'signature'));
    }
    if (msg.type === 'candidate') return relayInSession(ws, 'camera', candidateOf(msg));
    if (msg.type === 'answer') return relayInSession(ws, 'camera', { type: 'answer', session: sessionOf(msg), sdp: sdpOf(msg) });
    if (msg.type === 'bye') return relayInSession(ws, 'camera', byeOf(msg));
    if (msg.type === 'auth') return refuse(ws, msg, 'Already authenticated.');
    throw `unknown message type '${msg.type.slice(0, 32)}'`;
  } catch (why) {
    if (typeof why !== 'string') throw why;
    refuse(ws, msg, why);
  }
}

// signature = hex HMAC-SHA256(K, nonce + "|" + camera), K = HMAC-SHA256(master key, camera).
function authenticate(ws, cameraId, signature) {
  const deviceKey = createHmac('sha256', masterKey).update(cameraId).digest();
  const expected = createHmac('sha256', deviceKey).update(`${ws.nonce}|${cameraId}`).digest();
  const given = /^[0-9a-fA-F]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
  if (given.length !== 32 || !timingSafeEqual(given, expected)) {
    sendError(ws, undefined, 'unauthorized', 'Authentication failed.');
    return ws.close(4401, 'unauthorized');
  }
  clearTimeout(ws.authTimer);
  ws.cameraId = cameraId;
  ws.sessions = new Set();
  const older = cameras.get(cameraId);
  if (older) {
    // The newest connection wins; the older one's viewers are told to start again.
    for (const id of older.sessions) {
      const viewer = sessions.get(id).viewer;
      endSession(id);
      send(viewer, { type: 'bye', session: id, reason: 'camera_reconnected' });
    }
    older.replaced = true;
    older.close(4409, 'replaced by a newer connection');
  }
  cameras.set(cameraId, ws);
  send(ws, { type: 'welcome', iceServers: [] });
  if (!older) pushStatus(cameraId, true);
}

function cameraClosed(ws) {
  clearTimeout(ws.authTimer);
  if (ws.cameraId === undefined || ws.replaced) return;
  cameras.delete(ws.cameraId);
  for (const id of ws.sessions) {
    const viewer = sessions.get(id).viewer;
    endSession(id);
    send(viewer, { type: 'bye', session: id, reason: 'camera_offline' });
  }
  pushStatus(ws.cameraId, false);
}

function pushStatus(cameraId, online) {
  const a = audience.get(cameraId);
  if (!a) return;
  const text = JSON.stringify({ type: 'status', camera: cameraId, online });
  for (const viewer of a) viewer.send(text);
}

// ---- HTTP server and upgrade routing ----
const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, clientTracking: true });

function refuseUpgrade(socket, status, text) {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function sessionToken(cookieHeader = '') {
  for (const part of cookieHeader.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'seccam_session') return value.join('=');
  }
  return undefined;
}

const server = createServer((req, res) => {
  res.writeHead(req.url === '/healthz' ? 200 : 404, { 'Content-Type': 'application/json' });
  res.end(req.url === '/healthz' ? '{"status":"ok"}' : '{"error":{"code":"not_found","message":"Not found."}}');
});

server.on('upgrade', (req, socket, head) => {
  // The path decides; a query (the placement hint ?camera=…) is accepted and ignored.
  const path = req.url.split('?', 1)[0];
  const start = (ws) => {
    ws.alive = true;
    ws.missed = 0;
    ws.on('pong', () => { ws.alive = true; });
    ws.on('error', () => {});  // a bad frame or a reset: ws closes it, 'close' cleans up
    ws.bucket = { tokens: RATE_BURST, at: performance.now(), strikes: 0 };
    return ws;
  };
  if (path === '/ws') {
    if (req.headers.origin !== `http://${req.headers.host}`) return refuseUpgrade(socket, 403, 'Forbidden');
    const token = sessionToken(req.headers.cookie);
    const account = token && lookUpAccount(token);
    if (!account) return refuseUpgrade(socket, 401, 'Unauthorized');
    return wss.handleUpgrade(req, socket, head, (ws) => viewerJoined(start(ws), account));
  }
  if (path === '/ws/camera') {
    return wss.handleUpgrade(req, socket, head, (ws) => {
      start(ws);
      ws.nonce = randomBytes(32).toString('base64');
      ws.authTimer = setTimeout(() => ws.close(4408, 'authentication timeout'), AUTH_TIMEOUT_MS);
      ws.on('message', (data, isBinary) => onCameraMessage(ws, data, isBinary));
      ws.on('close', () => cameraClosed(ws));
      send(ws, { type: 'challenge', nonce: ws.nonce });
    });
  }
  refuseUpgrade(socket, 404, 'Not Found');
});

// Ping every 20 s; a peer that missed the last two is dropped.
setInterval(() => {
  for (const ws of wss.clients) {
    if (ws.alive) ws.missed = 0;
    else if (++ws.missed >= 2) {
      ws.terminate();
      continue;
    }
    ws.alive = false;
    ws.ping();
  }
}, PING_INTERVAL_MS).unref();

server.listen(Number(args.port), args.host, () => {
  console.log(`node-relay ready on ${args.host}:${server.address().port} (pid ${process.pid})`);
});
