#include "server/worker_pool.hpp"

#include <spdlog/spdlog.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

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
// Workers run under SCHED_IDLE: an IO thread that wakes up preempts a worker at once, so a
// storm of Argon2id sign-ins takes only the CPU that signaling leaves (docs/PERFORMANCE.md,
// sign-in storm). Where SCHED_IDLE is refused, a lower nice value is the fallback.
constexpr int kWorkerNiceness = 19;

void lowerThisThreadsPriority() {
  sched_param param{};
  if (::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &param) == 0) return;
  auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  if (::setpriority(PRIO_PROCESS, tid, kWorkerNiceness) != 0) {
    spdlog::debug("could not lower a worker thread's priority");
  }
}
}  // namespace

struct WorkerPool::Impl {
  boost::asio::io_context queue;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> keepAlive{
      queue.get_executor()};
  std::vector<std::thread> threads;
  std::once_flag joined;
};

WorkerPool::WorkerPool(int threads) : impl_(std::make_unique<Impl>()) {
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this] {
      lowerThisThreadsPriority();
      impl_->queue.run();
    });
  }
}

WorkerPool::~WorkerPool() { join(); }

void WorkerPool::post(std::function<void()> work) {
  boost::asio::post(impl_->queue, [work = std::move(work)] {
    // One failed job must not take a worker thread (or the process) with it.
    try {
      work();
    } catch (const std::exception& e) {
      spdlog::error("worker job failed: {}", e.what());
    }
  });
}

void WorkerPool::join() {
  std::call_once(impl_->joined, [this] {
    impl_->keepAlive.reset();  // run() returns once the queue is empty
    for (auto& t : impl_->threads) t.join();
  });
}

}  // namespace seccam::server
