// Account: where the account is signed in (one entry per session: browser, since when, last
// active, this one marked), signing one of them out, and signing out everywhere.

import { api, describeError } from '../api.js';
import { $, el, renderTopBar, requireUser, setBusy, toast, urls } from '../ui.js';

const list = $('#session-list');
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

// "Firefox on Linux" from a User-Agent; the whole string stays available as the title.
export function describeAgent(userAgent) {
  if (!userAgent) return 'Unknown browser';
  const browser = [
    [/Edg\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\//, 'Firefox'], [/Chrom(e|ium)\//, 'Chrome'],
    [/Safari\//, 'Safari'], [/curl\//, 'curl'],
  ].find(([pattern]) => pattern.test(userAgent));
  const system = [
    [/Android/, 'Android'], [/iPhone|iPad|iOS/, 'iOS'], [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux'],
  ].find(([pattern]) => pattern.test(userAgent));
  if (!browser) return system ? `A browser on ${system[1]}` : 'Unknown browser';
  return system ? `${browser[1]} on ${system[1]}` : browser[1];
}

function when(iso) {
  const date = iso ? new Date(iso) : null;
  return date && !Number.isNaN(date.getTime()) ? DATE.format(date) : 'unknown';
}

function sessionItem(session) {
  const name = describeAgent(session.userAgent);
  const title = el('h2', { class: 'card-title', title: session.userAgent || null }, name);
  const details = el('p', { class: 'muted small' },
    `Signed in ${when(session.createdAt)} · last active ${when(session.lastSeen)}`);
  const actions = el('div', { class: 'card-actions' });
  if (session.current) {
    actions.append(el('span', { class: 'pill pill-online', dataset: { current: 'true' } }, 'This browser'));
  } else {
    const signOut = el('button', { type: 'button', class: 'btn btn-ghost btn-small btn-danger-text', 'aria-label': `Sign out ${name}, signed in ${when(session.createdAt)}` }, 'Sign out');
    signOut.addEventListener('click', async () => {
      setBusy(signOut, true, 'Signing out…');
      try {
        await api.endSession(session.id);
        toast(`Signed out ${name}.`);
        await load();
      } catch (error) {
        setBusy(signOut, false);
        toast(describeError(error), 'error');
      }
    });
    actions.append(signOut);
  }
  return el('li', { class: 'card session-card', dataset: { sessionId: session.id } },
    el('div', { class: 'card-body' }, title, details), actions);
}

async function load() {
  try {
    const { sessions } = await api.sessions();
    $('#loading').hidden = true;
    list.replaceChildren(...sessions.map(sessionItem));
    $('#session-count').textContent = `${sessions.length} session${sessions.length === 1 ? '' : 's'}`;
    // Focus would be lost with the removed entry: give it to the page's main action.
    if (!list.contains(document.activeElement) && document.activeElement === document.body) {
      $('#sign-out-everywhere').focus();
    }
  } catch (error) {
    $('#loading').hidden = false;
    $('#loading').textContent = describeError(error);
  }
}

$('#sign-out-everywhere').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  setBusy(button, true, 'Signing out…');
  try {
    await api.endAllSessions();
  } finally {
    location.replace(urls.signIn());
  }
});

const user = await requireUser();
renderTopBar(user, 'account');
await load();
