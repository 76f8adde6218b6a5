// Owning wrappers for GStreamer and GLib handles, so that business code never unrefs by hand.
#pragma once

#include <gst/gst.h>

#include <memory>

namespace seccam::camera::gst {

struct ObjectUnref {
  void operator()(gpointer object) const {
    if (object) gst_object_unref(object);
  }
};
// Plain GObjects that are no GstObject (e.g. libnice's agent).
struct GObjectUnref {
  void operator()(gpointer object) const {
    if (object) g_object_unref(object);
  }
};
struct CapsUnref {
  void operator()(GstCaps* caps) const {
    if (caps) gst_caps_unref(caps);
  }
};
struct StructureFree {
  void operator()(GstStructure* s) const {
    if (s) gst_structure_free(s);
  }
};
struct PromiseUnref {
  void operator()(GstPromise* p) const {
    if (p) gst_promise_unref(p);
  }
};
struct BufferUnref {
  void operator()(GstBuffer* b) const {
    if (b) gst_buffer_unref(b);
  }
};
struct SampleUnref {
  void operator()(GstSample* s) const {
    if (s) gst_sample_unref(s);
  }
};
struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
struct ErrorFree {
  void operator()(GError* e) const {
    if (e) g_error_free(e);
  }
};

using ElementPtr = std::unique_ptr<GstElement, ObjectUnref>;
using PadPtr = std::unique_ptr<GstPad, ObjectUnref>;
using BusPtr = std::unique_ptr<GstBus, ObjectUnref>;
using CapsPtr = std::unique_ptr<GstCaps, CapsUnref>;
using StructurePtr = std::unique_ptr<GstStructure, StructureFree>;
using BufferPtr = std::unique_ptr<GstBuffer, BufferUnref>;
using SamplePtr = std::unique_ptr<GstSample, SampleUnref>;
using PromisePtr = std::unique_ptr<GstPromise, PromiseUnref>;
using GCharPtr = std::unique_ptr<gchar, GFree>;
using ErrorPtr = std::unique_ptr<GError, ErrorFree>;

// Takes a new reference to an object that someone else owns.
template <typename T>
std::unique_ptr<T, ObjectUnref> ref(T* object) {
  return std::unique_ptr<T, ObjectUnref>(static_cast<T*>(gst_object_ref(object)));
}

// gst_element_factory_make that throws with the element's name when the plugin is missing.
ElementPtr makeElement(const char* factory, const char* name = nullptr);

}  // namespace seccam::camera::gst
