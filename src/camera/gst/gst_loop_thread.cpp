// GLib main loop thread: see gst_loop_thread.hpp.
#include "camera/gst/gst_loop_thread.hpp"

#include <glib.h>
#include <spdlog/spdlog.h>

#include <exception>

namespace seccam::camera::gst {

namespace {
using Work = std::function<void()>;

gboolean runOnce(gpointer data) {
  // The last boundary: an exception must not unwind through GLib's C frames. Work that can
  // fail in a way someone must hear of (a viewer's peer) catches it itself.
  try {
    (*static_cast<Work*>(data))();
  } catch (const std::exception& e) {
    spdlog::error("GStreamer loop: {}", e.what());
  }
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
