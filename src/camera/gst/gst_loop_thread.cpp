// GLib main loop thread: see gst_loop_thread.hpp.
#include "camera/gst/gst_loop_thread.hpp"

#include <gst/gst.h>

#include <stdexcept>
#include <string>

#include "camera/gst/gst_handles.hpp"

namespace seccam::camera::gst {

ElementPtr makeElement(const char* factory, const char* name) {
  GstElement* element = gst_element_factory_make(factory, name);
  if (!element) throw std::runtime_error(std::string("GStreamer element missing: ") + factory);
  return ElementPtr(static_cast<GstElement*>(gst_object_ref_sink(element)));
}

namespace {
using Work = std::function<void()>;

gboolean runOnce(gpointer data) {
  (*static_cast<Work*>(data))();
  return G_SOURCE_REMOVE;
}
void deleteWork(gpointer data) { delete static_cast<Work*>(data); }
}  // namespace

GstLoopThread::GstLoopThread()
    : context_(g_main_context_new()), loop_(g_main_loop_new(context_, FALSE)) {
  thread_ = std::thread([this] {
    g_main_context_push_thread_default(context_);
    g_main_loop_run(loop_);
    g_main_context_pop_thread_default(context_);
  });
}

GstLoopThread::~GstLoopThread() {
  stop();
  g_main_loop_unref(loop_);
  g_main_context_unref(context_);
}

void GstLoopThread::invoke(std::function<void()> work) {
  GSource* source = g_idle_source_new();
  g_source_set_callback(source, runOnce, new Work(std::move(work)), deleteWork);
  g_source_attach(source, context_);
  g_source_unref(source);
}

void GstLoopThread::invokeAfter(unsigned delayMs, std::function<void()> work) {
  GSource* source = g_timeout_source_new(delayMs);
  g_source_set_callback(source, runOnce, new Work(std::move(work)), deleteWork);
  g_source_attach(source, context_);
  g_source_unref(source);
}

void GstLoopThread::stop() {
  if (!thread_.joinable()) return;
  // Quit from inside the loop, so that work queued before stop() still runs.
  invoke([this] { g_main_loop_quit(loop_); });
  thread_.join();
}

}  // namespace seccam::camera::gst
