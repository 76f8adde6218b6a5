// Live view of one camera: the video, its connection state, a stats line (resolution, fps,
// bitrate, RTT, direct or relayed), full screen and a PNG snapshot.

import { api, ApiError, describeError } from '../api.js';
import { showConnectionState } from '../connection-banner.js';
import { signaling } from '../signaling.js';
import { $, announce, describeLastSeen, renderTopBar, requireUser, statusPill } from '../ui.js';
import { CameraViewer, ViewerState, formatStats } from '../viewer.js';
import { ClipClient, clipFileName, dayRange, joinByEventId, renderTimeline, todayString } from '../clips.js';

const STATS_INTERVAL_MS = 1000;
const CLICK_MARK_KEY = 'seccam.clickedAt';
// A click mark older than this is not about this page load.
const CLICK_MARK_MAX_AGE_MS = 30000;

const STATE_LABELS = {
  [ViewerState.WAITING]: 'Connecting',
  [ViewerState.CONNECTING]: 'Connecting',
  [ViewerState.PLAYING]: 'Live',
  [ViewerState.OFFLINE]: 'Camera offline',
  [ViewerState.RECONNECTING]: 'Reconnecting',
  [ViewerState.BUSY]: 'Camera busy',
  [ViewerState.NOT_FOUND]: 'Not found',
  [ViewerState.STOPPED]: 'Stopped',
};

const cameraId = new URLSearchParams(location.search).get('id') || '';
const video = $('#video');
const overlay = $('#overlay');
const statsLine = $('#stats');
const live = signaling({ camera: cameraId });
let cameraName = cameraId;

// Where the click on the camera happened (on the previous page), for "click → first frame".
function takeClickMark() {
  let mark = null;
  try {
    mark = Number(sessionStorage.getItem(CLICK_MARK_KEY));
    sessionStorage.removeItem(CLICK_MARK_KEY);
  } catch {
    return null;
  }
  const now = performance.timeOrigin + performance.now();
  return mark && now - mark < CLICK_MARK_MAX_AGE_MS ? mark : null;
}
const clickedAt = takeClickMark();

// What the page knows of the camera's presence: {online, lastSeen}.
const presence = { online: false, lastSeen: null };
const LAST_SEEN_REFRESH_MS = 30000;

function setStatus(online, lastSeen = undefined) {
  if (presence.online && !online) presence.lastSeen = new Date().toISOString();
  if (lastSeen !== undefined) presence.lastSeen = lastSeen;
  presence.online = online;
  $('#camera-status').replaceChildren(statusPill(online));
  $('#camera-last-seen').textContent = describeLastSeen(presence);
}
setInterval(() => {
  $('#camera-last-seen').textContent = describeLastSeen(presence);
}, LAST_SEEN_REFRESH_MS);

const viewer = new CameraViewer(cameraId, video, { clipChannel: true });
let wasPlaying = false;
viewer.addEventListener('statechange', ({ detail: { state, detail } }) => {
  // The overlay (a live region) says what goes wrong; the start needs saying too, as the
  // overlay just disappears then.
  const playing = state === ViewerState.PLAYING;
  if (playing && !wasPlaying) announce(`Live video of ${cameraName} started.`);
  wasPlaying = playing;
  // Without a stream Chromium names any video "Unable to play media.": hidden then, the
  // overlay says what is going on.
  video.setAttribute('aria-hidden', String(!playing));
  overlay.dataset.state = state;
  overlay.hidden = state === ViewerState.PLAYING;
  $('#overlay-text').textContent = detail || STATE_LABELS[state];
  const conn = $('#conn-state');
  conn.dataset.state = state;
  conn.textContent = STATE_LABELS[state];
  $('#snapshot').disabled = state !== ViewerState.PLAYING;
  if (state === ViewerState.NOT_FOUND) showNotFound();
  if (state !== ViewerState.PLAYING) statsLine.textContent = 'No video';
  // A new session starts on the full picture until the camera says otherwise.
  if (state !== ViewerState.PLAYING) showQuality('full');
});
// The camera's rendition for this viewer: below full, the link is too thin for the full
// picture and the camera sends a smaller one (docs/CONGESTION.md).
function showQuality(rendition, width, height) {
  const hint = $('#quality');
  const changed = hint.dataset.rendition !== rendition;
  hint.dataset.rendition = rendition;
  hint.hidden = rendition === 'full';
  hint.textContent = rendition === 'full' ? '' : `Weak connection · ${width}×${height}`;
  hint.title = rendition === 'full' ? '' : 'The connection to the camera is slow: it sends a smaller picture until the connection improves.';
  if (changed && viewer.state === ViewerState.PLAYING) {
    announce(rendition === 'full' ? 'Full quality restored.' : `Weak connection: the camera sends a smaller picture (${width}×${height}).`);
  }
}
viewer.addEventListener('quality', ({ detail }) => showQuality(detail.rendition, detail.width, detail.height));
viewer.addEventListener('firstframe', ({ detail }) => {
  // Measured in the browser: the click on the previous page (or this page's start) to the
  // first frame handed to the compositor.
  const firstFrameAt = performance.timeOrigin + detail.at;
  const sinceClickMs = clickedAt ? firstFrameAt - clickedAt : null;
  video.dataset.firstFrameMs = String(Math.round(detail.sessionMs));
  if (sinceClickMs !== null) video.dataset.clickToFirstFrameMs = String(Math.round(sinceClickMs));
  console.info(`first frame: ${Math.round(detail.sessionMs)} ms after the offer was started${sinceClickMs !== null ? `, ${Math.round(sinceClickMs)} ms after the click` : ''}`);
});
viewer.addEventListener('statechange', ({ detail: { state } }) => {
  if (state === ViewerState.OFFLINE) clipsOffline();
});
viewer.addEventListener('clipchannel', ({ detail: { channel } }) => {
  clips.client = channel ? new ClipClient(channel) : null;
  if (clips.client) loadClips();
  else if (viewer.state === ViewerState.OFFLINE) clipsOffline();
});

// ---- the day's clips, from the camera (clips.js) ----
const clips = { client: null, blobUrl: null, loading: 0 };
const clipsStatus = $('#clips-status');
const clipVideo = $('#clip-video');
$('#clips-day').value = todayString();
$('#clips-day').addEventListener('change', () => {
  if (clips.client) loadClips();
  else if (viewer.state === ViewerState.OFFLINE) clipsOffline();
});

function showClipsStatus(state, text, code = '') {
  clipsStatus.dataset.state = state;
  clipsStatus.dataset.code = code;
  clipsStatus.textContent = text;
}

// The day's events the server has (times and durations, no pictures): listed even while
// the camera is offline. None when the server cannot say.
async function serverEvents(day) {
  const { from, to } = dayRange(day);
  try {
    return (await api.cameraEvents(cameraId, from, to)).events
      .map((e) => ({ id: e.id, start: e.start, durationMs: e.durationMs ?? 0 }));
  } catch {
    return [];
  }
}

// The camera is offline: the server's events of the day, without clips, and a clear word why.
async function clipsOffline() {
  clips.client = null;
  const load = ++clips.loading;
  $('#clips-list').replaceChildren();
  const offline = 'Camera offline: clips are on the camera. They can be played when it is back online.';
  showClipsStatus('offline', offline);
  const events = await serverEvents($('#clips-day').value || todayString());
  if (load !== clips.loading) return;
  renderTimeline($('#clips-list'), joinByEventId(events, []), {
    still: () => Promise.reject(new Error('offline')),
    onPlay: () => {},
    unavailable: 'The camera is offline.',
  });
  showClipsStatus('offline', offline);
}

// Shows the server's events of the day joined by event ID with the camera's clips.
function showTimeline(events, cameraClips) {
  const entries = joinByEventId(events, cameraClips);
  renderTimeline($('#clips-list'), entries, {
    still: (id) => clips.client ? clips.client.still(id) : Promise.reject(new Error('offline')),
    onPlay: (entry, clickedAt) => playClip(entry, clickedAt),
  });
  const playable = entries.filter((e) => e.clip).length;
  showClipsStatus('ready', entries.length ? `${entries.length} event${entries.length === 1 ? '' : 's'} on this day, ${playable} with a clip on the camera.` : 'No events on this day.');
}

async function loadClips() {
  const client = clips.client;
  if (!client) return;
  const load = ++clips.loading;
  const day = $('#clips-day').value || todayString();
  showClipsStatus('loading', 'Loading the clips from the camera…');
  try {
    const { from, to } = dayRange(day);
    const [list, events] = await Promise.all([client.list(from, to), serverEvents(day)]);
    if (load !== clips.loading) return;
    showTimeline(events, list);
    const wanted = new URLSearchParams(location.search).get('clip');
    if (wanted && load === 1) {
      const entry = list.find((c) => c.id === wanted) || { id: wanted, start: Date.now(), durationMs: 0 };
      playClip(entry, performance.now());
    }
  } catch (error) {
    if (load === clips.loading) showClipsStatus('error', `Could not list the clips: ${error.message}`, error.code || 'error');
  }
}

async function playClip(entry, clickedAt) {
  const client = clips.client;
  if (!client) {
    if (viewer.state === ViewerState.OFFLINE) clipsOffline();
    else showClipsStatus('waiting', 'Connecting to the camera… The clip can be played once the connection is back.');
    return;
  }
  showClipsStatus('loading', 'Fetching the clip from the camera…');
  try {
    const blob = await client.clip(entry.id, {
      onProgress: (got, total) => showClipsStatus('loading', `Fetching the clip from the camera… ${Math.round((100 * got) / Math.max(total, 1))} %`),
    });
    clipVideo.dataset.fetchMs = String(Math.round(performance.now() - clickedAt));
    if (clips.blobUrl) URL.revokeObjectURL(clips.blobUrl);
    clips.blobUrl = URL.createObjectURL(blob);
    $('#clip-player').hidden = false;
    clipVideo.dataset.clipId = entry.id;
    clipVideo.dataset.clipBytes = String(blob.size);
    delete clipVideo.dataset.clickToFirstFrameMs;
    clipVideo.src = clips.blobUrl;
    clipVideo.requestVideoFrameCallback?.((now) => {
      // Click to the first frame shown (docs/PERFORMANCE.md, clip start-of-playback).
      clipVideo.dataset.clickToFirstFrameMs = String(Math.round(now - clickedAt));
    });
    clipVideo.play().catch(() => {});
    const link = $('#clip-download');
    link.href = clips.blobUrl;
    link.download = clipFileName(cameraName, entry.start);
    $('#clip-title').textContent = new Date(entry.start).toLocaleString();
    showClipsStatus('playing', 'Playing the clip.');
  } catch (error) {
    showClipsStatus('error', `Could not play the clip (${error.code || 'error'}): ${error.message}`, error.code || 'error');
  }
}

viewer.start();

live.addEventListener('hello', () => {
  const camera = live.cameras.get(cameraId);
  if (camera) {
    setStatus(camera.online, camera.lastSeen);
    setName(camera.name);
  }
});
live.addEventListener('status', (event) => {
  if (event.detail.camera === cameraId) setStatus(event.detail.online);
});
showConnectionState(live, document.createElement('div'));

// The video's accessible name says which camera it shows.
function nameVideo(name) {
  video.setAttribute('aria-label', `Live video of ${name}`);
}
nameVideo(cameraId);

function setName(name) {
  cameraName = name;
  nameVideo(name);
  $('#heading').textContent = name;
  $('#camera-id-part').hidden = name === cameraId; // an unnamed camera is called by its ID
  document.title = `${name} · SecCam`;
}

function showNotFound() {
  $('#player').hidden = true;
  statsLine.hidden = true;
  $('#not-found').hidden = false;
  $('#heading').textContent = 'Camera not found';
}

setInterval(async () => {
  if (viewer.state !== ViewerState.PLAYING) return;
  const s = await viewer.stats();
  if (!s) return;
  statsLine.textContent = formatStats(s);
  // Machine-readable copies, for diagnostics and the browser tests.
  Object.assign(statsLine.dataset, {
    width: s.width ?? '', height: s.height ?? '', framesDecoded: s.framesDecoded,
    path: s.path ?? '', localCandidateType: s.localCandidateType ?? '', remoteCandidateType: s.remoteCandidateType ?? '',
  });
}, STATS_INTERVAL_MS);

$('#fullscreen').addEventListener('click', () => {
  const player = $('#player');
  if (document.fullscreenElement) document.exitFullscreen();
  else if (player.requestFullscreen) player.requestFullscreen().catch(() => video.webkitEnterFullscreen?.());
  else video.webkitEnterFullscreen?.(); // iPhone Safari: only the video element goes full screen
});

document.addEventListener('fullscreenchange', () => {
  const label = document.fullscreenElement ? 'Exit full screen' : 'Full screen';
  $('#fullscreen').setAttribute('aria-label', label);
  $('#fullscreen').title = label;
});

$('#snapshot').addEventListener('click', () => {
  if (!video.videoWidth) return;
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  canvas.toBlob((blob) => {
    if (!blob) return;
    const link = document.createElement('a');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    link.download = `${cameraName.replace(/[^A-Za-z0-9._-]+/g, '_') || 'camera'}-${stamp}.png`;
    link.href = URL.createObjectURL(blob);
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }, 'image/png');
});

$('#camera-id').textContent = cameraId;
const user = await requireUser();
renderTopBar(user, 'cameras');
try {
  const { camera } = await api.camera(cameraId);
  setName(camera.name);
  if (!live.hello) setStatus(camera.online, camera.lastSeen);
} catch (error) {
  if (error instanceof ApiError && error.status === 404) {
    viewer.stop();
    showNotFound();
  } else {
    statsLine.textContent = describeError(error);
  }
}
