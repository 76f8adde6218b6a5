// Small DOM helpers shared by the pages. Text always goes in through textContent, never as
// HTML: camera names and usernames are user-supplied.

import { api, ApiError } from './api.js';

// el('a', {href: '/x', class: 'btn'}, 'text', otherNode): text children become text nodes.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function pageUrl(path, params = {}) {
  const query = new URLSearchParams(params).toString();
  return query ? `${path}?${query}` : path;
}

export const urls = {
  signIn: (next) => pageUrl('/index.html', next ? { next } : {}),
  signUp: () => '/signup.html',
  dashboard: () => '/cameras.html',
  setup: (id) => pageUrl('/setup.html', { camera: id }),
  live: (id) => pageUrl('/camera.html', { id }),
  grid: () => '/grid.html',
  account: () => '/account.html',
};

// Only same-site paths are followed after sign-in (no open redirect).
export function safeNext(value) {
  return typeof value === 'string' && /^\/[A-Za-z0-9._~\-/?=&%]*$/.test(value) && !value.startsWith('//') ? value : null;
}

// The signed-in user, or a redirect to sign in (and a promise that never settles).
export async function requireUser() {
  try {
    const { user } = await api.me();
    return user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.replace(urls.signIn(location.pathname + location.search));
      return new Promise(() => {});
    }
    throw error;
  }
}

// The shared top bar: brand, navigation, the user and sign out.
export function renderTopBar(user, current) {
  const bar = $('#topbar');
  if (!bar) return;
  const link = (href, text, key) => el('a', { href, class: 'nav-link', 'aria-current': current === key ? 'page' : null }, text);
  const signOut = el('button', { type: 'button', class: 'btn btn-ghost btn-small', id: 'sign-out' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    try {
      await api.logout();
    } finally {
      location.replace(urls.signIn());
    }
  });
  bar.replaceChildren(
    el('a', { href: urls.dashboard(), class: 'brand', 'aria-label': 'SecCam home' }, brandMark(), el('span', {}, 'SecCam')),
    el('nav', { class: 'nav', 'aria-label': 'Main' }, link(urls.dashboard(), 'Cameras', 'cameras'), link(urls.grid(), 'Grid', 'grid'), link(urls.account(), 'Account', 'account')),
    el('div', { class: 'user' }, el('span', { class: 'user-name', title: 'Signed in as' }, user.username), signOut),
  );
}

export function brandMark() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'brand-mark');
  svg.setAttribute('aria-hidden', 'true');
  const body = document.createElementNS(ns, 'rect');
  Object.entries({ x: 2, y: 6, width: 14, height: 12, rx: 3 }).forEach(([k, v]) => body.setAttribute(k, v));
  const lens = document.createElementNS(ns, 'path');
  lens.setAttribute('d', 'M16 10.5 22 7v10l-6-3.5z');
  const dot = document.createElementNS(ns, 'circle');
  Object.entries({ cx: 6.5, cy: 10, r: 1.5, class: 'brand-dot' }).forEach(([k, v]) => dot.setAttribute(k, v));
  svg.append(body, lens, dot);
  return svg;
}

export function statusPill(online) {
  return el('span', { class: `pill ${online ? 'pill-online' : 'pill-offline'}`, dataset: { status: online ? 'online' : 'offline' } },
    el('span', { class: 'pill-dot', 'aria-hidden': 'true' }), online ? 'Online' : 'Offline');
}

export function setStatusPill(pill, online) {
  pill.replaceWith(statusPill(online));
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function describeLastSeen(camera) {
  if (camera.online) return 'Online now';
  if (!camera.lastSeen) return 'Never connected';
  const then = new Date(camera.lastSeen);
  if (Number.isNaN(then.getTime())) return 'Never connected';
  const seconds = Math.round((then.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  let text;
  if (abs < 45) text = 'just now';
  else if (abs < 3600) text = RELATIVE.format(Math.round(seconds / 60), 'minute');
  else if (abs < 86400) text = RELATIVE.format(Math.round(seconds / 3600), 'hour');
  else text = RELATIVE.format(Math.round(seconds / 86400), 'day');
  return `Last seen ${text}`;
}

// Shows a field's message (or clears it) and marks the input for assistive technology.
export function setFieldError(input, message) {
  const holder = document.getElementById(`${input.id}-error`);
  if (holder) holder.textContent = message;
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  input.closest('.field')?.classList.toggle('field-invalid', Boolean(message));
}

export function setFormAlert(form, message, kind = 'error') {
  const alert = $('.form-alert', form);
  if (!alert) return;
  alert.textContent = message;
  alert.hidden = !message;
  alert.dataset.kind = kind;
}

// Says `message` to screen readers through the page's polite live region, #announcer: it is in
// the HTML from the start, as a region added together with its text is often not read.
// Messages close together (several grid tiles starting) are read as one.
const ANNOUNCE_BATCH_MS = 250;
let pendingAnnouncements = [];
export function announce(message) {
  const region = $('#announcer');
  if (!region) return;
  if (pendingAnnouncements.length === 0) {
    region.textContent = ''; // a change, also when the same words come again
    setTimeout(() => {
      region.textContent = pendingAnnouncements.join(' ');
      pendingAnnouncements = [];
    }, ANNOUNCE_BATCH_MS);
  }
  pendingAnnouncements.push(message);
}

// A short message at the bottom of the screen.
export function toast(message, kind = 'info') {
  let region = $('#toasts');
  if (!region) {
    region = el('div', { id: 'toasts', class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  const item = el('div', { class: `toast toast-${kind}` }, message);
  region.append(item);
  setTimeout(() => item.remove(), 4000);
}

export function setBusy(button, busy, busyText) {
  if (busy) {
    button.dataset.idleText = button.textContent;
    button.textContent = busyText;
  } else if (button.dataset.idleText) {
    button.textContent = button.dataset.idleText;
  }
  button.disabled = busy;
  button.setAttribute('aria-busy', busy ? 'true' : 'false');
}
