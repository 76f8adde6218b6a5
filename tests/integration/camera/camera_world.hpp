// The world a camera integration test runs in: its own network namespace, a real
// seccam-server, a provisioned camera claimed by an account, and helpers that start the real
// seccam-camera and seccam-test-viewer processes and read what they print.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "network_namespace.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"

namespace seccam::test {

inline constexpr auto kFramesTimeout = std::chrono::seconds(30);
inline constexpr auto kLogTimeout = std::chrono::seconds(15);

std::string viewerBinary();
std::string rtspServerBinary();

// Lines of `text` that start with `prefix`.
std::vector<std::string> linesStartingWith(const std::string& text, const std::string& prefix);
int countOccurrences(const std::string& text, const std::string& needle);
// The highest N of the "frames N WxH" lines a viewer printed (0 if none).
int framesDecoded(const std::string& viewerLog);

// The structured events (`event-log`, one JSON object a line) a camera started by
// CameraWorld::startCamera has written so far, and those of one kind.
using CameraEvent = nlohmann::json;
using EventMatch = std::function<bool(const CameraEvent&)>;
std::vector<CameraEvent> cameraEvents(const ChildProcess& camera);
std::vector<CameraEvent> cameraEvents(const ChildProcess& camera, std::string_view kind,
                                      const EventMatch& match = {});
// Waits until the camera has written at least `count` events of `kind` (matching `match`).
bool waitEvents(const ChildProcess& camera, std::string_view kind, std::size_t count = 1,
                const EventMatch& match = {}, std::chrono::milliseconds timeout = kLogTimeout);
// A match on one field's value: `withField("reason", "too_many_viewers")`.
EventMatch withField(const std::string& name, CameraEvent value);

class CameraWorld {
 public:
  // withTurn: also a real coturn (use-auth-secret) on the camera end of the veth pair, with
  // the server minting matching credentials. extraTurnUrls: more URLs the server hands out
  // after coturn's (e.g. a TURN server where nothing listens), only together with withTurn.
  // serverArgs: more flags for `seccam-server serve` (e.g. a short ping interval).
  explicit CameraWorld(bool withTurn = false, std::vector<std::string> extraTurnUrls = {},
                       std::vector<std::string> serverArgs = {});

  NetworkNamespace& ns() { return *ns_; }
  ServerProcess& server() { return *server_; }
  const ProvisionedCamera& camera() const { return camera_; }
  const std::string& cookie() const { return cookie_; }
  const std::string& dir() const { return dir_.path(); }
  ChildProcess& coturn() { return coturn_; }

  // seccam-camera with the provisioned identity plus `extraArgs` (320x240 unless overridden).
  ChildProcess startCamera(std::vector<std::string> extraArgs = {},
                           const std::string& name = "camera");
  // seccam-test-viewer for the provisioned camera plus `extraArgs`.
  ChildProcess startViewer(std::vector<std::string> extraArgs = {},
                           const std::string& name = "viewer");

  // Waits until the camera has authenticated `times` times (its `connected` events).
  bool waitAuthenticated(ChildProcess& camera, int times = 1);
  // Waits until the viewer decoded more than `frames` frames.
  bool waitFrames(ChildProcess& viewer, int frames,
                  std::chrono::milliseconds timeout = kFramesTimeout);

 private:
  std::unique_ptr<NetworkNamespace> ns_;
  TempDir dir_;
  ChildProcess coturn_;
  std::unique_ptr<ServerProcess> server_;
  ProvisionedCamera camera_;
  std::string cookie_;
  int processes_ = 0;
};

}  // namespace seccam::test
