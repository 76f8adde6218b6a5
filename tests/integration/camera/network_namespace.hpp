// A network namespace for one camera test: created with a veth pair whose both ends stay
// inside (libnice ignores loopback and interfaces named veth*), a default route (so peers
// emit host candidates), and entered by the calling thread, so that every process the test
// starts (server, camera, viewers, coturn) runs inside it. Deleted at destruction.
#pragma once

#include <string>

namespace seccam::test {

class NetworkNamespace {
 public:
  NetworkNamespace();
  ~NetworkNamespace();
  NetworkNamespace(const NetworkNamespace&) = delete;
  NetworkNamespace& operator=(const NetworkNamespace&) = delete;

  const std::string& name() const { return name_; }
  // The address of the "cam0" end (the camera side) and of the "view0" end.
  const std::string& cameraAddress() const { return cameraAddress_; }
  const std::string& viewerAddress() const { return viewerAddress_; }

 private:
  std::string name_;
  std::string cameraAddress_;
  std::string viewerAddress_;
  int originalNamespaceFd_ = -1;
};

}  // namespace seccam::test
