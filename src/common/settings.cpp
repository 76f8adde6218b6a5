#include "common/settings.hpp"

#include <cctype>
#include <cstdlib>
#include <toml++/toml.h>

namespace seccam {
namespace {

// Lists are stored as their comma-joined text, the same form an environment variable has.
std::optional<std::string> scalarText(const toml::node& node) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
  if (auto f = node.as_floating_point()) return std::to_string(f->get());
  return std::nullopt;
}

void flatten(const toml::table& table, const std::string& prefix,
             std::map<std::string, std::string, std::less<>>& out) {
  for (const auto& [k, node] : table) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto sub = node.as_table()) {
      flatten(*sub, key, out);
    } else if (auto arr = node.as_array()) {
      std::string joined;
      for (const auto& item : *arr) {
        auto text = scalarText(item);
        if (!text) throw ConfigError("config key '" + key + "' must be a list of plain values");
        if (!joined.empty()) joined += ",";
        joined += *text;
      }
      out[key] = joined;
    } else if (auto text = scalarText(node)) {
      out[key] = *text;
    }
  }
}

}  // namespace

void Settings::loadToml(const std::string& path) {
  try {
    auto table = toml::parse_file(path);
    flatten(table, "", file_);
  } catch (const toml::parse_error& e) {
    std::string where;
    if (e.source().begin) {
      where = ":" + std::to_string(e.source().begin.line) + ":" +
              std::to_string(e.source().begin.column);
    }
    throw ConfigError("cannot read config " + path + where + ": " + std::string(e.description()));
  }
}

void Settings::setOverride(const std::string& key, std::string value) {
  overrides_[key] = std::move(value);
}

std::string Settings::envName(std::string_view key) const {
  std::string name = envPrefix_;
  for (unsigned char c : key) {
    name.push_back(c == '.' || c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  }
  return name;
}

std::optional<std::string> Settings::find(const std::string& key) const {
  if (auto it = overrides_.find(key); it != overrides_.end()) return it->second;
  if (const char* env = std::getenv(envName(key).c_str())) return std::string(env);
  if (auto it = file_.find(key); it != file_.end()) return it->second;
  return std::nullopt;
}

std::string Settings::getString(const std::string& key, const std::string& fallback) const {
  return find(key).value_or(fallback);
}

long long Settings::getInt(const std::string& key, long long fallback, long long min,
                           long long max) const {
  auto text = find(key);
  if (!text) return fallback;
  try {
    std::size_t used = 0;
    long long value = std::stoll(*text, &used);
    if (used != text->size()) throw std::invalid_argument("trailing text");
    if (value < min || value > max) {
      throw ConfigError("'" + key + "' must be between " + std::to_string(min) + " and " +
                        std::to_string(max) + ", not " + *text);
    }
    return value;
  } catch (const std::logic_error&) {
    throw ConfigError("'" + key + "' must be a whole number, not '" + *text + "'");
  }
}

bool Settings::getBool(const std::string& key, bool fallback) const {
  auto text = find(key);
  if (!text) return fallback;
  if (*text == "true" || *text == "1" || *text == "yes" || *text == "on") return true;
  if (*text == "false" || *text == "0" || *text == "no" || *text == "off") return false;
  throw ConfigError("'" + key + "' must be true or false, not '" + *text + "'");
}

std::vector<std::string> Settings::getList(const std::string& key,
                                           const std::vector<std::string>& fallback) const {
  auto text = find(key);
  return text ? splitList(*text) : fallback;
}

std::vector<std::string> splitList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::pair<std::string, unsigned short> parseHostPort(std::string_view text) {
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    throw ConfigError("'" + std::string(text) + "' is not HOST:PORT");
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string portText(text.substr(colon + 1));
  if (portText.find_first_not_of("0123456789") != std::string::npos || portText.size() > 5) {
    throw ConfigError("'" + std::string(text) + "' has no valid port");
  }
  unsigned long port = std::stoul(portText);
  if (port > 65535) throw ConfigError("'" + std::string(text) + "' has no valid port");
  return {host, static_cast<unsigned short>(port)};
}

}  // namespace seccam
