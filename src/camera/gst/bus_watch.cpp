// A pipeline's bus watch: see bus_watch.hpp.
#include "camera/gst/bus_watch.hpp"

namespace seccam::camera::gst {

namespace {
gboolean dispatch(GstBus*, GstMessage* message, gpointer data) {
  (*static_cast<BusWatch::Handler*>(data))(message);
  return G_SOURCE_CONTINUE;
}
// The source owns its handler: GLib frees it once the source is destroyed and no dispatch
// holds it any more.
void deleteHandler(gpointer data) { delete static_cast<BusWatch::Handler*>(data); }
}  // namespace

BusWatch::BusWatch(GstElement* pipeline, GMainContext* context, Handler handler) {
  BusPtr bus(gst_element_get_bus(pipeline));
  source_.reset(gst_bus_create_watch(bus.get()));
  g_source_set_callback(source_.get(), G_SOURCE_FUNC(dispatch), new Handler(std::move(handler)),
                        deleteHandler);
  g_source_attach(source_.get(), context);
}

BusWatch& BusWatch::operator=(BusWatch&& other) noexcept {
  if (this != &other) {
    remove();
    source_ = std::move(other.source_);
  }
  return *this;
}

void BusWatch::remove() {
  if (!source_) return;
  g_source_destroy(source_.get());
  source_.reset();
}

}  // namespace seccam::camera::gst
