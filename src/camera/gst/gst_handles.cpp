// Owning wrappers for GStreamer handles: see gst_handles.hpp.
#include "camera/gst/gst_handles.hpp"

#include <stdexcept>
#include <string>

namespace seccam::camera::gst {

ElementPtr makeElement(const char* factory, const char* name) {
  GstElement* element = gst_element_factory_make(factory, name);
  if (!element) throw std::runtime_error(std::string("GStreamer element missing: ") + factory);
  return sink(element);
}

}  // namespace seccam::camera::gst
