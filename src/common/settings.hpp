// Layered configuration: defaults < TOML file < environment variables < command-line flags.
// Keys are dotted paths as in the TOML file ("listen", "turn.secret"); the environment
// variable of a key is the prefix plus the key upper-cased with '.' and '-' turned into '_'
// ("turn.secret" with prefix "SECCAM_" is SECCAM_TURN_SECRET). Lists are TOML arrays, or
// comma-separated text in variables and flags.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace seccam {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Settings {
 public:
  explicit Settings(std::string envPrefix) : envPrefix_(std::move(envPrefix)) {}

  // Reads a TOML file; every scalar and array of scalars becomes a key. Throws ConfigError
  // with the file's parse error.
  void loadToml(const std::string& path);
  // A value given on the command line; wins over everything else.
  void setOverride(const std::string& key, std::string value);

  std::string envName(std::string_view key) const;

  // The effective text of a key (flag, variable or file), or nullopt.
  std::optional<std::string> find(const std::string& key) const;

  std::string getString(const std::string& key, const std::string& fallback) const;
  long long getInt(const std::string& key, long long fallback, long long min, long long max) const;
  bool getBool(const std::string& key, bool fallback) const;
  std::vector<std::string> getList(const std::string& key,
                                   const std::vector<std::string>& fallback) const;

 private:
  std::string envPrefix_;
  std::map<std::string, std::string, std::less<>> file_;
  std::map<std::string, std::string, std::less<>> overrides_;
};

// Splits "a, b,c" into {"a","b","c"}, dropping empty items.
std::vector<std::string> splitList(std::string_view text);

// "HOST:PORT" (or "[v6]:PORT") into its parts; throws ConfigError when malformed.
std::pair<std::string, unsigned short> parseHostPort(std::string_view text);

}  // namespace seccam
