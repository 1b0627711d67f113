// Tests of FaultInjectionFileSystem itself, and through it of the crash
// safety of WriteFileAtomicNoReplace, over both the memory and local
// backends.

#include "io/fault_injection_file_system.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

namespace ixray {
namespace {

::testing::AssertionResult IsOk(const Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}

template <typename T>
::testing::AssertionResult IsOk(const Result<T>& result) {
  return IsOk(result.status());
}

struct Backend {
  std::string name;
  bool is_local;
};

class FaultInjectionFileSystemTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam().is_local) {
      base_ = LocalFileSystem();
      char dir[] = "/tmp/ixray_fault_test_XXXXXX";
      ASSERT_NE(::mkdtemp(dir), nullptr);
      root_ = dir;
    } else {
      base_ = MakeMemoryFileSystem();
      root_ = "/root";
      ASSERT_TRUE(IsOk(base_->CreateDir(root_)));
    }
    fs_ = std::make_unique<FaultInjectionFileSystem>(base_);
  }

  void TearDown() override { EXPECT_TRUE(IsOk(base_->DeleteDirRecursive(root_))); }

  std::string Path(std::string_view relative) const { return JoinPath(root_, relative); }

  // The contents of `path` in the wrapped file system, or "<missing>".
  std::string Contents(const std::string& path) {
    if (!*base_->Exists(path)) return "<missing>";
    Result<std::string> contents = ReadWholeFile(*base_, path);
    EXPECT_TRUE(IsOk(contents));
    return contents.ValueOr("<error>");
  }

  std::vector<std::string> ListNames(const std::string& dir) {
    std::vector<std::string> names;
    auto children = base_->ListDir(dir);
    if (!children.ok()) return names;
    for (const FileInfo& info : *children) names.push_back(info.path.substr(dir.size() + 1));
    return names;
  }

  std::shared_ptr<FileSystem> base_;
  std::unique_ptr<FaultInjectionFileSystem> fs_;
  std::string root_;
};

TEST_P(FaultInjectionFileSystemTest, CountsMutatingStepsOnly) {
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, Path("m"), "contents")));
  // OpenForWrite, Append, Sync, Close, PublishNoReplace, SyncDir.
  EXPECT_EQ(fs_->steps(), 6);
  ASSERT_TRUE(IsOk(ReadWholeFile(*fs_, Path("m"))));
  ASSERT_TRUE(IsOk(fs_->Stat(Path("m"))));
  ASSERT_TRUE(IsOk(fs_->ListDir(root_)));
  EXPECT_EQ(fs_->steps(), 6);
  ASSERT_TRUE(IsOk(fs_->DeleteFile(Path("m"))));
  EXPECT_EQ(fs_->steps(), 7);
  fs_->Reset();
  EXPECT_EQ(fs_->steps(), 0);
}

TEST_P(FaultInjectionFileSystemTest, FailsTheArmedStepAndEveryLaterOne) {
  fs_->FailAtStep(3);
  auto file = fs_->OpenForWrite(Path("f"));  // step 1
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk((*file)->Append(std::string_view("ab"))));  // step 2
  const Status failed = (*file)->Sync();                       // step 3
  EXPECT_EQ(failed.code(), StatusCode::kIOError);
  EXPECT_NE(failed.message().find("injected fault at step 3"), std::string::npos)
      << failed.ToString();
  EXPECT_EQ((*file)->Append(std::string_view("c")).code(), StatusCode::kIOError);
  EXPECT_EQ(fs_->CreateDir(Path("d")).code(), StatusCode::kIOError);
  EXPECT_EQ(fs_->DeleteFile(Path("f")).code(), StatusCode::kIOError);
  EXPECT_FALSE(*base_->Exists(Path("d")));  // failed steps never reach the base
  EXPECT_EQ(Contents(Path("f")), "ab");
  EXPECT_EQ(fs_->steps(), 6);

  fs_->Reset();
  EXPECT_TRUE(IsOk(fs_->CreateDir(Path("d"))));
  EXPECT_TRUE(IsOk((*file)->Close()));
  EXPECT_EQ(fs_->steps(), 2);
}

// The property commits rely on: a crash at any point of
// WriteFileAtomicNoReplace leaves no file or the complete file, never a part,
// and no temporary files once the crash is simulated.
TEST_P(FaultInjectionFileSystemTest, WriteFileAtomicNoReplaceIsAtomicAtEveryCrashPoint) {
  const std::string contents(10000, 'm');
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, Path("count/m"), contents)));
  const int64_t total_steps = fs_->steps();
  ASSERT_GT(total_steps, 0);

  for (int64_t n = 1; n <= total_steps + 1; ++n) {
    SCOPED_TRACE("failing at step " + std::to_string(n) + " of " + std::to_string(total_steps));
    const std::string dir = Path("run" + std::to_string(n));
    const std::string path = JoinPath(dir, "1.manifest");
    ASSERT_TRUE(IsOk(base_->CreateDir(dir)));
    ASSERT_TRUE(IsOk(base_->SyncDir(dir)));
    fs_->Reset();
    fs_->FailAtStep(n);
    const Status status = WriteFileAtomicNoReplace(*fs_, path, contents);
    EXPECT_EQ(status.ok(), n > total_steps) << status.ToString();

    const std::string before_crash = Contents(path);
    EXPECT_TRUE(before_crash == "<missing>" || before_crash == contents);
    ASSERT_TRUE(IsOk(fs_->SimulateCrash()));
    const std::string after_crash = Contents(path);
    EXPECT_TRUE(after_crash == "<missing>" || after_crash == contents);
    if (n > total_steps) {
      EXPECT_EQ(after_crash, contents);  // success is durable
    }

    const std::vector<std::string> names = ListNames(dir);
    EXPECT_TRUE(names.empty() || names == std::vector<std::string>{"1.manifest"})
        << names.size() << " files left, first: " << names.front();
  }
}

// A crashing writer of a path that exists never damages the existing file.
TEST_P(FaultInjectionFileSystemTest, CrashWhileLosingARaceKeepsTheWinner) {
  const std::string path = Path("v/1.manifest");
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, path, "winner")));
  fs_->Reset();
  ASSERT_EQ(WriteFileAtomicNoReplace(*fs_, path, "loser").code(), StatusCode::kAlreadyExists);
  const int64_t total_steps = fs_->steps();
  for (int64_t n = 1; n <= total_steps; ++n) {
    SCOPED_TRACE("failing at step " + std::to_string(n));
    fs_->Reset();
    fs_->FailAtStep(n);
    EXPECT_FALSE(WriteFileAtomicNoReplace(*fs_, path, "loser").ok());
    ASSERT_TRUE(IsOk(fs_->SimulateCrash()));
    EXPECT_EQ(Contents(path), "winner");
    EXPECT_EQ(ListNames(Path("v")), std::vector<std::string>{"1.manifest"});
  }
}

TEST_P(FaultInjectionFileSystemTest, SimulateCrashDropsUnsyncedData) {
  ASSERT_TRUE(IsOk(base_->CreateDir(Path("d"))));
  {
    auto old = base_->OpenForWrite(Path("d/untracked"));  // not written through fs_
    ASSERT_TRUE(IsOk(old));
    ASSERT_TRUE(IsOk((*old)->Append(std::string_view("never touched"))));
    ASSERT_TRUE(IsOk((*old)->Close()));
  }
  auto partly_synced = fs_->OpenForWrite(Path("d/partly_synced"));
  ASSERT_TRUE(IsOk(partly_synced));
  ASSERT_TRUE(IsOk((*partly_synced)->Append(std::string_view("hello"))));
  ASSERT_TRUE(IsOk((*partly_synced)->Sync()));
  ASSERT_TRUE(IsOk((*partly_synced)->Append(std::string_view(" world"))));
  auto never_synced = fs_->OpenForWrite(Path("d/never_synced"));
  ASSERT_TRUE(IsOk(never_synced));
  ASSERT_TRUE(IsOk((*never_synced)->Append(std::string_view("lost"))));
  ASSERT_TRUE(IsOk((*never_synced)->Close()));
  ASSERT_TRUE(IsOk(fs_->SyncDir(Path("d"))));  // both names are now durable

  // A published file follows its data: synced, published, directory synced.
  auto tmp = fs_->OpenForWrite(Path("d/p.tmp"));
  ASSERT_TRUE(IsOk(tmp));
  ASSERT_TRUE(IsOk((*tmp)->Append(std::string_view("published"))));
  ASSERT_TRUE(IsOk((*tmp)->Sync()));
  ASSERT_TRUE(IsOk((*tmp)->Append(std::string_view(" and more"))));
  ASSERT_TRUE(IsOk((*tmp)->Close()));
  ASSERT_TRUE(IsOk(fs_->PublishNoReplace(Path("d/p.tmp"), Path("d/p"))));
  ASSERT_TRUE(IsOk(fs_->SyncDir(Path("d"))));
  // Fully synced data, but the name was never made durable by a SyncDir.
  auto unnamed = fs_->OpenForWrite(Path("d/name_not_synced"));
  ASSERT_TRUE(IsOk(unnamed));
  ASSERT_TRUE(IsOk((*unnamed)->Append(std::string_view("data"))));
  ASSERT_TRUE(IsOk((*unnamed)->Sync()));
  ASSERT_TRUE(IsOk((*unnamed)->Close()));

  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, Path("other/q"), "q")));
  ASSERT_TRUE(IsOk(fs_->PublishNoReplace(Path("other/q"), Path("d/q"))));  // not dir-synced

  EXPECT_EQ(Contents(Path("d/partly_synced")), "hello world");
  ASSERT_TRUE(IsOk(fs_->SimulateCrash()));
  EXPECT_EQ(fs_->steps(), 0);

  EXPECT_EQ(Contents(Path("d/partly_synced")), "hello");
  EXPECT_EQ(Contents(Path("d/never_synced")), "");
  EXPECT_EQ(Contents(Path("d/name_not_synced")), "<missing>");
  EXPECT_EQ(Contents(Path("d/untracked")), "never touched");
  EXPECT_EQ(Contents(Path("d/p")), "published");
  EXPECT_EQ(Contents(Path("d/q")), "<missing>");
  EXPECT_EQ(Contents(Path("other/q")), "<missing>");  // its name moved away durably

  // Handles from before the crash are dead; the file system works again.
  EXPECT_EQ((*partly_synced)->Append(std::string_view("!")).code(), StatusCode::kIOError);
  EXPECT_EQ((*partly_synced)->Sync().code(), StatusCode::kIOError);
  EXPECT_EQ(Contents(Path("d/partly_synced")), "hello");
  EXPECT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, Path("d/after"), "ok")));
  EXPECT_EQ(Contents(Path("d/after")), "ok");
}

TEST_P(FaultInjectionFileSystemTest, DeletedFilesAreForgotten) {
  auto file = fs_->OpenForWrite(Path("gone/f"));
  ASSERT_TRUE(IsOk(file));
  ASSERT_TRUE(IsOk((*file)->Append(std::string_view("x"))));
  ASSERT_TRUE(IsOk((*file)->Close()));
  ASSERT_TRUE(IsOk(fs_->DeleteDirRecursive(Path("gone"))));
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*base_, Path("gone/f"), "recreated behind our back")));
  ASSERT_TRUE(IsOk(fs_->SimulateCrash()));
  EXPECT_EQ(Contents(Path("gone/f")), "recreated behind our back");
}

INSTANTIATE_TEST_SUITE_P(Backends, FaultInjectionFileSystemTest,
                         ::testing::Values(Backend{"Memory", false}, Backend{"Local", true}),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace ixray
