// Test harness for the signaling hub against a real seccam-server: accounts registered over
// the HTTP API, viewers on /ws with the session cookie, and fake cameras on /ws/camera that
// answer the HMAC challenge with their provisioned device key.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/clients.hpp"
#include "support/server_process.hpp"

namespace seccam::test {

using nlohmann::json;

inline constexpr std::chrono::milliseconds kMessageTimeout{5000};
inline constexpr const char* kPassword = "Correct-Horse-9";
// TURN settings for the server under test, so that ICE server lists carry credentials whose
// username names the subject they were minted for (nothing is ever sent to this address).
inline constexpr const char* kTurnUrl = "turn:127.0.0.1:3478";

struct Account {
  std::string username;
  std::string cookie;  // "seccam_session=..."
};

class SignalingTest : public ::testing::Test {
 protected:
  // `serverArgs`: extra flags for `serve`, e.g. shorter timers for the test at hand.
  explicit SignalingTest(std::vector<std::string> serverArgs = {});

  // Registers `username` with `camera` as its first camera.
  Account registerAccount(const std::string& username, const ProvisionedCamera& camera);
  // Claims another camera for the account (POST /api/cameras).
  void claim(const Account& account, const ProvisionedCamera& camera);
  // DELETE /api/cameras/{id}; returns the HTTP status.
  int unclaim(const Account& account, const std::string& cameraId);

  // A viewer connection; its hello has been read and is returned in `hello`. `query`: what
  // follows the path in the upgrade URL (e.g. "?camera=…", the placement hint).
  std::unique_ptr<WsClient> openViewer(const Account& account, json* hello = nullptr,
                                       const std::string& query = "");
  // A camera connection that has authenticated (welcome read, returned in `welcome`).
  std::unique_ptr<WsClient> openCamera(const ProvisionedCamera& camera, json* welcome = nullptr,
                                       const std::string& query = "");
  // A camera connection with only the challenge read (its nonce in `nonce`).
  std::unique_ptr<WsClient> openCameraUnauthenticated(std::string* nonce,
                                                      const std::string& query = "");

  // The value of an unlabelled sample in GET /metrics (fails the test if it is missing).
  double metric(const std::string& name);

  ServerProcess server;
};

// A sample in `server`'s GET /metrics, by its whole name with labels (fails the test if it
// is missing).
double metricOf(ServerProcess& server, const std::string& name);

// Signature for a camera answering `nonce` with the device key given in hex.
std::string signatureFor(const std::string& deviceKeyHex, const std::string& nonce,
                         const std::string& cameraId);

// The next message as JSON (fails the test on timeout or close).
json nextMessage(WsClient& client, std::chrono::milliseconds timeout = kMessageTimeout);
// The next message, skipping `status` pushes (which may come at any time).
json nextNonStatus(WsClient& client, std::chrono::milliseconds timeout = kMessageTimeout);
// Reads until the server closes the connection; returns the close code (0 if none in time).
int closeCodeAfterDrain(WsClient& client, std::chrono::milliseconds timeout = kMessageTimeout);

json offerMessage(const std::string& session, const std::string& camera,
                  const std::string& sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n");
json candidateMessage(const std::string& session, const std::string& candidate);
json answerMessage(const std::string& session, const std::string& sdp = "v=0\r\nanswer\r\n");
json byeMessage(const std::string& session);

// The TURN username's subject ("<expiry>:<subject>") of the first entry of an iceServers list.
std::string turnSubject(const json& iceServers);

}  // namespace seccam::test
