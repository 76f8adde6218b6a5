// Clip retention: the oldest go first, by budget and by age; a clip being written stays.
#include "camera/recording/retention.hpp"

#include <gtest/gtest.h>

namespace seccam::camera {
namespace {

TEST(RetentionTest, OldestGoFirstUntilTheBudgetFits) {
  std::vector<StoredClip> clips{{"c", 400, 3000}, {"a", 400, 1000}, {"b", 400, 2000}};
  auto gone = clipsToDelete(clips, {900, 0}, 4000);
  EXPECT_EQ(gone, (std::vector<std::string>{"a"}));
  gone = clipsToDelete(clips, {500, 0}, 4000);
  EXPECT_EQ(gone, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(clipsToDelete(clips, {1200, 0}, 4000).empty());
}

TEST(RetentionTest, ClipsPastTheMaximumAgeGo) {
  std::vector<StoredClip> clips{{"old", 1, 1000}, {"new", 1, 9000}};
  EXPECT_EQ(clipsToDelete(clips, {0, 5000}, 10000), (std::vector<std::string>{"old"}));
  EXPECT_TRUE(clipsToDelete(clips, {0, 0}, 10000).empty());
}

TEST(RetentionTest, AClipBeingWrittenIsKept) {
  std::vector<StoredClip> clips{{"a", 400, 1000}, {"b", 400, 2000}};
  EXPECT_EQ(clipsToDelete(clips, {500, 0}, 4000, {"a"}), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace seccam::camera
