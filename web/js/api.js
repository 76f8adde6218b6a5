// The JSON API of seccam-server (PROTOCOL.md "HTTP API"): one fetch wrapper, typed errors.
import { ErrorCode } from './protocol.js';

// Every request says it is JSON: the server refuses state-changing requests that don't.
const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

export class ApiError extends Error {
  constructor(status, code, message, fields = {}, retryAfterSeconds = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: JSON_HEADERS,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the SecCam server. Check your connection and try again.');
  }
  if (response.status === 204) return null;
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (response.ok) return payload;

  const error = payload && payload.error ? payload.error : {};
  const retryHeader = response.headers.get('Retry-After');
  const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null;
  throw new ApiError(
    response.status,
    error.code || ErrorCode.Internal,
    error.message || `The server answered ${response.status}.`,
    error.fields || {},
    retryAfter,
  );
}

const cameraPath = (id) => `/api/cameras/${encodeURIComponent(id)}`;

export const api = {
  register: (fields) => request('POST', '/api/register', fields),
  login: (username, password) => request('POST', '/api/login', { username, password }),
  logout: () => request('POST', '/api/logout'),
  me: () => request('GET', '/api/me'),
  cameras: () => request('GET', '/api/cameras'),
  camera: (id) => request('GET', cameraPath(id)),
  claimCamera: (cameraId, claimCode, name) =>
    request('POST', '/api/cameras', name ? { cameraId, claimCode, name } : { cameraId, claimCode }),
  renameCamera: (id, name) => request('PATCH', cameraPath(id), { name }),
  removeCamera: (id) => request('DELETE', cameraPath(id)),
  iceServers: () => request('GET', '/api/ice-servers'),
  sessions: () => request('GET', '/api/sessions'),
  endSession: (id) => request('DELETE', `/api/sessions/${encodeURIComponent(id)}`),
  endAllSessions: () => request('DELETE', '/api/sessions'),
  // Web Push (PROTOCOL.md extensions, "Web Push").
  pushKey: () => request('GET', '/api/push/key'),
  pushSubscriptions: () => request('GET', '/api/push/subscriptions'),
  addPushSubscription: (subscription) => request('POST', '/api/push/subscriptions', subscription),
  removePushSubscription: (endpoint) => request('DELETE', '/api/push/subscriptions', { endpoint }),
  cameraNotifications: (id) => request('GET', `${cameraPath(id)}/notifications`),
  setCameraNotifications: (id, enabled) => request('PUT', `${cameraPath(id)}/notifications`, { enabled }),
  testNotification: (id) => request('POST', `${cameraPath(id)}/notifications/test`),
  // The camera's events between two times (ms since the epoch), newest first.
  cameraEvents: (id, from, to, limit = 500) =>
    request('GET', `${cameraPath(id)}/events?from=${from}&to=${to}&limit=${limit}`),
};

// A message a person can act on, for errors that have no field of their own.
export function describeError(error) {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (error.code === ErrorCode.RateLimited) {
    const wait = error.retryAfterSeconds;
    return wait ? `Too many attempts. Try again in ${formatWait(wait)}.` : 'Too many attempts. Try again later.';
  }
  return error.message;
}

function formatWait(seconds) {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
