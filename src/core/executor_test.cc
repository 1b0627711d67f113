#include "ixray/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace ixray {
namespace {

TEST(ExecutorTest, RunsEveryTaskOnce) {
  for (auto executor : {MakeThreadPoolExecutor(4), SerialExecutor(), MakeThreadPoolExecutor(1)}) {
    std::vector<std::atomic<int>> hits(1000);
    ASSERT_TRUE(executor
                    ->ParallelFor(1000,
                                  [&](int64_t i) {
                                    hits[i]++;
                                    return Status::OK();
                                  })
                    .ok());
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  }
}

TEST(ExecutorTest, ReturnsTheFirstErrorAndSkipsTheRest) {
  auto executor = MakeThreadPoolExecutor(3);
  std::atomic<int> ran{0};
  Status st = executor->ParallelFor(10000, [&](int64_t i) {
    ran++;
    return i == 5 ? Status::IOError("task 5") : Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kIOError);
  EXPECT_LT(ran.load(), 10000);
}

TEST(ExecutorTest, NestedLoopsAndConcurrentCallersFinish) {
  auto executor = MakeThreadPoolExecutor(2);
  std::atomic<int64_t> sum{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 3; ++c) {
    callers.emplace_back([&] {
      ASSERT_TRUE(executor
                      ->ParallelFor(20,
                                    [&](int64_t) {
                                      return executor->ParallelFor(10, [&](int64_t j) {
                                        sum += j;
                                        return Status::OK();
                                      });
                                    })
                      .ok());
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(sum.load(), 3 * 20 * 45);
}

TEST(ExecutorTest, ParallelForRangeCoversEverything) {
  auto executor = MakeThreadPoolExecutor(2);
  std::vector<int> seen(1001, 0);
  ASSERT_TRUE(ParallelForRange(*executor, 1001, 10, [&](int64_t b, int64_t e) {
                for (int64_t i = b; i < e; ++i) seen[i]++;
                return Status::OK();
              }).ok());
  for (int s : seen) EXPECT_EQ(s, 1);
}

}  // namespace
}  // namespace ixray
