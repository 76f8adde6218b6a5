// The signaling test harness: real HTTP registration, real WebSocket clients.
#include "signaling_harness.hpp"

#include <sstream>

#include "common/crypto.hpp"
#include "common/identity.hpp"

namespace seccam::test {

SignalingTest::SignalingTest(std::vector<std::string> serverArgs)
    : server(std::move(serverArgs), "", "127.0.0.1",
             {{"SECCAM_TURN_SECRET", "signaling-test-secret"}, {"SECCAM_TURN_URLS", kTurnUrl}}) {
  crypto::initialize();
}

Account SignalingTest::registerAccount(const std::string& username,
                                       const ProvisionedCamera& camera) {
  json body{{"username", username},
            {"password", kPassword},
            {"cameraId", camera.cameraId},
            {"claimCode", camera.claimCode}};
  auto response = httpRequest(server.host(), server.port(), "POST", "/api/register", body.dump(),
                              {{"Content-Type", "application/json"}, {"Origin", server.origin()}});
  EXPECT_EQ(response.status, 201) << response.body;
  Account account{username, {}};
  for (const auto& setCookie : response.headerValues("set-cookie")) {
    auto pair = cookiePair(setCookie);
    if (pair.rfind("seccam_session=", 0) == 0) account.cookie = pair;
  }
  EXPECT_FALSE(account.cookie.empty()) << "no seccam_session cookie";
  return account;
}

void SignalingTest::claim(const Account& account, const ProvisionedCamera& camera) {
  json body{{"cameraId", camera.cameraId}, {"claimCode", camera.claimCode}};
  auto response = httpRequest(server.host(), server.port(), "POST", "/api/cameras", body.dump(),
                              {{"Content-Type", "application/json"},
                               {"Origin", server.origin()},
                               {"Cookie", account.cookie}});
  ASSERT_EQ(response.status, 201) << response.body;
}

int SignalingTest::unclaim(const Account& account, const std::string& cameraId) {
  auto response = httpRequest(server.host(), server.port(), "DELETE", "/api/cameras/" + cameraId,
                              "", {{"Origin", server.origin()}, {"Cookie", account.cookie}});
  return response.status;
}

std::unique_ptr<WsClient> SignalingTest::openViewer(const Account& account, json* hello,
                                                    const std::string& query) {
  auto client = std::make_unique<WsClient>();
  bool connected = client->connect(server.host(), server.port(), "/ws" + query,
                                   {{"Cookie", account.cookie}, {"Origin", server.origin()}});
  EXPECT_TRUE(connected) << "viewer upgrade refused with " << client->refusedStatus();
  if (!connected) return client;
  json first = nextMessage(*client);
  EXPECT_EQ(first.value("type", ""), "hello") << first.dump();
  if (hello) *hello = first;
  return client;
}

std::unique_ptr<WsClient> SignalingTest::openCameraUnauthenticated(std::string* nonce,
                                                                   const std::string& query) {
  auto client = std::make_unique<WsClient>();
  bool connected = client->connect(server.host(), server.port(), "/ws/camera" + query);
  EXPECT_TRUE(connected) << "camera upgrade refused with " << client->refusedStatus();
  if (!connected) return client;
  json challenge = nextMessage(*client);
  EXPECT_EQ(challenge.value("type", ""), "challenge") << challenge.dump();
  if (nonce) *nonce = challenge.value("nonce", "");
  return client;
}

std::unique_ptr<WsClient> SignalingTest::openCamera(const ProvisionedCamera& camera,
                                                    json* welcome, const std::string& query) {
  std::string nonce;
  auto client = openCameraUnauthenticated(&nonce, query);
  json auth{{"type", "auth"},
            {"camera", camera.cameraId},
            {"signature", signatureFor(camera.deviceKey, nonce, camera.cameraId)}};
  client->send(auth.dump());
  json reply = nextMessage(*client);
  EXPECT_EQ(reply.value("type", ""), "welcome") << reply.dump();
  if (welcome) *welcome = reply;
  return client;
}

double SignalingTest::metric(const std::string& name) { return metricOf(server, name); }

double metricOf(ServerProcess& server, const std::string& name) {
  auto response = httpRequest(server.host(), server.port(), "GET", "/metrics");
  EXPECT_EQ(response.status, 200);
  std::istringstream lines(response.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  ADD_FAILURE() << "no metric " << name << " in:\n" << response.body;
  return -1;
}

std::string signatureFor(const std::string& deviceKeyHex, const std::string& nonce,
                         const std::string& cameraId) {
  auto key = crypto::fromHex(deviceKeyHex);
  if (!key) throw std::runtime_error("device key is not hex");
  return identity::signChallenge(*key, nonce, cameraId);
}

json nextMessage(WsClient& client, std::chrono::milliseconds timeout) {
  auto text = client.receive(timeout);
  if (!text) {
    ADD_FAILURE() << "no message (closed: " << client.closed() << ", code " << client.closeCode()
                  << ")";
    return json::object();
  }
  json parsed = json::parse(*text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << *text;
    return json::object();
  }
  return parsed;
}

json nextNonStatus(WsClient& client, std::chrono::milliseconds timeout) {
  for (;;) {
    json m = nextMessage(client, timeout);
    if (m.value("type", "") != "status") return m;
  }
}

int closeCodeAfterDrain(WsClient& client, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!client.closed() && std::chrono::steady_clock::now() < deadline) {
    client.receive(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
  }
  return client.closeCode();
}

json offerMessage(const std::string& session, const std::string& camera, const std::string& sdp) {
  return {{"type", "offer"}, {"session", session}, {"camera", camera}, {"sdp", sdp}};
}

json candidateMessage(const std::string& session, const std::string& candidate) {
  return {{"type", "candidate"},
          {"session", session},
          {"candidate", candidate},
          {"sdpMid", "0"},
          {"sdpMLineIndex", 0}};
}

json answerMessage(const std::string& session, const std::string& sdp) {
  return {{"type", "answer"}, {"session", session}, {"sdp", sdp}};
}

json byeMessage(const std::string& session) { return {{"type", "bye"}, {"session", session}}; }

std::string turnSubject(const json& iceServers) {
  if (!iceServers.is_array() || iceServers.empty()) return "";
  std::string username = iceServers[0].value("username", "");
  auto colon = username.find(':');
  return colon == std::string::npos ? "" : username.substr(colon + 1);
}

}  // namespace seccam::test
