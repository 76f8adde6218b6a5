// The camera agent: the adapter around the session core (session/session_core.hpp). It turns
// signaling messages (Asio thread), webrtcbin signals and deadlines into the core's events
// and carries out its actions: the video source, the media pipeline and one ViewerPeer per
// session live on the GStreamer loop thread, and their events come back through asio::post.
#pragma once

#include <functional>
#include <memory>

#include "camera/camera_config.hpp"

namespace boost::asio {
class io_context;
}

namespace seccam::camera {

// Session limits an operator might look for.
inline constexpr int kIceDisconnectTimeoutSeconds = 10;  // disconnected this long: session ends
inline constexpr int kIceConnectTimeoutSeconds = 30;     // never connected: session ends

class CameraAgent {
 public:
  CameraAgent(boost::asio::io_context& io, CameraConfig config);
  ~CameraAgent();
  CameraAgent(const CameraAgent&) = delete;
  CameraAgent& operator=(const CameraAgent&) = delete;

  // Starts the source and the media pipeline, warms the DTLS certificate and connects.
  void start();
  // Ends every session and closes the server connection; `closed` runs (on the io_context)
  // once that is done. The pipelines stop when the agent is destroyed.
  void shutdown(std::function<void()> closed);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace seccam::camera
