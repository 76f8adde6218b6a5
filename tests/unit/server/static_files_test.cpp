#include "server/http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/process.hpp"

using namespace seccam::server::http;
namespace fs = std::filesystem;

TEST(StaticFiles, SanitizeMapsUrlPathsToRelativeFiles) {
  EXPECT_EQ(sanitizeUrlPath("/"), "index.html");
  EXPECT_EQ(sanitizeUrlPath("/css/app.css"), "css/app.css");
  EXPECT_EQ(sanitizeUrlPath("/docs/"), "docs/index.html");
  EXPECT_EQ(sanitizeUrlPath("//a/./b"), "a/b");
  EXPECT_EQ(sanitizeUrlPath("/my%20page.html"), "my page.html");
}

TEST(StaticFiles, SanitizeRefusesEveryWayOut) {
  EXPECT_FALSE(sanitizeUrlPath("/../etc/passwd"));
  EXPECT_FALSE(sanitizeUrlPath("/a/../../etc/passwd"));
  EXPECT_FALSE(sanitizeUrlPath("/%2e%2e/etc/passwd"));
  EXPECT_FALSE(sanitizeUrlPath("/%2E%2E%2Fetc%2Fpasswd"));
  EXPECT_FALSE(sanitizeUrlPath("/..%5c..%5cwindows"));
  EXPECT_FALSE(sanitizeUrlPath("/a%00.html"));
  EXPECT_FALSE(sanitizeUrlPath("/bad%zz"));
  EXPECT_FALSE(sanitizeUrlPath("/trailing%2"));
  EXPECT_FALSE(sanitizeUrlPath("relative"));
}

TEST(StaticFiles, ResolvesFilesAndFolderIndexesInsideTheRootOnly) {
  seccam::test::TempDir dir;
  fs::path root = fs::path(dir.path()) / "web";
  fs::create_directories(root / "sub");
  std::ofstream(root / "index.html") << "home";
  std::ofstream(root / "sub" / "index.html") << "sub";
  std::ofstream(fs::path(dir.path()) / "secret.txt") << "secret";
  fs::create_symlink(fs::path(dir.path()) / "secret.txt", root / "link.txt");

  EXPECT_EQ(resolveStaticFile(root, "/"), fs::canonical(root / "index.html"));
  EXPECT_EQ(resolveStaticFile(root, "/sub"), fs::canonical(root / "sub" / "index.html"));
  EXPECT_FALSE(resolveStaticFile(root, "/missing.html"));
  EXPECT_FALSE(resolveStaticFile(root, "/../secret.txt"));
  EXPECT_FALSE(resolveStaticFile(root, "/link.txt"));  // a symlink out of the root
  EXPECT_FALSE(resolveStaticFile("", "/index.html"));
}

TEST(StaticFiles, MimeTypesOfTheWebApp) {
  EXPECT_EQ(mimeTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mimeTypeFor("app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mimeTypeFor("viewer.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mimeTypeFor("mod.MJS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mimeTypeFor("logo.svg"), "image/svg+xml");
  EXPECT_EQ(mimeTypeFor("icon.png"), "image/png");
  EXPECT_EQ(mimeTypeFor("manifest.webmanifest"), "application/manifest+json");
  EXPECT_EQ(mimeTypeFor("blob.bin"), "application/octet-stream");
}
