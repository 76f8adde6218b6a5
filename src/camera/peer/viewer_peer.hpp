// One viewer's WebRTC session: leaky queue → RTP payloader (the offer's payload type) → its
// own webrtcbin, hanging off the media pipeline's tee for the chosen codec. It answers the
// browser's offer, trickles candidates both ways and reports ICE state; the agent decides
// when the session ends.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "camera/gst/gst_handles.hpp"
#include "camera/peer/codec_choice.hpp"
#include "camera/session/session_core.hpp"  // for IceState (pure header, no GStreamer)
#include "common/protocol.hpp"

typedef struct _GAsyncResult GAsyncResult;

namespace seccam::camera {

class MediaPipeline;

class ViewerPeer : public std::enable_shared_from_this<ViewerPeer> {
 public:
  // Called on GStreamer threads: the receiver must hand them over to its own thread.
  struct Events {
    std::function<void(std::string sdp)> onAnswer;
    std::function<void(protocol::Candidate candidate)> onLocalCandidate;
    std::function<void(IceState state)> onIceState;
    std::function<void(protocol::ByeReason reason, std::string detail)> onFailed;
  };

  ViewerPeer(std::string session, std::string offerSdp, std::vector<protocol::IceServer> iceServers,
             CodecChoice choice, Events events);
  ~ViewerPeer();
  ViewerPeer(const ViewerPeer&) = delete;
  ViewerPeer& operator=(const ViewerPeer&) = delete;

  const std::string& session() const { return session_; }

  // Loop thread only. The peer keeps the pipeline it started on until it is closed.
  void start(std::shared_ptr<MediaPipeline> media);
  // A later offer for the same session (e.g. an ICE restart): answered by the same webrtcbin.
  void renegotiate(const std::string& offerSdp);
  void addRemoteCandidate(const protocol::Candidate& candidate);
  void requestKeyFrame();
  // Detaches the branch at once; the webrtcbin itself goes once libnice has released its
  // TURN allocations (see finishClose). The peer must be owned by a shared_ptr.
  void close();

 private:
  static void onRemoteDescriptionSet(GstPromise* promise, void* self);
  static void onAnswerCreated(GstPromise* promise, void* self);
  static void onIceCandidate(GstElement* webrtc, unsigned mline, char* candidate, void* self);
  static void onIceConnectionStateChanged(GstElement* webrtc, void* pspec, void* self);
  static void onIceGatheringStateChanged(GstElement* webrtc, void* pspec, void* self);
  struct AgentClose;
  static int silenceAgentOnIceThread(void* job);
  static int closeAgentOnLoopThread(void* job);
  static void onIceAgentClosed(GObject* agent, GAsyncResult* result, void* job);
  void attach(std::shared_ptr<MediaPipeline> media);
  void buildBranch();  // throws when an element is missing
  // Undoes a start that failed part-way: nothing of this viewer stays in the shared pipeline.
  void abandonStart();
  void fail(protocol::ByeReason reason, const std::string& detail);
  void finishClose();

  std::string session_;
  std::string offerSdp_;
  std::vector<protocol::IceServer> iceServers_;
  CodecChoice choice_;
  Events events_;
  std::shared_ptr<MediaPipeline> media_;
  gst::ElementPtr bin_;                                 // in the media pipeline while started
  gst::ElementPtr webrtc_;                              // inside bin_
  gst::PadPtr teePad_;                                  // the tee's request pad for this branch
  std::chrono::steady_clock::time_point closeStarted_;  // when libnice began releasing TURN
  std::vector<unsigned long> signalHandlers_;           // our handlers on webrtc_
  std::atomic<bool> closed_{false};
  std::atomic<bool> failed_{false};
};

}  // namespace seccam::camera
