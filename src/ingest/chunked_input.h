// ChunkedInput: a file read front to back in fixed-size chunks through a
// RandomAccessFile, and LineReader, which splits such a stream into lines.
// The text readers (CSV, JSON lines) are built on these so that a file is
// never loaded whole and records may straddle chunk boundaries.
//
// Thread safety: single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ixray/buffer.h"
#include "ixray/file_system.h"
#include "ixray/status.h"

namespace ixray::ingest {

class ChunkedInput {
 public:
  // Opens `path` and, if the file starts with a UTF-8 byte order mark,
  // positions the stream after it. REQUIRES: chunk_size > 0.
  static Result<std::unique_ptr<ChunkedInput>> Open(FileSystem& fs, const std::string& path,
                                                    int64_t chunk_size);

  // The next chunk of at most chunk_size bytes; empty at the end of the
  // file. The view stays valid until the next call.
  Result<std::string_view> NextChunk();

  // Bytes handed out so far (including a skipped byte order mark).
  int64_t position() const { return position_; }
  int64_t size() const { return size_; }
  const std::string& path() const { return file_->path(); }

 private:
  ChunkedInput(std::unique_ptr<RandomAccessFile> file, int64_t size, int64_t chunk_size)
      : file_(std::move(file)), size_(size), chunk_size_(chunk_size) {}

  std::unique_ptr<RandomAccessFile> file_;
  int64_t size_;
  int64_t chunk_size_;
  int64_t position_ = 0;
  BufferPtr current_;
};

// Splits a ChunkedInput into lines ended by "\n" or "\r\n"; the last line
// may lack its end.
class LineReader {
 public:
  explicit LineReader(ChunkedInput* input) : input_(input) {}

  // Reads the next line, without its end, into *line and its 1-based number
  // into *line_number. Returns false at the end of the input.
  Result<bool> Next(std::string* line, int64_t* line_number);

 private:
  ChunkedInput* input_;
  std::string_view chunk_;
  size_t pos_ = 0;
  int64_t next_line_ = 1;
  bool eof_ = false;
};

}  // namespace ixray::ingest
