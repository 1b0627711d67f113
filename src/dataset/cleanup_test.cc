// CleanupOldVersions: retained versions stay whole and readable, removed
// versions and the files only they used are gone, files no version names
// are removed only once older than the cutoff.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "dataset/dataset_test_util.h"
#include "ixray/maintenance.h"

namespace ixray {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using testing::TempDir;

std::set<std::string> FilesUnder(FileSystem& fs, const std::string& dir) {
  std::set<std::string> out;
  auto entries = fs.ListDir(dir);
  if (!entries.ok()) return out;
  for (const auto& e : *entries) out.insert(e.path.substr(e.path.find_last_of('/') + 1));
  return out;
}

class CleanupTest : public ::testing::Test {
 protected:
  // Versions 1..5: create, append, delete, append, delete; remembers each
  // version's rows.
  void SetUp() override {
    fs_ = MakeMemoryFileSystem();
    uri_ = "/ds";
    auto ds =
        testing::WriteBatches({testing::MakeIdBatch(0, 100)}, uri_, fs_, WriteMode::kCreate, 50);
    ASSERT_TRUE(ds.ok()) << ds.status().ToString();
    Remember(**ds);
    ds = testing::WriteBatches({testing::MakeIdBatch(100, 30)}, uri_, fs_, WriteMode::kAppend);
    ASSERT_TRUE(ds.ok());
    Remember(**ds);
    ds = (*ds)->Delete("id < 10");
    ASSERT_TRUE(ds.ok());
    Remember(**ds);
    ds = testing::WriteBatches({testing::MakeIdBatch(130, 20)}, uri_, fs_, WriteMode::kAppend);
    ASSERT_TRUE(ds.ok());
    Remember(**ds);
    ds = (*ds)->Delete("id < 20 OR id >= 140");
    ASSERT_TRUE(ds.ok());
    Remember(**ds);
    latest_ = *ds;
  }

  void Remember(const Dataset& ds) {
    auto rows = testing::ReadAllRows(ds);
    ASSERT_TRUE(rows.ok());
    rows_[ds.version()] = testing::Ids(**rows);
  }

  // Every remaining version reads all its rows; the removed ones are gone.
  void ExpectVersions(const std::set<uint64_t>& kept) {
    for (const auto& [version, ids] : rows_) {
      auto ds = Dataset::Open(uri_, OpenOptions{version, fs_});
      if (kept.count(version) == 0) {
        EXPECT_FALSE(ds.ok()) << "version " << version << " should be gone";
        continue;
      }
      ASSERT_TRUE(ds.ok()) << ds.status().ToString();
      auto rows = testing::ReadAllRows(**ds);
      ASSERT_TRUE(rows.ok()) << "version " << version << ": " << rows.status().ToString();
      EXPECT_EQ(testing::Ids(**rows), ids);
    }
  }

  // The data and deletion files the manifests of `versions` reference.
  std::set<std::string> Referenced(const std::set<uint64_t>& versions, bool deletions) {
    std::set<std::string> out;
    for (uint64_t v : versions) {
      auto ds = Dataset::Open(uri_, OpenOptions{v, fs_});
      EXPECT_TRUE(ds.ok());
      for (const auto& f : dataset::DatasetImpl::From(**ds).manifest().fragments) {
        if (deletions && f.deletion_file) {
          out.insert(f.deletion_file->path.substr(f.deletion_file->path.find('/') + 1));
        }
        if (!deletions) out.insert(f.files[0].path.substr(f.files[0].path.find('/') + 1));
      }
    }
    return out;
  }

  std::shared_ptr<FileSystem> fs_;
  std::string uri_;
  std::map<uint64_t, std::vector<int64_t>> rows_;
  std::shared_ptr<Dataset> latest_;
};

TEST_F(CleanupTest, RecentVersionsAreKept) {
  CleanupOptions options;
  options.older_than = hours(1);
  auto stats = CleanupOldVersions(uri_, options, fs_);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->removed_manifests, 0);
  EXPECT_EQ(stats->bytes_removed, 0);
  ExpectVersions({1, 2, 3, 4, 5});
}

TEST_F(CleanupTest, KeepLastKeepsTheNewestAndRemovesTheRest) {
  CleanupOptions options;
  options.keep_last = 2;
  auto stats = CleanupOldVersions(*latest_, options);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->removed_manifests, 3);
  EXPECT_GT(stats->bytes_removed, 0);
  ExpectVersions({4, 5});
  EXPECT_EQ(FilesUnder(*fs_, uri_ + "/data"), Referenced({4, 5}, false));
  EXPECT_EQ(FilesUnder(*fs_, uri_ + "/_deletions"), Referenced({4, 5}, true));
  // The dataset still takes commits.
  auto appended =
      testing::WriteBatches({testing::MakeIdBatch(500, 5)}, uri_, fs_, WriteMode::kAppend);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ((*appended)->version(), 6u);
}

TEST_F(CleanupTest, OlderThanZeroKeepsOnlyTheLatest) {
  CleanupOptions options;
  options.older_than = microseconds(0);
  auto stats = CleanupOldVersions(uri_, options, fs_);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->removed_manifests, 4);
  ExpectVersions({5});
  EXPECT_EQ(FilesUnder(*fs_, uri_ + "/data"), Referenced({5}, false));
  EXPECT_EQ(FilesUnder(*fs_, uri_ + "/_deletions"), Referenced({5}, true));
  // Again: nothing more to do.
  auto again = CleanupOldVersions(uri_, options, fs_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->removed_manifests, 0);
  EXPECT_EQ(again->bytes_removed, 0);
}

TEST_F(CleanupTest, UnreferencedFilesGoOnlyOnceOlderThanTheCutoff) {
  // What an unfinished write or a failed index build leaves behind.
  const std::string segment_dir = uri_ + "/_indices/" + dataset::NewUuid();
  for (const std::string& dir : {segment_dir, uri_ + "/_transactions"}) {
    ASSERT_TRUE(fs_->CreateDir(dir).ok());
  }
  ASSERT_TRUE(WriteFileAtomicNoReplace(*fs_, uri_ + "/data/stray.ixd", "x").ok());
  ASSERT_TRUE(WriteFileAtomicNoReplace(*fs_, segment_dir + "/index.ixi", "segment").ok());
  ASSERT_TRUE(WriteFileAtomicNoReplace(*fs_, uri_ + "/_transactions/3-abc.txn", "t").ok());
  CleanupOptions options;
  options.older_than = hours(1);
  options.keep_last = 1;
  auto stats = CleanupOldVersions(uri_, options, fs_);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->removed_manifests, 0);  // all younger than an hour
  EXPECT_EQ(stats->removed_index_segments, 0);
  EXPECT_EQ(FilesUnder(*fs_, uri_ + "/data").count("stray.ixd"), 1u);

  options.older_than = microseconds(0);
  stats = CleanupOldVersions(uri_, options, fs_);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->removed_index_segments, 1);
  EXPECT_EQ(stats->removed_transaction_files, 1);
  EXPECT_TRUE(FilesUnder(*fs_, uri_ + "/_indices").empty());
  EXPECT_EQ(FilesUnder(*fs_, uri_ + "/data"), Referenced({5}, false));
  ExpectVersions({5});
}

TEST_F(CleanupTest, BadArguments) {
  CleanupOptions options;
  options.keep_last = 0;
  EXPECT_EQ(CleanupOldVersions(uri_, options, fs_).status().code(), StatusCode::kInvalidArgument);
  options.keep_last.reset();
  options.older_than = microseconds(-1);
  EXPECT_EQ(CleanupOldVersions(uri_, options, fs_).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CleanupOldVersions("/nothing", {}, fs_).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ixray
