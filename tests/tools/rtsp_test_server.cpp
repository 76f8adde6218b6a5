// seccam-test-rtsp-server: an RTSP server (Debian's gst-rtsp-server) serving a live test
// pattern as H.264 (constrained-baseline by default, or another profile), standing in for
// an existing IP camera in the tests.
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <CLI/CLI.hpp>
#include <cstdio>

int main(int argc, char** argv) {
  std::string address = "127.0.0.1";
  int port = 8554;
  std::string path = "/cam";
  std::string profile = "constrained-baseline";
  int width = 320;
  int height = 240;
  int keyFrameInterval = 30;
  CLI::App app{"seccam-test-rtsp-server: serves a live H.264 test pattern over RTSP"};
  app.add_option("--address", address, "address to listen on");
  app.add_option("--port", port, "port to listen on");
  app.add_option("--path", path, "mount path");
  app.add_option("--profile", profile, "H.264 profile: constrained-baseline | high");
  app.add_option("--width", width);
  app.add_option("--height", height);
  app.add_option("--key-frame-interval", keyFrameInterval,
                 "frames from one key frame to the next (IP cameras often use 2-4 s)");
  CLI11_PARSE(app, argc, argv);
  gst_init(&argc, &argv);

  GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
  GstRTSPServer* server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, address.c_str());
  gst_rtsp_server_set_service(server, std::to_string(port).c_str());
  GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
  std::string launch =
      "( videotestsrc is-live=true pattern=ball ! video/x-raw,width=" + std::to_string(width) +
      ",height=" + std::to_string(height) +
      // ultrafast would drop every High feature and x264 would then declare
      // constrained-baseline whatever was asked; veryfast keeps them.
      ",framerate=30/1 ! x264enc tune=zerolatency speed-preset=" +
      (profile == "constrained-baseline" ? "ultrafast" : "veryfast") +
      " "
      "key-int-max=" + std::to_string(keyFrameInterval) + " ! video/x-h264,profile=" +
      profile + " ! rtph264pay name=pay0 pt=96 config-interval=-1 )";
  gst_rtsp_media_factory_set_launch(factory, launch.c_str());
  gst_rtsp_media_factory_set_shared(factory, TRUE);
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  gst_rtsp_mount_points_add_factory(mounts, path.c_str(), factory);
  g_object_unref(mounts);
  if (gst_rtsp_server_attach(server, nullptr) == 0) {
    std::fprintf(stderr, "cannot listen on %s:%d\n", address.c_str(), port);
    return 1;
  }
  std::printf("serving rtsp://%s:%d%s (%s)\n", address.c_str(), port, path.c_str(),
              profile.c_str());
  std::fflush(stdout);
  g_main_loop_run(loop);
  return 0;
}
