// The TEXMEX .fvecs / .bvecs / .ivecs reader. Each vector is stored as a
// little-endian int32 dimension d followed by d values (float32, uint8 or
// int32); every vector must have the same d (see ixray/ingest.h).

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "ingest/ingest_internal.h"
#include "ixray/ingest.h"

namespace ixray {

namespace {

static_assert(std::endian::native == std::endian::little,
              "the vecs reader copies little-endian values as they are");

// Far beyond any real vector, and small enough that a record size fits.
constexpr int32_t kMaxDimension = 1 << 24;

int32_t LoadInt32(const uint8_t* bytes) {
  int32_t value;
  std::memcpy(&value, bytes, sizeof(value));
  return value;
}

class VecsReader final : public IngestReader {
 public:
  VecsReader(std::unique_ptr<RandomAccessFile> file, int64_t file_size, IngestFormat format,
             TypePtr value_type, int32_t dimension, const IngestOptions& options)
      : file_(std::move(file)),
        file_size_(file_size),
        format_(format),
        value_type_(std::move(value_type)),
        dimension_(dimension),
        value_size_(value_type_->bit_width() / 8),
        record_size_(4 + int64_t{dimension} * value_size_),
        num_records_(file_size / record_size_),
        options_(options) {}

  Status Init() {
    IXRAY_ASSIGN_OR_RAISE(
        schema_,
        Schema::Make({field(options_.column_name, fixed_size_list(value_type_, dimension_))}));
    return Status::OK();
  }

  const SchemaPtr& schema() const override { return schema_; }
  int64_t bytes_read() const override { return next_record_ * record_size_; }
  int64_t total_bytes() const override { return file_size_; }

  Result<RecordBatchPtr> Next() override {
    const int64_t rows = std::min(options_.batch_size, num_records_ - next_record_);
    if (rows <= 0) {
      if (next_record_ * record_size_ != file_size_) return TrailingBytesError();
      return RecordBatchPtr();
    }
    BufferBuilder records;
    IXRAY_RETURN_NOT_OK(ingest::ReadRecords(*file_, next_record_ * record_size_, rows, record_size_,
                                            options_.chunk_size, &records));
    // Check every record's dimension and drop it, keeping the values.
    const int64_t payload = record_size_ - 4;
    BufferBuilder values;
    values.Reserve(rows * payload);
    for (int64_t r = 0; r < rows; ++r) {
      const uint8_t* record = records.mutable_data() + r * record_size_;
      const int32_t dimension = LoadInt32(record);
      if (dimension != dimension_) return DimensionError(next_record_ + r, dimension);
      values.Append(record + 4, payload);
    }
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr column,
                          ingest::MakeVectorColumn(value_type_, dimension_, rows, values.Finish()));
    next_record_ += rows;
    return RecordBatch::Make(schema_, rows, {std::move(column)});
  }

 private:
  Status DimensionError(int64_t index, int32_t dimension) const {
    return Status::InvalidArgument(fmt::format(
        "'{}': vector {} (at byte {}) has dimension {}, but the first has {}: inconsistent "
        "dimensions, or not a .{} file",
        file_->path(), index, index * record_size_, dimension, dimension_,
        IngestFormatName(format_)));
  }

  // The file does not end on a record boundary: either the next record
  // has another dimension or the file is truncated.
  Status TrailingBytesError() const {
    const int64_t offset = num_records_ * record_size_;
    if (file_size_ - offset >= 4) {
      Result<BufferPtr> head = file_->ReadAt(offset, 4);
      if (head.ok() && LoadInt32((*head)->data()) != dimension_) {
        return DimensionError(num_records_, LoadInt32((*head)->data()));
      }
    }
    return Status::InvalidArgument(fmt::format(
        "'{}': truncated .{} file: {} bytes after the last whole vector (each vector takes {} "
        "bytes)",
        file_->path(), IngestFormatName(format_), file_size_ - offset, record_size_));
  }

  std::unique_ptr<RandomAccessFile> file_;
  int64_t file_size_;
  IngestFormat format_;
  TypePtr value_type_;
  int32_t dimension_;
  int value_size_;
  int64_t record_size_;
  int64_t num_records_;
  IngestOptions options_;
  int64_t next_record_ = 0;
  SchemaPtr schema_;
};

}  // namespace

Result<std::unique_ptr<IngestReader>> OpenVecsReader(FileSystem& fs, const std::string& path,
                                                     IngestFormat format,
                                                     const IngestOptions& options) {
  IXRAY_RETURN_NOT_OK(ingest::ValidateOptions(options));
  TypePtr value_type;
  switch (format) {
    case IngestFormat::kFvecs:
      value_type = float32();
      break;
    case IngestFormat::kBvecs:
      value_type = uint8();
      break;
    case IngestFormat::kIvecs:
      value_type = int32();
      break;
    default:
      return Status::InvalidArgument(
          fmt::format("OpenVecsReader: format {} is not a vecs format", IngestFormatName(format)));
  }
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<RandomAccessFile> file, fs.OpenForRead(path));
  IXRAY_ASSIGN_OR_RAISE(int64_t size, file->Size());
  if (size < 4) {
    return Status::InvalidArgument(
        fmt::format("'{}': {} .{} file: no vector to take the dimension from", path,
                    size == 0 ? "empty" : "truncated", IngestFormatName(format)));
  }
  IXRAY_ASSIGN_OR_RAISE(BufferPtr head, file->ReadAt(0, 4));
  const int32_t dimension = LoadInt32(head->data());
  if (dimension <= 0 || dimension > kMaxDimension) {
    return Status::InvalidArgument(
        fmt::format("'{}': the first vector has dimension {} (expected 1..{}); not a .{} file?",
                    path, dimension, kMaxDimension, IngestFormatName(format)));
  }
  auto reader = std::make_unique<VecsReader>(std::move(file), size, format, std::move(value_type),
                                             dimension, options);
  IXRAY_RETURN_NOT_OK(reader->Init());
  return std::unique_ptr<IngestReader>(std::move(reader));
}

}  // namespace ixray
