// The RTP header extension that tells the browser how long it may delay playout
// (http://www.webrtc.org/experiments/rtp-hdrext/playout-delay, which Chromium offers): we
// send minimum = maximum = 0, asking the browser to show each frame as soon as it is decoded
// instead of smoothing playout behind a jitter and render delay. A security camera's live view
// wants the newest picture now; a frame a few milliseconds early or late is invisible.
#pragma once

typedef struct _GstRTPHeaderExtension GstRTPHeaderExtension;

namespace seccam::camera {

inline constexpr const char* kPlayoutDelayExtensionUri =
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

// A new extension (a full reference: unref it) with the ID the offer gave the URI; hand it to
// a payloader with its "add-extension" signal, which takes a reference of its own.
GstRTPHeaderExtension* newZeroPlayoutDelayExtension(unsigned id);

}  // namespace seccam::camera
