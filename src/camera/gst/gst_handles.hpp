// Owning wrappers for GStreamer and GLib handles, so that business code never unrefs by hand.
#pragma once

#include <gst/gst.h>

#include <memory>

namespace seccam::camera::gst {

// Releases a handle with `Release` (an unref or free function); null is left alone.
template <auto Release>
struct Deleter {
  template <typename T>
  void operator()(T* handle) const {
    if (handle) Release(handle);
  }
};

// GstObjects (elements, pads, buses, factories, webrtcbin's ICE object).
template <typename T>
using ObjectPtr = std::unique_ptr<T, Deleter<gst_object_unref>>;
// Plain GObjects that are no GstObject (e.g. libnice's agent).
template <typename T>
using GObjectPtr = std::unique_ptr<T, Deleter<g_object_unref>>;

using ElementPtr = ObjectPtr<GstElement>;
using PadPtr = ObjectPtr<GstPad>;
using BusPtr = ObjectPtr<GstBus>;
using CapsPtr = std::unique_ptr<GstCaps, Deleter<gst_caps_unref>>;
using StructurePtr = std::unique_ptr<GstStructure, Deleter<gst_structure_free>>;
using BufferPtr = std::unique_ptr<GstBuffer, Deleter<gst_buffer_unref>>;
using SamplePtr = std::unique_ptr<GstSample, Deleter<gst_sample_unref>>;
using PromisePtr = std::unique_ptr<GstPromise, Deleter<gst_promise_unref>>;
using GCharPtr = std::unique_ptr<gchar, Deleter<g_free>>;
using ErrorPtr = std::unique_ptr<GError, Deleter<g_error_free>>;
using SourcePtr = std::unique_ptr<GSource, Deleter<g_source_unref>>;
using IteratorPtr = std::unique_ptr<GstIterator, Deleter<gst_iterator_free>>;
using MainContextPtr = std::unique_ptr<GMainContext, Deleter<g_main_context_unref>>;

// Takes a new reference to an object that someone else owns.
template <typename T>
ObjectPtr<T> ref(T* object) {
  return ObjectPtr<T>(static_cast<T*>(gst_object_ref(object)));
}

// Adopts a newly made object that may still be floating (gst_parse_launch, gst_bin_new): the
// wrapper then holds a real reference, and a bin the object is added to takes its own.
template <typename T>
ObjectPtr<T> sink(T* floating) {
  return ObjectPtr<T>(floating ? static_cast<T*>(gst_object_ref_sink(floating)) : nullptr);
}

// gst_element_factory_make that throws std::runtime_error naming the element when its plugin
// is missing.
ElementPtr makeElement(const char* factory, const char* name = nullptr);

}  // namespace seccam::camera::gst
