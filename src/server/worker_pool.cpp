#include "server/worker_pool.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace seccam::server {
namespace {
void setUpThisThread(const WorkerPool::Options& options) {
  // Linux limits thread names to 15 characters.
  ::pthread_setname_np(::pthread_self(), options.name.substr(0, 15).c_str());
  if (options.priority == WorkerPriority::background) {
    // On Linux a nice value is per thread (setpriority on the thread ID).
    auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    if (::setpriority(PRIO_PROCESS, tid, kBackgroundNiceness) != 0) {
      spdlog::debug("could not lower a worker thread's priority");
    }
  }
}
}  // namespace

struct WorkerPool::Impl {
  Options options;
  boost::asio::io_context queue;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> keepAlive{
      queue.get_executor()};
  std::atomic<std::size_t> waiting{0};
  std::vector<std::thread> threads;
  std::once_flag joined;
};

WorkerPool::WorkerPool(int threads) : WorkerPool(Options{threads}) {}

WorkerPool::WorkerPool(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  for (int i = 0; i < impl_->options.threads; ++i) {
    impl_->threads.emplace_back([this] {
      setUpThisThread(impl_->options);
      impl_->queue.run();
    });
  }
}

WorkerPool::~WorkerPool() { join(); }

namespace {
// Queues a job already counted in `waiting`.
void enqueue(boost::asio::io_context& queue, std::atomic<std::size_t>& waiting,
             std::function<void()> work) {
  boost::asio::post(queue, [&waiting, work = std::move(work)] {
    waiting.fetch_sub(1, std::memory_order_relaxed);
    // One failed job must not take a worker thread (or the process) with it.
    try {
      work();
    } catch (const std::exception& e) {
      spdlog::error("worker job failed: {}", e.what());
    }
  });
}
}  // namespace

void WorkerPool::post(std::function<void()> work) {
  impl_->waiting.fetch_add(1, std::memory_order_relaxed);
  enqueue(impl_->queue, impl_->waiting, std::move(work));
}

bool WorkerPool::tryPost(std::function<void()> work) {
  auto bound = impl_->options.maxQueued;
  auto current = impl_->waiting.load(std::memory_order_relaxed);
  do {
    if (bound != 0 && current >= bound) return false;
  } while (!impl_->waiting.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  enqueue(impl_->queue, impl_->waiting, std::move(work));
  return true;
}

std::size_t WorkerPool::queued() const { return impl_->waiting.load(std::memory_order_relaxed); }

void WorkerPool::join() {
  std::call_once(impl_->joined, [this] {
    impl_->keepAlive.reset();  // run() returns once the queue is empty
    for (auto& t : impl_->threads) t.join();
  });
}

}  // namespace seccam::server
