// Camera set-up, right after sign-up or adding a camera: shows live (pushed over /ws) whether
// the camera is online yet, with the steps to connect it.

import { api, ApiError, describeError } from '../api.js';
import { showConnectionState } from '../connection-banner.js';
import { signaling } from '../signaling.js';
import { $, renderTopBar, requireUser, urls } from '../ui.js';

const cameraId = new URLSearchParams(location.search).get('camera') || '';
const panel = $('#setup-status');
const live = signaling();

function showOnline(online) {
  panel.dataset.status = online ? 'online' : 'waiting';
  $('#setup-status-title').textContent = online ? 'Your camera is online' : 'Waiting for your camera…';
  $('#setup-status-detail').textContent = online
    ? 'Everything is set. Open the live view to watch it.'
    : 'This page updates by itself as soon as the camera connects.';
  $('#watch-live').hidden = !online;
}

function showProblem(message) {
  panel.dataset.status = 'error';
  $('#setup-status-title').textContent = 'Cannot show this camera';
  $('#setup-status-detail').textContent = message;
  $('#watch-live').hidden = true;
}

$('#camera-id').textContent = cameraId || '—';
$('#agent-command').textContent = `seccam-camera --config ${cameraId || 'camera'}.toml`;
$('#watch-live').href = urls.live(cameraId);
$('#watch-live').addEventListener('click', () => {
  try {
    sessionStorage.setItem('seccam.clickedAt', String(performance.timeOrigin + performance.now()));
  } catch {
    // no storage: no measurement
  }
});

const banner = document.createElement('div');
banner.className = 'banner';
banner.hidden = true;
banner.setAttribute('role', 'status');
panel.before(banner);
showConnectionState(live, banner);

live.addEventListener('hello', () => {
  const camera = live.cameras.get(cameraId);
  if (camera) showOnline(camera.online);
});
live.addEventListener('status', (event) => {
  if (event.detail.camera === cameraId) showOnline(event.detail.online);
});

const user = await requireUser();
renderTopBar(user, 'cameras');
try {
  const { camera } = await api.camera(cameraId);
  $('#camera-name').textContent = camera.name;
  document.title = `Set up ${camera.name} · SecCam`;
  // The pushed state wins once the WebSocket has spoken.
  if (!live.hello) showOnline(camera.online);
} catch (error) {
  showProblem(error instanceof ApiError && error.status === 404
    ? 'This camera does not exist or is not on your account.'
    : describeError(error));
}
