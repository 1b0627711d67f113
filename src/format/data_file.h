// Data files: one immutable file holding the rows of a fragment, column by
// column, in pages of bounded size. docs/format.md ("Data files") is the
// byte-level specification; data_file_format.h holds its constants.
//
// DataFileWriter streams record batches into a new file, buffering about one
// page per column. DataFileReader opens a finished file by reading only its
// trailer and metadata, then reads row ranges or individual rows by reading
// just the pages that hold them, with positional reads.
//
// Every read path validates what it reads (magic, version, checksums,
// lengths, offsets, decoded sizes): a damaged or foreign file yields
// Status::Corruption naming the file and the problem, never a crash.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "format/data_file_format.h"
#include "format/page_cache.h"
#include "ixray/array.h"
#include "ixray/file_system.h"
#include "ixray/record_batch.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray {

struct DataFileWriterOptions {
  // A page is closed once its plain encoding (before compression) would
  // exceed this many bytes; a single row larger than that gets a page of
  // its own. In [1, 1 GiB].
  int64_t max_page_bytes = 1 << 20;
  // Pages of fixed_size_list columns (vectors) close at the smaller of this
  // and max_page_bytes: nearest-neighbour queries read such columns a few
  // rows at a time (result rows, refine candidates), and a take reads and
  // checksums whole pages, while floats barely compress, so small pages
  // cost little. In [1, 1 GiB].
  int64_t max_vector_page_bytes = 64 << 10;
  // A page holds at most this many rows. In [1, 2^31 - 1].
  int64_t max_rows_per_page = 1 << 16;
  // Each page is compressed with this codec, and stored raw instead when
  // compression saves less than 10%.
  Compression compression = Compression::kZstd;
  int zstd_level = 3;
  // Dictionary-encode the strings of a page (string columns, list<string>
  // items) when their values repeat enough to make the page smaller.
  bool dictionary_encode_strings = true;
};

// What Finish() reports about the file written.
struct DataFileInfo {
  std::string path;
  int64_t num_rows = 0;
  int64_t file_size = 0;
};

// Writes one data file.
//
// Usage: Open(), Write() any number of batches, Finish(). A writer that is
// destroyed without Finish() leaves an incomplete file that readers reject;
// the caller deletes it. After any error the writer is unusable (every
// later call returns that error).
//
// Thread safety: not thread-safe; use from one thread at a time.
class DataFileWriter {
 public:
  // Creates (or truncates) `path` on `fs` and writes the file header.
  // Errors: InvalidArgument for a null or invalid schema or out-of-range
  // options; those of FileSystem::OpenForWrite.
  static Result<std::unique_ptr<DataFileWriter>> Open(std::shared_ptr<FileSystem> fs,
                                                      std::string path, SchemaPtr schema,
                                                      DataFileWriterOptions options = {});
  ~DataFileWriter();
  DataFileWriter(const DataFileWriter&) = delete;
  DataFileWriter& operator=(const DataFileWriter&) = delete;

  // Appends the batch's rows. Full pages are encoded and written at once.
  // REQUIRES: Finish() has not been called.
  // Errors: InvalidArgument if the batch's schema differs from the
  // writer's (field ids are not compared), if a non-nullable column holds
  // nulls, or if the file would exceed 2^32 rows; I/O errors.
  Status Write(const RecordBatch& batch);

  // Writes the remaining pages, the metadata and the trailer, syncs and
  // closes the file.
  // REQUIRES: Finish() has not been called.
  Result<DataFileInfo> Finish();

  const SchemaPtr& schema() const { return schema_; }
  int64_t num_rows() const { return num_rows_; }

 private:
  struct ColumnState;

  DataFileWriter(std::shared_ptr<FileSystem> fs, std::string path, SchemaPtr schema,
                 DataFileWriterOptions options, std::unique_ptr<WritableFile> file);
  Status AppendColumn(int column, const Array& values);
  Status FlushPage(int column);
  Status Fail(Status status);

  std::shared_ptr<FileSystem> fs_;
  std::string path_;
  SchemaPtr schema_;
  DataFileWriterOptions options_;
  std::unique_ptr<WritableFile> file_;
  std::vector<std::unique_ptr<ColumnState>> columns_;
  int64_t num_rows_ = 0;
  int64_t file_offset_ = 0;  // bytes written so far
  bool finished_ = false;
  Status error_;  // the first error; sticky
};

// What a reader has read so far, for tests and diagnostics.
struct IoStats {
  int64_t read_calls = 0;  // RandomAccessFile::ReadAt calls
  int64_t bytes_read = 0;
  int64_t pages_read = 0;
};

// Reads one data file.
//
// Thread safety: after Open(), every method may be called concurrently
// from any number of threads; a BatchReader from Scan() is used by one
// thread at a time (but many may run side by side).
class DataFileReader : public std::enable_shared_from_this<DataFileReader> {
 public:
  // Opens `path` and reads its trailer and metadata (one or two ReadAt
  // calls; also the header when it falls within the first read). Take()
  // keeps the pages it decodes in `page_cache` (may be null: none).
  // Errors: Corruption if the file is not a valid data file; NotImplemented
  // for an unknown format version; those of the file system.
  static Result<std::shared_ptr<DataFileReader>> Open(
      std::shared_ptr<FileSystem> fs, std::string path,
      std::shared_ptr<format::PageCache> page_cache = nullptr);

  const std::string& path() const { return path_; }
  const SchemaPtr& schema() const { return metadata_.schema; }
  int64_t num_rows() const { return metadata_.num_rows; }
  int64_t file_size() const { return file_size_; }
  // The parsed footer: schema and per-column page tables.
  const format::FileMetadata& metadata() const { return metadata_; }

  // Rows [row_start, row_start + num_rows) of the given columns (indices
  // into schema(), in the order wanted). Reads only the pages overlapping
  // the range.
  // Errors: InvalidArgument for an unknown or repeated column index or a
  // range outside [0, num_rows()); Corruption for damaged pages.
  Result<RecordBatchPtr> ReadRange(const std::vector<int>& column_indices, int64_t row_start,
                                   int64_t num_rows) const;

  // The rows at `sorted_row_offsets` (ascending; repeats allowed) of the
  // given columns, in that order. Reads each page holding one of the rows
  // exactly once per column, or finds it in the page cache.
  // Errors: InvalidArgument for bad column indices or offsets that are
  // unsorted or not below num_rows(); Corruption for damaged pages.
  Result<RecordBatchPtr> Take(const std::vector<int>& column_indices,
                              std::span<const uint64_t> sorted_row_offsets) const;

  // Streams all rows of the given columns in batches of `batch_size` rows
  // (the last may be shorter), holding about one decoded page per column
  // plus one batch. Errors, including bad arguments, surface from Next().
  // REQUIRES: the reader is owned by a shared_ptr (as Open returns it).
  std::unique_ptr<BatchReader> Scan(std::vector<int> column_indices, int64_t batch_size) const;

  IoStats stats() const;

  // ---- Lower-level access, used by Scan() ----

  // The schema of the given columns, or InvalidArgument.
  Result<SchemaPtr> ProjectSchema(const std::vector<int>& column_indices) const;

  // A page of one column, decoded and validated.
  // REQUIRES: 0 <= column < schema()->num_fields(), page_index within the
  // column's page table.
  Result<ArrayPtr> ReadPage(int column, size_t page_index) const;

  // The index of the page of `column` holding `row`.
  // REQUIRES: 0 <= row < num_rows().
  size_t FindPage(int column, int64_t row) const;

 private:
  struct Counters {
    std::atomic<int64_t> read_calls{0};
    std::atomic<int64_t> bytes_read{0};
    std::atomic<int64_t> pages_read{0};
  };

  DataFileReader(std::string path, std::unique_ptr<RandomAccessFile> file, int64_t file_size);
  Result<BufferPtr> ReadAt(int64_t offset, int64_t length) const;
  Status OpenFooter();
  Status PageError(int column, size_t page_index, const Status& status) const;
  Result<ArrayPtr> ReadColumnRange(int column, int64_t row_start, int64_t num_rows) const;
  Result<ArrayPtr> TakeColumn(int column, std::span<const uint64_t> rows) const;
  // ReadPage through the page cache.
  Result<ArrayPtr> ReadPageCached(int column, size_t page_index) const;

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  int64_t file_size_;
  std::shared_ptr<format::PageCache> page_cache_;  // may be null
  uint64_t page_cache_id_ = 0;
  format::FileMetadata metadata_;
  mutable Counters counters_;
};

}  // namespace ixray
