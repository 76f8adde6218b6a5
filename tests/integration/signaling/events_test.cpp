// A camera's motion events on the server (PROTOCOL.md `event`, camera -> server and server ->
// viewer; GET /api/cameras/{id}/events): stored once per ID under the camera's owner, listed
// to the owner only, pushed live to the owner's open pages only, and rate-limited per camera.
#include "signaling_harness.hpp"

namespace seccam::test {
namespace {

constexpr int kEventsPerMinute = 5;

json startMessage(const std::string& id, std::int64_t start, double score = 0.04) {
  return {{"type", "event"}, {"id", id}, {"kind", "motion"}, {"start", start}, {"score", score}};
}
json endMessage(const std::string& id, std::int64_t start, std::int64_t end, double score = 0.11) {
  return {{"type", "event"}, {"id", id},   {"kind", "motion"},
          {"start", start},  {"end", end}, {"score", score}};
}

// The next `event` push, skipping status pushes; an empty object when none came in time.
json nextEvent(WsClient& viewer, std::chrono::milliseconds timeout = kMessageTimeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int i = 0; i < 20; ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    auto text = viewer.receive(left);
    if (!text) break;
    json m = json::parse(*text, nullptr, false);
    if (m.value("type", "") == "event") return m;
  }
  return json::object();
}

class Events : public SignalingTest {
 protected:
  Events() : SignalingTest({"--events-max-per-minute", std::to_string(kEventsPerMinute)}) {}
  void SetUp() override {
    cams = server.provision(2);
    ann = registerAccount("ann", cams[0]);
    bob = registerAccount("bob", cams[1]);
  }
  HttpResponse listEvents(const Account& as, const std::string& cameraId,
                          const std::string& query = "") {
    return httpRequest(server.host(), server.port(), "GET",
                       "/api/cameras/" + cameraId + "/events" + query, "",
                       {{"Cookie", as.cookie}});
  }
  json eventsOf(const Account& as, const std::string& cameraId, const std::string& query = "") {
    auto response = listEvents(as, cameraId, query);
    EXPECT_EQ(response.status, 200) << response.body;
    return json::parse(response.body, nullptr, false);
  }
  // Waits (bounded) until the owner's list has `count` events: storing is asynchronous.
  json waitForEvents(const Account& as, const std::string& cameraId, std::size_t count) {
    json body;
    for (int i = 0; i < 50; ++i) {
      body = eventsOf(as, cameraId);
      if (body.is_object() && body["events"].size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return body;
  }
  std::vector<ProvisionedCamera> cams;
  Account ann, bob;
};

TEST_F(Events, AnEventIsStoredListedAndPushedToTheOwnersPagesOnly) {
  auto annViewer = openViewer(ann);
  auto bobViewer = openViewer(bob);
  auto camera = openCamera(cams[0]);
  camera->send(startMessage("20261201-030405-678", 1764558245678).dump());

  json pushed = nextEvent(*annViewer);
  EXPECT_EQ(pushed.value("camera", ""), cams[0].cameraId) << pushed.dump();
  ASSERT_TRUE(pushed.contains("event")) << pushed.dump();
  EXPECT_EQ(pushed["event"].value("id", ""), "20261201-030405-678");
  EXPECT_EQ(pushed["event"].value("kind", ""), "motion");
  EXPECT_EQ(pushed["event"].value("start", std::int64_t{0}), 1764558245678);
  EXPECT_FALSE(pushed["event"].contains("end"));

  camera->send(endMessage("20261201-030405-678", 1764558245678, 1764558251230).dump());
  pushed = nextEvent(*annViewer);
  EXPECT_EQ(pushed["event"].value("end", std::int64_t{0}), 1764558251230) << pushed.dump();
  EXPECT_EQ(pushed["event"].value("durationMs", std::int64_t{0}), 5552);

  // Stored once, with its end.
  json body = waitForEvents(ann, cams[0].cameraId, 1);
  ASSERT_EQ(body["events"].size(), 1u) << body.dump();
  const json& e = body["events"][0];
  EXPECT_EQ(e.value("id", ""), "20261201-030405-678");
  EXPECT_EQ(e.value("start", std::int64_t{0}), 1764558245678);
  EXPECT_EQ(e.value("end", std::int64_t{0}), 1764558251230);
  EXPECT_EQ(e.value("durationMs", std::int64_t{0}), 5552);
  EXPECT_DOUBLE_EQ(e.value("score", 0.0), 0.11);
  EXPECT_GT(e.value("receivedAt", std::int64_t{0}), 0);
  EXPECT_TRUE(body["next"].is_null());

  // Another account: neither pushed nor listed (404 as for a camera that does not exist).
  EXPECT_TRUE(nextEvent(*bobViewer, std::chrono::milliseconds(500)).empty());
  auto refused = listEvents(bob, cams[0].cameraId);
  EXPECT_EQ(refused.status, 404);
  EXPECT_EQ(json::parse(refused.body, nullptr, false)["error"].value("code", ""), "not_found");
  EXPECT_TRUE(eventsOf(bob, cams[1].cameraId)["events"].empty());
}

TEST_F(Events, TheListIsNewestFirstInPagesAndBadParametersAreRefused) {
  auto camera = openCamera(cams[0]);
  for (int i = 0; i < 4; ++i) camera->send(startMessage("e" + std::to_string(i), 1000 + i).dump());
  ASSERT_EQ(waitForEvents(ann, cams[0].cameraId, 4)["events"].size(), 4u);

  json first = eventsOf(ann, cams[0].cameraId, "?limit=3");
  ASSERT_EQ(first["events"].size(), 3u) << first.dump();
  EXPECT_EQ(first["events"][0].value("id", ""), "e3");
  EXPECT_EQ(first["events"][2].value("id", ""), "e1");
  ASSERT_TRUE(first["next"].is_string()) << first.dump();
  json second = eventsOf(ann, cams[0].cameraId, "?limit=3&before=" + first["next"].get<std::string>());
  ASSERT_EQ(second["events"].size(), 1u) << second.dump();
  EXPECT_EQ(second["events"][0].value("id", ""), "e0");
  json range = eventsOf(ann, cams[0].cameraId, "?from=1001&to=1003");
  ASSERT_EQ(range["events"].size(), 2u) << range.dump();
  EXPECT_EQ(range["events"][0].value("id", ""), "e2");

  for (const char* bad : {"?limit=0", "?limit=501", "?limit=x", "?from=-1", "?to=soon",
                          "?before=nonsense", "?before=12.bad.id", "?from=5&to=4"}) {
    auto response = listEvents(ann, cams[0].cameraId, bad);
    EXPECT_EQ(response.status, 400) << bad << " -> " << response.body;
    EXPECT_EQ(json::parse(response.body, nullptr, false)["error"].value("code", ""),
              "invalid_input")
        << bad;
  }
  // Someone else's camera is 404 whatever the query.
  EXPECT_EQ(listEvents(bob, cams[0].cameraId, "?limit=0").status, 404);
}

TEST_F(Events, AFloodIsRateLimitedPerCameraAndTheConnectionStays) {
  auto camera = openCamera(cams[0]);
  const int sent = kEventsPerMinute + 5;
  for (int i = 0; i < sent; ++i) camera->send(startMessage("f" + std::to_string(i), 2000 + i).dump());
  int limited = 0;
  for (int i = 0; i < sent - kEventsPerMinute; ++i) {
    json m = nextMessage(*camera);
    if (m.value("type", "") == "error" && m.value("code", "") == "rate_limited") ++limited;
  }
  EXPECT_EQ(limited, sent - kEventsPerMinute);
  json body = waitForEvents(ann, cams[0].cameraId, kEventsPerMinute);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  body = eventsOf(ann, cams[0].cameraId);
  EXPECT_EQ(body["events"].size(), static_cast<std::size_t>(kEventsPerMinute)) << body.dump();
  // The connection is kept: a message of a session that is not its own is answered as usual.
  camera->send(answerMessage("session-unknown").dump());
  EXPECT_EQ(nextMessage(*camera).value("code", ""), "not_found");
}

TEST_F(Events, AMalformedEventIsABadRequestAndNothingIsStored) {
  auto camera = openCamera(cams[0]);
  auto viewer = openViewer(ann);
  for (const char* bad :
       {R"({"type":"event","id":"a b","kind":"motion","start":1,"score":0.1})",
        R"({"type":"event","id":"x","kind":"motion","start":10,"end":5,"score":0.1})",
        R"({"type":"event","id":"x","kind":"motion","start":1,"score":2})"}) {
    camera->send(bad);
    json m = nextMessage(*camera);
    EXPECT_EQ(m.value("code", ""), "bad_request") << bad << " -> " << m.dump();
  }
  // A viewer cannot send one.
  viewer->send(startMessage("v1", 1).dump());
  EXPECT_EQ(nextNonStatus(*viewer).value("code", ""), "bad_request");
  EXPECT_TRUE(eventsOf(ann, cams[0].cameraId)["events"].empty());
}

TEST_F(Events, ANewOwnerSeesNoneOfThePreviousOwnersEvents) {
  auto camera = openCamera(cams[0]);
  camera->send(startMessage("old", 3000).dump());
  ASSERT_EQ(waitForEvents(ann, cams[0].cameraId, 1)["events"].size(), 1u);
  ASSERT_EQ(unclaim(ann, cams[0].cameraId), 204);
  claim(bob, cams[0]);
  EXPECT_TRUE(eventsOf(bob, cams[0].cameraId)["events"].empty());
  EXPECT_EQ(listEvents(ann, cams[0].cameraId).status, 404);
}

}  // namespace
}  // namespace seccam::test
