// A stand-in push service for the tests, written from the RFCs with Node's crypto (an
// implementation independent of the server's OpenSSL code): it receives Web Push requests on
// loopback, checks the VAPID header (RFC 8292: an ES256 JWT signed by the key in k=) and
// decrypts the aes128gcm body (RFC 8291, RFC 8188) with a browser's keys.
import http from 'node:http';
import { once } from 'node:events';
import crypto from 'node:crypto';

// A browser's side of a subscription: its P-256 key pair and auth secret.
export function makeBrowserKeys() {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = crypto.randomBytes(16);
  return {
    ecdh,
    auth,
    json: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
  };
}

// RFC 8292 §3: `vapid t=<JWT>, k=<key>`. Returns {header, claims, key} when the signature
// verifies with k, and throws otherwise.
export function verifyVapid(authorization) {
  const match = /^vapid t=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+), k=([A-Za-z0-9_-]+)$/.exec(authorization || '');
  if (!match) throw new Error(`not a VAPID Authorization header: ${authorization}`);
  const [, token, k] = match;
  const [headerPart, claimsPart, signaturePart] = token.split('.');
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const publicKey = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  const ok = crypto.verify('sha256', Buffer.from(`${headerPart}.${claimsPart}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signaturePart, 'base64url'));
  if (!ok) throw new Error('the VAPID signature does not verify');
  return {
    header: JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8')),
    key: k,
  };
}

// RFC 8291 §3.4 and RFC 8188 §2: the plaintext of an aes128gcm body for `browser`.
export function decryptPush(body, browser) {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20];
  const senderPublic = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (record.length > recordSize) throw new Error('more than one record');
  const shared = browser.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), browser.ecdh.getPublicKey(), senderPublic]);
  const ikm = Buffer.from(crypto.hkdfSync('sha256', shared, browser.auth, keyInfo, 32));
  const cek = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(crypto.hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = crypto.createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last non-zero byte is the delimiter: 2 for the last (here: only) record.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (padded[end] !== 2) throw new Error(`record delimiter ${padded[end]}, not 2 (last record)`);
  return padded.subarray(0, end).toString('utf8');
}

// The push service: every request it gets is kept ({path, headers, body}); `statusFor(path)`
// chooses the answer (201 Created by default, as real services answer).
export async function startPushEndpoint({ statusFor = () => 201 } = {}) {
  const received = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ at: Date.now(), method: request.method, path: request.url, headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(statusFor(request.url));
      response.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return { received, origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
