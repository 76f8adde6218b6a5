#include "server/worker_pool.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>

using namespace seccam::server;

TEST(WorkerPool, ABoundedQueueRefusesPastItsSizeAndRunsWhatItTook) {
  WorkerPool pool({1, "test-bounded", WorkerPriority::normal, 2});
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  std::atomic<int> ran{0};
  // The one thread is busy with this job until released...
  ASSERT_TRUE(pool.tryPost([&, gate] {
    started.set_value();
    gate.wait();
    ++ran;
  }));
  started.get_future().wait();
  // ...so two more wait, and the next is refused.
  EXPECT_TRUE(pool.tryPost([&] { ++ran; }));
  EXPECT_TRUE(pool.tryPost([&] { ++ran; }));
  EXPECT_EQ(pool.queued(), 2u);
  EXPECT_FALSE(pool.tryPost([&] { ++ran; }));
  // post() is for work that must not be dropped: it ignores the bound.
  pool.post([&] { ++ran; });
  release.set_value();
  pool.join();
  EXPECT_EQ(ran.load(), 4);
  EXPECT_EQ(pool.queued(), 0u);
}

namespace {
struct ThreadFacts {
  int policy = -1;
  int nice = 0;
  std::string name;
};
ThreadFacts factsOfWorker(WorkerPool& pool) {
  std::promise<ThreadFacts> facts;
  pool.post([&] {
    ThreadFacts f;
    sched_param param{};
    ::pthread_getschedparam(::pthread_self(), &f.policy, &param);
    f.nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
    char name[16] = {};
    ::pthread_getname_np(::pthread_self(), name, sizeof name);
    f.name = name;
    facts.set_value(f);
  });
  return facts.get_future().get();
}
}  // namespace

// SCHED_IDLE starved database work (and sign-ups) whenever anything else kept the CPU busy.
TEST(WorkerPool, NoPoolRunsInTheIdleSchedulingClass) {
  WorkerPool database({1, "test-db", WorkerPriority::normal, 0});
  auto db = factsOfWorker(database);
  EXPECT_EQ(db.policy, SCHED_OTHER);
  EXPECT_EQ(db.nice, ::getpriority(PRIO_PROCESS, 0));
  EXPECT_EQ(db.name, "test-db");

  WorkerPool hashing({1, "test-hash", WorkerPriority::background, 0});
  auto hash = factsOfWorker(hashing);
  EXPECT_EQ(hash.policy, SCHED_OTHER);
  EXPECT_GT(hash.nice, db.nice);
  EXPECT_EQ(hash.name, "test-hash");
}
