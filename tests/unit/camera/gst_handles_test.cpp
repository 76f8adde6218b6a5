// The owning wrappers for GStreamer handles: elements and bus watches.
#include "camera/gst/gst_handles.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "camera/gst/bus_watch.hpp"

using namespace seccam::camera;

namespace {
class GstHandles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { gst_init(nullptr, nullptr); }
};
}  // namespace

TEST_F(GstHandles, MakeElementThrowsNamingTheMissingElement) {
  try {
    gst::makeElement("seccam-no-such-element");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("seccam-no-such-element"), std::string::npos);
  }
}

TEST_F(GstHandles, MakeElementGivesTheOnlyReferenceAndNoFloatingOne) {
  auto queue = gst::makeElement("queue", "q");
  ASSERT_TRUE(queue);
  EXPECT_FALSE(g_object_is_floating(queue.get()));
  EXPECT_EQ(GST_OBJECT_REFCOUNT_VALUE(queue.get()), 1);
}

TEST_F(GstHandles, BusWatchDeliversMessagesAndFreesItsHandlerWhenRemoved) {
  gst::MainContextPtr context(g_main_context_new());
  auto pipeline = gst::sink(gst_pipeline_new("p"));
  auto alive = std::make_shared<int>(0);
  int messages = 0;
  gst::BusWatch watch(pipeline.get(), context.get(),
                      [alive, &messages](GstMessage*) { ++messages; });
  EXPECT_EQ(alive.use_count(), 2);

  gst::BusPtr bus(gst_element_get_bus(pipeline.get()));
  gst_bus_post(bus.get(), gst_message_new_application(GST_OBJECT(pipeline.get()),
                                                      gst_structure_new_empty("ping")));
  while (g_main_context_iteration(context.get(), FALSE)) {
  }
  EXPECT_EQ(messages, 1);

  watch.remove();
  EXPECT_EQ(alive.use_count(), 1);  // the source's destroy notify freed the handler
  gst_bus_post(bus.get(), gst_message_new_application(GST_OBJECT(pipeline.get()),
                                                      gst_structure_new_empty("ping")));
  while (g_main_context_iteration(context.get(), FALSE)) {
  }
  EXPECT_EQ(messages, 1);
}
