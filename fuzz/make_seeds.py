#!/usr/bin/env python3
"""Writes the seed corpus fuzz/corpus/<target>/ from real examples (PROTOCOL.md, the unit
tests' messages and offers, README's configuration). Run it again after changing a seed
here; seeds the fuzzers found (regressions) are kept as files of their own, not made here."""
import hashlib, json, pathlib, re

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"

CHROMIUM_OFFER = (
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 106 108 109 112\r\na=mid:1\r\na=recvonly\r\n"
    "a=extmap:12 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
    "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
    "a=rtpmap:102 H264/90000\r\na=fmtp:102 "
    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
    "a=rtpmap:106 H264/90000\r\na=fmtp:106 "
    "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f\r\n"
    "a=rtpmap:108 H264/90000\r\na=fmtp:108 "
    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:109 rtx/90000\r\na=fmtp:109 apt=108\r\n"
    "a=rtpmap:112 H264/90000\r\na=fmtp:112 "
    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f\r\n")
VP8_ONLY = "v=0\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=mid:v\na=rtpmap:96 vp8/90000\n"
AUDIO_ONLY = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n"
ICE = [{"urls": ["turn:127.0.0.1:3478?transport=udp", "turns:turn.example.org:5349"],
        "username": "1767225600:sc-ABC", "credential": "c2VjcmV0"},
       {"urls": "stun:stun.example.org:3478"}]

def m(**fields):
    return json.dumps(fields, separators=(",", ":"))

SIGNALING = [
    m(type="offer", session="sess-0001", camera="sc-ABC", sdp=CHROMIUM_OFFER),
    m(type="offer", session="sess-0001", sdp=VP8_ONLY, iceServers=ICE),
    m(type="answer", session="sess-0001", sdp="v=0\r\n"),
    m(type="candidate", session="sess-0001",
      candidate="candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host", sdpMid="0",
      sdpMLineIndex=0),
    m(type="candidate", session="sess-0001", candidate="", sdpMid=None, sdpMLineIndex=None),
    m(type="bye", session="sess-0001"),
    m(type="bye", session="sess-0001", reason="camera_offline"),
    m(type="event", id="20261201-030405-678", kind="motion", start=1764558245678, score=0.04),
    m(type="event", id="20261201-030405-678", kind="motion", start=1764558245678,
      end=1764558251230, durationMs=5552, score=0.11),
    m(type="challenge", nonce="q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80="),
    m(type="auth", camera="sc-ABC", signature="00" * 32),
    m(type="welcome", iceServers=ICE),
    m(type="hello", user={"username": "ann"},
      cameras=[{"id": "sc-ABC", "name": "Front door", "online": True,
                "lastSeen": "2026-11-25T09:50:00Z"}], iceServers=ICE),
    m(type="status", camera="sc-ABC", online=True),
    m(type="error", session="sess-0001", code="camera_offline", message="The camera is offline."),
    m(type="error", code="unauthorized"),
    m(type="é" * 20, session="sess-0001"),
]

CLAIM = "claim code printed by fuzz_http_request at start"
ALICE_TOKEN = "a11ce0000000000000000000000000000000000000000000000000000000f022"

def http(method, target, headers=(), body=""):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1:8080"] + list(headers)
    if body:
        lines.append(f"Content-Length: {len(body.encode())}")
    return "\r\n".join(lines) + "\r\n\r\n" + body

JSON = "Content-Type: application/json"
COOKIE = f"Cookie: theme=dark; seccam_session={ALICE_TOKEN}"
ORIGIN = "Origin: http://127.0.0.1:8080"
HTTP = [
    # (first byte: peer/TLS/public-url, then the request bytes)
    (0, http("POST", "/api/register", [JSON, ORIGIN], m(username="bob_1", password="Correct-Horse-9",
             cameraId="sc-fuzzcam2", claimCode="ABCDE-FGHJK", cameraName="Garden"))),
    (1, http("POST", "/api/login", [JSON], m(username="alice", password="Correct-Horse-9"))),
    (0, http("POST", "/api/login", [JSON, "X-Forwarded-For: 203.0.113.9, 10.0.0.1"],
             m(username="ALICE", password="wrong"))),
    (2, http("GET", "/api/me", [COOKIE])),
    (0, http("GET", "/api/cameras?x=1", [COOKIE])),
    (0, http("POST", "/api/cameras", [COOKIE, JSON, ORIGIN],
             m(cameraId="sc-fuzzcam2", claimCode="abcde fghjk", name="Garden"))),
    (0, http("PATCH", "/api/cameras/sc-fuzzcam1", [COOKIE, JSON], m(name="Back door"))),
    (0, http("DELETE", "/api/cameras/sc-fuzzcam1", [COOKIE])),
    (0, http("GET", "/api/ice-servers", [COOKIE, "Connection: keep-alive"]) +
        http("POST", "/api/logout", [COOKIE])),
    (8, http("POST", "/api/login", ["Content-Type: text/plain", "Origin: https://evil.example"],
             "username=alice")),
    (0, http("GET", "/ws", [COOKIE, ORIGIN, "Connection: Upgrade", "Upgrade: websocket",
             "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="])),
    (3, http("GET", "/metrics", ["X-Forwarded-For: ::1", "X-Forwarded-For: 198.51.100.4",
             "Authorization: Bearer fuzz-metrics-token"])),
    (0, http("GET", "/healthz")),
    (0, http("GET", "/js/app.js")),
    (0, http("GET", "/%2e%2e/secret.txt")),
    (0, http("HEAD", "/link.txt")),
    (4, "POST /api/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/json\r\n\r\n5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n"),
]

CONFIG = [
    # (TOML text, override lines after a NUL)
    ('listen = "0.0.0.0:443"\ndata = "/var/lib/seccam"\npublic-url = "https://cams.example.org/"\n'
     'trusted-proxies = ["127.0.0.1", "::1"]\nmaster-key-file = "/etc/seccam/master.key"\n'
     '[tls]\ncert = "/etc/c.pem"\nkey = "/etc/k.pem"\n'
     '[turn]\nsecret = "s"\nurls = ["turn:cams.example.org:3478?transport=udp", '
     '"stun:cams.example.org:3478"]\nttl = 86400\n'
     '[signaling]\nping-interval = 20\ncamera-auth-timeout = 10\nrevocation-sweep-interval = 5\n', ""),
    ('server = "ws://127.0.0.1:8080/ws/camera"\ncamera-id = "sc-ABC"\n'
     'device-key = "' + "ab" * 32 + '"\nsource = "libcamera"\nencoder = "v4l2"\n'
     'width = 1280\nheight = 720\nfps = 30\nbitrate = 2000\nmax-viewers = 8\n'
     'latency-probe = true\n', "width=641\nthreads=0\n"),
    ('listen = "[::1]:8080"\nthreads = 4\nlog-level = "debug"\n', "listen=127.0.0.1:99999\n"
     "turn.urls=turn:a:1, ,stun:b:2\nlatency-probe=maybe\n"),
    ('a.b.c.d = 1\n[x]\ny = [1, 2.5, true, "z"]\nz = 1979-05-27T07:32:00Z\n', "trusted-proxies=fe80::1%eth0\n"),
]

IDENTITY = ["sc-0123456789ABCDEF", "ABCDE-FGHJK", "abcde fghjk 12", "sess-0001",
            "Correct-Horse-9", "Front door ☃", "seccam_session=" + ALICE_TOKEN + "; a=b",
            "127.0.0.1\n203.0.113.9, ::ffff:10.0.0.1,10.0.0.1", "0001:0db8::1\n 2001:db8::7 ",
            "/js/%2E%2E/app.js", "/a/./b/", "deadBEEF00",
            "https://CAMS.example.org:443\ncams.example.org"]

CAMERA_SESSION = [
    (0, "\n".join([m(type="challenge", nonce="bm9uY2U="), m(type="welcome", iceServers=ICE),
                   m(type="offer", session="sess-0001", sdp=CHROMIUM_OFFER, iceServers=ICE),
                   "!answer sess-0001", "!local sess-0001 candidate:1 1 udp 1 192.0.2.1 1 typ host",
                   m(type="candidate", session="sess-0001", candidate="candidate:2 1 udp 1 192.0.2.2 2 typ host",
                     sdpMid="1", sdpMLineIndex=1),
                   "!ice sess-0001 2", "!ice sess-0001 5", "!timer 0",
                   m(type="bye", session="sess-0001")])),
    (3, "\n".join([m(type="offer", session=f"sess-000{i}", sdp=VP8_ONLY, iceServers=[]) for i in range(5)]
                  + ["!source", "!timer 1", "!fail sess-0002 3", "!lost"])),
    (1, "\n".join([m(type="offer", session="sess-0009", sdp=AUDIO_ONLY, iceServers=[]),
                   m(type="offer", session="sess-0010", sdp="not sdp", iceServers=[]),
                   m(type="error", code="unauthorized", message="no")])),
]

def ws_frame(opcode, payload, fin=True, mask=b"\x12\x34\x56\x78"):
    """A client's WebSocket frame (masked), RFC 6455 section 5.2."""
    payload = payload if isinstance(payload, bytes) else payload.encode()
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n <= 0xFFFF:
        head += bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

# The first byte: the size limit (low 3 bits) and the read size (the next 5).
WEBSOCKET = [
    bytes([0x07 | (4 << 3)]) + ws_frame(1, SIGNALING[3]),
    bytes([0x06]) + ws_frame(1, "Hel", False) + ws_frame(9, "ping") + ws_frame(0, "lo", True),
    bytes([0x07 | (31 << 3)]) + ws_frame(2, bytes(300)) + ws_frame(10, b"") + ws_frame(8, b"\x03\xe8bye"),
    bytes([0x00]) + ws_frame(1, "a message longer than the sixteen-byte limit"),
    bytes([0x07]) + ws_frame(1, "caf\u00e9 \U0001F4F7") + ws_frame(8, b""),
]

def write(target, items):
    folder = ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("seed-*"):
        # Only the seeds made here (named by their hash); hand-written ones stay.
        if re.fullmatch(r"seed-[0-9a-f]{12}", old.name):
            old.unlink()
    for data in items:
        data = data if isinstance(data, bytes) else data.encode()
        (folder / ("seed-" + hashlib.sha1(data).hexdigest()[:12])).write_bytes(data)

write("fuzz_signaling", SIGNALING)
write("fuzz_sdp", [bytes([b]) + s.encode() for b in (0, 3) for s in (CHROMIUM_OFFER, VP8_ONLY, AUDIO_ONLY)])
write("fuzz_http_request", [bytes([b]) + r.encode() for b, r in HTTP])
write("fuzz_config", [t.encode() + (b"\0" + o.encode() if o else b"") for t, o in CONFIG])
write("fuzz_identity", IDENTITY)
write("fuzz_websocket", WEBSOCKET)
write("fuzz_camera_session", [bytes([b]) + s.encode() for b, s in CAMERA_SESSION])
