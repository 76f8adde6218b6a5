// The signaling hub's entry points (placeholder until the sessions land).
#include "server/signaling/hub.hpp"

namespace seccam::server {

struct Hub::State {
  HubDependencies deps;
  SignalingLimits limits;
};

Hub::Hub(HubDependencies deps, SignalingLimits limits)
    : state_(std::make_shared<State>(State{std::move(deps), limits})) {}
Hub::~Hub() = default;

void Hub::acceptViewer(PlainStream stream, HttpRequest, ViewerIdentity) { stream.close(); }
void Hub::acceptViewer(TlsStream stream, HttpRequest, ViewerIdentity) {
  boost::beast::get_lowest_layer(stream).close();
}
void Hub::acceptCamera(PlainStream stream, HttpRequest) { stream.close(); }
void Hub::acceptCamera(TlsStream stream, HttpRequest) {
  boost::beast::get_lowest_layer(stream).close();
}

bool Hub::isOnline(const std::string&) const { return false; }
void Hub::cameraClaimed(std::int64_t, const std::string&) {}
void Hub::cameraUnclaimed(std::int64_t, const std::string&) {}
void Hub::cameraRevoked(const std::string&) {}
HubStats Hub::stats() const { return {}; }
void Hub::shutdown() {}

}  // namespace seccam::server
