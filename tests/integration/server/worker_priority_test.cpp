// Sign-in storms and CPU load (issue 11): database work never runs in the idle scheduling
// class (a busy machine starved it and sign-ups timed out), and password hashing has a
// bounded queue whose excess is answered 503 `overloaded` at once.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "raw_client.hpp"
#include "server_test_client.hpp"

using namespace seccam::test;

namespace {

struct ThreadInfo {
  std::string name;
  int nice = 0;
  int policy = -1;  // 0 SCHED_OTHER, 5 SCHED_IDLE
};

// Every thread of a process, from /proc/PID/task/TID/stat.
std::vector<ThreadInfo> threadsOf(int pid) {
  std::vector<ThreadInfo> out;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    ThreadInfo info;
    info.name = stat.substr(open + 1, close - open - 1);
    // Fields after the name, numbered from 3 (state): nice is field 19, policy field 41.
    std::istringstream rest(stat.substr(close + 2));
    std::vector<std::string> fields((std::istream_iterator<std::string>(rest)),
                                    std::istream_iterator<std::string>());
    if (fields.size() < 39) continue;
    info.nice = std::stoi(fields[19 - 3]);
    info.policy = std::stoi(fields[41 - 3]);
    out.push_back(info);
  }
  return out;
}

}  // namespace

class WorkerPriority : public ServerTest {};

TEST_F(WorkerPriority, NoThreadIsIdleClassAndOnlyHashingIsLowered) {
  signUp("ann");  // every pool has started and worked
  auto threads = threadsOf(server->process().pid());
  std::map<std::string, int> named;
  for (const auto& thread : threads) {
    EXPECT_NE(thread.policy, 5) << thread.name << " runs under SCHED_IDLE";
    ++named[thread.name];
    if (thread.name == "seccam-hash") {
      EXPECT_GT(thread.nice, 0) << "hashing should yield to IO and database work";
    } else {
      EXPECT_EQ(thread.nice, 0) << thread.name;
    }
  }
  EXPECT_GE(named["seccam-db"], 2);
  EXPECT_GE(named["seccam-hash"], 1);
}

class HashingQueue : public ServerTest {
 protected:
  std::vector<std::string> serverArgs() const override {
    return {"--auth-hash-workers", "1", "--auth-hash-queue", "1"};
  }
};

TEST_F(HashingQueue, SignInsPastAFullQueueAre503OverloadedAndOthersAreServed) {
  auto cookie = signUp("ann");
  constexpr int kClients = 16;
  // Connected first, then all the requests written back to back: they arrive within far
  // less than one Argon2id hash, while one hashes and one waits.
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>("127.0.0.1", server->port()));
    ASSERT_TRUE(clients.back()->connected());
  }
  std::string body = R"({"username":"ann","password":"Wrong-pass99"})";
  std::string request = "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                        "Content-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body;
  for (auto& client : clients) ASSERT_TRUE(client->write(request));
  std::map<int, int> statuses;
  int overloaded = 0;
  for (auto& client : clients) {
    auto status = client->readResponse(20000);
    ++statuses[status];
    if (status == 503) {
      EXPECT_EQ(errorCode(client->text()), "overloaded") << client->text();
      EXPECT_EQ(header(client->text(), "Retry-After"), "1") << client->text();
      ++overloaded;
    }
  }
  EXPECT_GE(overloaded, kClients / 2) << "401: " << statuses[401] << ", 429: " << statuses[429];
  EXPECT_GE(statuses[401], 1);
  EXPECT_EQ(statuses[401] + statuses[429] + statuses[503], kClients);
  // Nothing else waits for hashing: the API and the WebSocket upgrade are served meanwhile.
  EXPECT_EQ(call("GET", "/api/me", "", cookie).status, 200);
  auto metrics = call("GET", "/metrics");
  EXPECT_NE(metrics.body.find("seccam_hash_queue_full_total " + std::to_string(overloaded)),
            std::string::npos)
      << metrics.body;
}
