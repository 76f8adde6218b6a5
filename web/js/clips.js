// A camera's clips, fetched from the camera itself over the live view's peer connection (the
// data channel labelled "clips", PROTOCOL.md "The clip channel"): the list of a day's clips,
// their stills, and the MP4s, assembled into Blobs that a <video> plays and seeks and a link
// downloads. Nothing of it passes through the server.

// The camera serves a clip in pieces of at most this many bytes per request (it caps a
// request at 64 MiB); each piece arrives as 64 KiB binary messages.
const RANGE_BYTES = 8 * 1024 * 1024;
// A request the camera has sent nothing for in this long has failed (the channel went quiet);
// every piece of a reply restarts the wait, so a long clip on a thin link is not cut off.
const REQUEST_TIMEOUT_MS = 30000;

export class ClipError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// Requests over one open clip channel. The camera answers them one at a time, in order: a JSON
// reply, and for a still or a clip its header followed by `bytes` bytes in binary messages.
export class ClipClient {
  #channel;
  #nextReq = 1;
  #pending = new Map(); // req → {resolve, reject, timer, kind}
  #receiving = null; // {req, header, parts, got}

  constructor(channel) {
    this.#channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.addEventListener('message', (event) => this.#onMessage(event.data));
    channel.addEventListener('close', () => this.#failAll(new ClipError('closed', 'The connection to the camera closed.')));
  }

  get open() {
    return this.#channel.readyState === 'open';
  }

  // [{id, start, durationMs, bytes, still}], oldest first; `from`/`to` in ms since the epoch.
  async list(from, to) {
    const reply = await this.#request({ type: 'list', from, to });
    return reply.header.clips;
  }

  // The clip's still (JPEG) as a Blob.
  async still(id) {
    const reply = await this.#request({ type: 'still', id });
    return new Blob(reply.parts, { type: 'image/jpeg' });
  }

  // `length` bytes of the clip from `offset` (to its end when absent): {parts, offset, total}.
  async range(id, offset = 0, length = undefined) {
    const reply = await this.#request({ type: 'clip', id, offset, ...(length !== undefined ? { length } : {}) });
    return { parts: reply.parts, offset: reply.header.offset, total: reply.header.total };
  }

  // The whole clip as an MP4 Blob, in ranges (a resumed download would start at an offset).
  async clip(id, { onProgress = () => {} } = {}) {
    const parts = [];
    let offset = 0;
    let total = Infinity;
    for (let round = 0; round < 1000 && offset < total; ++round) {
      const piece = await this.range(id, offset, RANGE_BYTES);
      total = piece.total;
      for (const part of piece.parts) {
        parts.push(part);
        offset += part.byteLength;
      }
      onProgress(offset, total);
      if (piece.parts.length === 0) break;
    }
    return new Blob(parts, { type: 'video/mp4' });
  }

  #request(body) {
    if (!this.open) return Promise.reject(new ClipError('closed', 'The connection to the camera is not open.'));
    const req = this.#nextReq++;
    return new Promise((resolve, reject) => {
      this.#pending.set(req, { resolve, reject, timer: null });
      this.#arm(req);
      this.#channel.send(JSON.stringify({ ...body, req }));
    });
  }

  // (Re)starts the wait for the camera's next message about `req`.
  #arm(req) {
    const waiting = this.#pending.get(req);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    waiting.timer = setTimeout(() => {
      if (this.#receiving?.req === req) this.#receiving = null;
      this.#settle(req, new ClipError('timeout', 'The camera did not answer.'));
    }, REQUEST_TIMEOUT_MS);
  }

  #settle(req, error, value) {
    const waiting = this.#pending.get(req);
    if (!waiting) return;
    this.#pending.delete(req);
    clearTimeout(waiting.timer);
    if (error) waiting.reject(error);
    else waiting.resolve(value);
  }

  #onMessage(data) {
    if (typeof data !== 'string') {
      const r = this.#receiving;
      if (!r) return; // bytes nobody asked for
      r.parts.push(new Uint8Array(data));
      r.got += data.byteLength;
      // The camera is answering: the requests queued behind this one wait their turn.
      for (const req of this.#pending.keys()) this.#arm(req);
      if (r.got >= r.header.bytes) {
        this.#receiving = null;
        this.#settle(r.req, null, { header: r.header, parts: r.parts });
      }
      return;
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    switch (message.type) {
      case 'list':
        this.#settle(message.req, null, { header: message, parts: [] });
        return;
      case 'still':
      case 'clip':
        if (message.bytes === 0) {
          this.#settle(message.req, null, { header: message, parts: [] });
        } else {
          this.#receiving = { req: message.req, header: message, parts: [], got: 0 };
        }
        return;
      case 'error': {
        const error = new ClipError(message.code, message.message || message.code);
        // req 0: a request the camera could not read at all; it answers in order, so it is ours
        // oldest.
        const req = message.req || this.#pending.keys().next().value;
        if (this.#receiving && this.#receiving.req === req) this.#receiving = null;
        this.#settle(req, error);
        return;
      }
      default:
    }
  }

  #failAll(error) {
    this.#receiving = null;
    for (const req of [...this.#pending.keys()]) this.#settle(req, error);
  }
}

// Midnight to midnight of a day (`YYYY-MM-DD`, the browser's time zone), in ms since the epoch.
export function dayRange(day) {
  const [y, m, d] = day.split('-').map(Number);
  const from = new Date(y, m - 1, d).getTime();
  const to = new Date(y, m - 1, d + 1).getTime();
  return { from, to };
}

export function todayString(now = new Date()) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function formatDuration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

// A download name: the camera's name and the clip's start (local time), file-system safe.
export function clipFileName(cameraName, start) {
  const t = new Date(start);
  const pad = (n) => String(n).padStart(2, '0');
  const stamp = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}_${pad(t.getHours())}-${pad(t.getMinutes())}-${pad(t.getSeconds())}`;
  return `${(cameraName || 'camera').replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.mp4`;
}

// Merges events known elsewhere (the server's list, live pushes: {id, start, durationMs}) with
// the camera's clips by event ID: one entry per ID, with `clip` when the camera has it.
export function joinByEventId(events, clips) {
  const byId = new Map();
  for (const e of events) byId.set(e.id, { id: e.id, start: e.start, durationMs: e.durationMs ?? 0, clip: null });
  for (const c of clips) {
    const entry = byId.get(c.id) || { id: c.id, start: c.start, durationMs: c.durationMs };
    entry.clip = c;
    if (!entry.durationMs) entry.durationMs = c.durationMs;
    byId.set(c.id, entry);
  }
  return [...byId.values()].sort((a, b) => a.start - b.start);
}

// Renders a timeline of entries ({id, start, durationMs, clip?}) into `list`: one row each
// with its time, duration and (when the camera has one) a thumbnail, and a play button when
// the camera has the clip. `still(id)` gives a Blob; `onPlay(entry, clickedAt)` plays;
// `unavailable` says why an entry without a clip cannot be played.
export function renderTimeline(list, entries, { still, onPlay, unavailable = 'The camera no longer has this clip.' }) {
  const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  list.replaceChildren();
  for (const entry of entries) {
    const item = document.createElement('li');
    item.className = 'clip-item';
    item.dataset.clipId = entry.id;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'clip-button';
    const thumb = document.createElement('img');
    thumb.className = 'clip-thumb';
    thumb.alt = '';
    thumb.width = 160;
    thumb.height = 90;
    const label = document.createElement('span');
    label.className = 'clip-label';
    label.textContent = `${time.format(new Date(entry.start))} · ${formatDuration(entry.durationMs)}`;
    button.append(thumb, label);
    button.setAttribute('aria-label', `Play the clip of ${time.format(new Date(entry.start))}, ${formatDuration(entry.durationMs)}`);
    if (entry.clip) {
      button.addEventListener('click', () => onPlay(entry, performance.now()));
      if (entry.clip.still) {
        still(entry.id).then((blob) => {
          thumb.src = URL.createObjectURL(blob);
          thumb.dataset.loaded = 'true';
        }, () => {});
      }
    } else {
      button.disabled = true;
      button.title = unavailable;
    }
    item.append(button);
    list.append(item);
  }
}
