// Web Push on the page: registers the service worker (web/sw.js, which shows the
// notifications), and subscribes this browser with the server's VAPID key when a camera's
// notification switch is turned on.
import { api } from './api.js';

export class PushError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PushError';
  }
}

// Service workers and push need a secure context (https, or localhost).
export function pushSupported() {
  return window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

// Registers /sw.js for the whole site; null where service workers are unavailable.
export async function registerServiceWorker() {
  if (!window.isSecureContext || !('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  } catch {
    return null; // the page works without it; only notifications are missing
  }
}

function base64Url(buffer) {
  return btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// This browser's subscription when notifications are allowed and it has one.
export async function currentSubscription() {
  if (!pushSupported() || Notification.permission !== 'granted') return null;
  const registration = await navigator.serviceWorker.getRegistration('/');
  return registration ? registration.pushManager.getSubscription() : null;
}

// Asks for permission (a click must have led here), subscribes with the server's key and
// hands the subscription to the server (for every camera; each camera's switch decides).
export async function subscribeThisBrowser() {
  if (!pushSupported()) throw new PushError('This browser cannot receive notifications from this site (it needs https).');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    throw new PushError('Notifications are blocked for this site. Allow them in the browser\u2019s site settings.');
  }
  await registerServiceWorker();
  const registration = await navigator.serviceWorker.ready;
  const { publicKey } = await api.pushKey();
  let subscription = await registration.pushManager.getSubscription();
  const key = subscription && subscription.options.applicationServerKey;
  if (subscription && (!key || base64Url(key) !== publicKey)) {
    await subscription.unsubscribe(); // made with another server key: useless here
    subscription = null;
  }
  if (!subscription) {
    try {
      subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey });
    } catch {
      throw new PushError('This browser could not sign up for notifications (its push service did not answer).');
    }
  }
  const { endpoint, keys } = subscription.toJSON();
  await api.addPushSubscription({ endpoint, keys });
  return subscription;
}

// The camera's switch: on subscribes this browser first.
export async function setCameraNotifications(cameraId, enabled) {
  if (enabled) await subscribeThisBrowser();
  return api.setCameraNotifications(cameraId, enabled);
}
