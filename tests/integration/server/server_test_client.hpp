// Shared by the server integration tests: a fixture with a real seccam-server and helpers
// that speak its JSON API the way the web app does.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/clients.hpp"
#include "support/server_process.hpp"

namespace seccam::test {

inline constexpr const char* kPassword = "Secret-pass1";

class ServerTest : public ::testing::Test {
 protected:
  // Extra flags for `serve`; override to configure the server under test.
  virtual std::vector<std::string> serverArgs() const { return {}; }

  void SetUp() override { server = std::make_unique<ServerProcess>(serverArgs()); }

  HttpResponse call(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& cookie = "",
                    Headers headers = {}) {
    if (!cookie.empty()) headers.emplace_back("Cookie", cookie);
    return httpRequest(server->host(), server->port(), method, path, body, headers);
  }

  HttpResponse registerAccount(const std::string& username, const ProvisionedCamera& camera,
                               const std::string& password = kPassword) {
    nlohmann::json body{{"username", username},
                        {"password", password},
                        {"cameraId", camera.cameraId},
                        {"claimCode", camera.claimCode}};
    return call("POST", "/api/register", body.dump());
  }

  HttpResponse login(const std::string& username, const std::string& password = kPassword) {
    return call("POST", "/api/login",
                nlohmann::json{{"username", username}, {"password", password}}.dump());
  }

  // Registers `username` with a freshly provisioned camera; returns "seccam_session=…".
  std::string signUp(const std::string& username, ProvisionedCamera* cameraOut = nullptr) {
    auto camera = server->provision(1).at(0);
    auto response = registerAccount(username, camera);
    EXPECT_EQ(response.status, 201) << response.body;
    if (cameraOut) *cameraOut = camera;
    return cookiePair(response.header("set-cookie"));
  }

  static nlohmann::json json(const HttpResponse& response) {
    return nlohmann::json::parse(response.body, nullptr, false);
  }

  std::unique_ptr<ServerProcess> server;
};

}  // namespace seccam::test
