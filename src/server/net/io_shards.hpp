// The server's IO threads as shards: one io_context per thread, each connection on one of
// them for its whole life (docs/IO-SHARDS.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace seccam::server {

class IoShards {
 public:
  // `count` shards (at least one), each run by one thread once run() is called.
  explicit IoShards(int count);
  ~IoShards();
  IoShards(const IoShards&) = delete;
  IoShards& operator=(const IoShards&) = delete;

  std::size_t size() const { return contexts_.size(); }
  // Shard 0: the listener, signals, timers and the bus run here, besides its connections.
  boost::asio::io_context& main() { return *contexts_.front(); }
  // The shard for the next accepted connection (round robin). Any thread.
  boost::asio::io_context& next();
  // The shard of everything about one camera (a hash of its ID), for the placement hint.
  boost::asio::io_context& forCamera(std::string_view cameraId);
  // The index of one of these shards (0 for an io_context that is not one).
  std::size_t indexOf(const boost::asio::io_context& context) const;

  // Runs every shard: shard 0 on the calling thread, the others on threads of their own
  // (named seccam-io-N). Returns when all have stopped.
  void run();
  // Stops every shard (their threads return from run()). Any thread.
  void stop();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace seccam::server
