// What the camera agent does with the server's messages (camera_agent.cpp, onServerMessage):
// each input line is one message from the server, parsed by parseServerToCamera; offers go
// through codec choice and the ICE server URIs, and everything into the session core.
// Lines starting with '!' stand for what webrtcbin and the timers report back (the adapter's
// other events), so that the fuzzer reaches answered, connected and timed-out sessions.
// Properties: never more sessions than max-viewers, and everything the camera sends back
// (answer, candidate, bye) is a message the server accepts.
#include <gst/gst.h>

#include <deque>
#include <string>
#include <variant>

#include "camera/peer/codec_choice.hpp"
#include "camera/peer/ice_server_uris.hpp"
#include "camera/session/rendition_controller.hpp"
#include "camera/session/session_core.hpp"
#include "common/identity.hpp"
#include "common/protocol.hpp"
#include "fuzz_check.hpp"

using namespace seccam;
using namespace seccam::camera;

namespace {

constexpr const char* kAnswerSdp = "v=0\r\no=- 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

void acceptedByServer(const std::string& text) {
  auto parsed = protocol::parseCameraMessage(text);
  FUZZ_CHECK(parsed);
}

std::string_view nextWord(std::string_view& rest) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  auto end = rest.find(' ');
  auto word = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return word;
}

unsigned smallNumber(std::string_view text) {
  unsigned n = 0;
  for (char c : text.substr(0, 4)) n = n * 10 + static_cast<unsigned char>(c) % 10;
  return n;
}

struct Harness {
  SessionLimits limits{3, std::chrono::seconds(30), std::chrono::seconds(10)};
  SessionCore core{limits};
  SessionClock::time_point now{};
  std::deque<std::pair<std::string, std::uint64_t>> timers;  // newest first

  void dispatch(SessionEvent event) {
    for (auto& action : core.handle(std::move(event))) {
      std::visit([this](auto& a) { carryOut(a); }, action);
    }
    FUZZ_CHECK(core.viewerCount() <= static_cast<std::size_t>(limits.maxViewers));
  }

  void carryOut(CreatePeer& a) {
    FUZZ_CHECK(identity::isValidSessionId(a.session));
    auto uris = toWebrtcbinUris(a.iceServers);
    for (const auto& uri : uris.turn) FUZZ_CHECK(uri.find("://") != std::string::npos);
  }
  void carryOut(Renegotiate& a) { FUZZ_CHECK(core.has(a.session)); }
  void carryOut(AddRemoteCandidate& a) { FUZZ_CHECK(core.has(a.candidate.session)); }
  void carryOut(SendAnswer& a) { acceptedByServer(protocol::serialize(protocol::Answer{a.session, a.sdp})); }
  void carryOut(SendCandidate& a) { acceptedByServer(protocol::serialize(a.candidate)); }
  void carryOut(RefuseOffer& a) { acceptedByServer(protocol::serialize(protocol::byeFor(a.session, a.reason))); }
  void carryOut(SendBye& a) { acceptedByServer(protocol::serialize(protocol::byeFor(a.session, a.reason))); }
  void carryOut(SendQuality& a) {
    FUZZ_CHECK(core.has(a.quality.session));
    acceptedByServer(protocol::serialize(a.quality));
  }
  void carryOut(RequestKeyFrame&) {}
  void carryOut(StartTimer& a) {
    timers.emplace_front(a.session, a.token);
    if (timers.size() > 8) timers.pop_back();
  }
  void carryOut(CancelTimer& a) { FUZZ_CHECK(identity::isValidSessionId(a.session)); }
  void carryOut(ClosePeer& a) {
    FUZZ_CHECK(identity::isValidSessionId(a.session));
    FUZZ_CHECK(!core.has(a.session) || a.viewersLeft < static_cast<std::size_t>(limits.maxViewers));
  }

  // One message from the server, as onServerMessage handles it.
  void serverMessage(std::string_view line, bool preferVp8, bool raw) {
    auto parsed = protocol::parseServerToCamera(line);
    if (!parsed) return;
    auto& message = *parsed.message;
    if (auto* offer = std::get_if<protocol::Offer>(&message)) {
      auto result = chooseVideoCodec(offer->sdp, preferVp8, raw);
      std::variant<CodecChoice, OfferRefusal> choice = result.refusal;
      if (result.choice) choice = *result.choice;
      return dispatch(OfferReceived{std::move(*offer), std::move(choice), now});
    }
    if (auto* candidate = std::get_if<protocol::Candidate>(&message))
      return dispatch(RemoteCandidateReceived{std::move(*candidate)});
    if (auto* bye = std::get_if<protocol::Bye>(&message))
      return dispatch(ViewerByeReceived{bye->session});
    if (auto* welcome = std::get_if<protocol::Welcome>(&message)) toWebrtcbinUris(welcome->iceServers);
    if (auto* challenge = std::get_if<protocol::Challenge>(&message)) {
      std::vector<std::uint8_t> key(identity::kDeviceKeySize, 7);
      acceptedByServer(protocol::serialize(
          protocol::Auth{"sc-fuzz", identity::signChallenge(key, challenge->nonce, "sc-fuzz")}));
    }
  }

  // One report from webrtcbin or a timer: "!answer S", "!local S CANDIDATE", "!ice S N",
  // "!fail S N", "!timer K" (the K-th newest armed timer), "!rendition S N" (a move on the
  // quality ladder), "!lost", "!source", "!stop".
  void adapterEvent(std::string_view rest) {
    auto kind = nextWord(rest);
    std::string session(nextWord(rest));
    if (kind == "answer") return dispatch(AnswerReady{session, kAnswerSdp, now});
    if (kind == "local") {
      // webrtcbin's candidates are ASCII text ("candidate:1 1 UDP 2015363327 192.0.2.1 ...").
      std::string text;
      for (char c : rest) {
        if (c >= 0x20 && c < 0x7f) text.push_back(c);
      }
      return dispatch(LocalCandidateGathered{protocol::Candidate{session, text, "0", 0}});
    }
    if (kind == "ice")
      return dispatch(IceStateChanged{session, static_cast<IceState>(smallNumber(nextWord(rest)) % 7)});
    if (kind == "fail") {
      auto reasons = protocol::allByeReasons();
      return dispatch(PeerFailed{session, reasons[smallNumber(nextWord(rest)) % reasons.size()], "fuzz"});
    }
    if (kind == "timer" && !timers.empty()) {
      auto [id, token] = timers[smallNumber(session) % timers.size()];
      return dispatch(TimerFired{id, token});
    }
    if (kind == "rendition") {
      auto rendition = static_cast<Rendition>(smallNumber(nextWord(rest)) % 3);
      return dispatch(RenditionChanged{{session, std::string(renditionName(rendition)), 320, 180}});
    }
    if (kind == "lost") return dispatch(ServerLost{});
    if (kind == "source") return dispatch(SourceChanged{});
    if (kind == "stop") return dispatch(ShuttingDown{});
  }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gst_init(nullptr, nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte: the camera's encoder preference and whether its input is raw video.
  bool preferVp8 = data[0] & 1, raw = data[0] & 2;
  auto text = fuzz::textOf(data + 1, size - 1);
  Harness harness;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    harness.now += std::chrono::milliseconds(250);
    if (line.starts_with("!")) {
      harness.adapterEvent(line.substr(1));
    } else {
      harness.serverMessage(line, preferVp8, raw);
    }
  }
  harness.dispatch(ShuttingDown{});
  FUZZ_CHECK(harness.core.viewerCount() == 0);
  return 0;
}
