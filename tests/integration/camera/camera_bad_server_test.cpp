// A server that sends nonsense: the real seccam-server never does, so a scripted WebSocket
// server stands in for it (the one fault here that cannot be caused for real).
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <thread>

#include "camera_world.hpp"
#include "common/protocol.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = boost::asio::ip::tcp;
using namespace seccam::test;

TEST(CameraBadServer, NonsenseIsIgnoredAndAnsweredWhereASessionIsConcerned) {
  TempDir dir;
  boost::asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  unsigned short port = acceptor.local_endpoint().port();
  std::string byeReason;
  std::string byeSession;

  std::thread server([&] {
    tcp::socket socket(io);
    acceptor.accept(socket);
    websocket::stream<tcp::socket> ws(std::move(socket));
    ws.accept();
    auto send = [&](const std::string& text) { ws.write(boost::asio::buffer(text)); };
    auto receive = [&] {
      beast::flat_buffer buffer;
      ws.read(buffer);
      return beast::buffers_to_string(buffer.data());
    };
    send(seccam::protocol::serialize(seccam::protocol::Challenge{"bm9uY2U="}));
    receive();  // auth: this stand-in accepts any
    send(seccam::protocol::serialize(seccam::protocol::Welcome{}));
    send("this is not json");
    send(R"({"type":"dance","session":"abcdefgh1"})");
    send(
        R"({"type":"candidate","session":"unknown-session-1","candidate":"candidate:1 1 UDP 1 10.0.0.9 9 typ host","sdpMid":"0","sdpMLineIndex":0})");
    send(R"({"type":"bye","session":"unknown-session-2"})");
    send(R"({"type":"offer","session":"garbage-sdp-1","sdp":"nonsense"})");
    for (int i = 0; i < 5 && byeReason.empty(); ++i) {
      auto parsed = seccam::protocol::parseCameraMessage(receive());
      if (parsed && std::holds_alternative<seccam::protocol::Bye>(*parsed.message)) {
        byeSession = std::get<seccam::protocol::Bye>(*parsed.message).session;
        byeReason = std::get<seccam::protocol::Bye>(*parsed.message).reason;
      }
    }
    ws.close(websocket::close_code::normal);
  });

  ChildProcess camera(
      {cameraBinary(), "--server", "ws://127.0.0.1:" + std::to_string(port) + "/ws/camera",
       "--camera-id", "sc-badserver", "--device-key", std::string(64, 'a'), "--width", "160",
       "--height", "120", "--event-log", dir.path() + "/camera.events"},
      dir.path() + "/camera.log");
  server.join();
  EXPECT_EQ(byeSession, "garbage-sdp-1") << show(camera);
  EXPECT_EQ(byeReason, "bad_sdp") << show(camera);
  // Not JSON, and a type the camera does not know: both ignored as bad messages.
  EXPECT_EQ(cameraEvents(camera, "message_ignored", withField("why", "bad_message")).size(), 2u)
      << show(camera);
  auto unknown = withField("why", "unknown_session");
  EXPECT_EQ(cameraEvents(camera, "message_ignored",
                         [&](const CameraEvent& e) {
                           return unknown(e) && e["type"] == "candidate" &&
                                  e["session"] == "unknown-session-1";
                         })
                .size(),
            1u)
      << show(camera);
  EXPECT_EQ(cameraEvents(camera, "message_ignored",
                         [&](const CameraEvent& e) {
                           return unknown(e) && e["type"] == "bye" &&
                                  e["session"] == "unknown-session-2";
                         })
                .size(),
            1u)
      << show(camera);
  // Still running, and reconnecting after the stand-in closed.
  EXPECT_TRUE(waitEvents(camera, "reconnecting", 1, {}, std::chrono::seconds(10))) << show(camera);
  EXPECT_TRUE(camera.running());
}
