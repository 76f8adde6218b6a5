// One viewer's WebRTC session: input-selector → leaky queue → RTP payloader (the offer's
// payload type) → its own webrtcbin, hanging off the media pipeline's tee for the chosen codec
// and the rendition of the quality ladder its link carries. It answers the browser's offer,
// trickles candidates both ways, reports ICE state, and moves between renditions as the
// browser's RTCP reports say (docs/CONGESTION.md); the agent decides when the session ends.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "camera/gst/gst_handles.hpp"
#include "camera/peer/codec_choice.hpp"
#include "camera/pipeline/media_pipeline.hpp"
#include "camera/session/rendition_controller.hpp"
#include "camera/session/sent_history.hpp"
#include "camera/session/session_core.hpp"  // for IceState (pure header, no GStreamer)
#include "common/protocol.hpp"

typedef struct _GAsyncResult GAsyncResult;

namespace seccam::camera {
class ClipChannel;

class ViewerPeer : public std::enable_shared_from_this<ViewerPeer> {
 public:
  // Called on GStreamer threads: the receiver must hand them over to its own thread.
  struct Events {
    std::function<void(std::string sdp)> onAnswer;
    std::function<void(protocol::Candidate candidate)> onLocalCandidate;
    std::function<void(IceState state)> onIceState;
    std::function<void(protocol::ByeReason reason, std::string detail)> onFailed;
    // The viewer is now on another rendition (never called for the first one, full).
    std::function<void(Rendition rendition, int width, int height)> onRendition;
  };

  ViewerPeer(std::string session, std::string offerSdp, std::vector<protocol::IceServer> iceServers,
             CodecChoice choice, Events events);
  ~ViewerPeer();
  ViewerPeer(const ViewerPeer&) = delete;
  ViewerPeer& operator=(const ViewerPeer&) = delete;

  const std::string& session() const { return session_; }
  // Before start: a data channel labelled "clips" in the viewer's offer serves this folder's
  // clips (ClipChannel, docs/PROTOCOL.md "The clip channel"). Without it, none is served.
  void serveClips(std::string folder) { clipsFolder_ = std::move(folder); }

  // Loop thread only. The peer keeps the pipeline it started on until it is closed.
  void start(std::shared_ptr<MediaPipeline> media);
  // A later offer for the same session (e.g. an ICE restart): answered by the same webrtcbin.
  void renegotiate(const std::string& offerSdp);
  void addRemoteCandidate(const protocol::Candidate& candidate);
  void requestKeyFrame();
  // Moves the viewer to another rendition at that encoder's next key frame (what the
  // controller does on its own; public for the tests and for a viewer's explicit choice).
  void switchTo(Rendition rendition);
  // Detaches the branch at once; the webrtcbin itself goes once libnice has released its
  // TURN allocations (see finishClose). The peer must be owned by a shared_ptr.
  void close();

 private:
  static void onRemoteDescriptionSet(GstPromise* promise, void* self);
  static void onAnswerCreated(GstPromise* promise, void* self);
  static void onIceCandidate(GstElement* webrtc, unsigned mline, char* candidate, void* self);
  static void onIceConnectionStateChanged(GstElement* webrtc, void* pspec, void* self);
  static void onIceGatheringStateChanged(GstElement* webrtc, void* pspec, void* self);
  static void onDataChannel(GstElement* webrtc, GObject* channel, void* self);
  struct AgentClose;
  static int silenceAgentOnIceThread(void* job);
  static int closeAgentOnLoopThread(void* job);
  static void onIceAgentClosed(GObject* agent, GAsyncResult* result, void* job);
  // One rendition's encoder feeding this viewer's input-selector.
  struct Feed {
    Rendition rendition = Rendition::Full;
    FeedOrigin origin = FeedOrigin::Encoded;
    gst::PadPtr teePad;       // the rendition tee's request pad
    gst::PadPtr selectorPad;  // the input-selector's request pad
    GstPad* ghost = nullptr;  // the bin's ghost pad for it (owned by the bin)
  };
  static void onReceivingRtcp(GObject* session, GstBuffer* buffer, void* self);
  void attach(std::shared_ptr<MediaPipeline> media);
  std::optional<Feed> openFeed(Rendition rendition, FeedOrigin origin);
  void removeFeed(Feed& feed);  // unlinks it and gives its pads back
  void unlinkFeeds();           // for a close: the bin goes as a whole
  void hookRtcp();
  void onReport(const ReceiverReport& report);
  // Probe traffic ahead of an up-step (docs/CONGESTION.md): retransmissions of packets sent
  // lately, at the extra rate the higher rendition needs, paced evenly between the media
  // packets by a timer on the loop thread (sendProbeCopies), so that a bottleneck drops media
  // and copies alike.
  void startProbe(Rendition target);
  void stopProbe();  // the controller ended the probe: no more probe traffic
  // One tick of the probe's pacing; false once the probe is over.
  bool sendProbeCopies();
  // webrtcbin's rtprtxsend (answers NACKs), once it exists: where probe copies go, and where
  // the viewer's retransmission requests are filtered (onRetransmissionRequest).
  gst::PadPtr findRtxSendSrc();
  void hookRetransmissions();
  // Whether a NACKed packet is worth sending again: not one sent before the viewer's current
  // rendition began (its key frame made it useless), and not beyond the retransmission budget
  // (a link that drops most packets would otherwise be flooded by repeats of repeats).
  bool allowRetransmission(std::uint16_t seq);
  void setRetransmissionBudget();  // the current feed's: at its start and after each switch
  // The next packet sent starts the current rendition: called as its key frame enters the
  // viewer's branch (packets of the old one still queued then count as the new one's, which
  // only lets a few useless retransmissions through).
  void markFeedStart();
  void notePacketSent(GstBuffer* rtp);
  void finishSwitch(unsigned generation);
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
  gst::ElementPtr selector_;                            // inside bin_
  std::optional<Feed> feed_;                            // what the viewer gets now
  std::optional<Feed> pending_;                         // where it moves at the next key frame
  Rendition wanted_ = Rendition::Full;                  // the controller's latest choice
  unsigned switchGeneration_ = 0;
  unsigned feedsMade_ = 0;
  std::unique_ptr<RenditionController> controller_;     // null without a ladder
  unsigned ssrc_ = 0;                                   // our media SSRC, in the viewer's reports
  std::atomic<bool> rtcpHooked_{false};
  gst::GObjectPtr<GObject> rtpSession_;                 // whose on-receiving-rtcp we listen to
  unsigned long rtcpHandler_ = 0;
  gst::MainContextPtr loopContext_;                     // the GLib loop thread's
  // What the payloader sent lately (for the retransmission filter and probe copies) and the
  // probe under way; written on the payloader's thread and the loop thread, under sentMutex_.
  std::mutex sentMutex_;
  SentHistory sent_;
  gst::PadPtr rtxSendSrc_;  // rtprtxsend's source pad inside webrtcbin, where requests go
  double probeExtraBytesPerSecond_ = 0;  // 0: no probe under way
  double probeCredit_ = 0;               // extra bytes owed
  std::chrono::steady_clock::time_point probeTick_;  // when the credit was last added to
  std::chrono::steady_clock::time_point probeUntil_;
  std::chrono::steady_clock::time_point closeStarted_;  // when libnice began releasing TURN
  std::vector<unsigned long> signalHandlers_;           // our handlers on webrtc_
  std::atomic<bool> closed_{false};
  std::string clipsFolder_;                 // empty: no clip channel
  std::mutex clipsMutex_;                   // on-data-channel comes on webrtcbin's thread
  std::shared_ptr<ClipChannel> clips_;
  std::atomic<bool> failed_{false};
};

}  // namespace seccam::camera
