#include "server/net/io_shards.hpp"

#include <pthread.h>

#include <algorithm>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <string>
#include <thread>

namespace seccam::server {

namespace net = boost::asio;

IoShards::IoShards(int count) {
  for (int i = 0; i < std::max(count, 1); ++i) {
    // Hint 1: exactly one thread runs each io_context (work posted from that thread skips
    // the scheduler's shared queue).
    contexts_.push_back(std::make_unique<net::io_context>(1));
  }
}

IoShards::~IoShards() = default;

net::io_context& IoShards::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

net::io_context& IoShards::forCamera(std::string_view cameraId) {
  return *contexts_[std::hash<std::string_view>{}(cameraId) % contexts_.size()];
}

std::size_t IoShards::indexOf(const net::io_context& context) const {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    if (contexts_[i].get() == &context) return i;
  }
  return 0;
}

void IoShards::run() {
  // A shard with no connection yet must not return from run(): each keeps a work guard
  // until stop().
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  for (auto& context : contexts_) guards.push_back(net::make_work_guard(*context));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads.emplace_back([this, i] {
      auto name = "seccam-io-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      contexts_[i]->run();
    });
  }
  contexts_.front()->run();
  for (auto& thread : threads) thread.join();
}

void IoShards::stop() {
  for (auto& context : contexts_) context->stop();
}

}  // namespace seccam::server
