// Dashboard: every camera with its name, live online state (pushed over /ws) and last seen;
// add, rename and remove; a click opens the live view; per camera, a switch for
// notifications to this browser (Web Push) and a badge counting events seen live.

import { api, describeError } from '../api.js';
import { addCameraDialog, removeCameraDialog, renameCameraDialog } from '../camera-dialogs.js';
import { showConnectionState } from '../connection-banner.js';
import { clearEvents, eventArrived, listenForPushedEvents, refreshBadges } from '../event-alerts.js';
import { PushError, currentSubscription, pushSupported, registerServiceWorker, setCameraNotifications } from '../push.js';
import { signaling } from '../signaling.js';
import { $, describeLastSeen, el, renderTopBar, requireUser, statusPill, toast, urls } from '../ui.js';

// The live page measures "click → first frame" from this mark (performance.timeOrigin based).
export const CLICK_MARK_KEY = 'seccam.clickedAt';
// "Last seen 3 minutes ago" stays true without polling the server.
const LAST_SEEN_REFRESH_MS = 30000;

const list = $('#camera-list');
const cameras = new Map(); // id -> camera
// Changes made on this page win over a camera list (hello, GET /api/cameras) that was already
// on its way when the change was made.
const renamedHere = new Map(); // id -> name
const removedHere = new Set();
const live = signaling();

function markClick() {
  try {
    sessionStorage.setItem(CLICK_MARK_KEY, String(performance.timeOrigin + performance.now()));
  } catch {
    // Private mode without storage: no measurement, nothing else changes.
  }
}

// The camera's notification switch: on means this browser is subscribed and the camera's
// switch (for all of the account's browsers) is on. Only where push works (https).
function notificationSwitch(id) {
  const input = el('input', { type: 'checkbox', role: 'switch', class: 'switch-input' });
  const node = el('label', { class: 'notify-switch small' }, input, el('span', {}, 'Notify me'));
  input.addEventListener('change', async () => {
    const wanted = input.checked;
    input.disabled = true;
    try {
      await setCameraNotifications(id, wanted);
      toast(wanted ? 'You will be notified of events at this camera.' : 'Notifications for this camera are off.');
    } catch (error) {
      input.checked = !wanted;
      toast(error instanceof PushError ? error.message : describeError(error), 'error');
    } finally {
      input.disabled = false;
    }
  });
  Promise.all([api.cameraNotifications(id), currentSubscription()])
    .then(([state, subscription]) => { input.checked = state.enabled && Boolean(subscription); })
    .catch(() => {}); // shown off; turning it on says what is wrong
  return { node, setName: (name) => input.setAttribute('aria-label', `Notify me of events at ${name}`) };
}

// One card, built once per camera and updated in place afterwards: rebuilding it would drop
// the keyboard focus of whoever is on one of its buttons whenever a camera comes or goes.
function cameraCard(id) {
  const watchUrl = urls.live(id);
  const current = () => cameras.get(id);
  const rename = el('button', { type: 'button', class: 'btn btn-ghost btn-small' }, 'Rename');
  const remove = el('button', { type: 'button', class: 'btn btn-ghost btn-small btn-danger-text' }, 'Remove');
  rename.addEventListener('click', async () => {
    const camera = current();
    const renamed = camera && await renameCameraDialog(camera);
    if (renamed) {
      renamedHere.set(renamed.id, renamed.name);
      cameras.set(renamed.id, { ...camera, ...renamed, online: cameras.get(id)?.online ?? renamed.online });
      render();
      toast('Camera renamed.');
    }
  });
  remove.addEventListener('click', async () => {
    const camera = current();
    if (camera && await removeCameraDialog(camera)) {
      removedHere.add(id);
      cameras.delete(id);
      render();
      toast('Camera removed.');
    }
  });
  const opened = () => {
    markClick();
    clearEvents(id);
  };
  const title = el('a', { href: watchUrl, class: 'camera-link', onclick: opened });
  const idLine = el('p', { class: 'muted small mono camera-id' }, id);
  const lastSeen = el('p', { class: 'last-seen small' });
  const watch = el('a', { href: watchUrl, class: 'btn btn-secondary btn-small', onclick: opened }, 'Watch');
  const notify = pushSupported() ? notificationSwitch(id) : null;
  const thumb = el('a', { href: watchUrl, class: 'card-thumb', tabindex: '-1', 'aria-hidden': 'true', onclick: opened },
    el('span', { class: 'thumb-icon' }));
  const node = el('li', { class: 'card camera-card', dataset: { cameraId: id } },
    thumb,
    el('div', { class: 'card-body' }, el('h2', { class: 'card-title' }, title), idLine, lastSeen, ...(notify ? [notify.node] : [])),
    el('div', { class: 'card-actions' }, watch, el('span', { class: 'spacer' }), rename, remove));

  let shown = {};
  const update = (camera) => {
    const online = Boolean(camera.online);
    if (shown.online !== online) {
      node.dataset.online = String(online);
      thumb.replaceChildren(thumb.firstChild, statusPill(online));
    }
    if (shown.name !== camera.name) {
      title.textContent = camera.name;
      watch.setAttribute('aria-label', `Watch ${camera.name} live`);
      rename.setAttribute('aria-label', `Rename ${camera.name}`);
      remove.setAttribute('aria-label', `Remove ${camera.name}`);
      notify?.setName(camera.name);
      idLine.hidden = camera.name === id; // a camera not named yet is called by its ID: no need to print it twice
    }
    lastSeen.textContent = describeLastSeen(camera);
    shown = { online, name: camera.name };
  };
  return { node, update };
}

const cards = new Map(); // id -> {node, update}

function render() {
  $('#loading').hidden = true;
  const sorted = [...cameras.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const focused = document.activeElement;
  const focusedCard = list.contains(focused) ? focused.closest('.camera-card') : null;

  for (const [id, card] of cards) {
    if (cameras.has(id)) continue;
    card.node.remove();
    cards.delete(id);
  }
  // Nodes move only when the order changed (a rename): a moved node loses focus, given back below.
  let previous = null;
  for (const camera of sorted) {
    let card = cards.get(camera.id);
    if (!card) {
      card = cameraCard(camera.id);
      cards.set(camera.id, card);
    }
    card.update(camera);
    const expected = previous ? previous.nextSibling : list.firstChild;
    if (card.node !== expected) {
      if (previous) previous.after(card.node);
      else list.prepend(card.node);
    }
    previous = card.node;
  }
  if (focusedCard && document.activeElement !== focused) {
    if (focused.isConnected) focused.focus();
    else (list.querySelector('.camera-link') ?? $('#add-camera')).focus(); // its camera was removed
  }

  $('#empty').hidden = sorted.length > 0;
  $('#open-grid').hidden = sorted.length === 0;
  refreshBadges();
  const online = sorted.filter((c) => c.online).length;
  $('#camera-count').textContent = sorted.length === 0 ? '' : `${sorted.length} camera${sorted.length === 1 ? '' : 's'} · ${online} online`;
}

async function addCamera() {
  const camera = await addCameraDialog();
  if (camera) location.assign(urls.setup(camera.id)); // the set-up page shows it coming online
}

$('#add-camera').addEventListener('click', addCamera);
$('#empty-add').addEventListener('click', addCamera);
showConnectionState(live, $('#connection-banner'));
// The service worker makes the app installable and shows pushed notifications; pushes that
// arrive while this page is open also show here.
registerServiceWorker();
listenForPushedEvents();

// Merges a camera from a list into what the page shows.
function merge(camera, { keepOnline = false } = {}) {
  if (removedHere.has(camera.id)) return;
  const shown = cameras.get(camera.id);
  const merged = { ...shown, ...camera };
  if (keepOnline && shown) merged.online = shown.online;
  if (renamedHere.has(camera.id)) merged.name = renamedHere.get(camera.id);
  cameras.set(camera.id, merged);
}

live.addEventListener('hello', (event) => {
  // The hello carries the cameras with their state right now: the freshest view there is.
  for (const camera of event.detail.cameras || []) merge(camera);
  render();
});
live.addEventListener('status', (event) => {
  const camera = cameras.get(event.detail.camera);
  if (!camera) return;
  if (camera.online && !event.detail.online) camera.lastSeen = new Date().toISOString();
  camera.online = event.detail.online;
  render();
});
// A camera's motion event, pushed live over the page's WebSocket: toast and badge. `at` is
// the start to the second, as the Web Push message has it, so that an event that comes both
// ways counts once.
live.addEventListener('cameraevent', (event) => {
  const { camera: cameraId, event: motion } = event.detail;
  const start = Number(motion.start);
  const at = Number.isFinite(start) ? new Date(Math.floor(start / 1000) * 1000) : undefined;
  eventArrived({ cameraId, cameraName: cameras.get(cameraId)?.name, at });
});
setInterval(() => {
  for (const [id, card] of cards) card.update(cameras.get(id));
}, LAST_SEEN_REFRESH_MS);

const user = await requireUser();
renderTopBar(user, 'cameras');
try {
  const answer = await api.cameras();
  // A status pushed before this answer is newer: keep its online state.
  for (const camera of answer.cameras) merge(camera, { keepOnline: true });
  render();
} catch (error) {
  $('#loading').textContent = describeError(error);
}
