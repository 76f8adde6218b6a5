// SecCam's service worker (scope: the whole site). It shows a notification when the server
// pushes an event (PROTOCOL.md, "Web Push": {type: "event", camera: {id, name}, at}) and
// opens that camera's page when the notification is clicked. It caches nothing: the pages
// are live views and are useless offline.
'use strict';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// What a push message becomes: a title, a body and the page to open. A message we cannot
// read still shows a notification (a push that shows nothing may get the subscription
// cancelled by the browser).
function describe(message) {
  const camera = message && message.camera && typeof message.camera.id === 'string' ? message.camera : null;
  const at = message && typeof message.at === 'string' ? new Date(message.at) : null;
  const time = at && !Number.isNaN(at.getTime())
    ? at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : null;
  if (!camera) {
    return { title: 'SecCam', body: 'Something happened at one of your cameras.', url: '/cameras.html', at };
  }
  const name = typeof camera.name === 'string' && camera.name ? camera.name : camera.id;
  return {
    title: name,
    body: time ? `Something happened at ${time}.` : 'Something happened.',
    url: `/camera.html?id=${encodeURIComponent(camera.id)}`,
    cameraId: camera.id,
    cameraName: name,
    at,
  };
}

self.addEventListener('push', (event) => {
  let message = null;
  try {
    message = event.data ? event.data.json() : null;
  } catch {
    message = null;
  }
  const shown = describe(message);
  event.waitUntil((async () => {
    await self.registration.showNotification(shown.title, {
      body: shown.body,
      // One notification per camera: a newer event replaces the older one, and still alerts.
      tag: shown.cameraId ? `camera-${shown.cameraId}` : 'seccam',
      renotify: true,
      icon: '/icons/icon-192.png',
      badge: '/icons/badge-96.png',
      timestamp: shown.at && !Number.isNaN(shown.at.getTime()) ? shown.at.getTime() : Date.now(),
      data: { url: shown.url, cameraId: shown.cameraId || null },
    });
    // Open pages show it too (js/event-alerts.js: a toast and a badge).
    const windows = await self.clients.matchAll({ type: 'window' });
    for (const client of windows) {
      client.postMessage({ type: 'seccam-event', cameraId: shown.cameraId || null, cameraName: shown.cameraName || null,
        at: shown.at && !Number.isNaN(shown.at.getTime()) ? shown.at.toISOString() : null });
    }
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || '/cameras.html', self.location.origin);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => client.url === target.href);
    if (open) return open.focus();
    return self.clients.openWindow(target.href);
  })());
});

// The browser replaced the subscription (expiry, key rotation): hand the new one to the
// server, for every camera as before, while the session cookie is still good.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const response = await fetch('/api/push/key', { credentials: 'same-origin' });
    if (!response.ok) return;
    const { publicKey } = await response.json();
    const subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey });
    const { endpoint, keys } = subscription.toJSON();
    await fetch('/api/push/subscriptions', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ endpoint, keys }),
    });
  })());
});
