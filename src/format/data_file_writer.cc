// DataFileWriter: cuts each column into pages as rows arrive, encodes,
// compresses, checksums and appends every page as soon as it is full, and
// writes the metadata and trailer at Finish().

#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>

#include "format/compression.h"
#include "format/data_file.h"
#include "format/page_encoder.h"
#include "ixray/builder.h"

namespace ixray {

using format::PlainEncodedSize;

// The rows of one column not yet written: at most one page.
struct DataFileWriter::ColumnState {
  explicit ColumnState(TypePtr type) : builder(std::move(type)) {}

  ArrayBuilder builder;
  int64_t buffered_bytes = 0;  // PlainEncodedSize of the builder's rows
  format::ColumnChunkMetadata chunk;
};

namespace {

Status ValidateOptions(const DataFileWriterOptions& o) {
  if (o.max_page_bytes < 1 || o.max_page_bytes > format::kMaxPageBytes) {
    return Status::InvalidArgument(fmt::format("max_page_bytes {} is outside [1, {}]",
                                               o.max_page_bytes, format::kMaxPageBytes));
  }
  if (o.max_vector_page_bytes < 1 || o.max_vector_page_bytes > format::kMaxPageBytes) {
    return Status::InvalidArgument(fmt::format("max_vector_page_bytes {} is outside [1, {}]",
                                               o.max_vector_page_bytes, format::kMaxPageBytes));
  }
  if (o.max_rows_per_page < 1 || o.max_rows_per_page > format::kMaxRowsPerPage) {
    return Status::InvalidArgument(fmt::format("max_rows_per_page {} is outside [1, {}]",
                                               o.max_rows_per_page, format::kMaxRowsPerPage));
  }
  if (o.compression != Compression::kNone && o.compression != Compression::kZstd &&
      o.compression != Compression::kLz4) {
    return Status::InvalidArgument(
        fmt::format("unknown compression {}", static_cast<int>(o.compression)));
  }
  if (o.zstd_level < ZSTD_minCLevel() || o.zstd_level > ZSTD_maxCLevel()) {
    return Status::InvalidArgument(fmt::format("zstd_level {} is outside [{}, {}]", o.zstd_level,
                                               ZSTD_minCLevel(), ZSTD_maxCLevel()));
  }
  return Status::OK();
}

// The most rows, up to `max_rows`, starting at `start` whose plain encoding
// takes at most `budget` bytes. Binary search: the size grows with the count.
int64_t RowsThatFit(const Array& values, int64_t start, int64_t max_rows, int64_t budget) {
  if (budget <= 0 || max_rows <= 0) return 0;
  if (PlainEncodedSize(values, start, max_rows) <= budget) return max_rows;
  int64_t lo = 0, hi = max_rows;  // fits(lo), !fits(hi)
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (PlainEncodedSize(values, start, mid) <= budget) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace

DataFileWriter::DataFileWriter(std::shared_ptr<FileSystem> fs, std::string path, SchemaPtr schema,
                               DataFileWriterOptions options, std::unique_ptr<WritableFile> file)
    : fs_(std::move(fs)),
      path_(std::move(path)),
      schema_(std::move(schema)),
      options_(options),
      file_(std::move(file)) {
  for (const auto& f : schema_->fields())
    columns_.push_back(std::make_unique<ColumnState>(f->type));
}

DataFileWriter::~DataFileWriter() {
  if (file_ != nullptr && !finished_) (void)file_->Close();
}

Result<std::unique_ptr<DataFileWriter>> DataFileWriter::Open(std::shared_ptr<FileSystem> fs,
                                                             std::string path, SchemaPtr schema,
                                                             DataFileWriterOptions options) {
  if (fs == nullptr) return Status::InvalidArgument("DataFileWriter needs a file system");
  if (schema == nullptr) return Status::InvalidArgument("DataFileWriter needs a schema");
  IXRAY_RETURN_NOT_OK(Schema::Make(schema->fields()));
  IXRAY_RETURN_NOT_OK(ValidateOptions(options));
  IXRAY_ASSIGN_OR_RAISE(auto file, fs->OpenForWrite(path));
  std::string header;
  format::FileHeader{}.EncodeTo(&header);
  IXRAY_RETURN_NOT_OK(file->Append(header));
  std::unique_ptr<DataFileWriter> writer(new DataFileWriter(
      std::move(fs), std::move(path), std::move(schema), options, std::move(file)));
  writer->file_offset_ = static_cast<int64_t>(header.size());
  return writer;
}

Status DataFileWriter::Fail(Status status) {
  if (error_.ok() && !status.ok()) error_ = status;
  return status;
}

Status DataFileWriter::Write(const RecordBatch& batch) {
  IXRAY_RETURN_NOT_OK(error_);
  if (finished_) return Status::InvalidArgument(fmt::format("{}: Write after Finish", path_));
  if (!batch.schema()->Equals(*schema_) || batch.num_columns() != schema_->num_fields()) {
    return Status::InvalidArgument(fmt::format("{}: batch schema {} differs from the file's {}",
                                               path_, batch.schema()->ToString(),
                                               schema_->ToString()));
  }
  if (num_rows_ + batch.num_rows() > format::kMaxRowsPerFile) {
    return Status::InvalidArgument(
        fmt::format("{}: a data file holds at most {} rows", path_, format::kMaxRowsPerFile));
  }
  for (int c = 0; c < batch.num_columns(); ++c) {
    const Field& f = *schema_->field(c);
    if (batch.column(c)->length() != batch.num_rows()) {
      return Status::InvalidArgument(fmt::format("{}: column '{}' has {} rows, the batch {}", path_,
                                                 f.name, batch.column(c)->length(),
                                                 batch.num_rows()));
    }
    if (!f.nullable && batch.column(c)->null_count() > 0) {
      return Status::InvalidArgument(
          fmt::format("{}: non-nullable column '{}' holds nulls", path_, f.name));
    }
  }
  for (int c = 0; c < batch.num_columns(); ++c) {
    IXRAY_RETURN_NOT_OK(Fail(AppendColumn(c, *batch.column(c))));
  }
  num_rows_ += batch.num_rows();
  return Status::OK();
}

Status DataFileWriter::AppendColumn(int column, const Array& values) {
  ColumnState& state = *columns_[column];
  const int64_t n = values.length();
  const int64_t max_page_bytes =
      values.type()->id() == TypeId::kFixedSizeList
          ? std::min(options_.max_page_bytes, options_.max_vector_page_bytes)
          : options_.max_page_bytes;
  int64_t row = 0;
  while (row < n) {
    const int64_t room_rows =
        std::min(options_.max_rows_per_page - state.builder.length(), n - row);
    const int64_t room_bytes = max_page_bytes - state.buffered_bytes;
    int64_t count = RowsThatFit(values, row, room_rows, room_bytes);
    if (count == 0) {
      if (state.builder.length() > 0) {
        IXRAY_RETURN_NOT_OK(FlushPage(column));
        continue;
      }
      count = 1;  // a row larger than a page gets a page of its own
    }
    state.buffered_bytes += PlainEncodedSize(values, row, count);
    IXRAY_RETURN_NOT_OK(state.builder.AppendFrom(values, row, count));
    row += count;
    // The page is full if it reached a limit or the next row did not fit.
    if (row < n || state.builder.length() >= options_.max_rows_per_page ||
        state.buffered_bytes >= max_page_bytes) {
      IXRAY_RETURN_NOT_OK(FlushPage(column));
    }
  }
  return Status::OK();
}

Status DataFileWriter::FlushPage(int column) {
  ColumnState& state = *columns_[column];
  if (state.builder.length() == 0) return Status::OK();
  IXRAY_ASSIGN_OR_RAISE(ArrayPtr rows, state.builder.Finish());
  state.buffered_bytes = 0;
  IXRAY_ASSIGN_OR_RAISE(
      format::EncodedPage encoded,
      format::EncodePage(*rows, 0, rows->length(), options_.dictionary_encode_strings));
  const auto body_size = static_cast<int64_t>(encoded.body.size());
  if (body_size > format::kMaxPageBytes) {
    return Status::InvalidArgument(fmt::format(
        "{}: column '{}': a page of {} bytes exceeds the format's limit of {} (a row too large?)",
        path_, schema_->field(column)->name, body_size, format::kMaxPageBytes));
  }

  format::PageInfo page;
  page.num_rows = rows->length();
  page.uncompressed_length = body_size;
  page.encoding = encoded.encoding;
  page.compression = Compression::kNone;
  std::string stored = std::move(encoded.body);
  if (options_.compression != Compression::kNone) {
    const auto* body = reinterpret_cast<const uint8_t*>(stored.data());
    IXRAY_ASSIGN_OR_RAISE(
        std::string compressed,
        format::Compress(options_.compression, options_.zstd_level, {body, stored.size()}));
    if (static_cast<double>(compressed.size()) <=
        format::kMaxCompressedFraction * static_cast<double>(body_size)) {
      stored = std::move(compressed);
      page.compression = options_.compression;
    }
  }
  const auto& pages = state.chunk.pages;
  page.first_row = pages.empty() ? 0 : pages.back().first_row + pages.back().num_rows;
  page.offset = file_offset_;
  page.length = static_cast<int64_t>(stored.size());
  page.checksum = format::Checksum(stored);
  IXRAY_RETURN_NOT_OK(file_->Append(stored));
  file_offset_ += page.length;
  state.chunk.pages.push_back(page);
  return Status::OK();
}

Result<DataFileInfo> DataFileWriter::Finish() {
  IXRAY_RETURN_NOT_OK(error_);
  if (finished_) return Status::InvalidArgument(fmt::format("{}: Finish called twice", path_));
  for (int c = 0; c < static_cast<int>(columns_.size()); ++c) {
    IXRAY_RETURN_NOT_OK(Fail(FlushPage(c)));
  }
  format::FileMetadata metadata;
  metadata.num_rows = num_rows_;
  metadata.schema = schema_;
  for (auto& column : columns_) metadata.columns.push_back(std::move(column->chunk));
  std::string footer;
  metadata.EncodeTo(&footer);
  format::FileTrailer trailer;
  trailer.metadata_offset = file_offset_;
  trailer.metadata_length = static_cast<int64_t>(footer.size());
  trailer.metadata_checksum = format::Checksum(footer);
  trailer.EncodeTo(&footer);
  IXRAY_RETURN_NOT_OK(Fail(file_->Append(footer)));
  file_offset_ += static_cast<int64_t>(footer.size());
  IXRAY_RETURN_NOT_OK(Fail(file_->Sync()));
  IXRAY_RETURN_NOT_OK(Fail(file_->Close()));
  finished_ = true;
  return DataFileInfo{path_, num_rows_, file_offset_};
}

}  // namespace ixray
