// The worker pool: threads for everything that may block (password hashing, database
// work), so that the IO threads only ever do IO.
#pragma once

#include <functional>
#include <memory>

namespace seccam::server {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();  // waits for queued work to finish
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void post(std::function<void()> work);
  // Runs what is queued, then stops the threads.
  void join();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seccam::server
