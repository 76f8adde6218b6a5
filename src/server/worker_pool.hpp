// The worker pools: threads for everything that may block (password hashing, database
// work), so that the IO threads only ever do IO. The server runs two: database work at
// normal priority, and password hashing at a lower one with a bounded queue.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace seccam::server {

enum class WorkerPriority {
  normal,      // the default scheduling class and nice value (database work)
  background,  // a higher nice value (kBackgroundNiceness): IO threads are served first, yet
               // under any CPU load the work still gets its share and completes
};

// Nice value of background workers: CFS then gives such a thread about a tenth of what a
// normal one gets while both want the CPU; never SCHED_IDLE, under which a busy machine
// (a build) starves the work entirely and sign-ups time out.
inline constexpr int kBackgroundNiceness = 10;

class WorkerPool {
 public:
  struct Options {
    int threads = 1;
    std::string name = "seccam-worker";  // thread name, as ps and /proc show it (15 chars)
    WorkerPriority priority = WorkerPriority::normal;
    // Jobs waiting (not yet started) at most; tryPost refuses past it. 0: no bound.
    std::size_t maxQueued = 0;
  };

  explicit WorkerPool(int threads);
  explicit WorkerPool(Options options);
  ~WorkerPool();  // waits for queued work to finish
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Always queues (the bound does not apply: for work that must not be dropped).
  void post(std::function<void()> work);
  // Queues unless maxQueued jobs are already waiting; false then (the caller answers 503).
  bool tryPost(std::function<void()> work);
  std::size_t queued() const;  // jobs waiting, not yet started
  // Runs what is queued, then stops the threads.
  void join();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seccam::server
