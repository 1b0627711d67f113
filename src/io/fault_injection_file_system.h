// FaultInjectionFileSystem: a FileSystem wrapper that fails on cue and
// simulates crashes, for testing that ixray never leaves a half-done state
// visible. Modelled on LevelDB's db/fault_injection_test.cc.
//
// Internal, for tests; not part of the public API.
//
// STEPS. Every call of a mutating operation through this file system or a
// WritableFile it opened is one step, numbered 1, 2, ... since construction,
// Reset() or SimulateCrash():
//   FileSystem:   OpenForWrite, CreateDir, DeleteFile, DeleteDirRecursive,
//                 SyncDir, PublishNoReplace
//   WritableFile: Append, Sync, Close
// Reads (OpenForRead, Stat, Exists, ListDir, RandomAccessFile::*,
// WritableFile::Tell) are not steps and are never failed. Directories that
// OpenForWrite creates implicitly are part of its one step.
//
// FAILURES. After FailAtStep(n), step n and every later step fail with
// IOError("injected fault at step k ...") without reaching the wrapped file
// system, as if the process had died just before step n. To test every crash
// point of an operation: run it once unarmed and read steps() = N, then for
// n in 1..N run it on a fresh file system with FailAtStep(n).
//
// CRASH MODEL. SimulateCrash() turns the wrapped file system into what a
// machine would find after losing power at this moment, under this model:
//   1. Data. Bytes appended through this wrapper survive only up to the
//      file's length at its last successful Sync(); later bytes are dropped
//      (the file is truncated to that length, to 0 if never synced). Tracking
//      follows the file through PublishNoReplace.
//   2. Names. A file name created through this wrapper (OpenForWrite of a
//      path that did not exist, or the final path of PublishNoReplace) is
//      "pending" until a successful SyncDir of its parent directory. Pending
//      names are removed by the crash, with their files. So a temporary file
//      never dir-synced vanishes, and a published file survives only if its
//      directory was synced after the publish.
//   3. Everything else is durable at once: directories created,
//      OpenForWrite's truncation of an existing name, deletions, and the
//      removal of a published file's temporary name. Files this wrapper did
//      not write are never touched.
// The crash also invalidates every WritableFile opened before it (their
// methods then fail with IOError), forgets all tracking, disarms and sets
// steps() to 0: the file system is "rebooted" and ready for recovery code.
// Tracking is by lexically normalized path ("a//b/./c" == "a/b/c"); mixing
// spellings that only the backend resolves (symlinks, "..") is unsupported.
//
// Thread safety: all methods may be called concurrently, except that
// SimulateCrash() REQUIRES that no other operation on this file system or its
// files is in progress.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ixray/file_system.h"

namespace ixray {

class FaultInjectionFileSystem final : public FileSystem {
 public:
  // REQUIRES: `base` is not null.
  explicit FaultInjectionFileSystem(std::shared_ptr<FileSystem> base);
  ~FaultInjectionFileSystem() override;

  // Arms the wrapper: step n and every later step fail. REQUIRES: n >= 1.
  void FailAtStep(int64_t n);
  // Disarms and restarts step numbering at 0. Crash tracking is kept.
  void Reset();
  // The number of steps taken since construction, Reset() or SimulateCrash(),
  // failed ones included.
  int64_t steps() const;

  // Applies the crash model above to the wrapped file system. Returns the
  // first error the wrapped file system reported while doing so.
  Status SimulateCrash();

  Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<bool> Exists(const std::string& path) override;
  Result<std::vector<FileInfo>> ListDir(const std::string& dir) override;
  Status CreateDir(const std::string& path) override;
  Status DeleteFile(const std::string& path) override;
  Status DeleteDirRecursive(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Status PublishNoReplace(const std::string& tmp_path, const std::string& final_path) override;

  // Shared with the WritableFiles this wrapper opens; defined in the .cc.
  struct State;

 private:
  std::shared_ptr<FileSystem> base_;
  std::shared_ptr<State> state_;
};

}  // namespace ixray
