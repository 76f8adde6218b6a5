// Signaling messages (PROTOCOL.md) in all four directions, as each receiver parses them:
// viewer -> server and camera -> server (the hub), server -> camera (the camera agent) and
// server -> viewer (the test viewer; the page mirrors it in JS). Beyond "no crash", every
// parse must either fail with a reason or give a message that survives being sent on: the
// serializer's text parses again to the same message, the way the hub forwards it, and a
// refusal's `error` reply can be serialized; and the fast path for plain candidates always
// agrees with the general parser.
#include <nlohmann/json.hpp>
#include <variant>

#include "common/identity.hpp"
#include "common/protocol.hpp"
#include "fuzz_check.hpp"

using namespace seccam::protocol;

namespace {

bool same(const Offer& a, const Offer& b) {
  return a.session == b.session && a.camera == b.camera && a.sdp == b.sdp &&
         a.iceServers == b.iceServers;
}
bool same(const Answer& a, const Answer& b) { return a.session == b.session && a.sdp == b.sdp; }
bool same(const Candidate& a, const Candidate& b) {
  return a.session == b.session && a.candidate == b.candidate && a.sdpMid == b.sdpMid &&
         a.sdpMLineIndex == b.sdpMLineIndex;
}
bool same(const Bye& a, const Bye& b) { return a.session == b.session && a.reason == b.reason; }
bool same(const Quality& a, const Quality& b) {
  return a.session == b.session && a.rendition == b.rendition && a.width == b.width &&
         a.height == b.height;
}
bool same(const Challenge& a, const Challenge& b) { return a.nonce == b.nonce; }
bool same(const Auth& a, const Auth& b) {
  return a.camera == b.camera && a.signature == b.signature;
}
bool same(const Welcome& a, const Welcome& b) { return a.iceServers == b.iceServers; }
bool same(const Hello& a, const Hello& b) {
  if (a.username != b.username || a.iceServers != b.iceServers) return false;
  if (a.cameras.size() != b.cameras.size()) return false;
  for (std::size_t i = 0; i < a.cameras.size(); ++i) {
    const auto &x = a.cameras[i], &y = b.cameras[i];
    if (x.id != y.id || x.name != y.name || x.online != y.online || x.lastSeen != y.lastSeen)
      return false;
  }
  return true;
}
bool same(const CameraEvent& a, const CameraEvent& b) {
  return a.id == b.id && a.kind == b.kind && a.start == b.start && a.end == b.end &&
         a.score == b.score;
}
bool same(const EventNotice& a, const EventNotice& b) {
  return a.camera == b.camera && same(a.event, b.event);
}
bool same(const Status& a, const Status& b) {
  return a.camera == b.camera && a.online == b.online;
}
// A code this build does not know is sent on as "internal" (serialize's documented choice).
bool same(const Error& a, const Error& b) {
  return a.session == b.session && a.message == b.message &&
         a.code.value_or(ErrorCode::Internal) == b.code;
}

// A parsed message, serialized and parsed again by `reparse`, is the same message.
template <typename Variant, typename Reparse>
void checkRoundTrip(const Variant& message, Reparse reparse) {
  std::visit(
      [&](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        std::string text = serialize(m);
        auto again = reparse(text);
        FUZZ_CHECK(again);
        const M* back = std::get_if<M>(&*again.message);
        FUZZ_CHECK(back != nullptr);
        FUZZ_CHECK(same(m, *back));
      },
      message);
}

// What the hub and the camera answer to a message they refuse: an `error` naming the
// session if one was readable. It must serialize, and the peer must be able to read it.
template <typename T>
void checkRefusal(const Parsed<T>& parsed) {
  FUZZ_CHECK(!parsed.error.empty());
  FUZZ_CHECK(parsed.session.size() <= 64);
  std::string reply = serialize(Error{parsed.session, ErrorCode::BadRequest, parsed.error});
  auto read = parseServerToViewer(reply);
  FUZZ_CHECK(read);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  auto text = seccam::fuzz::textOf(data, size);

  // Plain candidates take a fast path (protocol.cpp): on every input, the general parser
  // alone must give the same message, session and error.
  auto viewerFast = parseViewerMessage(text);
  auto viewerGeneral = parseViewerMessageGeneral(text);
  FUZZ_CHECK(viewerFast.message.has_value() == viewerGeneral.message.has_value());
  FUZZ_CHECK(viewerFast.error == viewerGeneral.error);
  FUZZ_CHECK(viewerFast.session == viewerGeneral.session);
  if (viewerFast) {
    FUZZ_CHECK(viewerFast.message->index() == viewerGeneral.message->index());
    if (auto* candidate = std::get_if<Candidate>(&*viewerFast.message)) {
      FUZZ_CHECK(same(*candidate, std::get<Candidate>(*viewerGeneral.message)));
    }
  }

  // Viewer -> server. The hub forwards an offer to the camera without `camera` and with the
  // session's ICE servers, candidates and byes as they are.
  if (auto viewer = parseViewerMessage(text)) {
    checkRoundTrip(*viewer.message, parseViewerMessage);
    if (auto* offer = std::get_if<Offer>(&*viewer.message)) {
      FUZZ_CHECK(seccam::identity::isValidSessionId(offer->session));
      FUZZ_CHECK(seccam::identity::isValidCameraId(offer->camera));
      Offer forwarded{offer->session, "", offer->sdp, {}};
      auto atCamera = parseServerToCamera(serialize(forwarded));
      FUZZ_CHECK(atCamera && std::holds_alternative<Offer>(*atCamera.message));
      FUZZ_CHECK(same(forwarded, std::get<Offer>(*atCamera.message)));
    } else if (auto* candidate = std::get_if<Candidate>(&*viewer.message)) {
      auto atCamera = parseServerToCamera(serialize(*candidate));
      FUZZ_CHECK(atCamera && same(*candidate, std::get<Candidate>(*atCamera.message)));
    }
  } else {
    checkRefusal(viewer);
  }

  // Camera -> server. Answers, byes and quality go on to the viewer.
  if (auto camera = parseCameraMessage(text)) {
    checkRoundTrip(*camera.message, parseCameraMessage);
    if (auto* answer = std::get_if<Answer>(&*camera.message)) {
      auto atViewer = parseServerToViewer(serialize(*answer));
      FUZZ_CHECK(atViewer && same(*answer, std::get<Answer>(*atViewer.message)));
    } else if (auto* bye = std::get_if<Bye>(&*camera.message)) {
      auto atViewer = parseServerToViewer(serialize(*bye));
      FUZZ_CHECK(atViewer && same(*bye, std::get<Bye>(*atViewer.message)));
    } else if (auto* quality = std::get_if<Quality>(&*camera.message)) {
      auto atViewer = parseServerToViewer(serialize(*quality));
      FUZZ_CHECK(atViewer && same(*quality, std::get<Quality>(*atViewer.message)));
    }
  } else {
    checkRefusal(camera);
  }

  // Server -> camera and server -> viewer, as the receivers read them.
  if (auto toCamera = parseServerToCamera(text)) {
    checkRoundTrip(*toCamera.message, parseServerToCamera);
  } else {
    FUZZ_CHECK(!toCamera.error.empty());
  }
  if (auto toViewer = parseServerToViewer(text)) {
    checkRoundTrip(*toViewer.message, parseServerToViewer);
  } else {
    FUZZ_CHECK(!toViewer.error.empty());
  }
  return 0;
}
