// A viewer's clip channel: the data channel the page opens in its offer (label "clips"), over
// which it lists, and fetches the stills and MP4s of, the clips in <data>/clips
// (docs/PROTOCOL.md, "The clip channel"). The bytes go to the page over the same encrypted
// peer connection as the live view (through TURN when that one does), never through the server.
//
// Requests are served one at a time, in order; a clip goes in 64 KiB binary messages while
// the channel's buffered amount stays under a bound, so the live video's packets are never
// queued behind a whole clip.
#pragma once

#include <filesystem>
#include <memory>

typedef struct _GstWebRTCDataChannel GstWebRTCDataChannel;
typedef struct _GMainContext GMainContext;

namespace seccam::camera {

class ClipChannel {
 public:
  // Any thread (webrtcbin's on-data-channel): takes a reference to `channel`; its signals are
  // handled on the loop thread that owns `loop`.
  static std::shared_ptr<ClipChannel> open(GstWebRTCDataChannel* channel,
                                           std::filesystem::path clipsFolder, GMainContext* loop);
  ~ClipChannel();
  ClipChannel(const ClipChannel&) = delete;
  ClipChannel& operator=(const ClipChannel&) = delete;

  // Stops serving (the session is ending): no more sends, signal handlers gone.
  void close();

 private:
  struct Impl;
  explicit ClipChannel(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace seccam::camera
