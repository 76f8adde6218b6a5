// UDP blocked: with every UDP packet between viewer and camera dropped (nft inside the test's
// namespace), the viewer still plays, through the namespace's coturn over TCP, and over TLS
// when plain TCP to coturn's port is blocked too. The server hands out coturn as configured
// by default (`--turn-host`: TURN over UDP, TCP and TLS); nothing in the test picks a transport.
//
// coturn runs as its own user, so the block (`Stack.blockUdp`) lets exactly the relay's own
// packets through (`meta skuid`): the relay talking to itself between the viewer's and the
// camera's allocations. Every other UDP packet in the namespace is dropped: the viewer's and
// the camera's host candidates and their TURN/UDP allocations alike. The viewer asks for relay
// candidates only (`?relay=1`): inside one namespace there is no NAT, so it could otherwise
// reach the camera's ICE-TCP host candidate directly, which a NAT in front of the camera
// forbids in real life.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, expectPlaying, keepPeerConnections, newPage, signUp } from './harness.mjs';

const VIDEO = { width: 640, height: 480, fps: 25 };

let stack;
let browser;
let account; // the signed-up page's browser context (its session cookie)

before(async () => {
  stack = await Stack.start({ label: 'udp-blocked', cameraCount: 1 });
  browser = await stack.launchBrowser();
  const page = await newPage(browser);
  await signUp(page, stack, stack.cameras[0]);
  account = page.context();
  stack.startCamera(stack.cameras[0], VIDEO);
});

afterEach(() => stack.unblockUdp());

after(async () => {
  stack?.unblockUdp();
  if (process.exitCode) console.error(stack?.logs());
  await stack?.stop();
});

// The selected candidate pair of the page's (last) peer connection, as Chromium reports it.
async function selectedPair(page) {
  return page.evaluate(async () => {
    const pc = window.__pcs[window.__pcs.length - 1];
    const report = await pc.getStats();
    let pair;
    report.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    const local = pair && report.get(pair.localCandidateId);
    const remote = pair && report.get(pair.remoteCandidateId);
    return pair && {
      local: { candidateType: local.candidateType, protocol: local.protocol, relayProtocol: local.relayProtocol },
      remote: { candidateType: remote.candidateType, protocol: remote.protocol, address: remote.address },
    };
  });
}

async function watchRelayOnly() {
  const page = await account.newPage();
  await keepPeerConnections(page);
  await page.goto(`${stack.origin}/camera.html?id=${encodeURIComponent(stack.cameras[0].cameraId)}&relay=1`);
  const playing = await expectPlaying(page, { timeoutMs: 30000 });
  return { page, playing, pair: await selectedPair(page) };
}

test('with all UDP blocked, the viewer plays through coturn over TCP', async () => {
  stack.blockUdp();
  const { page, playing, pair } = await watchRelayOnly();
  const [udpDropped] = stack.blockedPackets();
  console.log(`TURN/TCP: ${JSON.stringify({ pair, udpDropped, framesDecoded: playing.framesDecoded })}`);

  assert.ok(Number(playing.framesDecoded) > 5 && playing.videoWidth === VIDEO.width, JSON.stringify(playing));
  assert.equal(pair.local.candidateType, 'relay', JSON.stringify(pair));
  assert.equal(pair.local.relayProtocol, 'tcp', JSON.stringify(pair));
  // The camera is behind the same block: it answers through a relay candidate of its own.
  assert.equal(pair.remote.candidateType, 'relay', JSON.stringify(pair));
  assert.ok(udpDropped > 0, 'the UDP rule dropped packets (both sides tried UDP first)');
  await page.close();
});

test('with all UDP and plain TCP to coturn blocked, the viewer plays through coturn over TLS', async () => {
  stack.blockUdp({ plainTcpToo: true });
  const { page, playing, pair } = await watchRelayOnly();
  const [udpDropped, tcpDropped] = stack.blockedPackets();
  console.log(`TURN/TLS: ${JSON.stringify({ pair, udpDropped, tcpDropped, framesDecoded: playing.framesDecoded })}`);

  assert.ok(Number(playing.framesDecoded) > 5 && playing.videoWidth === VIDEO.width, JSON.stringify(playing));
  assert.equal(pair.local.candidateType, 'relay', JSON.stringify(pair));
  assert.equal(pair.local.relayProtocol, 'tls', JSON.stringify(pair));
  assert.equal(pair.remote.candidateType, 'relay', JSON.stringify(pair));
  assert.ok(udpDropped > 0 && tcpDropped > 0, `both rules dropped packets: ${udpDropped} UDP, ${tcpDropped} TCP`);
  await page.close();
});
