// The GLib main loop thread that owns every GStreamer pipeline change, bus watch and timer;
// the Asio side hands work over with invoke(), never touching GStreamer state itself.
#pragma once

#include <functional>
#include <thread>

typedef struct _GMainContext GMainContext;
typedef struct _GMainLoop GMainLoop;

namespace seccam::camera::gst {

class GstLoopThread {
 public:
  GstLoopThread();
  ~GstLoopThread();
  GstLoopThread(const GstLoopThread&) = delete;
  GstLoopThread& operator=(const GstLoopThread&) = delete;

  // Runs `work` on the loop thread (later, in order).
  void invoke(std::function<void()> work);
  // Runs `work` on the loop thread after `delayMs`.
  void invokeAfter(unsigned delayMs, std::function<void()> work);
  GMainContext* context() const { return context_; }
  bool onLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // Stops the loop and joins the thread (idempotent).
  void stop();

 private:
  GMainContext* context_;
  GMainLoop* loop_;
  std::thread thread_;
};

}  // namespace seccam::camera::gst
