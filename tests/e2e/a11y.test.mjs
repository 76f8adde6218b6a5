// Accessibility: axe-core audits every page state (signed out, set-up, dashboard and its
// dialogs, live view, grid) at phone and desktop sizes in light and dark, and hand-written
// checks cover what axe cannot see: focus kept through live updates, the video's name, the
// announcement that the video started, and focus rings that stand out 3:1.

import fs from 'node:fs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Stack, newPage, signIn, signUp, waitFor } from './harness.mjs';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
const COLOR_SCHEMES = ['light', 'dark'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
const VIDEO = { width: 320, height: 240, fps: 15 };
// WCAG 1.4.11: a focus indicator needs 3:1 against what is next to it.
const FOCUS_RING_MIN_CONTRAST = 3;

let stack;
let browser;
let page; // one page for the whole file, moved from state to state
let username;
let front; // signed up with, its agent running
let back; // claimed second, its agent never started: offline everywhere

before(async () => {
  stack = await Stack.start({ label: 'a11y', cameraCount: 2 });
  [front, back] = stack.cameras;
  stack.startCamera(front, VIDEO);
  browser = await stack.launchBrowser();
  // The account, made on a page of its own: the main page starts signed out.
  const signingUp = await newPage(browser);
  username = await signUp(signingUp, stack, front, { cameraName: 'Front door' });
  const claimed = await signingUp.evaluate(async ({ cameraId, claimCode }) => {
    const response = await fetch('/api/cameras', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cameraId, claimCode, name: 'Back yard' }),
    });
    return response.status;
  }, back);
  assert.equal(claimed, 201);
  await signingUp.context().close();
  page = await newPage(browser);
  // The live regions present when the page was parsed: a region added later with its text
  // already in it is not announced by most screen readers.
  await page.addInitScript(() => {
    document.addEventListener('DOMContentLoaded', () => {
      window.__liveRegionsAtLoad = [...document.querySelectorAll('[aria-live], [role="status"], [role="alert"], [role="log"]')];
    });
  });
});

after(async () => {
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

// Runs axe-core on the page as it is now, at every size and color scheme; fails listing every
// serious or critical violation.
async function expectNoSeriousViolations(state) {
  const found = [];
  for (const [sizeName, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    for (const colorScheme of COLOR_SCHEMES) {
      await page.emulateMedia({ colorScheme });
      if (!(await page.evaluate(() => 'axe' in window))) {
        // Through DevTools, not a <script> or <style> tag: the pages' Content-Security-Policy
        // refuses inline ones, as it should.
        await page.evaluate(AXE_SOURCE);
        // Colors mid-transition would be measured half-way.
        await page.evaluate(() => {
          const sheet = new CSSStyleSheet();
          sheet.replaceSync('*, *::before, *::after { transition: none !important; }');
          document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
        });
      }
      const violations = await page.evaluate(async () => {
        const results = await window.axe.run(document, { resultTypes: ['violations'] });
        return results.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => ({ impact: n.impact, target: n.target.join(' '), summary: n.failureSummary })),
        }));
      });
      for (const v of violations) {
        const nodes = v.nodes.filter((n) => FAILING_IMPACTS.has(n.impact ?? v.impact));
        if (nodes.length) found.push({ ...v, nodes, where: `${sizeName}, ${colorScheme}` });
      }
    }
  }
  assert.equal(found.length, 0, `axe-core: serious or critical violations on ${state}:\n${found.map(describeViolation).join('\n')}`);
}

// - color-contrast (serious, phone, dark): Elements must meet minimum color contrast ratio thresholds
//     .btn-danger
//       Fix any of the following: Element has insufficient color contrast of 2.78 (...)
function describeViolation(v) {
  const nodes = v.nodes.map((n) => `    ${n.target}\n      ${n.summary.replace(/\n/g, '\n      ')}`);
  return `- ${v.id} (${v.impact}, ${v.where}): ${v.help}\n${nodes.join('\n')}`;
}

const cameraCard = (camera) => page.locator(`.camera-card[data-camera-id="${camera.cameraId}"]`);

test('the sign-in page passes axe', async () => {
  await page.goto(`${stack.origin}/index.html`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await expectNoSeriousViolations('sign-in');
});

test('the sign-up page showing field errors and met password rules passes axe', async () => {
  await page.goto(`${stack.origin}/signup.html`);
  await page.getByLabel('Claim code').fill('abc-12');
  await page.getByLabel('Username').fill('an');
  await page.getByLabel('Password', { exact: true }).fill('short1A');
  await page.getByLabel('Password again').fill('short');
  await page.getByLabel('Camera ID').focus();
  await page.locator('.field-invalid').first().waitFor();
  await page.locator('.rule-met').first().waitFor();
  await expectNoSeriousViolations('sign-up with errors');
});

test('the set-up page passes axe, camera online and camera waiting', async () => {
  await signIn(page, stack, username);
  await page.goto(`${stack.origin}/setup.html?camera=${encodeURIComponent(front.cameraId)}`);
  await page.locator('#setup-status[data-status="online"]').waitFor();
  await expectNoSeriousViolations('set-up (online)');

  await page.goto(`${stack.origin}/setup.html?camera=${encodeURIComponent(back.cameraId)}`);
  await page.locator('#setup-status[data-status="waiting"]').waitFor();
  await page.locator('#camera-name').filter({ hasText: 'Back yard' }).waitFor();
  await expectNoSeriousViolations('set-up (waiting)');
});

test('the dashboard passes axe, with one camera online and one offline', async () => {
  await page.goto(`${stack.origin}/cameras.html`);
  await cameraCard(front).and(page.locator('[data-online="true"]')).waitFor();
  await cameraCard(back).waitFor();
  await expectNoSeriousViolations('dashboard');
});

test('the add, rename and remove dialogs pass axe', async () => {
  const dialog = page.getByRole('dialog');
  await page.getByRole('button', { name: 'Add camera' }).click();
  await dialog.getByLabel('Claim code').fill('12');
  await dialog.getByLabel('Camera ID').focus();
  await dialog.locator('.field-invalid').waitFor();
  await expectNoSeriousViolations('the add camera dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });

  await cameraCard(front).getByRole('button', { name: /^Rename/ }).click();
  await expectNoSeriousViolations('the rename dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });

  await cameraCard(front).getByRole('button', { name: /^Remove/ }).click();
  await expectNoSeriousViolations('the remove dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
});

test('focus stays on a card\'s button while its camera goes offline and online again', async () => {
  await page.setViewportSize(VIEWPORTS.desktop);
  await page.goto(`${stack.origin}/cameras.html`);
  await cameraCard(front).and(page.locator('[data-online="true"]')).waitFor();
  await cameraCard(front).getByRole('button', { name: /^Rename/ }).focus();
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName);
  assert.equal(await focused(), 'Rename Front door');

  await stack.stopCamera(front);
  try {
    await cameraCard(front).and(page.locator('[data-online="false"]')).waitFor();
    assert.equal(await focused(), 'Rename Front door', 'after the camera went offline');
  } finally {
    stack.startCamera(front, VIDEO); // the tests after this one watch it
  }
  await cameraCard(front).and(page.locator('[data-online="true"]')).waitFor({ timeout: 15000 });
  assert.equal(await focused(), 'Rename Front door', 'after the camera came back online');
});

// What Chromium gives screen readers for an element: {name, ignored} (ignored: not exposed).
async function accessibility(selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
    assert.ok(nodeId, `no ${selector} on the page`);
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    return { name: nodes[0]?.name?.value ?? '', ignored: Boolean(nodes[0]?.ignored) };
  } finally {
    await cdp.detach();
  }
}

// The texts of polite live regions that were on the page from the start and are shown now.
function politeAnnouncements() {
  return page.evaluate(() => (window.__liveRegionsAtLoad || [])
    .filter((n) => n.isConnected && !n.closest('[hidden]')
      && (n.getAttribute('aria-live') === 'polite' || (n.getAttribute('role') === 'status' && !n.hasAttribute('aria-live'))))
    .map((n) => n.textContent.trim()).filter(Boolean));
}

test('the live view names its video after the camera, announces that it started and passes axe', async () => {
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(front.cameraId)}`);
  await page.locator('#conn-state[data-state="playing"]').waitFor({ timeout: 20000 });
  assert.match((await accessibility('#video')).name, /Front door/);
  const announced = await waitFor(async () => {
    const texts = await politeAnnouncements();
    return texts.some((t) => /Front door/.test(t) && /started/i.test(t)) ? texts : null;
  }, { timeoutMs: 3000, what: 'a polite announcement that the video of Front door started' });
  assert.ok(announced.length > 0);
  await expectNoSeriousViolations('the live view (playing)');
});

test('the live view of an offline camera passes axe', async () => {
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(back.cameraId)}`);
  await page.locator('#conn-state[data-state="offline"]').waitFor();
  await page.locator('#heading').filter({ hasText: 'Back yard' }).waitFor();
  assert.equal((await accessibility('#video')).ignored, true, 'a video without a stream is hidden; the overlay speaks');
  await expectNoSeriousViolations('the live view (offline)');
});

test('the grid names each video after its camera, announces a start and passes axe', async () => {
  await page.goto(`${stack.origin}/grid.html`);
  await page.locator(`.tile[data-camera-id="${front.cameraId}"][data-state="playing"]`).waitFor({ timeout: 20000 });
  await page.locator(`.tile[data-camera-id="${back.cameraId}"][data-state="offline"]`).waitFor();
  assert.match((await accessibility(`.tile[data-camera-id="${front.cameraId}"] video`)).name, /Front door/);
  // Without a stream Chromium calls a video "Unable to play media.": not what to hear of an
  // offline camera.
  assert.equal((await accessibility(`.tile[data-camera-id="${back.cameraId}"] video`)).ignored, true);
  await waitFor(async () => (await politeAnnouncements()).some((t) => /Front door/.test(t) && /started/i.test(t)),
    { timeoutMs: 3000, what: 'a polite announcement that the video of Front door started' });
  await expectNoSeriousViolations('the grid');
});

// axe does not measure focus indicators: the outline's color, over the page behind it.
test('keyboard focus rings contrast 3:1 with the page in light and dark', async () => {
  await page.goto(`${stack.origin}/cameras.html`);
  await cameraCard(front).waitFor();
  for (const colorScheme of COLOR_SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.locator('body').click({ position: { x: 1, y: 300 } });
    await page.locator('#add-camera').focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab'); // focus by keyboard: :focus-visible
    const measured = await page.evaluate(() => {
      // A canvas turns any CSS color syntax (color-mix() included) into pixels: paint the page's
      // background, then the ring over it, and read both.
      const pixel = (...colors) => {
        const canvas = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
        for (const color of colors) {
          canvas.fillStyle = color;
          canvas.fillRect(0, 0, 1, 1);
        }
        return [...canvas.getImageData(0, 0, 1, 1).data.slice(0, 3)];
      };
      const node = document.activeElement;
      const style = getComputedStyle(node);
      const behind = getComputedStyle(document.body).backgroundColor;
      return { id: node.id, outlineStyle: style.outlineStyle, ring: pixel(behind, style.outlineColor), behind: pixel(behind) };
    });
    assert.equal(measured.id, 'add-camera');
    assert.notEqual(measured.outlineStyle, 'none');
    const ratio = contrast(measured.ring, measured.behind);
    assert.ok(ratio >= FOCUS_RING_MIN_CONTRAST, `${colorScheme}: the focus ring contrasts ${ratio.toFixed(2)}:1 with the page`);
  }
});

function contrast(a, b) {
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

// Issue 11, L3: where the account is signed in. The sign-up's own session (another browser
// context, closed) is listed beside this one; signing it out leaves this one.
test('the account page lists the sessions, passes axe and signs another one out', async () => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${stack.origin}/account.html`);
  const entries = page.locator('.session-card');
  await waitFor(async () => (await entries.count()) >= 2 || null, { what: 'two sessions listed' });
  const before = await entries.count();
  assert.equal(await page.locator('.session-card [data-current="true"]').count(), 1);
  await expectNoSeriousViolations('the account page');

  const other = page.locator('.session-card', { hasNot: page.locator('[data-current="true"]') }).first();
  await other.getByRole('button', { name: /^Sign out / }).click();
  await waitFor(async () => (await entries.count()) === before - 1 || null, { what: 'the session gone from the list' });
  // This browser is still signed in.
  assert.equal(await page.evaluate(async () => (await fetch('/api/me')).status), 200);
});
