// What the hub's per-message JSON work costs (Google Benchmark): parsing a viewer's candidate
// and writing the candidate the other end gets, with the json tree the general serializer
// builds as the reference (PERFORMANCE §4).
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "common/protocol.hpp"

namespace {

using namespace seccam::protocol;

const std::string kCandidateText =
    R"({"type":"candidate","session":"load-session-12345","candidate":"candidate:842163049 1 udp 1677729535 192.0.2.10 53211 typ srflx raddr 10.0.0.5 rport 53211 generation 0 ufrag 4ZcD network-cost 999","sdpMid":"0","sdpMLineIndex":0})";

Candidate sampleCandidate() {
  auto parsed = parseViewerMessage(kCandidateText);
  return std::get<Candidate>(*parsed.message);
}

void ParseViewerCandidate(benchmark::State& state) {
  for (auto _ : state) {
    auto parsed = parseViewerMessage(kCandidateText);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(ParseViewerCandidate);

void SerializeCandidate(benchmark::State& state) {
  auto candidate = sampleCandidate();
  for (auto _ : state) {
    auto text = serialize(candidate);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(SerializeCandidate);

// The same message through a json tree (how every message was written before).
void SerializeCandidateViaJsonTree(benchmark::State& state) {
  auto m = sampleCandidate();
  for (auto _ : state) {
    nlohmann::json j{{"type", "candidate"}, {"session", m.session}, {"candidate", m.candidate}};
    if (m.sdpMid) j["sdpMid"] = *m.sdpMid;
    if (m.sdpMLineIndex) j["sdpMLineIndex"] = *m.sdpMLineIndex;
    auto text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(SerializeCandidateViaJsonTree);

}  // namespace

BENCHMARK_MAIN();
