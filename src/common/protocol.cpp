#include "common/protocol.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/identity.hpp"
#include "common/protocol_json.hpp"

namespace seccam::protocol {

using nlohmann::json;

namespace {
template <typename E>
struct WireEntry {
  E value;
  std::string_view name;
};

constexpr WireEntry<ErrorCode> kErrorCodes[] = {
    {ErrorCode::BadRequest, "bad_request"},
    {ErrorCode::InvalidInput, "invalid_input"},
    {ErrorCode::Unauthorized, "unauthorized"},
    {ErrorCode::Forbidden, "forbidden"},
    {ErrorCode::NotFound, "not_found"},
    {ErrorCode::Conflict, "conflict"},
    {ErrorCode::TooLarge, "too_large"},
    {ErrorCode::CameraOffline, "camera_offline"},
    {ErrorCode::TooManyViewers, "too_many_viewers"},
    {ErrorCode::RateLimited, "rate_limited"},
    {ErrorCode::Internal, "internal"},
    {ErrorCode::StorageFull, "storage_full"},
    {ErrorCode::UnknownHost, "unknown_host"},
    {ErrorCode::Overloaded, "overloaded"},
    {ErrorCode::TooManyConnections, "too_many_connections"},
    {ErrorCode::Unavailable, "unavailable"},
};

constexpr WireEntry<ByeReason> kByeReasons[] = {
    {ByeReason::CameraOffline, "camera_offline"},
    {ByeReason::CameraReconnected, "camera_reconnected"},
    {ByeReason::ViewerLeft, "viewer_left"},
    {ByeReason::Unclaimed, "unclaimed"},
    {ByeReason::TooManyViewers, "too_many_viewers"},
    {ByeReason::BadSdp, "bad_sdp"},
    {ByeReason::UnsupportedCodec, "unsupported_codec"},
    {ByeReason::NegotiationFailed, "negotiation_failed"},
    {ByeReason::IceFailed, "ice_failed"},
    {ByeReason::IceTimeout, "ice_timeout"},
    {ByeReason::IceDisconnected, "ice_disconnected"},
    {ByeReason::SourceChanged, "source_changed"},
    {ByeReason::Internal, "internal"},
};

constexpr WireEntry<CloseCode> kCloseCodes[] = {
    {CloseCode::GoingAway, "GoingAway"},       {CloseCode::TooBig, "TooBig"},
    {CloseCode::Unauthorized, "Unauthorized"}, {CloseCode::ForbiddenOrigin, "ForbiddenOrigin"},
    {CloseCode::AuthTimeout, "AuthTimeout"},   {CloseCode::Replaced, "Replaced"},
    {CloseCode::RateLimited, "RateLimited"},
};

template <typename E, std::size_t N>
std::string_view nameOf(const WireEntry<E> (&table)[N], E value) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return "internal";  // unreachable while every enumerator has its row
}

template <typename E, std::size_t N>
std::optional<E> valueOf(const WireEntry<E> (&table)[N], std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::span<const E> valuesOf(const WireEntry<E> (&table)[N]) {
  static const auto values = [&] {
    std::array<E, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = table[i].value;
    return out;
  }();
  return values;
}
}  // namespace

std::string_view wireName(ErrorCode code) { return nameOf(kErrorCodes, code); }
std::string_view wireName(ByeReason reason) { return nameOf(kByeReasons, reason); }
std::string_view wireName(CloseCode code) { return nameOf(kCloseCodes, code); }
std::optional<ErrorCode> errorCodeFromWire(std::string_view name) {
  return valueOf(kErrorCodes, name);
}
std::optional<ByeReason> byeReasonFromWire(std::string_view name) {
  return valueOf(kByeReasons, name);
}
std::span<const ErrorCode> allErrorCodes() { return valuesOf(kErrorCodes); }
std::span<const ByeReason> allByeReasons() { return valuesOf(kByeReasons); }
std::span<const CloseCode> allCloseCodes() { return valuesOf(kCloseCodes); }

Bye byeFor(std::string session, ByeReason reason) {
  return Bye{std::move(session), std::string(wireName(reason))};
}

std::string_view codeName(const Error& error) {
  return error.code ? wireName(*error.code) : std::string_view("unknown");
}

void to_json(json& j, const IceServer& s) {
  j = json{{"urls", s.urls}};
  if (!s.username.empty()) j["username"] = s.username;
  if (!s.credential.empty()) j["credential"] = s.credential;
}

void to_json(json& j, const CameraInfo& c) {
  j = json{{"id", c.id}, {"name", c.name}, {"online", c.online}};
  j["lastSeen"] = c.lastSeen ? json(*c.lastSeen) : json(nullptr);
}

namespace {

// Thrown inside the parsers only; becomes Parsed::error.
struct Invalid {
  std::string why;
};

const json& field(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end()) throw Invalid{std::string("missing field '") + name + "'"};
  return *it;
}

std::string stringField(const json& obj, const char* name) {
  const json& v = field(obj, name);
  if (!v.is_string()) throw Invalid{std::string("field '") + name + "' must be a string"};
  return v.get<std::string>();
}

std::string optionalStringField(const json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) throw Invalid{std::string("field '") + name + "' must be a string"};
  return it->get<std::string>();
}

std::string sessionField(const json& obj) {
  auto session = stringField(obj, "session");
  if (!identity::isValidSessionId(session)) {
    throw Invalid{"field 'session' must be 8-64 characters of letters, digits, '_' and '-'"};
  }
  return session;
}

std::string cameraField(const json& obj) {
  auto camera = stringField(obj, "camera");
  if (!identity::isValidCameraId(camera)) {
    throw Invalid{"field 'camera' is not a valid camera ID"};
  }
  return camera;
}

std::vector<IceServer> iceServersField(const json& obj, const char* name, bool required) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    if (required) throw Invalid{std::string("missing field '") + name + "'"};
    return {};
  }
  if (!it->is_array()) throw Invalid{std::string("field '") + name + "' must be an array"};
  std::vector<IceServer> out;
  for (const auto& entry : *it) {
    if (!entry.is_object()) throw Invalid{"ICE server entries must be objects"};
    IceServer server;
    const json& urls = field(entry, "urls");
    if (urls.is_string()) {
      server.urls.push_back(urls.get<std::string>());
    } else if (urls.is_array()) {
      for (const auto& u : urls) {
        if (!u.is_string()) throw Invalid{"ICE server urls must be strings"};
        server.urls.push_back(u.get<std::string>());
      }
    } else {
      throw Invalid{"ICE server urls must be a string or an array"};
    }
    server.username = optionalStringField(entry, "username");
    server.credential = optionalStringField(entry, "credential");
    out.push_back(std::move(server));
  }
  return out;
}

std::string sdpField(const json& obj) {
  auto sdp = stringField(obj, "sdp");
  if (sdp.empty()) throw Invalid{"field 'sdp' must not be empty"};
  return sdp;
}

Candidate parseCandidate(const json& obj) {
  Candidate c;
  c.session = sessionField(obj);
  c.candidate = stringField(obj, "candidate");
  if (auto it = obj.find("sdpMid"); it != obj.end() && !it->is_null()) {
    if (!it->is_string()) throw Invalid{"field 'sdpMid' must be a string"};
    c.sdpMid = it->get<std::string>();
  }
  if (auto it = obj.find("sdpMLineIndex"); it != obj.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<long long>() < 0 || it->get<long long>() > 1024) {
      throw Invalid{"field 'sdpMLineIndex' must be a small non-negative integer"};
    }
    c.sdpMLineIndex = it->get<int>();
  }
  return c;
}

Bye parseBye(const json& obj) { return Bye{sessionField(obj), optionalStringField(obj, "reason")}; }

Answer parseAnswer(const json& obj) { return Answer{sessionField(obj), sdpField(obj)}; }

// A picture dimension: a positive integer no codec exceeds.
int dimensionField(const json& obj, const char* name) {
  const json& value = field(obj, name);
  if (!value.is_number_integer() || value.get<long long>() < 1 || value.get<long long>() > 16384)
    throw Invalid{std::string("field '") + name + "' must be an integer from 1 to 16384"};
  return value.get<int>();
}

Quality parseQuality(const json& obj) {
  Quality q;
  q.session = sessionField(obj);
  q.rendition = stringField(obj, "rendition");
  if (q.rendition.empty() || q.rendition.size() > 32 ||
      !std::all_of(q.rendition.begin(), q.rendition.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      }))
    throw Invalid{"field 'rendition' must be 1 to 32 lower-case letters, digits or '_'"};
  q.width = dimensionField(obj, "width");
  q.height = dimensionField(obj, "height");
  return q;
}

// Milliseconds since the Unix epoch: a non-negative integer within JavaScript's exact range.
std::int64_t timeField(const json& value, const char* name) {
  if (!value.is_number_integer() || value.get<long long>() < 0 ||
      value.get<long long>() > 9'007'199'254'740'991LL)
    throw Invalid{std::string("field '") + name +
                  "' must be milliseconds since the Unix epoch (a non-negative integer)"};
  return value.get<std::int64_t>();
}

CameraEvent parseCameraEvent(const json& obj) {
  CameraEvent e;
  e.id = stringField(obj, "id");
  if (e.id.empty() || e.id.size() > 64 || !std::all_of(e.id.begin(), e.id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
      }))
    throw Invalid{"field 'id' must be 1 to 64 letters, digits, '_' or '-'"};
  e.kind = stringField(obj, "kind");
  if (e.kind.empty() || e.kind.size() > 32 ||
      !std::all_of(e.kind.begin(), e.kind.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      }))
    throw Invalid{"field 'kind' must be 1 to 32 lower-case letters, digits or '_'"};
  e.start = timeField(field(obj, "start"), "start");
  if (auto it = obj.find("end"); it != obj.end() && !it->is_null()) {
    e.end = timeField(*it, "end");
    if (*e.end < e.start) throw Invalid{"field 'end' must not be before 'start'"};
  }
  const json& score = field(obj, "score");
  if (!score.is_number() || score.get<double>() < 0 || score.get<double>() > 1)
    throw Invalid{"field 'score' must be a number from 0 to 1"};
  e.score = score.get<double>();
  return e;
}

Error parseError(const json& obj) {
  return Error{optionalStringField(obj, "session"), errorCodeFromWire(stringField(obj, "code")),
               optionalStringField(obj, "message")};
}

CameraInfo parseCameraInfo(const json& obj) {
  if (!obj.is_object()) throw Invalid{"camera entries must be objects"};
  CameraInfo c;
  c.id = stringField(obj, "id");
  c.name = optionalStringField(obj, "name");
  if (auto it = obj.find("online"); it != obj.end() && it->is_boolean()) c.online = it->get<bool>();
  if (auto it = obj.find("lastSeen"); it != obj.end() && it->is_string()) {
    c.lastSeen = it->get<std::string>();
  }
  return c;
}

// How many of the first characters of `text` a JSON string holds as they are: printable
// ASCII other than '"' and '\\'. Eight bytes at a time (a candidate is mostly such a run),
// then byte by byte from the first word that holds anything else.
std::size_t plainPrefix(std::string_view text) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  // Whether some byte of v is below n (n <= 128): exact for the word as a whole.
  auto hasByteBelow = [](std::uint64_t v, std::uint64_t n) { return (v - kOnes * n) & ~v & kHigh; };
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    if ((word & kHigh) | hasByteBelow(word, 0x20) | hasByteBelow(word ^ (kOnes * '"'), 1) |
        hasByteBelow(word ^ (kOnes * '\\'), 1)) {
      break;
    }
  }
  for (; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
  }
  return i;
}

// The fast path for the message the hub relays most: a candidate as browsers and cameras
// write it, a flat object of plain ASCII strings (no escapes) and small integers. Reading it
// needs no json tree. Anything else, and anything the general parser would refuse, is left
// to that parser, which decides and words every error as before; the unit tests and the
// signaling fuzzer compare the two on the same input.
struct FlatValue {
  enum class Kind { string, integer, null };
  Kind kind = Kind::null;
  std::string_view text;  // a string's characters
  long long number = 0;
};

class FlatObject {
 public:
  using Value = FlatValue;

  // Empty when `text` is not a flat object of that kind.
  static std::optional<FlatObject> scan(std::string_view text) {
    FlatObject object;
    Scanner in{text};
    if (!in.take('{')) return std::nullopt;
    if (in.peek() == '}') return std::nullopt;  // no type: the general path says so
    for (;;) {
      auto key = in.plainString();
      if (!key || !in.take(':') || object.count_ == kMaxFields) return std::nullopt;
      if (object.find(*key)) return std::nullopt;  // a repeated key: left to the parser
      auto value = in.value();
      if (!value) return std::nullopt;
      object.fields_[object.count_++] = {*key, *value};
      if (in.take(',')) continue;
      if (in.take('}') && in.atEnd()) return object;
      return std::nullopt;
    }
  }

  const Value* find(std::string_view key) const {
    for (std::size_t i = 0; i < count_; ++i) {
      if (fields_[i].first == key) return &fields_[i].second;
    }
    return nullptr;
  }

 private:
  static constexpr std::size_t kMaxFields = 8;

  struct Scanner {
    std::string_view text;
    std::size_t pos = 0;

    void skipSpace() {
      while (pos < text.size() &&
             (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
        ++pos;
      }
    }
    char peek() {
      skipSpace();
      return pos < text.size() ? text[pos] : '\0';
    }
    bool take(char c) {
      if (peek() != c) return false;
      ++pos;
      return true;
    }
    bool atEnd() {
      skipSpace();
      return pos == text.size();
    }
    // A string of printable ASCII without escapes.
    std::optional<std::string_view> plainString() {
      if (!take('"')) return std::nullopt;
      auto start = pos;
      pos += plainPrefix(text.substr(pos));
      if (pos == text.size() || text[pos] != '"') return std::nullopt;
      return text.substr(start, pos++ - start);
    }
    std::optional<Value> value() {
      char c = peek();
      if (c == '"') {
        auto s = plainString();
        if (!s) return std::nullopt;
        return Value{Value::Kind::string, *s};
      }
      if (text.substr(pos, 4) == "null") {
        pos += 4;
        return Value{Value::Kind::null, {}};
      }
      // An integer of at most 9 digits, written as JSON allows (no leading zero, no
      // fraction or exponent: those are left to the parser).
      bool negative = c == '-';
      if (negative) ++pos;
      auto start = pos;
      long long number = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && pos - start < 10) {
        number = number * 10 + (text[pos++] - '0');
      }
      auto digits = pos - start;
      if (digits == 0 || digits > 9 || (digits > 1 && text[start] == '0')) return std::nullopt;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == 'e' || text[pos] == 'E')) {
        return std::nullopt;
      }
      return Value{Value::Kind::integer, {}, negative ? -number : number};
    }
  };

  std::array<std::pair<std::string_view, Value>, kMaxFields> fields_{};
  std::size_t count_ = 0;
};

// A valid candidate on the fast path; empty: let the general parser decide.
std::optional<Candidate> fastCandidate(std::string_view text) {
  // Cheap first look: only text that names the type can be one.
  if (text.find("\"candidate\"") == std::string_view::npos) return std::nullopt;
  auto object = FlatObject::scan(text);
  if (!object) return std::nullopt;
  using Kind = FlatObject::Value::Kind;
  auto isString = [](const FlatObject::Value* v) { return v && v->kind == Kind::string; };
  const auto* type = object->find("type");
  const auto* session = object->find("session");
  const auto* candidate = object->find("candidate");
  if (!isString(type) || type->text != "candidate" || !isString(session) ||
      !identity::isValidSessionId(session->text) || !isString(candidate)) {
    return std::nullopt;
  }
  Candidate c;
  c.session = std::string(session->text);
  c.candidate = std::string(candidate->text);
  if (const auto* mid = object->find("sdpMid"); mid && mid->kind != Kind::null) {
    if (mid->kind != Kind::string) return std::nullopt;
    c.sdpMid = std::string(mid->text);
  }
  if (const auto* index = object->find("sdpMLineIndex"); index && index->kind != Kind::null) {
    if (index->kind != Kind::integer || index->number < 0 || index->number > 1024) {
      return std::nullopt;
    }
    c.sdpMLineIndex = static_cast<int>(index->number);
  }
  return c;
}

// Runs `body` on the parsed object, turning every failure into Parsed::error.
template <typename T, typename Body>
Parsed<T> parseWithoutFastPath(std::string_view text, Body body) {
  Parsed<T> result;
  json obj = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) {
    result.error = "invalid JSON";
    return result;
  }
  if (!obj.is_object()) {
    result.error = "a message must be a JSON object";
    return result;
  }
  if (auto it = obj.find("session"); it != obj.end() && it->is_string()) {
    auto s = it->get<std::string>();
    if (s.size() <= 64) result.session = std::move(s);
  }
  try {
    const json& type = field(obj, "type");
    if (!type.is_string()) throw Invalid{"field 'type' must be a string"};
    result.message = body(type.get_ref<const std::string&>(), obj);
  } catch (const Invalid& e) {
    result.error = e.why;
  } catch (const json::exception& e) {
    result.error = "ill-typed field";
  }
  return result;
}

// Candidates on the fast path when they can be, everything else the general way.
template <typename T, typename Body>
Parsed<T> parseWith(std::string_view text, Body body) {
  if (auto candidate = fastCandidate(text)) {
    Parsed<T> result;
    result.session = candidate->session;
    result.message = T{std::move(*candidate)};
    return result;
  }
  return parseWithoutFastPath<T>(text, body);
}

// At most `maxBytes` of UTF-8 `text`, cut before a character, never inside one: the cut text
// goes back to the peer in an `error`, and JSON text must be valid UTF-8.
std::string utf8Prefix(const std::string& text, std::size_t maxBytes) {
  if (text.size() <= maxBytes) return text;
  std::size_t end = maxBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

[[noreturn]] void unknownType(const std::string& type) {
  throw Invalid{"unknown message type '" + utf8Prefix(type, 32) + "'"};
}

// Every serializer's last step. Text from a peer is valid UTF-8 (the parser checks), but a
// message must never fail to serialize: an invalid byte becomes U+FFFD instead of an
// exception thrown out of a network handler.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The relayed messages (candidate, answer, bye: nearly every message the hub carries) are
// written directly, without building a json object first (a tree node and a copy of every
// key and value). The output is byte for byte what dump() writes for the same object (keys in
// order, the same escapes; tests/unit/common/protocol_test.cpp compares the two), and a
// message with any text that is not plain ASCII goes the general way (finish() says so), so
// dump()'s handling of UTF-8 (and of invalid bytes) stays the one rule.
class DirectJson {
 public:
  void key(std::string_view name) {
    out_ += first_ ? '{' : ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  void string(std::string_view name, std::string_view value) {
    key(name);
    out_ += '"';
    // Runs that need no escape (nearly all of a candidate or an SDP) are appended whole.
    // Bounded: each turn takes at least one character.
    for (std::size_t i = 0; i < value.size();) {
      auto run = plainPrefix(value.substr(i));
      out_.append(value.data() + i, run);
      i += run;
      if (i == value.size()) break;
      if (static_cast<unsigned char>(value[i]) >= 0x80) {
        ascii_ = false;  // kept as it is: dump() writes the message instead
        out_ += value[i];
      } else {
        escape(value[i]);
      }
      ++i;
    }
    out_ += '"';
  }
  void number(std::string_view name, int value) {
    key(name);
    out_ += std::to_string(value);
  }
  // The message, or nothing when some text was not plain ASCII (then dump() writes it).
  std::optional<std::string> finish() {
    if (!ascii_) return std::nullopt;
    out_ += '}';
    return std::move(out_);
  }
  void reserve(std::size_t bytes) { out_.reserve(bytes); }

 private:
  // As nlohmann::json's serializer escapes ASCII.
  void escape(char c) {
    switch (c) {
      case '"': out_ += "\\\""; return;
      case '\\': out_ += "\\\\"; return;
      case '\b': out_ += "\\b"; return;
      case '\f': out_ += "\\f"; return;
      case '\n': out_ += "\\n"; return;
      case '\r': out_ += "\\r"; return;
      case '\t': out_ += "\\t"; return;
      default: break;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      constexpr char kHex[] = "0123456789abcdef";
      out_ += "\\u00";
      out_ += kHex[(c >> 4) & 0xF];
      out_ += kHex[c & 0xF];
      return;
    }
    out_ += c;
  }
  std::string out_;
  bool first_ = true;
  bool ascii_ = true;
};

}  // namespace

namespace {
ViewerToServer viewerMessage(const std::string& type, const json& obj) {
  if (type == "candidate") return ViewerToServer{parseCandidate(obj)};
  if (type == "offer") {
    Offer o;
    o.session = sessionField(obj);
    o.camera = cameraField(obj);
    o.sdp = sdpField(obj);
    return ViewerToServer{std::move(o)};
  }
  if (type == "bye") return ViewerToServer{parseBye(obj)};
  unknownType(type);
}
}  // namespace

Parsed<ViewerToServer> parseViewerMessage(std::string_view text) {
  return parseWith<ViewerToServer>(text, viewerMessage);
}

Parsed<ViewerToServer> parseViewerMessageGeneral(std::string_view text) {
  return parseWithoutFastPath<ViewerToServer>(text, viewerMessage);
}

Parsed<CameraToServer> parseCameraMessage(std::string_view text) {
  return parseWith<CameraToServer>(text, [](const std::string& type, const json& obj) {
    if (type == "candidate") return CameraToServer{parseCandidate(obj)};
    if (type == "answer") return CameraToServer{parseAnswer(obj)};
    if (type == "bye") return CameraToServer{parseBye(obj)};
    if (type == "quality") return CameraToServer{parseQuality(obj)};
    if (type == "event") return CameraToServer{parseCameraEvent(obj)};
    if (type == "auth") {
      return CameraToServer{Auth{cameraField(obj), stringField(obj, "signature")}};
    }
    unknownType(type);
  });
}

Parsed<ServerToCamera> parseServerToCamera(std::string_view text) {
  return parseWith<ServerToCamera>(text, [](const std::string& type, const json& obj) {
    if (type == "candidate") return ServerToCamera{parseCandidate(obj)};
    if (type == "offer") {
      Offer o;
      o.session = sessionField(obj);
      o.sdp = sdpField(obj);
      o.iceServers = iceServersField(obj, "iceServers", false);
      return ServerToCamera{std::move(o)};
    }
    if (type == "bye") return ServerToCamera{parseBye(obj)};
    if (type == "challenge") return ServerToCamera{Challenge{stringField(obj, "nonce")}};
    if (type == "welcome") return ServerToCamera{Welcome{iceServersField(obj, "iceServers", false)}};
    if (type == "error") return ServerToCamera{parseError(obj)};
    unknownType(type);
  });
}

Parsed<ServerToViewer> parseServerToViewer(std::string_view text) {
  return parseWith<ServerToViewer>(text, [](const std::string& type, const json& obj) {
    if (type == "candidate") return ServerToViewer{parseCandidate(obj)};
    if (type == "answer") return ServerToViewer{parseAnswer(obj)};
    if (type == "bye") return ServerToViewer{parseBye(obj)};
    if (type == "quality") return ServerToViewer{parseQuality(obj)};
    if (type == "status") {
      const json& online = field(obj, "online");
      if (!online.is_boolean()) throw Invalid{"field 'online' must be a boolean"};
      return ServerToViewer{Status{cameraField(obj), online.get<bool>()}};
    }
    if (type == "hello") {
      Hello h;
      const json& user = field(obj, "user");
      if (!user.is_object()) throw Invalid{"field 'user' must be an object"};
      h.username = stringField(user, "username");
      if (auto it = obj.find("cameras"); it != obj.end() && it->is_array()) {
        for (const auto& c : *it) h.cameras.push_back(parseCameraInfo(c));
      }
      h.iceServers = iceServersField(obj, "iceServers", false);
      return ServerToViewer{std::move(h)};
    }
    if (type == "error") return ServerToViewer{parseError(obj)};
    if (type == "event") {
      const json& event = field(obj, "event");
      if (!event.is_object()) throw Invalid{"field 'event' must be an object"};
      return ServerToViewer{EventNotice{cameraField(obj), parseCameraEvent(event)}};
    }
    unknownType(type);
  });
}

std::string serialize(const Offer& m) {
  json j{{"type", "offer"}, {"session", m.session}};
  j["sdp"] = m.sdp;
  // Viewer -> server names the camera; server -> camera always carries the session's ICE
  // servers, an empty list too (PROTOCOL.md: the field is always there).
  if (!m.camera.empty())
    j["camera"] = m.camera;
  else
    j["iceServers"] = m.iceServers;
  return dump(j);
}

// Keys below in the order dump() writes them (sorted).
std::string serialize(const Answer& m) {
  DirectJson out;
  out.reserve(m.sdp.size() + m.session.size() + 64);
  out.string("sdp", m.sdp);
  out.string("session", m.session);
  out.string("type", "answer");
  if (auto text = out.finish()) return std::move(*text);
  return dump(json{{"type", "answer"}, {"session", m.session}, {"sdp", m.sdp}});
}

std::string serialize(const Candidate& m) {
  DirectJson out;
  out.reserve(m.candidate.size() + m.session.size() + 96);
  out.string("candidate", m.candidate);
  if (m.sdpMLineIndex) out.number("sdpMLineIndex", *m.sdpMLineIndex);
  if (m.sdpMid) out.string("sdpMid", *m.sdpMid);
  out.string("session", m.session);
  out.string("type", "candidate");
  if (auto text = out.finish()) return std::move(*text);
  json j{{"type", "candidate"}, {"session", m.session}, {"candidate", m.candidate}};
  if (m.sdpMid) j["sdpMid"] = *m.sdpMid;
  if (m.sdpMLineIndex) j["sdpMLineIndex"] = *m.sdpMLineIndex;
  return dump(j);
}

std::string serialize(const Bye& m) {
  DirectJson out;
  if (!m.reason.empty()) out.string("reason", m.reason);
  out.string("session", m.session);
  out.string("type", "bye");
  if (auto text = out.finish()) return std::move(*text);
  json j{{"type", "bye"}, {"session", m.session}};
  if (!m.reason.empty()) j["reason"] = m.reason;
  return dump(j);
}

std::string serialize(const Quality& m) {
  return json{{"type", "quality"},   {"session", m.session}, {"rendition", m.rendition},
              {"width", m.width},    {"height", m.height}}
      .dump();
}

namespace {
json eventFields(const CameraEvent& m) {
  json j{{"id", m.id}, {"kind", m.kind}, {"start", m.start}, {"score", m.score}};
  if (m.end) {
    j["end"] = *m.end;
    j["durationMs"] = *m.end - m.start;
  }
  return j;
}
}  // namespace

std::string serialize(const CameraEvent& m) {
  json j{{"type", "event"}};
  j.update(eventFields(m));
  return dump(j);
}

std::string serialize(const EventNotice& m) {
  return dump(json{{"type", "event"}, {"camera", m.camera}, {"event", eventFields(m.event)}});
}

std::string serialize(const Challenge& m) {
  return dump(json{{"type", "challenge"}, {"nonce", m.nonce}});
}

std::string serialize(const Auth& m) {
  return dump(json{{"type", "auth"}, {"camera", m.camera}, {"signature", m.signature}});
}

std::string serialize(const Welcome& m) {
  return dump(json{{"type", "welcome"}, {"iceServers", m.iceServers}});
}

std::string serialize(const Hello& m) {
  return dump(json{{"type", "hello"},
                   {"user", {{"username", m.username}}},
                   {"cameras", m.cameras},
                   {"iceServers", m.iceServers}});
}

std::string serialize(const Status& m) {
  return dump(json{{"type", "status"}, {"camera", m.camera}, {"online", m.online}});
}

std::string serialize(const Error& m) {
  json j{{"type", "error"}};
  if (!m.session.empty()) j["session"] = m.session;
  j["code"] = wireName(m.code.value_or(ErrorCode::Internal));
  j["message"] = m.message;
  return dump(j);
}

}  // namespace seccam::protocol
