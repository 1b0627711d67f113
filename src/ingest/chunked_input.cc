#include "ingest/chunked_input.h"

#include <algorithm>
#include <cstring>

namespace ixray::ingest {

Result<std::unique_ptr<ChunkedInput>> ChunkedInput::Open(FileSystem& fs, const std::string& path,
                                                         int64_t chunk_size) {
  if (chunk_size <= 0) return Status::InvalidArgument("chunk_size must be positive");
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> file, fs.OpenForRead(path));
  IXRAY_ASSIGN_OR_RAISE(int64_t size, file->Size());
  std::unique_ptr<ChunkedInput> input(new ChunkedInput(std::move(file), size, chunk_size));
  if (size >= 3) {
    IXRAY_ASSIGN_OR_RAISE(BufferPtr head, input->file_->ReadAt(0, 3));
    if (head->view() == "\xEF\xBB\xBF") input->position_ = 3;
  }
  return input;
}

Result<std::string_view> ChunkedInput::NextChunk() {
  const int64_t length = std::min(chunk_size_, size_ - position_);
  if (length <= 0) {
    current_.reset();
    return std::string_view();
  }
  IXRAY_ASSIGN_OR_RAISE(current_, file_->ReadAt(position_, length));
  position_ += length;
  return current_->view();
}

Result<bool> LineReader::Next(std::string* line, int64_t* line_number) {
  line->clear();
  bool any = false;
  while (true) {
    if (pos_ == chunk_.size()) {
      if (eof_) break;
      IXRAY_ASSIGN_OR_RAISE(chunk_, input_->NextChunk());
      pos_ = 0;
      if (chunk_.empty()) {
        eof_ = true;
        break;
      }
    }
    any = true;
    const char* begin = chunk_.data() + pos_;
    const void* newline = std::memchr(begin, '\n', chunk_.size() - pos_);
    if (newline == nullptr) {
      line->append(begin, chunk_.size() - pos_);
      pos_ = chunk_.size();
      continue;
    }
    const size_t length = static_cast<const char*>(newline) - begin;
    line->append(begin, length);
    pos_ += length + 1;
    if (!line->empty() && line->back() == '\r') line->pop_back();
    *line_number = next_line_++;
    return true;
  }
  if (!any) return false;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  *line_number = next_line_++;
  return true;
}

}  // namespace ixray::ingest
