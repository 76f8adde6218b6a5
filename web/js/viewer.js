// Watching one camera: one RTCPeerConnection per viewing session, the browser offering
// recvonly video with trickle ICE over the shared signaling connection, and recovery by itself
// when the camera or the WebSocket drops (a fresh session once the camera is back).

import { api } from './api.js';
import { ByeReason, ErrorCode } from './protocol.js';
import { signaling, SignalingState } from './signaling.js';

export const ViewerState = Object.freeze({
  WAITING: 'waiting', // for the signaling connection
  CONNECTING: 'connecting',
  PLAYING: 'playing',
  OFFLINE: 'offline', // the camera is not connected; we start again when it is
  RECONNECTING: 'reconnecting',
  BUSY: 'busy', // the camera has as many viewers as it allows; retried with backoff
  NOT_FOUND: 'not-found',
  STOPPED: 'stopped',
});

const RETRY_FIRST_DELAY_MS = 500;
const RETRY_MAX_DELAY_MS = 10000;
// ICE "disconnected" often heals by itself; past this, start a fresh session.
const DISCONNECTED_GRACE_MS = 4000;
// A session that has not shown a frame by then is replaced.
const FIRST_FRAME_TIMEOUT_MS = 15000;
// The ICE servers from `hello` carry short-lived TURN credentials; older than this, fetch new.
const HELLO_ICE_SERVERS_MAX_AGE_MS = 5 * 60 * 1000;
const SESSION_ID_BYTES = 18; // 24 base64url characters (PROTOCOL.md: 8-64)
// The switch that forces media through TURN (for tests and for checking a relay works).
const RELAY_ONLY_STORAGE_KEY = 'seccam.relayOnly';

export function newSessionId() {
  const bytes = crypto.getRandomValues(new Uint8Array(SESSION_ID_BYTES));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// `?relay=1` on the page or localStorage['seccam.relayOnly'] = '1'.
export function relayOnlyRequested() {
  const param = new URLSearchParams(location.search).get('relay');
  if (param !== null) return param === '1' || param === 'true';
  try {
    return localStorage.getItem(RELAY_ONLY_STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

export class CameraViewer extends EventTarget {
  #signaling = signaling();
  #session = null;
  #attempt = 0;
  #retryTimer = null;
  #disconnectTimer = null;
  #firstFrameTimer = null;
  #lastBytes = null; // {bytes, timestamp} for the bitrate
  #listeners = [];

  state = ViewerState.WAITING;
  detail = '';

  // `clipChannel`: each session also opens the camera's clip channel (PROTOCOL.md "The clip
  // channel"), announced by a 'clipchannel' event once open (and with null when it goes).
  constructor(cameraId, video, { relayOnly = relayOnlyRequested(), clipChannel = false } = {}) {
    super();
    this.cameraId = cameraId;
    this.video = video;
    this.relayOnly = relayOnly;
    this.clipChannel = clipChannel;
    // Phones play inline video only when these are set.
    video.playsInline = true;
    video.muted = true;
    video.autoplay = true;
    video.setAttribute('playsinline', '');
    video.setAttribute('muted', '');
    video.setAttribute('autoplay', '');
  }

  start() {
    const on = (type, handler) => {
      this.#signaling.addEventListener(type, handler);
      this.#listeners.push([type, handler]);
    };
    on('hello', () => this.#startSession());
    on('status', (event) => this.#onStatus(event.detail));
    on('close', () => this.#onSignalingLost());
    on('signedout', () => this.#endSession(false, ViewerState.STOPPED, 'Signed out'));
    on('leaving', () => this.stop()); // the page is going away: say bye
    if (this.#signaling.isOpen) this.#startSession();
    else this.#setState(ViewerState.WAITING, 'Connecting to SecCam…');
  }

  stop() {
    for (const [type, handler] of this.#listeners) this.#signaling.removeEventListener(type, handler);
    this.#listeners = [];
    clearTimeout(this.#retryTimer);
    this.#endSession(true, ViewerState.STOPPED, '');
  }

  // What the stats line shows; null before there is a session.
  async stats() {
    const pc = this.#session?.pc;
    if (!pc) return null;
    const report = await pc.getStats();
    let inbound = null;
    let transport = null;
    let nominatedPair = null;
    report.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
      else if (s.type === 'transport') transport = s;
      else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') nominatedPair = s;
    });
    const pair = (transport && report.get(transport.selectedCandidatePairId)) || nominatedPair;
    const local = pair ? report.get(pair.localCandidateId) : null;
    const remote = pair ? report.get(pair.remoteCandidateId) : null;

    let bitrateKbps = null;
    if (inbound) {
      const now = { bytes: inbound.bytesReceived, timestamp: inbound.timestamp };
      if (this.#lastBytes && now.timestamp > this.#lastBytes.timestamp) {
        bitrateKbps = ((now.bytes - this.#lastBytes.bytes) * 8) / (now.timestamp - this.#lastBytes.timestamp);
      }
      this.#lastBytes = now;
    }
    const relayed = local?.candidateType === 'relay' || remote?.candidateType === 'relay';
    return {
      session: this.#session.id,
      width: inbound?.frameWidth ?? null,
      height: inbound?.frameHeight ?? null,
      fps: inbound?.framesPerSecond ?? null,
      framesDecoded: inbound?.framesDecoded ?? 0,
      bitrateKbps,
      rttMs: pair?.currentRoundTripTime != null ? pair.currentRoundTripTime * 1000 : null,
      path: pair ? (relayed ? 'relayed' : 'direct') : null,
      localCandidateType: local?.candidateType ?? null,
      remoteCandidateType: remote?.candidateType ?? null,
    };
  }

  #setState(state, detail = '') {
    if (this.state === state && this.detail === detail) return;
    this.state = state;
    this.detail = detail;
    this.dispatchEvent(new CustomEvent('statechange', { detail: { state, detail } }));
  }

  #cameraKnownOffline() {
    const camera = this.#signaling.cameras.get(this.cameraId);
    return camera !== undefined && !camera.online;
  }

  async #startSession() {
    clearTimeout(this.#retryTimer);
    this.#endSession(true);
    if (this.state === ViewerState.STOPPED || this.state === ViewerState.NOT_FOUND) return;
    if (!this.#signaling.isOpen) {
      this.#setState(ViewerState.WAITING, 'Connecting to SecCam…');
      return;
    }
    if (this.#cameraKnownOffline()) {
      this.#setState(ViewerState.OFFLINE, 'The camera is offline. The video starts as soon as it is back.');
      return;
    }

    const session = { id: newSessionId(), pc: null, remoteDescriptionSet: false, pendingCandidates: [], startedAt: performance.now() };
    this.#session = session;
    this.#lastBytes = null;
    this.#setState(ViewerState.CONNECTING, 'Connecting to the camera…');
    this.#signaling.addSession(session.id, (message) => this.#onSessionMessage(session, message));

    try {
      const iceServers = await this.#iceServers();
      if (this.#session !== session) return;
      const pc = new RTCPeerConnection({
        iceServers,
        iceTransportPolicy: this.relayOnly ? 'relay' : 'all',
        bundlePolicy: 'max-bundle',
      });
      session.pc = pc;
      pc.addTransceiver('video', { direction: 'recvonly' });
      if (this.clipChannel) {
        // In the offer, so one negotiation brings both (the camera never offers).
        const channel = pc.createDataChannel('clips', { ordered: true });
        channel.binaryType = 'arraybuffer';
        session.clips = channel;
        channel.addEventListener('open', () => {
          if (this.#session === session) this.dispatchEvent(new CustomEvent('clipchannel', { detail: { channel } }));
        });
      }
      pc.addEventListener('track', (event) => this.#onTrack(session, event));
      pc.addEventListener('icecandidate', (event) => this.#sendCandidate(session, event.candidate));
      pc.addEventListener('connectionstatechange', () => this.#onConnectionState(session));

      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      if (this.#session !== session) return;
      const sent = this.#signaling.send({ type: 'offer', session: session.id, camera: this.cameraId, sdp: pc.localDescription.sdp });
      if (!sent) {
        this.#endSession(false, ViewerState.WAITING, 'Connecting to SecCam…');
        return;
      }
      this.#firstFrameTimer = setTimeout(() => {
        if (this.#session === session) this.#retry('The video did not start. Trying again…');
      }, FIRST_FRAME_TIMEOUT_MS);
    } catch (error) {
      if (this.#session === session) this.#retry(`Could not start the video (${error.message}). Trying again…`);
    }
  }

  async #iceServers() {
    const hello = this.#signaling.hello;
    if (hello && Array.isArray(hello.iceServers) && performance.now() - this.#signaling.helloAt < HELLO_ICE_SERVERS_MAX_AGE_MS) {
      return hello.iceServers;
    }
    const answer = await api.iceServers();
    return answer.iceServers || [];
  }

  #sendCandidate(session, candidate) {
    if (this.#session !== session) return;
    // A null candidate ends gathering: PROTOCOL.md sends it as an empty string.
    this.#signaling.send({
      type: 'candidate',
      session: session.id,
      candidate: candidate ? candidate.candidate : '',
      sdpMid: candidate?.sdpMid ?? '0',
      sdpMLineIndex: candidate?.sdpMLineIndex ?? 0,
    });
  }

  async #onSessionMessage(session, message) {
    if (this.#session !== session) return;
    const pc = session.pc;
    try {
      switch (message.type) {
        case 'answer':
          if (!pc || typeof message.sdp !== 'string') return;
          await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
          session.remoteDescriptionSet = true;
          for (const candidate of session.pendingCandidates.splice(0)) await this.#addCandidate(pc, candidate);
          return;
        case 'candidate':
          if (!pc || !session.remoteDescriptionSet) session.pendingCandidates.push(message);
          else await this.#addCandidate(pc, message);
          return;
        case 'quality':
          // The camera moved this session on its quality ladder (PROTOCOL.md `quality`).
          if (typeof message.rendition !== 'string') return;
          this.dispatchEvent(new CustomEvent('quality', {
            detail: { rendition: message.rendition, width: message.width, height: message.height },
          }));
          return;
        case 'bye':
          this.#onBye(message.reason);
          return;
        case 'error':
          this.#onError(message.code, message.message);
          return;
        default:
          return;
      }
    } catch (error) {
      if (this.#session === session) this.#retry(`The connection failed (${error.message}). Trying again…`);
    }
  }

  async #addCandidate(pc, message) {
    if (typeof message.candidate !== 'string') return;
    try {
      await pc.addIceCandidate({ candidate: message.candidate, sdpMid: message.sdpMid ?? '0', sdpMLineIndex: message.sdpMLineIndex ?? 0 });
    } catch {
      // A candidate this browser cannot use (another address family, say) is not fatal.
    }
  }

  // A reason or code this page does not know means "session over, may retry" (PROTOCOL.md).
  #onBye(reason) {
    switch (reason) {
      case ByeReason.CameraOffline:
        return this.#cameraOffline();
      case ByeReason.TooManyViewers:
        return this.#cameraBusy();
      default:
        this.#retry('The camera ended the video. Trying again…');
    }
  }

  #onError(code, message = '') {
    switch (code) {
      case ErrorCode.CameraOffline:
        return this.#cameraOffline();
      case ErrorCode.NotFound:
        this.#endSession(false, ViewerState.NOT_FOUND, 'This camera does not exist or is not yours.');
        return;
      case ErrorCode.TooManyViewers:
        return this.#cameraBusy();
      default:
        this.#retry(message ? `${message} Trying again…` : 'The camera ended the video. Trying again…');
    }
  }

  #cameraOffline() {
    this.#endSession(false, ViewerState.OFFLINE, 'The camera is offline. The video starts as soon as it is back.');
  }

  #cameraBusy() {
    this.#retry('The camera has as many viewers as it allows. Trying again…', ViewerState.BUSY);
  }

  #onTrack(session, event) {
    if (this.#session !== session) return;
    this.video.srcObject = event.streams[0] || new MediaStream([event.track]);
    this.video.play().catch(() => {}); // muted autoplay is allowed; a refusal shows the poster
    const onFrame = (now, metadata) => {
      if (this.#session !== session) return;
      clearTimeout(this.#firstFrameTimer);
      this.#attempt = 0;
      this.#setState(ViewerState.PLAYING, '');
      this.dispatchEvent(new CustomEvent('firstframe', {
        detail: { sessionMs: now - session.startedAt, at: now, width: metadata.width, height: metadata.height },
      }));
    };
    if ('requestVideoFrameCallback' in this.video) this.video.requestVideoFrameCallback(onFrame);
    else this.video.addEventListener('playing', () => onFrame(performance.now(), { width: this.video.videoWidth, height: this.video.videoHeight }), { once: true });
  }

  #onConnectionState(session) {
    if (this.#session !== session) return;
    const state = session.pc.connectionState;
    clearTimeout(this.#disconnectTimer);
    if (state === 'failed') {
      this.#retry('The connection to the camera failed. Trying again…');
    } else if (state === 'disconnected') {
      this.#setState(ViewerState.RECONNECTING, 'The connection is unstable…');
      this.#disconnectTimer = setTimeout(() => {
        if (this.#session === session && session.pc.connectionState !== 'connected') {
          this.#retry('The connection to the camera was lost. Reconnecting…');
        }
      }, DISCONNECTED_GRACE_MS);
    } else if (state === 'connected' && this.state === ViewerState.RECONNECTING) {
      this.#setState(ViewerState.PLAYING, '');
    }
  }

  #onStatus({ camera, online }) {
    if (camera !== this.cameraId) return;
    if (!online) {
      this.#endSession(false, ViewerState.OFFLINE, 'The camera is offline. The video starts as soon as it is back.');
    } else if (this.state === ViewerState.OFFLINE || this.state === ViewerState.BUSY) {
      this.#startSession(); // back online: a fresh session at once
    }
  }

  #onSignalingLost() {
    if (this.state === ViewerState.STOPPED || this.state === ViewerState.NOT_FOUND) return;
    // The server ends our sessions with the connection; a fresh one starts on the next hello.
    this.#endSession(false, ViewerState.WAITING, 'Lost the connection to SecCam. Reconnecting…');
  }

  #retry(detail, state = ViewerState.RECONNECTING) {
    this.#endSession(true, state, detail);
    const cap = Math.min(RETRY_MAX_DELAY_MS, RETRY_FIRST_DELAY_MS * 2 ** this.#attempt);
    this.#attempt += 1;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#startSession(), cap / 2 + Math.random() * (cap / 2));
  }

  // Ends the current session (saying bye when asked and possible) and moves to `state`.
  #endSession(sayBye, state = null, detail = '') {
    clearTimeout(this.#disconnectTimer);
    clearTimeout(this.#firstFrameTimer);
    const session = this.#session;
    this.#session = null;
    if (session) {
      this.#signaling.removeSession(session.id);
      if (sayBye) this.#signaling.send({ type: 'bye', session: session.id });
      if (session.pc) session.pc.close();
      this.video.srcObject = null;
      if (session.clips) this.dispatchEvent(new CustomEvent('clipchannel', { detail: { channel: null } }));
    }
    if (state) this.#setState(state, detail);
  }
}

// Human-readable one-line summary of stats() for the stats line.
export function formatStats(s) {
  if (!s) return '';
  const parts = [];
  if (s.width && s.height) parts.push(`${s.width}×${s.height}`);
  if (s.fps != null) parts.push(`${Math.round(s.fps)} fps`);
  if (s.bitrateKbps != null) parts.push(s.bitrateKbps >= 1000 ? `${(s.bitrateKbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(s.bitrateKbps)} kbit/s`);
  if (s.rttMs != null) parts.push(`RTT ${Math.round(s.rttMs)} ms`);
  if (s.path) parts.push(s.path === 'relayed' ? 'Relayed (TURN)' : 'Direct');
  return parts.join(' · ');
}

export { SignalingState };
