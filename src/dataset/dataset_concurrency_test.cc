// Concurrent writers on one dataset in a local directory: every
// acknowledged commit is in the final version, versions are contiguous and
// counts add up.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "dataset/dataset_test_util.h"

namespace ixray::dataset {
namespace {

using ::ixray::testing::HasCode;
using ::ixray::testing::Ids;
using ::ixray::testing::IsOk;
using ::ixray::testing::MakeIdBatch;
using ::ixray::testing::ReadAllRows;
using ::ixray::testing::TempDir;
using ::ixray::testing::WriteBatches;

constexpr int kThreads = 4;
constexpr int kAppendsPerThread = 6;
constexpr int64_t kRowsPerAppend = 5;

TEST(DatasetConcurrencyTest, ConcurrentAppendsAndDeletes) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string uri = JoinPath(dir.path(), "ds");
  auto fs = LocalFileSystem();
  // Ids < 1000 are seeded; writer t appends ids 1000 * (t + 1) + ...
  ASSERT_TRUE(IsOk(WriteBatches({MakeIdBatch(0, 100)}, uri, fs)));

  std::mutex mutex;
  std::set<int64_t> acknowledged;  // ids of acknowledged appends
  std::atomic<int> commits{1};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppendsPerThread; ++i) {
        const int64_t first = 1000 * (t + 1) + i * kRowsPerAppend;
        auto appended =
            WriteBatches({MakeIdBatch(first, kRowsPerAppend)}, uri, fs, WriteMode::kAppend);
        if (appended.ok()) {
          std::lock_guard lock(mutex);
          for (int64_t id = first; id < first + kRowsPerAppend; ++id) acknowledged.insert(id);
          ++commits;
        } else {
          EXPECT_TRUE(HasCode(appended, StatusCode::kConflict));
          ++failures;
        }
        // Every other round, delete one seeded row per thread: the threads'
        // deletes collide on fragment 0 and retry.
        if (i % 2 == 0) {
          auto ds = Dataset::Open(uri, OpenOptions{std::nullopt, fs});
          ASSERT_TRUE(IsOk(ds));
          auto deleted = (*ds)->Delete("id = " + std::to_string(t * 10 + i));
          if (deleted.ok()) {
            ++commits;
          } else {
            EXPECT_TRUE(HasCode(deleted, StatusCode::kConflict));
            ++failures;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  auto ds = Dataset::Open(uri, OpenOptions{std::nullopt, fs});
  ASSERT_TRUE(IsOk(ds));
  auto versions = (*ds)->Versions();
  ASSERT_TRUE(IsOk(versions));
  ASSERT_EQ(static_cast<int>(versions->size()), commits.load());
  for (size_t i = 0; i < versions->size(); ++i) EXPECT_EQ((*versions)[i].version, i + 1);
  EXPECT_EQ((*ds)->version(), static_cast<uint64_t>(commits.load()));
  EXPECT_EQ(failures.load(), 0) << "commits gave up under moderate contention";

  auto rows = ReadAllRows(**ds);
  ASSERT_TRUE(IsOk(rows));
  const std::vector<int64_t> ids = Ids(**rows);
  std::set<int64_t> present(ids.begin(), ids.end());
  EXPECT_EQ(present.size(), ids.size()) << "a row appears twice";
  for (int64_t id : acknowledged) EXPECT_EQ(present.count(id), 1u) << "lost row " << id;
  int deleted = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kAppendsPerThread; i += 2) {
      EXPECT_EQ(present.count(t * 10 + i), 0u);
      ++deleted;
    }
  }
  EXPECT_EQ(*(*ds)->CountRows(), 100 - deleted + static_cast<int64_t>(acknowledged.size()));
  EXPECT_EQ(static_cast<int64_t>(ids.size()), *(*ds)->CountRows());
  // No temporary manifest is left behind.
  auto entries = fs->ListDir(JoinPath(uri, "_versions"));
  ASSERT_TRUE(IsOk(entries));
  EXPECT_EQ(static_cast<int>(entries->size()), commits.load());
}

TEST(DatasetConcurrencyTest, OverwriteRacingAppend) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  auto fs = LocalFileSystem();
  for (int round = 0; round < 8; ++round) {
    const std::string uri = JoinPath(dir.path(), "race" + std::to_string(round));
    ASSERT_TRUE(IsOk(WriteBatches({MakeIdBatch(0, 10)}, uri, fs)));
    auto base = Dataset::Open(uri, OpenOptions{std::nullopt, fs});
    ASSERT_TRUE(IsOk(base));

    Result<std::shared_ptr<Dataset>> appended = Status::Internal("not run");
    Result<std::shared_ptr<Dataset>> overwritten = Status::Internal("not run");
    std::thread appender(
        [&] { appended = WriteBatches({MakeIdBatch(100, 5)}, uri, fs, WriteMode::kAppend); });
    std::thread overwriter(
        [&] { overwritten = WriteBatches({MakeIdBatch(500, 3)}, uri, fs, WriteMode::kOverwrite); });
    appender.join();
    overwriter.join();
    ASSERT_TRUE(IsOk(overwritten));

    auto final_ds = Dataset::Open(uri, OpenOptions{std::nullopt, fs});
    ASSERT_TRUE(IsOk(final_ds));
    auto rows = ReadAllRows(**final_ds);
    ASSERT_TRUE(IsOk(rows));
    const auto ids = Ids(**rows);
    const uint64_t overwrite_version = (*overwritten)->version();
    if (!appended.ok()) {
      EXPECT_TRUE(HasCode(appended, StatusCode::kConflict));
      EXPECT_EQ((*final_ds)->version(), 2u);
      EXPECT_EQ(ids, (std::vector<int64_t>{500, 501, 502}));
    } else if ((*appended)->version() < overwrite_version) {
      // The append landed first; the overwrite replaced it.
      EXPECT_EQ((*final_ds)->version(), 3u);
      EXPECT_EQ(ids, (std::vector<int64_t>{500, 501, 502}));
    } else {
      // The append read the overwritten version: it came after, knowingly.
      const Transaction& append = DatasetImpl::From(**appended).manifest().transaction;
      EXPECT_GE(append.read_version, overwrite_version) << "an append rebased over an overwrite";
      EXPECT_EQ(ids, (std::vector<int64_t>{500, 501, 502, 100, 101, 102, 103, 104}));
    }
  }
}

}  // namespace
}  // namespace ixray::dataset
