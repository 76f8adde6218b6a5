// Clips played from the camera (issue 13, item 4): after a scripted motion event the camera
// page lists the clip, fetched from the camera over the live view's data channel, with its
// still; a click plays it in the page, its first frame (capture stamp read from the picture)
// is from the pre-roll before the event, it seeks, and "Download MP4" gives the very bytes the
// camera stored (a valid MP4). A bad or unknown clip ID gets a clear error, and the live video
// goes on. With all UDP blocked (relay-only, coturn over TCP) the clip still plays. Another
// account cannot get a session to the camera at all, so it cannot fetch a clip. A camera that
// is offline says so in the clip list.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Stack, expectPlaying, keepPeerConnections, liveStats, newPage, signUp, waitFor } from './harness.mjs';

const VIDEO = { width: 320, height: 240, fps: 15 };
// Motion 3 s after the source starts, for 2 s, then still: one event, its clip done ~3 s later.
const MOTION_ARGS = [
  '--test-motion', 'still:3,move:2,still:600', '--motion-quiet-period', '1',
  // Outside the zone: the test picture's clock, which changes every second.
  '--motion-zones', '320x168+0+32',
  '--recording-pre-roll', '1', '--recording-post-roll', '1',
  // Each frame's capture time in its top band (PROTOCOL.md latency probe), read back in the page.
  '--latency-probe', '--bitrate', '1000',
];
const PRE_ROLL_MS = 1000;

let stack;
let browser;
let owner; // {page, camera}
let other;
let clip; // {id, file, start}

before(async () => {
  stack = await Stack.start({ label: 'clips', cameraCount: 2 });
  browser = await stack.launchBrowser();
  const [ownerCamera, otherCamera] = stack.cameras;
  owner = { page: await newPage(browser), camera: ownerCamera };
  other = { page: await newPage(browser), camera: otherCamera };
  await signUp(owner.page, stack, ownerCamera, { cameraName: 'Front door' });
  await signUp(other.page, stack, otherCamera, { cameraName: 'Not yours' });
  const agent = stack.startCamera(ownerCamera, { ...VIDEO, args: MOTION_ARGS });
  const saved = await waitFor(() => agent.events('clip_saved')[0] || null, { timeoutMs: 40000, what: 'a saved clip' });
  const started = agent.events('motion_started').find((e) => e.id === saved.id);
  clip = { id: saved.id, file: saved.path, start: started.start };
});

afterEach(() => stack?.unblockUdp());

after(async () => {
  stack?.unblockUdp();
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

function cameraUrl(extra = '') {
  return `${stack.origin}/camera.html?id=${encodeURIComponent(owner.camera.cameraId)}${extra}`;
}

// The clip video's state, as the page shows it.
function clipVideoState(page) {
  return page.locator('#clip-video').evaluate((v) => ({
    readyState: v.readyState, currentTime: v.currentTime, duration: v.duration, error: v.error && v.error.code,
    ...v.dataset,
  }));
}

// Clicks the clip in the list and waits until it plays: a decoded frame and the time moving.
async function playFromList(page, id) {
  const item = page.locator(`#clips-list li[data-clip-id="${id}"] button`);
  await item.waitFor({ timeout: 30000 });
  await item.click();
  const first = await waitFor(async () => {
    const s = await clipVideoState(page);
    return s.clipId === id && s.readyState >= 2 ? s : null;
  }, { timeoutMs: 30000, what: 'the clip to play' });
  const later = await waitFor(async () => {
    const s = await clipVideoState(page);
    return s.currentTime > first.currentTime + 0.3 ? s : null;
  }, { timeoutMs: 10000, what: "the clip's time to advance" });
  return { first, later };
}

// The top-level boxes of an MP4: [{type, size}].
function topBoxes(bytes) {
  const boxes = [];
  for (let at = 0; at + 8 <= bytes.length && boxes.length < 100;) {
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(bytes.readBigUInt64BE(at + 8));
    if (size === 0) size = bytes.length - at;
    if (size < 8 || at + size > bytes.length) throw new Error(`bad box ${type} at ${at}`);
    boxes.push({ type, size });
    at += size;
  }
  return boxes;
}

test('after an event the page lists the clip with its still, plays it, seeks, and downloads the MP4', async () => {
  const { page } = owner;
  await keepPeerConnections(page);
  await page.goto(cameraUrl());
  await expectPlaying(page);
  const item = page.locator(`#clips-list li[data-clip-id="${clip.id}"]`);
  await item.waitFor({ timeout: 20000 });
  // The thumbnail came over the channel too.
  await item.locator('img[data-loaded="true"]').waitFor({ timeout: 20000 });
  const still = await item.locator('img').evaluate((img) => ({ width: img.naturalWidth, height: img.naturalHeight }));
  assert.ok(still.width > 0 && still.height > 0, JSON.stringify(still));
  const label = await item.locator('.clip-label').textContent();
  assert.match(label, /\d+ s/);

  const { first, later } = await playFromList(page, clip.id);
  const stored = fs.readFileSync(clip.file);
  assert.equal(Number(first.clipBytes), stored.length);
  assert.ok(Number(later.clickToFirstFrameMs) > 0, JSON.stringify(later));
  // The list's duration is the clip's own (its movie header), as the video element reads it.
  const listed = await page.evaluate(() => document.querySelector('#clips-list li .clip-label').textContent);
  console.log(`clip ${clip.id}: ${stored.length} bytes, ${later.duration.toFixed(2)} s (${listed}); click to first frame ${later.clickToFirstFrameMs} ms`);
  assert.ok(later.duration > 2, `a clip of the 2 s of motion and its rolls: ${later.duration} s`);

  // Seek to the middle: played from there (a Blob seeks like a file).
  const target = later.duration / 2;
  const seeked = await page.locator('#clip-video').evaluate(async (v, to) => {
    v.pause();
    await new Promise((resolve) => {
      v.addEventListener('seeked', resolve, { once: true });
      v.currentTime = to;
    });
    return { currentTime: v.currentTime, readyState: v.readyState };
  }, target);
  assert.ok(Math.abs(seeked.currentTime - target) < 0.2 && seeked.readyState >= 2, JSON.stringify(seeked));

  // The clip's first frame, as the page shows it, was captured before the event started, by
  // the pre-roll (from the key frame at or before it: key frames every 2 s at most).
  const firstStamp = await page.locator('#clip-video').evaluate(async (v) => {
    await new Promise((resolve) => {
      v.addEventListener('seeked', resolve, { once: true });
      v.currentTime = 0;
    });
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    context.drawImage(v, 0, 0);
    // PROTOCOL.md "Latency probe": 50 cells across the top max(16, height/20) rows.
    const band = Math.max(16, Math.floor(v.videoHeight / 20));
    const row = context.getImageData(0, Math.floor(band / 2), v.videoWidth, 1).data;
    const cellStart = (cell) => Math.floor((cell * v.videoWidth) / 50);
    const luma = (cell) => {
      const x = Math.floor((cellStart(cell) + cellStart(cell + 1)) / 2) * 4;
      return 0.299 * row[x] + 0.587 * row[x + 1] + 0.114 * row[x + 2];
    };
    const threshold = (luma(0) + luma(1)) / 2;
    if (luma(0) - luma(1) < 64) return null;
    let ms = 0;
    for (let cell = 2; cell < 50; cell += 1) ms = ms * 2 + (luma(cell) > threshold ? 1 : 0);
    return ms;
  });
  assert.ok(firstStamp, 'the first frame carries a capture stamp');
  console.log(`first frame captured ${clip.start - firstStamp} ms before the event started`);
  assert.ok(firstStamp <= clip.start - PRE_ROLL_MS + 150, `first frame ${firstStamp}, event start ${clip.start}`);
  assert.ok(firstStamp >= clip.start - PRE_ROLL_MS - 2000 - 1600, `first frame ${firstStamp}, event start ${clip.start}`);

  // Download MP4: the bytes the camera stored, named after the camera and the time.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#clip-download')]);
  assert.match(download.suggestedFilename(), /^Front_door-\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.mp4$/);
  const file = await download.path();
  const bytes = fs.readFileSync(file);
  assert.ok(bytes.equals(stored), `downloaded ${bytes.length} bytes, the camera has ${stored.length}`);
  const boxes = topBoxes(bytes).map((b) => b.type);
  assert.equal(boxes[0], 'ftyp');
  assert.ok(boxes.includes('moov') && boxes.indexOf('moov') < boxes.indexOf('mdat'), boxes.join(','));
  // And an independent reader agrees: GStreamer demuxes and decodes it, frame after frame of
  // the camera's picture size.
  const copy = path.join(stack.dir, 'downloaded.mp4');
  const frames = path.join(stack.dir, 'downloaded.gray');
  fs.copyFileSync(file, copy);
  execFileSync('/usr/bin/gst-launch-1.0', ['-q', 'filesrc', `location=${copy}`, '!', 'qtdemux', '!', 'h264parse', '!',
    'avdec_h264', '!', 'videoconvert', '!', 'video/x-raw,format=GRAY8', '!', 'filesink', `location=${frames}`]);
  const frameCount = fs.statSync(frames).size / (VIDEO.width * VIDEO.height);
  assert.ok(Number.isInteger(frameCount) && frameCount > VIDEO.fps * 2, `decoded ${frameCount} frames`);
  assert.deepEqual(page.errors || [], []);
});

test('a bad or unknown clip ID gets a clear error, and the live video goes on', async () => {
  const { page } = owner;
  await page.goto(cameraUrl(`&clip=${encodeURIComponent('../../etc/passwd')}`));
  await page.locator('#clips-status[data-state="error"]').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#clips-status').getAttribute('data-code'), 'bad-request');
  await page.goto(cameraUrl('&clip=20200101-000000-000'));
  await page.locator('#clips-status[data-state="error"]').waitFor({ timeout: 30000 });
  assert.equal(await page.locator('#clips-status').getAttribute('data-code'), 'unknown-clip');
  await expectPlaying(page);
  // The channel still serves after the errors.
  await playFromList(page, clip.id);
});

test('with all UDP blocked the clip comes through coturn (TURN/TCP) and plays', async () => {
  const page = await owner.page.context().newPage();
  stack.blockUdp();
  await page.goto(cameraUrl('&relay=1'));
  await expectPlaying(page, { timeoutMs: 30000 });
  const stats = await waitFor(async () => {
    const s = await liveStats(page);
    return s.path ? s : null;
  }, { timeoutMs: 10000, what: 'the stats path' });
  assert.equal(stats.path, 'relayed', JSON.stringify(stats));
  const { later } = await playFromList(page, clip.id);
  assert.equal(Number(later.clipBytes), fs.statSync(clip.file).size);
  const [udpDropped] = stack.blockedPackets();
  assert.ok(udpDropped > 0, 'the block dropped UDP');
  console.log(`relayed: click to first frame ${later.clickToFirstFrameMs} ms`);
  await page.close();
});

test("another account cannot get a session to the camera, so no clip: the offer with a clip channel is refused", async () => {
  const result = await other.page.evaluate(async ({ camera }) => {
    const socket = new WebSocket(`ws://${location.host}/ws`);
    const messages = [];
    socket.onmessage = (event) => messages.push(JSON.parse(event.data));
    const next = (type) => new Promise((resolve, reject) => {
      const started = Date.now();
      const check = () => {
        const found = messages.find((m) => m.type === type);
        if (found) resolve(found);
        else if (Date.now() - started > 10000) reject(new Error(`no ${type}; got ${JSON.stringify(messages)}`));
        else setTimeout(check, 20);
      };
      check();
    });
    await next('hello');
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    const channel = pc.createDataChannel('clips', { ordered: true });
    const offer = await pc.createOffer();
    socket.send(JSON.stringify({ type: 'offer', session: 'handmade-clips-1', camera, sdp: offer.sdp }));
    const error = await next('error');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const state = channel.readyState;
    socket.close();
    pc.close();
    return { error, answers: messages.filter((m) => m.type === 'answer').length, sdpHasChannel: offer.sdp.includes('m=application'), state };
  }, { camera: owner.camera.cameraId });
  assert.ok(result.sdpHasChannel);
  assert.equal(result.error.code, 'not_found');
  assert.equal(result.error.session, 'handmade-clips-1');
  assert.equal(result.answers, 0);
  assert.equal(result.state, 'connecting'); // never opened

  // The page of someone else's camera lists nothing either.
  await other.page.goto(cameraUrl());
  await other.page.locator('#not-found').waitFor({ state: 'visible', timeout: 15000 });
  assert.equal(await other.page.locator('#clips-list li').count(), 0);
});

test('a camera that is offline says the clips are on the camera, and the server still lists its events', async () => {
  const { page } = owner;
  await page.goto(cameraUrl());
  await page.locator(`#clips-list li[data-clip-id="${clip.id}"] button:not([disabled])`).waitFor({ timeout: 30000 });
  await stack.stopCamera(owner.camera);
  await page.locator('#clips-status[data-state="offline"]').waitFor({ timeout: 20000 });
  // The event, from the server's list: its time and duration, nothing to play.
  const item = page.locator(`#clips-list li[data-clip-id="${clip.id}"] button`);
  await item.waitFor({ timeout: 10000 });
  assert.equal(await item.isDisabled(), true);
  assert.equal(await item.getAttribute('title'), 'The camera is offline.');
  assert.equal(await page.locator('#clips-status').getAttribute('data-state'), 'offline');
});
