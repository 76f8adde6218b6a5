// Grid: watches several cameras at once, one viewer (and peer connection) per tile.
// `?ids=a,b` picks cameras; without it, every camera on the account.

import { showConnectionState } from '../connection-banner.js';
import { signaling } from '../signaling.js';
import { $, announce, el, renderTopBar, requireUser, statusPill, urls } from '../ui.js';
import { CameraViewer, ViewerState, formatStats } from '../viewer.js';

const STATS_INTERVAL_MS = 2000;
// PROTOCOL.md allows 16 live sessions per viewer connection: one page watches at most that many.
const MAX_TILES = 16;
const live = signaling();
const tiles = new Map(); // camera ID -> {viewer, node}
const picked = (new URLSearchParams(location.search).get('ids') || '').split(',').filter(Boolean);

const STATE_TEXT = {
  [ViewerState.WAITING]: 'Connecting…',
  [ViewerState.CONNECTING]: 'Connecting…',
  [ViewerState.OFFLINE]: 'Camera offline',
  [ViewerState.RECONNECTING]: 'Reconnecting…',
  [ViewerState.BUSY]: 'Camera busy',
  [ViewerState.NOT_FOUND]: 'Not found',
  [ViewerState.STOPPED]: '',
};

function tile(camera) {
  const video = el('video', { playsinline: true, muted: true, autoplay: true, 'aria-label': `Live video of ${camera.name}`, 'aria-hidden': 'true' });
  const overlayText = el('p', {}, 'Connecting…');
  const overlay = el('div', { class: 'player-overlay', 'data-state': 'waiting' }, el('div', { class: 'spinner', 'aria-hidden': 'true' }), overlayText);
  const stats = el('p', { class: 'tile-stats small' });
  const status = el('span', { class: 'tile-status' }, statusPill(camera.online));
  const node = el('li', { class: 'tile', dataset: { cameraId: camera.id } },
    el('div', { class: 'player player-small' }, video, overlay),
    el('div', { class: 'tile-caption' },
      el('a', { href: urls.live(camera.id), class: 'tile-name' }, camera.name), status),
    stats);
  const viewer = new CameraViewer(camera.id, video);
  let wasPlaying = false;
  viewer.addEventListener('statechange', ({ detail: { state } }) => {
    const playing = state === ViewerState.PLAYING;
    if (playing && !wasPlaying) announce(`Live video of ${camera.name} started.`);
    wasPlaying = playing;
    // Without a stream Chromium names any video "Unable to play media.": hidden then, the
    // overlay says what is going on.
    video.setAttribute('aria-hidden', String(!playing));
    overlay.dataset.state = state;
    overlay.hidden = state === ViewerState.PLAYING;
    overlayText.textContent = STATE_TEXT[state] ?? '';
    node.dataset.state = state;
    if (state !== ViewerState.PLAYING) stats.textContent = '';
  });
  return { viewer, node, stats, status };
}

function render(cameras) {
  const wanted = cameras.filter((c) => picked.length === 0 || picked.includes(c.id));
  for (const camera of wanted) {
    if (tiles.has(camera.id)) continue;
    if (tiles.size >= MAX_TILES) break;
    const t = tile(camera);
    tiles.set(camera.id, t);
    $('#grid').append(t.node);
    t.viewer.start();
  }
  $('#empty').hidden = tiles.size > 0;
  const more = wanted.length > tiles.size ? ` (the first ${MAX_TILES} of ${wanted.length}; pick others with ?ids=)` : '';
  $('#grid-count').textContent = tiles.size ? `${tiles.size} camera${tiles.size === 1 ? '' : 's'}${more}` : '';
  $('#grid').dataset.count = String(tiles.size);
}

live.addEventListener('hello', (event) => render(event.detail.cameras || []));
live.addEventListener('status', (event) => {
  const t = tiles.get(event.detail.camera);
  if (t) t.status.replaceChildren(statusPill(event.detail.online));
});
showConnectionState(live, $('#connection-banner'));

setInterval(async () => {
  for (const t of tiles.values()) {
    if (t.viewer.state !== ViewerState.PLAYING) continue;
    const s = await t.viewer.stats();
    if (!s) continue;
    t.stats.textContent = formatStats(s);
    t.stats.dataset.framesDecoded = String(s.framesDecoded);
  }
}, STATS_INTERVAL_MS);

const user = await requireUser();
renderTopBar(user, 'grid');
