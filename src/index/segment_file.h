// Index segment files: a named set of checksummed blobs in one file.
//
// Every index segment (vector or scalar) is one such file under
// `_indices/<uuid>/`. Blobs are written one after another and read back
// individually with one positional read each, so a search reads only the
// partitions it probes. Layout (docs/format.md, "Index segment files"):
//
//   [magic "IXRAYSEG"][u32 version][u32 reserved]
//   [blob 0][pad to 8] [blob 1][pad] ...
//   [directory: u32 count, then per blob: u32 name length, name,
//    u64 offset, u64 length, u64 XXH3-64 of the blob]
//   [trailer: u64 directory offset, u64 directory length,
//    u64 XXH3-64 of the directory, magic "IXRAYSEG"]
//
// Thread safety: the writer is single-threaded; the reader may be shared by
// many threads after Open.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "ixray/buffer.h"
#include "ixray/file_system.h"
#include "ixray/status.h"

namespace ixray::index {

class SegmentFileWriter {
 public:
  static Result<std::unique_ptr<SegmentFileWriter>> Open(std::shared_ptr<FileSystem> fs,
                                                         std::string path);
  // REQUIRES: `name` was not added before.
  Status Add(std::string_view name, std::string_view bytes);
  // Writes the directory and trailer, syncs and closes. Returns the file size.
  Result<int64_t> Finish();

 private:
  struct Entry {
    uint64_t offset, length, checksum;
  };
  SegmentFileWriter(std::string path, std::unique_ptr<WritableFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::map<std::string, Entry, std::less<>> entries_;
  uint64_t offset_ = 0;
};

class SegmentFileReader {
 public:
  // Reads the trailer and directory; Corruption if they are damaged.
  static Result<std::shared_ptr<SegmentFileReader>> Open(std::shared_ptr<FileSystem> fs,
                                                         std::string path);
  bool Has(std::string_view name) const { return entries_.count(name) > 0; }
  // The blob's bytes, checksum verified. NotFound for an unknown name.
  Result<BufferPtr> Read(std::string_view name) const;
  const std::string& path() const { return path_; }
  int64_t file_size() const { return file_size_; }

 private:
  struct Entry {
    uint64_t offset, length, checksum;
  };
  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  int64_t file_size_ = 0;
  std::map<std::string, Entry, std::less<>> entries_;
};

}  // namespace ixray::index
