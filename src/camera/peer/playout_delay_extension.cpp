// Zero playout delay RTP header extension: see playout_delay_extension.hpp.
#include "camera/peer/playout_delay_extension.hpp"

#include <gst/rtp/rtp.h>

namespace {

// Three bytes: minimum and maximum delay, 12 bits each, in units of 10 ms.
constexpr gsize kPayloadBytes = 3;

struct SeccamPlayoutDelayExt {
  GstRTPHeaderExtension parent;
};
struct SeccamPlayoutDelayExtClass {
  GstRTPHeaderExtensionClass parent_class;
};

G_DEFINE_TYPE(SeccamPlayoutDelayExt, seccam_playout_delay_ext, GST_TYPE_RTP_HEADER_EXTENSION)

GstRTPHeaderExtensionFlags supportedFlags(GstRTPHeaderExtension*) {
  return GstRTPHeaderExtensionFlags(GST_RTP_HEADER_EXTENSION_ONE_BYTE |
                                    GST_RTP_HEADER_EXTENSION_TWO_BYTE);
}

gsize maxSize(GstRTPHeaderExtension*, const GstBuffer*) { return kPayloadBytes; }

gssize writeZeroDelay(GstRTPHeaderExtension*, const GstBuffer*, GstRTPHeaderExtensionFlags,
                      GstBuffer*, guint8* data, gsize size) {
  if (size < kPayloadBytes) return -1;
  data[0] = data[1] = data[2] = 0;  // min 0, max 0
  return kPayloadBytes;
}

gboolean ignoreOnRead(GstRTPHeaderExtension*, GstRTPHeaderExtensionFlags, const guint8*, gsize,
                      GstBuffer*) {
  return TRUE;  // we only send it
}

void seccam_playout_delay_ext_class_init(SeccamPlayoutDelayExtClass* klass) {
  auto* ext = GST_RTP_HEADER_EXTENSION_CLASS(klass);
  ext->get_supported_flags = supportedFlags;
  ext->get_max_size = maxSize;
  ext->write = writeZeroDelay;
  ext->read = ignoreOnRead;
  gst_element_class_set_static_metadata(GST_ELEMENT_CLASS(klass), "Playout delay (zero)",
                                        GST_RTP_HDREXT_ELEMENT_CLASS,
                                        "Asks the receiver to play each frame at once", "SecCam");
  gst_rtp_header_extension_class_set_uri(ext, seccam::camera::kPlayoutDelayExtensionUri);
}

void seccam_playout_delay_ext_init(SeccamPlayoutDelayExt*) {}

}  // namespace

namespace seccam::camera {

GstRTPHeaderExtension* newZeroPlayoutDelayExtension(unsigned id) {
  auto* ext = GST_RTP_HEADER_EXTENSION(
      gst_object_ref_sink(g_object_new(seccam_playout_delay_ext_get_type(), nullptr)));
  gst_rtp_header_extension_set_id(ext, id);
  return ext;
}

}  // namespace seccam::camera
