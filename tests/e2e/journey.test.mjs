// The journey a new user makes, in Debian's Chromium against real seccam-server, seccam-camera
// and coturn in a network namespace: sign up with a camera's ID and claim code, watch it come
// online, watch it live (direct and relay-only), from two browsers, with a grid of two cameras.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ARTIFACTS_DIR, Stack, expectPlaying, keepPeerConnections, liveStats, newPage, screenshotPath, signIn, signUp,
  waitFor } from './harness.mjs';

const VIDEO = { width: 320, height: 240, fps: 15 };
const TIME_TO_FIRST_FRAME_RUNS = 7;

let stack;
let browser;
let username;
let camera; // the first account's first camera
let second; // claimed later through the Add camera dialog
let journeyPage; // the first test's live view, used by the snapshot test

before(async () => {
  stack = await Stack.start({ label: 'journey', cameraCount: 2 });
  [camera, second] = stack.cameras;
  browser = await stack.launchBrowser();
});

after(async () => {
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

test('a new user signs up with a camera, sees it come online and watches it live', async () => {
  const page = await newPage(browser);
  username = await signUp(page, stack, camera, { cameraName: 'Front door' });

  // The camera's agent is not running yet: the set-up page says so, then sees it connect.
  await page.locator('#setup-status[data-status="waiting"]').waitFor();
  await page.screenshot({ path: screenshotPath('setup-waiting-desktop'), fullPage: true });
  assert.equal(await page.locator('#camera-id').textContent(), camera.cameraId);
  stack.startCamera(camera, VIDEO);
  await page.locator('#setup-status[data-status="online"]').waitFor({ timeout: 15000 });
  assert.match(await page.locator('#setup-status-title').textContent(), /online/i);

  await page.getByRole('link', { name: 'Watch live' }).click();
  await page.waitForURL(/\/camera\.html\?id=/);
  const playing = await expectPlaying(page);
  assert.equal(playing.videoWidth, VIDEO.width);
  assert.equal(playing.videoHeight, VIDEO.height);
  assert.equal(Number(playing.width), VIDEO.width);
  assert.equal(Number(playing.height), VIDEO.height);
  assert.equal(await page.locator('#heading').textContent(), 'Front door');
  assert.match(await page.locator('#stats').textContent(), /320×240 · \d+ fps .* RTT \d+ ms · (Direct|Relayed)/);
  assert.deepEqual(page.errors ?? [], []);
  journeyPage = page;
});

test('the snapshot button saves a PNG of the picture at its full size', async () => {
  const page = journeyPage;
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /snapshot/i }).click()]);
  assert.match(download.suggestedFilename(), /^Front_door-.*\.png$/);
  const png = fs.readFileSync(await download.path());
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // IHDR: width and height, big-endian, at bytes 16 and 20.
  assert.equal(png.readUInt32BE(16), VIDEO.width);
  assert.equal(png.readUInt32BE(20), VIDEO.height);
  await page.context().close();
});

test('the full-screen button puts the player in full screen and takes it out again', async () => {
  const page = await newPage(browser);
  await signIn(page, stack, username);
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}`);
  await expectPlaying(page);
  await page.getByRole('button', { name: 'Full screen' }).click();
  await waitFor(() => page.evaluate(() => document.fullscreenElement?.id === 'player'), { what: 'full screen' });
  await page.getByRole('button', { name: 'Exit full screen' }).click();
  await waitFor(() => page.evaluate(() => document.fullscreenElement === null), { what: 'full screen to end' });
  await page.context().close();
});

test('relay-only viewing goes through coturn', async () => {
  const page = await newPage(browser);
  await signIn(page, stack, username);
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}&relay=1`);
  const playing = await expectPlaying(page);
  assert.equal(playing.localCandidateType, 'relay');
  assert.equal(playing.path, 'relayed');
  assert.equal(playing.videoWidth, VIDEO.width);
  assert.match(await page.locator('#stats').textContent(), /Relayed \(TURN\)/);
  await page.context().close();
});

test('the camera answers with zero playout delay, on the ID the browser offered', async () => {
  const page = await newPage(browser);
  await keepPeerConnections(page);
  await signIn(page, stack, username);
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}`);
  await expectPlaying(page);
  const { offer, answer } = await page.evaluate(() => {
    const pc = window.__pcs[window.__pcs.length - 1];
    return { offer: pc.currentLocalDescription.sdp, answer: pc.currentRemoteDescription.sdp };
  });
  const uri = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';
  const id = (sdp) => sdp.match(new RegExp(`a=extmap:(\\d+)(?:/\\w+)? ${uri.replace(/[./]/g, '\\$&')}`))?.[1];
  assert.ok(id(offer), `Chromium offers the playout-delay extension:\n${offer}`);
  assert.equal(id(answer), id(offer), `the answer uses the offer's ID:\n${answer}`);
  await page.context().close();
});

test('two browsers watch the same camera at once', async () => {
  const pages = [await newPage(browser), await newPage(browser)];
  for (const page of pages) await signIn(page, stack, username);
  for (const page of pages) await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}`);
  await Promise.all(pages.map((page) => expectPlaying(page)));
  // Both still receive once both are in: each count keeps rising.
  const before = await Promise.all(pages.map(liveStats));
  await waitFor(async () => {
    const now = await Promise.all(pages.map(liveStats));
    return now.every((s, i) => Number(s.framesDecoded) > Number(before[i].framesDecoded) + 10);
  }, { what: 'both viewers to keep decoding' });
  for (const page of pages) await page.context().close();
});

test('a second camera added through the dashboard plays beside the first in the grid', async () => {
  const page = await newPage(browser);
  await signIn(page, stack, username);
  await page.getByRole('button', { name: 'Add camera' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Camera ID').fill(second.cameraId);
  await dialog.getByLabel('Claim code').fill('12');
  assert.match(await dialog.locator('#add-claim-code-error').textContent(), /10 letters and digits/);
  await dialog.getByLabel('Claim code').fill(second.claimCode.toLowerCase());
  await dialog.getByLabel('Name (optional)').fill('Back yard');
  await dialog.getByRole('button', { name: 'Add camera' }).click();
  await page.waitForURL(/\/setup\.html\?camera=/);
  stack.startCamera(second, VIDEO);
  await page.locator('#setup-status[data-status="online"]').waitFor({ timeout: 15000 });

  await page.goto(`${stack.origin}/grid.html`);
  const tiles = page.locator('.tile');
  await waitFor(async () => (await tiles.count()) === 2, { what: 'two grid tiles' });
  await waitFor(async () => (await page.locator('.tile[data-state="playing"]').count()) === 2, { timeoutMs: 20000, what: 'both tiles playing' });
  const sizes = await page.locator('.tile video').evaluateAll((videos) => videos.map((v) => [v.videoWidth, v.videoHeight]));
  assert.deepEqual(sizes, [[VIDEO.width, VIDEO.height], [VIDEO.width, VIDEO.height]]);
  await page.context().close();
});

test('a camera name with HTML and script in it is shown as text', async () => {
  // At most 64 characters (PROTOCOL.md's name limit).
  const hostile = '<img src=x onerror=__x=1><script>__x=2</script> & "q"';
  assert.ok(hostile.length <= 64);
  const page = await newPage(browser);
  await signIn(page, stack, username);
  const card = page.locator(`.camera-card[data-camera-id="${camera.cameraId}"]`);
  await card.getByRole('button', { name: /^Rename/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill(hostile);
  await dialog.getByRole('button', { name: 'Save' }).click();
  // The dialog is hidden at close() and the list redrawn a task later: wait for the redraw.
  // The name is the card's link; an event badge (the test camera's motion) may follow it in
  // the title.
  await waitFor(async () => (await card.locator('.camera-link').textContent()) === hostile, { what: 'the new name' });
  assert.equal(await card.locator('.camera-link').textContent(), hostile);
  assert.equal(await page.locator('#camera-list img, #camera-list script').count(), 0);
  await page.reload();
  await card.waitFor();
  assert.equal(await card.locator('.camera-link').textContent(), hostile);

  await card.locator('.camera-link').click();
  await page.waitForURL(/\/camera\.html/);
  await page.locator('#heading').filter({ hasText: '& "q"' }).waitFor();
  assert.equal(await page.locator('#heading').textContent(), hostile);
  assert.equal(await page.locator('main img, main script').count(), 0);
  assert.equal(await page.evaluate(() => window.__x), undefined);

  // Put the friendly name back for the screenshots.
  await page.goto(`${stack.origin}/cameras.html`);
  await card.getByRole('button', { name: /^Rename/ }).click();
  await page.getByRole('dialog').getByLabel('Name').fill('Front door');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
  await card.locator('.camera-link').filter({ hasText: /^Front door$/ }).waitFor();
  await page.context().close();
});

// Not a timing assertion: the figure is written to artifacts/ for the report; the test checks
// that each run played and was measured.
test('click on a camera to its first frame, measured in the browser', async () => {
  const page = await newPage(browser);
  await signIn(page, stack, username);
  const samples = [];
  for (let run = 0; run < TIME_TO_FIRST_FRAME_RUNS; run += 1) {
    await page.goto(`${stack.origin}/cameras.html`);
    const link = page.locator(`.camera-card[data-camera-id="${camera.cameraId}"] .camera-link`);
    await page.locator(`.camera-card[data-camera-id="${camera.cameraId}"][data-online="true"]`).waitFor();
    await link.click();
    const video = page.locator('#video[data-click-to-first-frame-ms]');
    await video.waitFor({ timeout: 20000 });
    samples.push(Number(await video.getAttribute('data-click-to-first-frame-ms')));
  }
  assert.equal(samples.length, TIME_TO_FIRST_FRAME_RUNS);
  assert.ok(samples.every((ms) => Number.isFinite(ms) && ms > 0), `samples: ${samples}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS_DIR, 'click-to-first-frame.json'),
    `${JSON.stringify({ video: VIDEO, samplesMs: samples, medianMs: median }, null, 2)}\n`);
  console.log(`click → first frame (ms): ${samples.join(', ')}; median ${median}`);
  await page.context().close();
});

const SCREEN_SIZES = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

test('screenshots of every page at phone and desktop sizes', async () => {
  const written = [];
  for (const [sizeName, viewport] of Object.entries(SCREEN_SIZES)) {
    for (const colorScheme of ['light', 'dark']) {
      if (colorScheme === 'dark' && sizeName === 'phone') continue; // one dark set is enough
      const context = await browser.newContext({ viewport, colorScheme });
      const page = await context.newPage();
      const shoot = async (name) => {
        // Nothing may stick out sideways (a phone would scroll the whole page).
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= viewport.width, `${name} at ${sizeName} is ${width} px wide`);
        const file = screenshotPath(`${name}-${sizeName}${colorScheme === 'dark' ? '-dark' : ''}`);
        await page.screenshot({ path: file, fullPage: true });
        written.push(file);
      };

      await page.goto(`${stack.origin}/index.html`);
      await shoot('signin');
      await page.goto(`${stack.origin}/signup.html`);
      await page.getByLabel('Claim code').fill('abc-12');
      await page.getByLabel('Username').fill('an');
      await page.getByLabel('Password', { exact: true }).fill('short1A');
      await page.getByLabel('Password again').fill('short');
      await page.getByLabel('Camera ID').focus();
      await shoot('signup-validation');

      await signIn(page, stack, username);
      await page.locator('.camera-card[data-online="true"]').first().waitFor();
      await shoot('dashboard');
      await page.goto(`${stack.origin}/setup.html?camera=${encodeURIComponent(camera.cameraId)}`);
      await page.locator('#setup-status[data-status="online"]').waitFor();
      await shoot('setup-online');
      await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(camera.cameraId)}`);
      await expectPlaying(page);
      await shoot('live');
      await page.goto(`${stack.origin}/grid.html`);
      await waitFor(async () => (await page.locator('.tile[data-state="playing"]').count()) === 2, { timeoutMs: 20000, what: 'grid playing' });
      await waitFor(async () => (await page.locator('.tile-stats').evaluateAll((n) => n.every((x) => x.textContent))), { what: 'grid stats' });
      await shoot('grid');
      await context.close();
    }
  }
  for (const file of written) assert.ok(fs.statSync(file).size > 1000, `${file} is not a picture`);
  console.log(`screenshots:\n${written.join('\n')}`);
});
