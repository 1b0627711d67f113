// FileSystem: the one door through which ixray touches storage.
//
// Every byte ixray reads or writes (data files, manifests, deletion files,
// index segments) goes through a FileSystem passed in by the caller, never
// through the process's global file API. That lets tests run the same code on
// an in-memory file system, or on one that injects faults and simulates
// crashes (src/io/fault_injection_file_system.h), and lets object stores be
// added later behind the same interface.
//
// Two backends ship with the library:
//   LocalFileSystem()      POSIX files and directories.
//   MakeMemoryFileSystem() a private, process-local tree of files in memory.
// Both pass the same conformance suite (src/io/file_system_test.cc); the
// semantics below hold for every backend unless a method says otherwise.
//
// Paths are '/'-separated strings. The local backend passes them to the
// operating system as given (absolute, or relative to the working
// directory). The memory backend has a single root: "a/b", "/a/b" and
// "a//b/" name the same file there, "." components are ignored and ".." is
// rejected with InvalidArgument.
//
// Errors. Every method reports failure as a Status, never an exception:
//   NotFound         the file or directory (or a parent of it) does not exist
//   AlreadyExists    PublishNoReplace's target exists
//   InvalidArgument  a bad argument from the caller: a negative offset or
//                    length, an unusable path, use of a closed file
//   IOError          anything the storage reported, including reading past
//                    the end of a file and "not a directory" / "is a
//                    directory" mismatches. Messages name the path and the
//                    operation and, for the local backend, the errno text.
// The layers above decide whether a short file is Corruption; this layer
// cannot tell a truncated file from a wrong offset.
//
// Thread safety: FileSystem methods may be called concurrently from any
// number of threads. A RandomAccessFile may be read from many threads at once
// (ReadAt is positional). A WritableFile is single-threaded: callers serialize
// its use.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/buffer.h"
#include "ixray/status.h"

namespace ixray {

// What Stat() and ListDir() report about one file or directory.
struct FileInfo {
  // For Stat(), the path as passed in. For ListDir(), JoinPath(dir, name).
  std::string path;
  // Size in bytes of a file; 0 for a directory.
  int64_t size = 0;
  bool is_dir = false;
  // Last modification time, nanoseconds since the Unix epoch.
  int64_t mtime_ns = 0;
};

// A file opened for reading at arbitrary offsets.
//
// Thread safety: all methods are const and safe to call concurrently.
// The handle stays valid (and keeps reading the same file) even if the path
// is deleted or replaced after opening, as with POSIX file descriptors.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  RandomAccessFile(const RandomAccessFile&) = delete;
  RandomAccessFile& operator=(const RandomAccessFile&) = delete;

  // The file's current size in bytes.
  virtual Result<int64_t> Size() const = 0;

  // Reads exactly bytes [offset, offset + length) into a new buffer.
  // Reads only the requested range, never the whole file. A zero-length read
  // at any offset <= Size() returns an empty buffer.
  // Errors: InvalidArgument if offset or length is negative or their sum
  // overflows; IOError if the range extends past the end of the file (the
  // message gives the range, the file size and the path) or the read fails.
  virtual Result<BufferPtr> ReadAt(int64_t offset, int64_t length) const = 0;

  // The path this file was opened with.
  const std::string& path() const { return path_; }

 protected:
  explicit RandomAccessFile(std::string path) : path_(std::move(path)) {}

 private:
  std::string path_;
};

// A file being written from the start, sequentially.
//
// Data appended is visible to readers of the same FileSystem once Append
// returns, but is durable (survives a crash) only after Sync() returns OK.
// Destroying an unclosed file closes it and discards any close error; call
// Close() to see it.
//
// Thread safety: not thread-safe; use from one thread at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  WritableFile(const WritableFile&) = delete;
  WritableFile& operator=(const WritableFile&) = delete;

  // Appends `data` at the end of the file.
  // REQUIRES: the file is not closed (else InvalidArgument).
  Status Append(std::span<const uint8_t> data) { return DoAppend(data); }
  Status Append(std::string_view data) {
    return DoAppend({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
  }

  // Makes every byte appended so far durable (fsync).
  // REQUIRES: the file is not closed (else InvalidArgument).
  virtual Status Sync() = 0;

  // Releases the file. Does not sync. Closing a closed file is OK.
  virtual Status Close() = 0;

  // The number of bytes written so far, which is also the file's size.
  // REQUIRES: the file is not closed (else InvalidArgument).
  virtual Result<int64_t> Tell() const = 0;

  // The path this file was opened with.
  const std::string& path() const { return path_; }

 protected:
  explicit WritableFile(std::string path) : path_(std::move(path)) {}
  virtual Status DoAppend(std::span<const uint8_t> data) = 0;

 private:
  std::string path_;
};

// An abstract file system. See the top of this file for paths, errors and
// thread safety.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens an existing file for positional reads.
  // Errors: NotFound if missing; IOError if `path` is a directory.
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenForRead(const std::string& path) = 0;

  // Creates `path` (or truncates it to zero bytes if it exists) and opens it
  // for appending. Missing parent directories are created.
  // Errors: IOError if `path` is a directory or a parent is a file.
  virtual Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path) = 0;

  // Describes the file or directory at `path`.
  // Errors: NotFound if it does not exist (also when a parent is a file).
  virtual Result<FileInfo> Stat(const std::string& path) = 0;

  // Whether a file or directory exists at `path`. Errors only if the
  // question cannot be answered (e.g. permission denied).
  virtual Result<bool> Exists(const std::string& path) = 0;

  // The direct children of directory `dir`, sorted by name (byte order),
  // without "." and "..". Not recursive.
  // Errors: NotFound if `dir` does not exist; IOError if it is a file.
  virtual Result<std::vector<FileInfo>> ListDir(const std::string& dir) = 0;

  // Creates directory `path` and any missing parents. OK if it exists.
  // Errors: IOError if `path` or a parent exists as a file.
  virtual Status CreateDir(const std::string& path) = 0;

  // Removes the file at `path`. Open handles keep working on the old data.
  // Errors: NotFound if missing; IOError if `path` is a directory.
  virtual Status DeleteFile(const std::string& path) = 0;

  // Removes directory `path` with everything below it. Symbolic links are
  // removed, not followed.
  // Errors: NotFound if missing; IOError if `path` is a file.
  virtual Status DeleteDirRecursive(const std::string& path) = 0;

  // Makes the directory's entries durable: files created, published or
  // deleted in `path` survive a crash only after SyncDir(path) returns OK.
  // Errors: NotFound if missing; IOError if `path` is a file.
  virtual Status SyncDir(const std::string& path) = 0;

  // Atomically makes the file at `tmp_path` visible at `final_path` if and
  // only if nothing exists at `final_path` (put-if-absent). Never
  // overwrites, so of many concurrent publishers to one `final_path` exactly
  // one succeeds. This is how a new dataset version is committed.
  //
  // On success `final_path` holds the file and `tmp_path` no longer exists
  // (a failure to remove `tmp_path` after the file became visible is not
  // reported: the publish happened). On any error neither path is changed.
  // The new name is durable only after SyncDir(parent of final_path).
  // The local backend uses link(2), or renameat2(RENAME_NOREPLACE) where the
  // file system has no hard links; it never falls back to rename(2).
  //
  // REQUIRES: `tmp_path` is fully written and synced (the caller's duty:
  // this method cannot check it), and the parent of `final_path` exists.
  // Errors: AlreadyExists if `final_path` exists; NotFound if `tmp_path`
  // or the parent of `final_path` is missing; IOError if `tmp_path` is a
  // directory; NotImplemented if the backend cannot publish atomically.
  virtual Status PublishNoReplace(const std::string& tmp_path, const std::string& final_path) = 0;
};

// A file system over the local POSIX file system.
std::shared_ptr<FileSystem> LocalFileSystem();

// A new, empty in-memory file system. Each call returns an independent one;
// its files live as long as the returned object (and open handles).
std::shared_ptr<FileSystem> MakeMemoryFileSystem();

// Writes `contents` to `path` atomically and without ever replacing an
// existing file: writes `path` + ".tmp-<random hex>", syncs and closes it,
// publishes it with PublishNoReplace, then syncs the parent directory.
// Readers see either no file or the whole of `contents`, never a part.
// The temporary file is deleted (best effort) when a step before or at the
// publish fails.
//
// Errors: AlreadyExists if `path` exists (it is left untouched); any error
// of the underlying steps. An error from the final SyncDir means the file
// may already be visible (but is not known to be durable): callers that
// must know the outcome re-read `path`.
Status WriteFileAtomicNoReplace(FileSystem& fs, const std::string& path, std::string_view contents);

// Reads a whole file into a string. Meant for small files such as
// manifests; use OpenForRead and ReadAt for anything large.
// Errors: those of OpenForRead, Size and ReadAt.
Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path);

// `dir` and `name` joined with exactly one '/'; `name` alone if `dir` is
// empty.
std::string JoinPath(std::string_view dir, std::string_view name);

// The directory part of `path`, ignoring trailing slashes: "a/b" -> "a",
// "/a" -> "/", "a" -> ".", "/" -> "/".
std::string ParentDir(std::string_view path);

}  // namespace ixray
