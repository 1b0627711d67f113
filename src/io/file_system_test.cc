// One conformance suite for every FileSystem backend: each test runs against
// the local file system (in a fresh directory under /tmp) and the in-memory
// one, and both must behave the same.

#include "ixray/file_system.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
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

::testing::AssertionResult HasCode(const Status& status, StatusCode code) {
  if (status.code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << StatusCodeName(code) << ", got " << status.ToString();
}

template <typename T>
::testing::AssertionResult HasCode(const Result<T>& result, StatusCode code) {
  if (result.ok()) return ::testing::AssertionFailure() << "expected an error, got a value";
  return HasCode(result.status(), code);
}

struct Backend {
  std::string name;
  std::shared_ptr<FileSystem> (*make)();
  bool is_local;
};

class FileSystemConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    fs_ = GetParam().make();
    if (GetParam().is_local) {
      char dir[] = "/tmp/ixray_fs_test_XXXXXX";
      ASSERT_NE(::mkdtemp(dir), nullptr);
      root_ = dir;
    } else {
      root_ = "/test_root";
      ASSERT_TRUE(IsOk(fs_->CreateDir(root_)));
    }
  }

  void TearDown() override { EXPECT_TRUE(IsOk(fs_->DeleteDirRecursive(root_))); }

  std::string Path(std::string_view relative) const { return JoinPath(root_, relative); }

  void WriteFile(const std::string& path, std::string_view contents) {
    auto file = fs_->OpenForWrite(path);
    ASSERT_TRUE(IsOk(file));
    ASSERT_TRUE(IsOk((*file)->Append(contents)));
    ASSERT_TRUE(IsOk((*file)->Sync()));
    ASSERT_TRUE(IsOk((*file)->Close()));
  }

  std::string ReadFile(const std::string& path) {
    Result<std::string> contents = ReadWholeFile(*fs_, path);
    EXPECT_TRUE(IsOk(contents)) << path;
    return contents.ValueOr("<error>");
  }

  std::vector<std::string> ListNames(const std::string& dir) {
    std::vector<std::string> names;
    auto children = fs_->ListDir(dir);
    EXPECT_TRUE(IsOk(children));
    if (!children.ok()) return names;
    for (const FileInfo& info : *children) {
      names.push_back(info.path.substr(dir.size() + 1));
    }
    return names;
  }

  std::shared_ptr<FileSystem> fs_;
  std::string root_;
};

TEST_P(FileSystemConformanceTest, WriteReadRoundTrip) {
  const std::string path = Path("a/b/c.bin");  // parents are created
  auto file = fs_->OpenForWrite(path);
  ASSERT_TRUE(IsOk(file));
  EXPECT_EQ((*file)->path(), path);
  EXPECT_EQ(*(*file)->Tell(), 0);
  const uint8_t binary[] = {0, 1, 2, 0, 255};
  ASSERT_TRUE(IsOk((*file)->Append(std::span<const uint8_t>(binary))));
  ASSERT_TRUE(IsOk((*file)->Append(std::string_view("hello"))));
  ASSERT_TRUE(IsOk((*file)->Append(std::string_view())));
  EXPECT_EQ(*(*file)->Tell(), 10);
  ASSERT_TRUE(IsOk((*file)->Sync()));
  ASSERT_TRUE(IsOk((*file)->Close()));
  ASSERT_TRUE(IsOk((*file)->Close()));  // closing twice is fine
  EXPECT_TRUE(HasCode((*file)->Append(std::string_view("x")), StatusCode::kInvalidArgument));

  EXPECT_EQ(ReadFile(path), std::string("\0\1\2\0\xff"
                                        "hello",
                                        10));
  auto reader = fs_->OpenForRead(path);
  ASSERT_TRUE(IsOk(reader));
  EXPECT_EQ((*reader)->path(), path);
  EXPECT_EQ(*(*reader)->Size(), 10);
}

TEST_P(FileSystemConformanceTest, OpenForWriteTruncatesExistingFile) {
  const std::string path = Path("f");
  WriteFile(path, "a long first version");
  WriteFile(path, "short");
  EXPECT_EQ(ReadFile(path), "short");
}

TEST_P(FileSystemConformanceTest, LargeFileRoundTrip) {
  std::string contents(3 << 20, '\0');
  for (size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<char>(i * 131 + 7);
  WriteFile(Path("big"), contents);
  EXPECT_EQ(ReadFile(Path("big")), contents);
}

TEST_P(FileSystemConformanceTest, ReadAtRanges) {
  const std::string path = Path("digits");
  WriteFile(path, "0123456789");
  auto opened = fs_->OpenForRead(path);
  ASSERT_TRUE(IsOk(opened));
  const RandomAccessFile& file = **opened;

  auto read = [&](int64_t offset, int64_t length) -> std::string {
    Result<BufferPtr> bytes = file.ReadAt(offset, length);
    EXPECT_TRUE(IsOk(bytes)) << offset << "+" << length;
    return bytes.ok() ? std::string((*bytes)->view()) : "<error>";
  };
  EXPECT_EQ(read(0, 10), "0123456789");
  EXPECT_EQ(read(3, 4), "3456");
  EXPECT_EQ(read(9, 1), "9");
  EXPECT_EQ(read(10, 0), "");
  EXPECT_EQ(read(4, 0), "");

  EXPECT_TRUE(HasCode(file.ReadAt(0, 11), StatusCode::kIOError));
  EXPECT_TRUE(HasCode(file.ReadAt(8, 3), StatusCode::kIOError));
  EXPECT_TRUE(HasCode(file.ReadAt(11, 0), StatusCode::kIOError));
  EXPECT_TRUE(HasCode(file.ReadAt(100, 5), StatusCode::kIOError));
  EXPECT_TRUE(HasCode(file.ReadAt(-1, 2), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(file.ReadAt(0, -2), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(file.ReadAt(1, INT64_MAX), StatusCode::kInvalidArgument));

  const Status past_end = file.ReadAt(8, 3).status();
  EXPECT_NE(past_end.message().find("past end"), std::string::npos) << past_end.ToString();
  EXPECT_NE(past_end.message().find(path), std::string::npos) << past_end.ToString();
}

TEST_P(FileSystemConformanceTest, ConcurrentReadAt) {
  std::string contents(1 << 16, '\0');
  for (size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<char>(i % 251);
  WriteFile(Path("shared"), contents);
  auto opened = fs_->OpenForRead(Path("shared"));
  ASSERT_TRUE(IsOk(opened));
  const RandomAccessFile& file = **opened;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const int64_t offset = (t * 7919 + i * 104729) % (contents.size() - 100);
        Result<BufferPtr> bytes = file.ReadAt(offset, 100);
        if (!bytes.ok() || (*bytes)->view() != std::string_view(contents).substr(offset, 100)) {
          ++mismatches;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_P(FileSystemConformanceTest, OpenForReadErrors) {
  EXPECT_TRUE(HasCode(fs_->OpenForRead(Path("missing")), StatusCode::kNotFound));
  ASSERT_TRUE(IsOk(fs_->CreateDir(Path("dir"))));
  EXPECT_TRUE(HasCode(fs_->OpenForRead(Path("dir")), StatusCode::kIOError));
  EXPECT_TRUE(HasCode(fs_->OpenForWrite(Path("dir")), StatusCode::kIOError));
  WriteFile(Path("file"), "x");
  EXPECT_TRUE(HasCode(fs_->OpenForRead(Path("file/child")), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(fs_->OpenForWrite(Path("file/child")), StatusCode::kIOError));
}

TEST_P(FileSystemConformanceTest, OpenHandleSurvivesDelete) {
  WriteFile(Path("f"), "still here");
  auto reader = fs_->OpenForRead(Path("f"));
  ASSERT_TRUE(IsOk(reader));
  ASSERT_TRUE(IsOk(fs_->DeleteFile(Path("f"))));
  Result<BufferPtr> bytes = (*reader)->ReadAt(0, 10);
  ASSERT_TRUE(IsOk(bytes));
  EXPECT_EQ((*bytes)->view(), "still here");
}

TEST_P(FileSystemConformanceTest, StatAndExists) {
  WriteFile(Path("dir/file"), "12345");
  Result<FileInfo> file = fs_->Stat(Path("dir/file"));
  ASSERT_TRUE(IsOk(file));
  EXPECT_EQ(file->path, Path("dir/file"));
  EXPECT_EQ(file->size, 5);
  EXPECT_FALSE(file->is_dir);
  EXPECT_GT(file->mtime_ns, 0);

  Result<FileInfo> dir = fs_->Stat(Path("dir"));
  ASSERT_TRUE(IsOk(dir));
  EXPECT_TRUE(dir->is_dir);
  EXPECT_EQ(dir->size, 0);

  EXPECT_TRUE(HasCode(fs_->Stat(Path("nope")), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(fs_->Stat(Path("dir/file/below")), StatusCode::kNotFound));
  EXPECT_TRUE(*fs_->Exists(Path("dir")));
  EXPECT_TRUE(*fs_->Exists(Path("dir/file")));
  EXPECT_FALSE(*fs_->Exists(Path("nope")));
  EXPECT_FALSE(*fs_->Exists(Path("dir/file/below")));
}

TEST_P(FileSystemConformanceTest, ListDirIsSortedAndShallow) {
  WriteFile(Path("d/b"), "bb");
  WriteFile(Path("d/a.b"), "");
  WriteFile(Path("d/a/deep"), "x");
  WriteFile(Path("d/C"), "c");
  WriteFile(Path("d/_versions/1.manifest"), "m");
  EXPECT_EQ(ListNames(Path("d")), (std::vector<std::string>{"C", "_versions", "a", "a.b", "b"}));

  auto children = fs_->ListDir(Path("d"));
  ASSERT_TRUE(IsOk(children));
  ASSERT_EQ(children->size(), 5u);
  EXPECT_TRUE((*children)[1].is_dir);
  EXPECT_FALSE((*children)[4].is_dir);
  EXPECT_EQ((*children)[4].path, Path("d/b"));
  EXPECT_EQ((*children)[4].size, 2);

  ASSERT_TRUE(IsOk(fs_->CreateDir(Path("empty"))));
  EXPECT_TRUE(ListNames(Path("empty")).empty());
  EXPECT_TRUE(HasCode(fs_->ListDir(Path("missing")), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(fs_->ListDir(Path("d/b")), StatusCode::kIOError));
}

TEST_P(FileSystemConformanceTest, CreateDirIsRecursiveAndIdempotent) {
  ASSERT_TRUE(IsOk(fs_->CreateDir(Path("x/y/z"))));
  ASSERT_TRUE(IsOk(fs_->CreateDir(Path("x/y/z"))));
  ASSERT_TRUE(IsOk(fs_->CreateDir(Path("x/y"))));
  EXPECT_TRUE(fs_->Stat(Path("x/y/z"))->is_dir);
  WriteFile(Path("x/file"), "f");
  EXPECT_TRUE(HasCode(fs_->CreateDir(Path("x/file")), StatusCode::kIOError));
  EXPECT_TRUE(HasCode(fs_->CreateDir(Path("x/file/sub")), StatusCode::kIOError));
}

TEST_P(FileSystemConformanceTest, DeleteFile) {
  WriteFile(Path("f"), "x");
  ASSERT_TRUE(IsOk(fs_->DeleteFile(Path("f"))));
  EXPECT_FALSE(*fs_->Exists(Path("f")));
  EXPECT_TRUE(HasCode(fs_->DeleteFile(Path("f")), StatusCode::kNotFound));
  ASSERT_TRUE(IsOk(fs_->CreateDir(Path("dir"))));
  EXPECT_TRUE(HasCode(fs_->DeleteFile(Path("dir")), StatusCode::kIOError));
}

TEST_P(FileSystemConformanceTest, DeleteDirRecursive) {
  WriteFile(Path("tree/a"), "a");
  WriteFile(Path("tree/sub/b"), "b");
  WriteFile(Path("tree/sub/deeper/c"), "c");
  WriteFile(Path("tree2/keep"), "k");  // a sibling sharing the prefix survives
  ASSERT_TRUE(IsOk(fs_->DeleteDirRecursive(Path("tree"))));
  EXPECT_FALSE(*fs_->Exists(Path("tree")));
  EXPECT_FALSE(*fs_->Exists(Path("tree/sub/b")));
  EXPECT_EQ(ReadFile(Path("tree2/keep")), "k");
  EXPECT_TRUE(HasCode(fs_->DeleteDirRecursive(Path("tree")), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(fs_->DeleteDirRecursive(Path("tree2/keep")), StatusCode::kIOError));
}

TEST_P(FileSystemConformanceTest, SyncDir) {
  WriteFile(Path("d/f"), "x");
  EXPECT_TRUE(IsOk(fs_->SyncDir(Path("d"))));
  EXPECT_TRUE(HasCode(fs_->SyncDir(Path("missing")), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(fs_->SyncDir(Path("d/f")), StatusCode::kIOError));
}

TEST_P(FileSystemConformanceTest, PublishNoReplaceMovesTheFile) {
  WriteFile(Path("v/1.tmp"), "version one");
  ASSERT_TRUE(IsOk(fs_->PublishNoReplace(Path("v/1.tmp"), Path("v/1.manifest"))));
  EXPECT_EQ(ReadFile(Path("v/1.manifest")), "version one");
  EXPECT_FALSE(*fs_->Exists(Path("v/1.tmp")));
  EXPECT_EQ(ListNames(Path("v")), std::vector<std::string>{"1.manifest"});
}

TEST_P(FileSystemConformanceTest, PublishNoReplaceNeverOverwrites) {
  WriteFile(Path("v/1.manifest"), "the winner");
  WriteFile(Path("v/1.tmp"), "the loser");
  EXPECT_TRUE(HasCode(fs_->PublishNoReplace(Path("v/1.tmp"), Path("v/1.manifest")),
                      StatusCode::kAlreadyExists));
  EXPECT_EQ(ReadFile(Path("v/1.manifest")), "the winner");
  EXPECT_EQ(ReadFile(Path("v/1.tmp")), "the loser");

  ASSERT_TRUE(IsOk(fs_->CreateDir(Path("v/dir"))));
  EXPECT_TRUE(
      HasCode(fs_->PublishNoReplace(Path("v/1.tmp"), Path("v/dir")), StatusCode::kAlreadyExists));
  EXPECT_EQ(ReadFile(Path("v/1.tmp")), "the loser");
}

TEST_P(FileSystemConformanceTest, PublishNoReplaceErrors) {
  EXPECT_TRUE(
      HasCode(fs_->PublishNoReplace(Path("missing.tmp"), Path("final")), StatusCode::kNotFound));
  EXPECT_FALSE(*fs_->Exists(Path("final")));
  WriteFile(Path("t.tmp"), "t");
  EXPECT_TRUE(HasCode(fs_->PublishNoReplace(Path("t.tmp"), Path("no/such/dir/final")),
                      StatusCode::kNotFound));
  EXPECT_EQ(ReadFile(Path("t.tmp")), "t");
  ASSERT_TRUE(IsOk(fs_->CreateDir(Path("a_dir"))));
  EXPECT_TRUE(HasCode(fs_->PublishNoReplace(Path("a_dir"), Path("final")), StatusCode::kIOError));
  EXPECT_FALSE(*fs_->Exists(Path("final")));
}

TEST_P(FileSystemConformanceTest, ConcurrentPublishNoReplaceHasOneWinner) {
  constexpr int kThreads = 8;
  const std::string final_path = Path("_versions/7.manifest");
  for (int i = 0; i < kThreads; ++i) {
    WriteFile(Path("_versions/7.manifest.tmp-" + std::to_string(i)), "writer " + std::to_string(i));
  }
  std::atomic<int> ready{0};
  std::vector<Status> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kThreads) {
      }  // start together to maximize contention
      results[i] =
          fs_->PublishNoReplace(Path("_versions/7.manifest.tmp-" + std::to_string(i)), final_path);
    });
  }
  for (std::thread& thread : threads) thread.join();

  int winner = -1;
  for (int i = 0; i < kThreads; ++i) {
    if (results[i].ok()) {
      EXPECT_EQ(winner, -1) << "two winners: " << winner << " and " << i;
      winner = i;
    } else {
      EXPECT_TRUE(HasCode(results[i], StatusCode::kAlreadyExists));
      // A loser's temporary file is left exactly as it was.
      EXPECT_EQ(ReadFile(Path("_versions/7.manifest.tmp-" + std::to_string(i))),
                "writer " + std::to_string(i));
    }
  }
  ASSERT_NE(winner, -1);
  EXPECT_EQ(ReadFile(final_path), "writer " + std::to_string(winner));
  EXPECT_FALSE(*fs_->Exists(Path("_versions/7.manifest.tmp-" + std::to_string(winner))));
}

TEST_P(FileSystemConformanceTest, WriteFileAtomicNoReplace) {
  const std::string path = Path("_versions/1.manifest");
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, path, "first")));
  EXPECT_EQ(ReadFile(path), "first");
  EXPECT_TRUE(HasCode(WriteFileAtomicNoReplace(*fs_, path, "second"), StatusCode::kAlreadyExists));
  EXPECT_EQ(ReadFile(path), "first");
  // No temporary file is left behind, whether the write won or lost.
  EXPECT_EQ(ListNames(Path("_versions")), std::vector<std::string>{"1.manifest"});
}

TEST_P(FileSystemConformanceTest, ReadWholeFile) {
  WriteFile(Path("empty"), "");
  EXPECT_EQ(ReadFile(Path("empty")), "");
  EXPECT_TRUE(HasCode(ReadWholeFile(*fs_, Path("missing")), StatusCode::kNotFound));
}

INSTANTIATE_TEST_SUITE_P(Backends, FileSystemConformanceTest,
                         ::testing::Values(Backend{"Local", &LocalFileSystem, true},
                                           Backend{"Memory", &MakeMemoryFileSystem, false}),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

TEST(FileSystemPathTest, JoinPath) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
}

TEST(FileSystemPathTest, ParentDir) {
  EXPECT_EQ(ParentDir("a/b"), "a");
  EXPECT_EQ(ParentDir("a/b/"), "a");
  EXPECT_EQ(ParentDir("/a"), "/");
  EXPECT_EQ(ParentDir("a"), ".");
  EXPECT_EQ(ParentDir("/"), "/");
  EXPECT_EQ(ParentDir(""), ".");
}

TEST(MemoryFileSystemTest, PathSpellingsNameTheSameFile) {
  std::shared_ptr<FileSystem> fs = MakeMemoryFileSystem();
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs, "/a//b/./c", "x")));
  EXPECT_EQ(*ReadWholeFile(*fs, "a/b/c"), "x");
  EXPECT_TRUE(HasCode(fs->Stat("a/../a/b/c"), StatusCode::kInvalidArgument));
  EXPECT_TRUE(fs->Stat("/")->is_dir);
}

}  // namespace
}  // namespace ixray
