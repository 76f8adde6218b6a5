// The web app's files from --web-root: MIME types, index.html, and no way out of the root.
#include <filesystem>
#include <fstream>

#include "server_test_client.hpp"

using namespace seccam::test;
namespace fs = std::filesystem;

class StaticFiles : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    fs::create_directories(webRoot() + "/js");
    std::ofstream(webRoot() + "/index.html") << "<!doctype html><title>SecCam</title>";
    std::ofstream(webRoot() + "/js/app.js") << "export const x = 1;";
    std::ofstream(webRoot() + "/style.css") << "body{}";
    std::ofstream(webRoot() + "/js/index.html") << "js index";
    std::ofstream(outside.path() + "/secret.txt") << "top secret";
    return {"--web-root", webRoot()};
  }
  std::string webRoot() const { return site.path() + "/web"; }
  TempDir site, outside;
};

TEST_F(StaticFiles, ServesIndexAndFilesWithTheirTypes) {
  auto index = call("GET", "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.body, "<!doctype html><title>SecCam</title>");
  EXPECT_EQ(index.header("x-content-type-options"), "nosniff");
  // Pages run only their own scripts and talk only to their own origin; no HSTS over HTTP.
  auto csp = index.header("content-security-policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(index.header("strict-transport-security"), "");

  auto js = call("GET", "/js/app.js?v=2");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(call("GET", "/style.css").header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(call("GET", "/js/").body, "js index");
}

TEST_F(StaticFiles, HeadHasTheHeadersButNoBody) {
  // curl, because it knows a HEAD response has no body whatever its Content-Length says.
  auto head = runProgram({"/usr/bin/curl", "-s", "-I", "--max-time", "5",
                          server->origin() + "/index.html"});
  ASSERT_EQ(head.exitCode, 0) << head.output;
  EXPECT_NE(head.output.find("HTTP/1.1 200"), std::string::npos) << head.output;
  EXPECT_NE(head.output.find("Content-Length: 36"), std::string::npos) << head.output;
  EXPECT_EQ(head.output.find("<title>"), std::string::npos) << head.output;
}

TEST_F(StaticFiles, NothingOutsideTheRootIsReachable) {
  auto relative = fs::relative(outside.path() + "/secret.txt", webRoot()).string();
  for (const std::string& target : std::vector<std::string>{"/../secret.txt", "/%2e%2e/secret.txt", "/js/../../secret.txt",
                             "/" + relative, "/..%2f..%2fetc%2fpasswd", "/missing.html"}) {
    auto response = call("GET", target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(response.body.find("top secret"), std::string::npos) << target;
  }
  EXPECT_EQ(call("GET", "/").status, 200);
}

TEST_F(StaticFiles, OnlyGetAndHead) {
  EXPECT_EQ(call("POST", "/index.html", "{}").status, 404);
}
