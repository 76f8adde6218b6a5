// The page's one viewer WebSocket to /ws (PROTOCOL.md "Viewer WebSocket"): connects,
// reconnects with capped exponential backoff, keeps the latest hello (cameras, ICE servers),
// dispatches `status` to listeners and session messages to the session that owns them.
import { CloseCode, ServerMessage } from './protocol.js';

const RECONNECT_FIRST_DELAY_MS = 500;
const RECONNECT_MAX_DELAY_MS = 15000;
// A connection that stayed open this long resets the backoff.
const STABLE_CONNECTION_MS = 10000;
// After this many failed attempts in a row the page checks whether the sign-in expired.
const ATTEMPTS_BEFORE_AUTH_CHECK = 2;

export const SignalingState = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  SIGNED_OUT: 'signed-out',
});

class Signaling extends EventTarget {
  #socket = null;
  #sessions = new Map(); // session ID -> handler(message)
  #attempt = 0;
  #retryTimer = null;
  #openedAt = 0;
  #stopped = false;
  #camera = ''; // the camera this page is about: the server's placement hint

  state = SignalingState.CONNECTING;
  hello = null; // the latest hello message
  helloAt = 0; // performance.now() when it arrived
  cameras = new Map(); // camera ID -> {id, name, online, lastSeen}

  constructor(camera = '') {
    super();
    this.#camera = camera;
    // Leaving the page: the server sends the camera a bye for each session when this closes;
    // sessions say bye themselves first.
    // Sessions hear 'leaving' first (their bye still goes out), then the socket closes.
    window.addEventListener('pagehide', () => {
      this.dispatchEvent(new CustomEvent('leaving'));
      this.close();
    });
    // Restored from the back-forward cache with a closed socket: start over.
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) location.reload();
    });
  }

  connect() {
    if (this.#socket || this.#stopped) return;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // A page about one camera names it, so that the server keeps this connection on the same
    // thread as the camera's (PROTOCOL.md "Placement hint"); it grants nothing.
    const hint = this.#camera ? `?camera=${encodeURIComponent(this.#camera)}` : '';
    const socket = new WebSocket(`${scheme}//${location.host}/ws${hint}`);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      this.#openedAt = performance.now();
    });
    socket.addEventListener('message', (event) => this.#onMessage(event.data));
    socket.addEventListener('close', (event) => this.#onClose(event));
  }

  get isOpen() {
    return this.state === SignalingState.OPEN;
  }

  // Sends a message; false when the socket is not open (the caller recovers on 'open').
  send(message) {
    if (!this.#socket || this.#socket.readyState !== WebSocket.OPEN || !this.hello) return false;
    this.#socket.send(JSON.stringify(message));
    return true;
  }

  addSession(sessionId, handler) {
    this.#sessions.set(sessionId, handler);
  }

  removeSession(sessionId) {
    this.#sessions.delete(sessionId);
  }

  close() {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    if (this.#socket) this.#socket.close(1000, 'page closed');
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('statechange', { detail: { state } }));
  }

  #onMessage(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!message || typeof message.type !== 'string') return;

    switch (message.type) {
      case 'hello':
        this.hello = message;
        this.helloAt = performance.now();
        this.cameras = new Map((message.cameras || []).map((c) => [c.id, { ...c }]));
        this.#setState(SignalingState.OPEN);
        this.dispatchEvent(new CustomEvent('hello', { detail: message }));
        return;
      case 'status': {
        const camera = this.cameras.get(message.camera);
        if (camera) {
          if (camera.online && !message.online) camera.lastSeen = new Date().toISOString();
          camera.online = message.online;
        }
        this.dispatchEvent(new CustomEvent('status', { detail: message }));
        return;
      }
      case ServerMessage.EVENT:
        // One of this account's cameras reported motion (its start, then its end).
        if (typeof message.camera === 'string' && message.event && typeof message.event === 'object') {
          this.dispatchEvent(new CustomEvent('cameraevent', { detail: message }));
        }
        return;
      default:
        break;
    }

    if (typeof message.session === 'string' && this.#sessions.has(message.session)) {
      this.#sessions.get(message.session)(message);
      return;
    }
    if (message.type === 'error') {
      this.dispatchEvent(new CustomEvent('servererror', { detail: message }));
    }
  }

  async #onClose(event) {
    this.#socket = null;
    this.hello = null;
    const wasStable = this.#openedAt && performance.now() - this.#openedAt > STABLE_CONNECTION_MS;
    this.#openedAt = 0;
    if (wasStable) this.#attempt = 0;
    this.dispatchEvent(new CustomEvent('close', { detail: { code: event.code } }));
    if (this.#stopped) return;

    // Unauthorized (4401): the session cookie is no longer valid. A refused upgrade looks like
    // 1006, so after a few failures ask the API whether the user is still signed in.
    this.#attempt += 1;
    if (event.code === CloseCode.Unauthorized || (this.#attempt >= ATTEMPTS_BEFORE_AUTH_CHECK && (await this.#signedOut()))) {
      this.#setState(SignalingState.SIGNED_OUT);
      this.dispatchEvent(new CustomEvent('signedout'));
      return;
    }
    this.#setState(SignalingState.RECONNECTING);
    const cap = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_FIRST_DELAY_MS * 2 ** (this.#attempt - 1));
    const delay = cap / 2 + Math.random() * (cap / 2); // jitter: many tabs don't return at once
    this.#retryTimer = setTimeout(() => this.connect(), delay);
  }

  async #signedOut() {
    try {
      const response = await fetch('/api/me', { headers: { 'Content-Type': 'application/json' } });
      return response.status === 401;
    } catch {
      return false;
    }
  }
}

let shared = null;

// The page's signaling connection, opened on first use. `camera`: the camera the page is
// about, if any (only the first call's counts).
export function signaling({ camera = '' } = {}) {
  if (!shared) {
    shared = new Signaling(camera);
    shared.connect();
  }
  return shared;
}
