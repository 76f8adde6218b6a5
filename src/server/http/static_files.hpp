// Static files of the web app: URL path sanitising (no way out of the web root) and MIME
// types.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace seccam::server::http {

// The relative file path a URL path names ("/" and "/dir/" name their index.html), or
// nullopt for anything that could leave the root: "..", backslashes, NUL, bad %-escapes.
std::optional<std::string> sanitizeUrlPath(std::string_view urlPath);

// An existing regular file under `root` for `urlPath` (a folder gives its index.html), or
// nullopt. Symlinks that lead out of the root are refused too.
std::optional<std::filesystem::path> resolveStaticFile(const std::filesystem::path& root,
                                                       std::string_view urlPath);

std::string_view mimeTypeFor(const std::filesystem::path& file);

}  // namespace seccam::server::http
