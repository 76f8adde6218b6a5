// In-page alerts while a page is open: a toast that names the camera and the time (with a
// link to watch it), and a count of unseen events as a badge on the camera's dashboard card,
// in the tab title and on the installed app's icon. Call eventArrived() when an event comes
// in live; the service worker's pushes arrive here too (listenForPushedEvents).
import { el, urls } from './ui.js';

const unseen = new Map(); // camera ID -> events not looked at yet
const seenKeys = new Set(); // cameraId|at: one event reported twice (live and pushed) counts once
const baseTitle = document.title;
const TOAST_MS = 8000;

function totalUnseen() {
  let total = 0;
  for (const count of unseen.values()) total += count;
  return total;
}

function showBadges() {
  for (const card of document.querySelectorAll('[data-camera-id]')) {
    const count = unseen.get(card.dataset.cameraId) || 0;
    let badge = card.querySelector('.event-badge');
    if (!count) {
      badge?.remove();
      continue;
    }
    if (!badge) {
      badge = el('span', { class: 'event-badge' });
      (card.querySelector('.card-title') || card).append(badge);
    }
    badge.textContent = String(count);
    badge.setAttribute('aria-label', `${count} new event${count === 1 ? '' : 's'}`);
  }
  const total = totalUnseen();
  document.title = total ? `(${total}) ${baseTitle}` : baseTitle;
  if ('setAppBadge' in navigator) {
    (total ? navigator.setAppBadge(total) : navigator.clearAppBadge()).catch(() => {});
  }
}

function toastRegion() {
  let region = document.getElementById('toasts');
  if (!region) {
    region = el('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  return region;
}

// An event at a camera: {cameraId, cameraName?, at?} (at: ISO 8601 or Date). Returns false
// when this event was already shown.
export function eventArrived({ cameraId, cameraName, at }) {
  if (!cameraId) return false;
  const when = at ? new Date(at) : new Date();
  const key = `${cameraId}|${Number.isNaN(when.getTime()) ? '' : when.toISOString()}`;
  if (seenKeys.has(key)) return false;
  seenKeys.add(key);
  unseen.set(cameraId, (unseen.get(cameraId) || 0) + 1);
  showBadges();

  const time = Number.isNaN(when.getTime()) ? '' : when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const item = el('div', { class: 'toast toast-event' },
    el('span', {}, `${cameraName || cameraId}: something happened${time ? ` at ${time}` : ''}.`),
    el('a', { href: urls.live(cameraId), class: 'toast-link', onclick: () => clearEvents(cameraId) }, 'Watch'));
  toastRegion().append(item);
  setTimeout(() => item.remove(), TOAST_MS);
  return true;
}

// The events of one camera (or of all) have been looked at.
export function clearEvents(cameraId) {
  if (cameraId) unseen.delete(cameraId);
  else unseen.clear();
  showBadges();
}

export function unseenEvents(cameraId) {
  return cameraId ? unseen.get(cameraId) || 0 : totalUnseen();
}

// Badges follow cards that are drawn later (call after rendering a list of cameras).
export const refreshBadges = showBadges;

// The service worker tells open pages of every push it shows.
export function listenForPushedEvents() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data;
    if (data && data.type === 'seccam-event') eventArrived(data);
  });
}
