#include "server/worker_pool.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <exception>

namespace seccam::server {

struct WorkerPool::Impl {
  explicit Impl(int threads) : pool(static_cast<std::size_t>(threads)) {}
  boost::asio::thread_pool pool;
};

WorkerPool::WorkerPool(int threads) : impl_(std::make_unique<Impl>(threads)) {}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::post(std::function<void()> work) {
  boost::asio::post(impl_->pool, [work = std::move(work)] {
    // One failed job must not take a worker thread (or the process) with it.
    try {
      work();
    } catch (const std::exception& e) {
      spdlog::error("worker job failed: {}", e.what());
    }
  });
}

void WorkerPool::join() { impl_->pool.join(); }

}  // namespace seccam::server
