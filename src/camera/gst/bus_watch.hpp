// A pipeline's bus watch on the loop thread's main context, removed when the watch goes.
#pragma once

#include <gst/gst.h>

#include <functional>

#include "camera/gst/gst_handles.hpp"

namespace seccam::camera::gst {

class BusWatch {
 public:
  using Handler = std::function<void(GstMessage* message)>;

  BusWatch() = default;
  // Calls `handler` on `context`'s thread for every message on `pipeline`'s bus.
  BusWatch(GstElement* pipeline, GMainContext* context, Handler handler);
  ~BusWatch() { remove(); }
  BusWatch(BusWatch&&) noexcept = default;
  BusWatch& operator=(BusWatch&& other) noexcept;
  BusWatch(const BusWatch&) = delete;
  BusWatch& operator=(const BusWatch&) = delete;

  // No message is dispatched once this returns, unless one is being dispatched right now on
  // the context's thread (call it there to be sure). Idempotent.
  void remove();

 private:
  SourcePtr source_;
};

}  // namespace seccam::camera::gst
