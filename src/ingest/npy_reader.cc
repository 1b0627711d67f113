// The .npy reader: parses the header, then streams rows of the array into
// batches of one column (see ixray/ingest.h and ingest/npy_header.h).

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "ingest/ingest_internal.h"
#include "ingest/npy_header.h"
#include "ixray/ingest.h"

namespace ixray {

namespace {

using ingest::NpyHeader;

// Headers are a few hundred bytes; refuse absurd lengths before reading.
constexpr int64_t kMaxNpyHeaderSize = int64_t{1} << 20;

void SwapBytes(uint8_t* data, int64_t size, int item_size) {
  for (int64_t i = 0; i + item_size <= size; i += item_size) {
    std::reverse(data + i, data + i + item_size);
  }
}

class NpyReader final : public IngestReader {
 public:
  NpyReader(std::unique_ptr<RandomAccessFile> file, int64_t file_size, NpyHeader header,
            const IngestOptions& options)
      : file_(std::move(file)),
        file_size_(file_size),
        header_(std::move(header)),
        options_(options),
        list_size_(header_.shape.size() == 2 ? static_cast<int32_t>(header_.shape[1]) : 0),
        row_bytes_(int64_t{header_.item_size} * std::max<int32_t>(list_size_, 1)),
        num_rows_(header_.shape[0]) {}

  Status Init() {
    const TypePtr type =
        list_size_ == 0 ? header_.value_type : fixed_size_list(header_.value_type, list_size_);
    IXRAY_ASSIGN_OR_RAISE(schema_, Schema::Make({field(options_.column_name, type)}));
    const int64_t available = file_size_ - header_.data_offset;
    if (available < 0 || num_rows_ > available / row_bytes_) {
      return Status::InvalidArgument(fmt::format(
          "'{}': truncated .npy file: shape ({}) needs {} rows of {} bytes after the {}-byte "
          "header, but the file holds {} bytes there",
          file_->path(), fmt::join(header_.shape, ", "), num_rows_, row_bytes_, header_.data_offset,
          std::max<int64_t>(available, 0)));
    }
    return Status::OK();
  }

  const SchemaPtr& schema() const override { return schema_; }
  int64_t bytes_read() const override { return header_.data_offset + next_row_ * row_bytes_; }
  int64_t total_bytes() const override { return file_size_; }

  Result<RecordBatchPtr> Next() override {
    const int64_t rows = std::min(options_.batch_size, num_rows_ - next_row_);
    if (rows <= 0) return RecordBatchPtr();
    BufferBuilder values;
    IXRAY_RETURN_NOT_OK(ingest::ReadRecords(*file_, header_.data_offset + next_row_ * row_bytes_,
                                            rows, row_bytes_, options_.chunk_size, &values));
    if (header_.swap_bytes) SwapBytes(values.mutable_data(), values.size(), header_.item_size);
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr column, ingest::MakeVectorColumn(header_.value_type, list_size_,
                                                                    rows, values.Finish()));
    next_row_ += rows;
    return RecordBatch::Make(schema_, rows, {std::move(column)});
  }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  int64_t file_size_;
  NpyHeader header_;
  IngestOptions options_;
  int32_t list_size_;  // 0 for a 1-D array
  int64_t row_bytes_;
  int64_t num_rows_;
  int64_t next_row_ = 0;
  SchemaPtr schema_;
};

}  // namespace

Result<std::unique_ptr<IngestReader>> OpenNpyReader(FileSystem& fs, const std::string& path,
                                                    const IngestOptions& options) {
  IXRAY_RETURN_NOT_OK(ingest::ValidateOptions(options));
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> file, fs.OpenForRead(path));
  IXRAY_ASSIGN_OR_RAISE(int64_t size, file->Size());
  auto with_path = [&](const Status& status) { return status.WithContext("'" + path + "'"); };
  IXRAY_ASSIGN_OR_RAISE(BufferPtr prelude,
                        file->ReadAt(0, std::min(ingest::kNpyPreludeSize, size)));
  int major_version = 0;
  Result<int64_t> data_offset = ingest::ParseNpyPrelude(prelude->view(), &major_version);
  if (!data_offset.ok()) return with_path(data_offset.status());
  const int64_t dict_start = major_version == 1 ? 10 : 12;
  if (*data_offset > kMaxNpyHeaderSize || *data_offset > size) {
    return with_path(Status::InvalidArgument(
        fmt::format("truncated or malformed .npy header: it claims {} bytes, the file has {}",
                    *data_offset, size)));
  }
  IXRAY_ASSIGN_OR_RAISE(BufferPtr dict, file->ReadAt(dict_start, *data_offset - dict_start));
  Result<NpyHeader> header = ingest::ParseNpyDict(dict->view(), major_version, *data_offset);
  if (!header.ok()) return with_path(header.status());
  auto reader = std::make_unique<NpyReader>(std::move(file), size, std::move(*header), options);
  IXRAY_RETURN_NOT_OK(reader->Init());
  return std::unique_ptr<IngestReader>(std::move(reader));
}

}  // namespace ixray
