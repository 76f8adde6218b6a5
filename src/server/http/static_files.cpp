#include "server/http/static_files.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "common/text.hpp"

namespace seccam::server::http {
namespace fs = std::filesystem;

namespace {
int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = text::lowerCase(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<std::string> percentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kMimeTypes{{
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
}};
}  // namespace

std::optional<std::string> sanitizeUrlPath(std::string_view urlPath) {
  if (urlPath.empty() || urlPath.front() != '/') return std::nullopt;
  auto decoded = percentDecode(urlPath);
  if (!decoded) return std::nullopt;
  std::string relative;
  std::string_view rest(*decoded);
  rest.remove_prefix(1);
  bool endsWithSlash = decoded->back() == '/';
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto segment = rest.substr(0, slash);
    if (segment == "..") return std::nullopt;
    for (unsigned char c : segment) {
      if (c == '\\' || c == '\0' || c < 0x20) return std::nullopt;
    }
    if (!segment.empty() && segment != ".") {
      if (!relative.empty()) relative.push_back('/');
      relative.append(segment);
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (relative.empty() || endsWithSlash) {
    relative += relative.empty() ? "index.html" : "/index.html";
  }
  return relative;
}

std::optional<fs::path> resolveStaticFile(const fs::path& root, std::string_view urlPath) {
  if (root.empty()) return std::nullopt;
  auto relative = sanitizeUrlPath(urlPath);
  if (!relative) return std::nullopt;
  std::error_code ec;
  auto candidate = root / *relative;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  if (!fs::is_regular_file(candidate, ec)) return std::nullopt;
  auto canonicalRoot = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  auto canonicalFile = fs::canonical(candidate, ec);
  if (ec) return std::nullopt;
  auto [rootEnd, _] = std::mismatch(canonicalRoot.begin(), canonicalRoot.end(),
                                    canonicalFile.begin(), canonicalFile.end());
  if (rootEnd != canonicalRoot.end()) return std::nullopt;
  return canonicalFile;
}

std::string_view mimeTypeFor(const fs::path& file) {
  auto extension = text::lowerCase(file.extension().string());
  for (const auto& [ext, type] : kMimeTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

}  // namespace seccam::server::http
