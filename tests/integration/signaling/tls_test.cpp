// The hub over TLS: a real seccam-server with a certificate (wss:// and https://), a camera
// and a viewer on TLS WebSockets, an offer relayed and a disconnect reported. The clients
// here are test-local: the shared test clients speak plain HTTP only.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "common/identity.hpp"
#include "support/clients.hpp"
#include "support/server_process.hpp"
#include "support/test_store.hpp"

namespace seccam::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using nlohmann::json;

constexpr std::chrono::seconds kIoTimeout{10};
constexpr const char* kHost = "127.0.0.1";

// A blocking TLS client with a deadline on every operation (the TCP stream's timeout).
class TlsClient {
 public:
  explicit TlsClient(unsigned short port) : port_(port) {
    // The server's certificate is self-signed for this test: nothing to verify it against.
    context_.set_verify_mode(ssl::verify_none);
  }

  bool connect() {
    beast::error_code ec;
    auto& tcpStream = beast::get_lowest_layer(stream_);
    tcpStream.expires_after(kIoTimeout);
    tcpStream.socket().connect(tcp::endpoint(net::ip::make_address(kHost), port_), ec);
    if (ec) return false;
    stream_.handshake(ssl::stream_base::client, ec);
    return !ec;
  }

  http::response<http::string_body> request(http::request<http::string_body> req) {
    req.set(http::field::host, host());
    req.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kIoTimeout);
    http::write(stream_, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream_, buffer, res);
    return res;
  }

  std::string host() const { return std::string(kHost) + ":" + std::to_string(port_); }

  beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }

 private:
  unsigned short port_;
  net::io_context io_;
  ssl::context context_{ssl::context::tls_client};
  beast::ssl_stream<beast::tcp_stream> stream_{io_, context_};
};

class TlsWebSocket {
 public:
  TlsWebSocket(unsigned short port, const std::string& target, const Headers& headers = {})
      : client_(port) {
    if (!client_.connect()) throw std::runtime_error("TLS connect failed");
    ws_.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    ws_.handshake(client_.host(), target);
  }
  json receive() {
    beast::get_lowest_layer(ws_).expires_after(kIoTimeout);
    beast::flat_buffer buffer;
    ws_.read(buffer);
    return json::parse(beast::buffers_to_string(buffer.data()));
  }
  void send(const json& message) {
    beast::get_lowest_layer(ws_).expires_after(kIoTimeout);
    ws_.write(net::buffer(message.dump()));
  }
  // Reads until the server closes; the close code it sent.
  int closeCode() {
    try {
      for (;;) receive();
    } catch (const beast::system_error&) {
    }
    return ws_.reason().code;
  }
  void drop() { beast::get_lowest_layer(ws_).close(); }

 private:
  TlsClient client_;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>&> ws_{client_.stream()};
};

class SignalingOverTls : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::initialize();
    cert = dir.path() + "/cert.pem";
    key = dir.path() + "/key.pem";
    auto made = runProgram({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                            "/CN=127.0.0.1", "-keyout", key, "-out", cert});
    ASSERT_EQ(made.exitCode, 0) << made.output;
    env = {{"SECCAM_TLS_CERT", cert}, {"SECCAM_TLS_KEY", key}};
    env.merge(testStoreEnvironment());
    port = freePort();
    auto provisioned =
        runProgram({serverBinary(), "camera", "provision", "--json", "--data", dir.path(),
                    "--listen", std::string(kHost) + ":" + std::to_string(port)},
                   env);
    ASSERT_EQ(provisioned.exitCode, 0) << provisioned.output;
    auto line = provisioned.output.substr(provisioned.output.find('{'));
    camera = json::parse(line.substr(0, line.find('\n')));
    server = ChildProcess({serverBinary(), "serve", "--listen",
                           std::string(kHost) + ":" + std::to_string(port), "--data", dir.path()},
                          dir.path() + "/server.log", env);
    bool up = waitFor(
        [&] {
          TlsClient probe(port);
          return probe.connect();
        },
        std::chrono::seconds(10));
    ASSERT_TRUE(up) << server.log();
  }

  std::string origin() const {
    return "https://" + std::string(kHost) + ":" + std::to_string(port);
  }

  TempDir dir;
  std::string cert, key;
  std::map<std::string, std::string> env;
  unsigned short port = 0;
  json camera;
  ChildProcess server;
};

TEST_F(SignalingOverTls, CameraAndViewerSignalOverWss) {
  // Register over HTTPS for the session cookie.
  TlsClient https(port);
  ASSERT_TRUE(https.connect());
  http::request<http::string_body> reg{http::verb::post, "/api/register", 11};
  reg.set(http::field::content_type, "application/json");
  reg.set(http::field::origin, origin());
  reg.body() = json{{"username", "ann"},
                    {"password", "Correct-Horse-9"},
                    {"cameraId", camera["cameraId"]},
                    {"claimCode", camera["claimCode"]}}
                   .dump();
  auto res = https.request(reg);
  ASSERT_EQ(res.result_int(), 201u) << res.body();
  std::string cookie = cookiePair(std::string(res[http::field::set_cookie]));
  ASSERT_EQ(cookie.rfind("seccam_session=", 0), 0u) << cookie;

  std::string cameraId = camera["cameraId"];
  TlsWebSocket cam(port, "/ws/camera");
  json challenge = cam.receive();
  ASSERT_EQ(challenge["type"], "challenge");
  auto deviceKey = crypto::fromHex(camera["deviceKey"].get<std::string>());
  cam.send({{"type", "auth"},
            {"camera", cameraId},
            {"signature", identity::signChallenge(*deviceKey, challenge["nonce"].get<std::string>(),
                                                  cameraId)}});
  EXPECT_EQ(cam.receive()["type"], "welcome");

  TlsWebSocket viewer(port, "/ws", {{"Cookie", cookie}, {"Origin", origin()}});
  json hello = viewer.receive();
  EXPECT_EQ(hello["type"], "hello");
  EXPECT_EQ(hello["cameras"][0]["online"], true);
  viewer.send(
      {{"type", "offer"}, {"session", "tls-session-1"}, {"camera", cameraId}, {"sdp", "v=0"}});
  json offer = cam.receive();
  EXPECT_EQ(offer["session"], "tls-session-1");

  cam.drop();
  EXPECT_EQ(viewer.receive(),
            (json{{"type", "bye"}, {"session", "tls-session-1"}, {"reason", "camera_offline"}}));
  EXPECT_EQ(viewer.receive(), (json{{"type", "status"}, {"camera", cameraId}, {"online", false}}));
}

TEST_F(SignalingOverTls, WrongSignatureIsClosedWith4401OverWss) {
  TlsWebSocket cam(port, "/ws/camera");
  json challenge = cam.receive();
  cam.send({{"type", "auth"}, {"camera", camera["cameraId"]}, {"signature", std::string(64, '0')}});
  EXPECT_EQ(cam.receive()["code"], "unauthorized");
  EXPECT_EQ(cam.closeCode(), 4401);
}

}  // namespace
}  // namespace seccam::test
