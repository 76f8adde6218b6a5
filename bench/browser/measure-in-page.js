// Injected into the live view before its scripts run (Playwright addInitScript). Records, per
// RTCPeerConnection, when createOffer was called and when the first frame was presented, and
// with the latency probe on, decodes the capture time stamped in each presented frame
// (PROTOCOL.md "Latency probe (video)") and compares it with the time the frame was shown.
(() => {
  const bench = (window.__seccamBench = {
    offers: [], connected: [], firstFrames: [], latencies: [], submitted: [], probeErrors: 0, pcs: [],
  });

  const createOffer = RTCPeerConnection.prototype.createOffer;
  RTCPeerConnection.prototype.createOffer = function (...args) {
    bench.offers.push(performance.now());
    bench.pcs.push(this);
    // When ICE and DTLS are through (the first frame's wait splits there).
    const onState = () => {
      if (this.connectionState !== 'connected') return;
      bench.connected.push(performance.now());
      this.removeEventListener('connectionstatechange', onState);
    };
    this.addEventListener('connectionstatechange', onState);
    return createOffer.apply(this, args);
  };

  // Where the receiving side spends its time, per frame, from the inbound-rtp statistics of
  // the newest connection: jitter buffer, decode, and receive-to-decoded processing.
  bench.receiverBreakdown = async () => {
    const pc = bench.pcs[bench.pcs.length - 1];
    if (!pc) return null;
    let inbound = null;
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
    });
    if (!inbound || !inbound.framesDecoded) return null;
    return {
      jitterBufferMs: (1000 * inbound.jitterBufferDelay) / inbound.jitterBufferEmittedCount,
      decodeMs: (1000 * inbound.totalDecodeTime) / inbound.framesDecoded,
      processingMs: (1000 * inbound.totalProcessingDelay) / inbound.framesDecoded,
      framesDropped: inbound.framesDropped ?? 0,
    };
  };

  const CELLS = 50;
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });

  function decodeStamp(video, width, height) {
    const band = Math.max(16, Math.floor(height / 20));
    if (canvas.width !== width || canvas.height !== band) {
      canvas.width = width;
      canvas.height = band;
    }
    // Only the top band is drawn: the source rectangle is the band of the frame.
    ctx.drawImage(video, 0, 0, width, band, 0, 0, width, band);
    const row = ctx.getImageData(0, Math.floor(band / 2), width, 1).data;
    const luma = (cell) => {
      const x = Math.floor(((cell + 0.5) * width) / CELLS);
      const i = x * 4;
      return 0.299 * row[i] + 0.587 * row[i + 1] + 0.114 * row[i + 2];
    };
    const white = luma(0);
    const black = luma(1);
    if (white - black < 64) return null; // no probe in this frame
    const mid = (white + black) / 2;
    let ms = 0;
    for (let cell = 2; cell < CELLS; cell += 1) ms = ms * 2 + (luma(cell) > mid ? 1 : 0);
    return ms;
  }

  function watch(video) {
    if (video.__seccamBenchWatched) return;
    video.__seccamBenchWatched = true;
    let lastStream = null;
    const onFrame = (now, metadata) => {
      if (video.srcObject !== lastStream) {
        lastStream = video.srcObject;
        if (lastStream) bench.firstFrames.push(now);
      }
      if (bench.probe && metadata.width > 0) {
        const captured = decodeStamp(video, metadata.width, metadata.height);
        // The wall-clock time the frame is shown: the page's time origin plus the frame's
        // expected display time (both milliseconds).
        const shown = performance.timeOrigin + (metadata.expectedDisplayTime || now);
        if (captured === null || Math.abs(shown - captured) > 10000) {
          bench.probeErrors += 1;
        } else {
          bench.latencies.push(shown - captured);
          // Also capture to the moment Chromium handed the frame to its compositor: free of
          // the display clock's phase, and of how expectedDisplayTime is estimated.
          if (metadata.presentationTime) bench.submitted.push(performance.timeOrigin + metadata.presentationTime - captured);
        }
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  new MutationObserver(() => document.querySelectorAll('video').forEach(watch)).observe(document, {
    childList: true,
    subtree: true,
  });
})();
