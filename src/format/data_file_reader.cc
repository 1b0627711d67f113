// DataFileReader: opens a data file from its footer, then reads pages on
// demand (range reads, takes, and the scanner in data_file_scan.cc).

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "format/compression.h"
#include "format/data_file.h"
#include "format/page_decoder.h"
#include "ixray/builder.h"

namespace ixray {

using format::PageInfo;

DataFileReader::DataFileReader(std::string path, std::unique_ptr<RandomAccessFile> file,
                               int64_t file_size)
    : path_(std::move(path)), file_(std::move(file)), file_size_(file_size) {}

Result<std::shared_ptr<DataFileReader>> DataFileReader::Open(
    std::shared_ptr<FileSystem> fs, std::string path,
    std::shared_ptr<format::PageCache> page_cache) {
  if (fs == nullptr) return Status::InvalidArgument("DataFileReader needs a file system");
  IXRAY_ASSIGN_OR_RAISE(auto file, fs->OpenForRead(path));
  IXRAY_ASSIGN_OR_RAISE(int64_t size, file->Size());
  std::shared_ptr<DataFileReader> reader(
      new DataFileReader(std::move(path), std::move(file), size));
  if (page_cache != nullptr && page_cache->capacity_bytes() > 0) {
    reader->page_cache_id_ = page_cache->NewReaderId();
    reader->page_cache_ = std::move(page_cache);
  }
  IXRAY_RETURN_NOT_OK(reader->OpenFooter());
  return reader;
}

Result<BufferPtr> DataFileReader::ReadAt(int64_t offset, int64_t length) const {
  counters_.read_calls.fetch_add(1, std::memory_order_relaxed);
  IXRAY_ASSIGN_OR_RAISE(BufferPtr bytes, file_->ReadAt(offset, length));
  if (bytes->size() != length) {
    return Status::IOError(fmt::format("data file '{}': read {} bytes at {}, wanted {}", path_,
                                       bytes->size(), offset, length));
  }
  counters_.bytes_read.fetch_add(length, std::memory_order_relaxed);
  return bytes;
}

Status DataFileReader::OpenFooter() {
  const auto context = fmt::format("data file '{}'", path_);
  if (file_size_ < format::kFileHeaderSize + format::kFileTrailerSize) {
    return Status::Corruption(
        fmt::format("{}: {} bytes is too small for a data file", context, file_size_));
  }
  // One read for the trailer and, usually, the metadata.
  const int64_t tail_length = std::min(file_size_, format::kFooterReadAhead);
  const int64_t tail_start = file_size_ - tail_length;
  IXRAY_ASSIGN_OR_RAISE(BufferPtr tail, ReadAt(tail_start, tail_length));
  auto trailer = format::FileTrailer::Decode(
      tail->span().subspan(tail_length - format::kFileTrailerSize), file_size_);
  if (!trailer.ok()) return trailer.status().WithContext(context);

  if (tail_start == 0) {  // the header came along: check it too
    auto header = format::FileHeader::Decode(tail->span());
    if (!header.ok()) return header.status().WithContext(context);
    if (header->format_version != trailer->format_version) {
      return Status::Corruption(fmt::format("{}: header says format version {}, trailer {}",
                                            context, header->format_version,
                                            trailer->format_version));
    }
  }

  BufferPtr metadata_bytes;
  if (trailer->metadata_offset >= tail_start) {
    metadata_bytes = tail->Slice(trailer->metadata_offset - tail_start, trailer->metadata_length);
  } else {
    IXRAY_ASSIGN_OR_RAISE(metadata_bytes,
                          ReadAt(trailer->metadata_offset, trailer->metadata_length));
  }
  const uint64_t checksum = format::Checksum(metadata_bytes->span());
  if (checksum != trailer->metadata_checksum) {
    return Status::Corruption(
        fmt::format("{}: metadata checksum mismatch (stored {:#018x}, computed {:#018x})", context,
                    trailer->metadata_checksum, checksum));
  }
  auto metadata = format::FileMetadata::Decode(metadata_bytes->span(), trailer->metadata_offset);
  if (!metadata.ok()) return metadata.status().WithContext(context + ": metadata");
  metadata_ = std::move(*metadata);
  return Status::OK();
}

IoStats DataFileReader::stats() const {
  return IoStats{counters_.read_calls.load(std::memory_order_relaxed),
                 counters_.bytes_read.load(std::memory_order_relaxed),
                 counters_.pages_read.load(std::memory_order_relaxed)};
}

Result<SchemaPtr> DataFileReader::ProjectSchema(const std::vector<int>& column_indices) const {
  const Schema& schema = *metadata_.schema;
  std::vector<FieldPtr> fields;
  std::unordered_set<int> seen;
  for (int c : column_indices) {
    if (c < 0 || c >= schema.num_fields()) {
      return Status::InvalidArgument(
          fmt::format("data file '{}': no column {} (it has {})", path_, c, schema.num_fields()));
    }
    if (!seen.insert(c).second) {
      return Status::InvalidArgument(
          fmt::format("data file '{}': column {} requested twice", path_, c));
    }
    fields.push_back(schema.field(c));
  }
  return std::make_shared<const Schema>(std::move(fields));
}

size_t DataFileReader::FindPage(int column, int64_t row) const {
  const auto& pages = metadata_.columns[column].pages;
  auto it = std::upper_bound(pages.begin(), pages.end(), row,
                             [](int64_t r, const PageInfo& p) { return r < p.first_row; });
  return static_cast<size_t>(it - pages.begin()) - 1;
}

Status DataFileReader::PageError(int column, size_t page_index, const Status& status) const {
  const PageInfo& p = metadata_.columns[column].pages[page_index];
  const auto context =
      fmt::format("data file '{}': column '{}' page {} (rows {}..{}, bytes {}..{})", path_,
                  metadata_.schema->field(column)->name, page_index, p.first_row,
                  p.first_row + p.num_rows, p.offset, p.offset + p.length);
  if (status.code() == StatusCode::kCorruption) {
    return Status::Corruption(fmt::format("{}: {}", context, status.message()));
  }
  return status.WithContext(context);
}

Result<ArrayPtr> DataFileReader::ReadPage(int column, size_t page_index) const {
  const PageInfo& p = metadata_.columns[column].pages[page_index];
  const Field& f = *metadata_.schema->field(column);
  IXRAY_ASSIGN_OR_RAISE(BufferPtr stored, ReadAt(p.offset, p.length));
  counters_.pages_read.fetch_add(1, std::memory_order_relaxed);
  const uint64_t checksum = format::Checksum(stored->span());
  if (checksum != p.checksum) {
    return PageError(column, page_index,
                     Status::Corruption(fmt::format("checksum mismatch (stored {:#018x}, "
                                                    "computed {:#018x})",
                                                    p.checksum, checksum)));
  }
  BufferPtr body = std::move(stored);
  if (p.compression != Compression::kNone) {
    auto decompressed = format::Decompress(p.compression, body->span(), p.uncompressed_length);
    if (!decompressed.ok()) return PageError(column, page_index, decompressed.status());
    body = std::move(*decompressed);
  }
  auto array = format::DecodePage(f.type, p.num_rows, p.encoding, std::move(body));
  if (!array.ok()) return PageError(column, page_index, array.status());
  if (!f.nullable && (*array)->null_count() > 0) {
    return PageError(column, page_index, Status::Corruption("nulls in a non-nullable column"));
  }
  return array;
}

Result<ArrayPtr> DataFileReader::ReadPageCached(int column, size_t page_index) const {
  if (page_cache_ == nullptr) return ReadPage(column, page_index);
  if (ArrayPtr page = page_cache_->Get(page_cache_id_, column, page_index)) return page;
  IXRAY_ASSIGN_OR_RAISE(ArrayPtr page, ReadPage(column, page_index));
  page_cache_->Put(page_cache_id_, column, page_index, page,
                   metadata_.columns[column].pages[page_index].uncompressed_length);
  return page;
}

Result<ArrayPtr> DataFileReader::ReadColumnRange(int column, int64_t row_start,
                                                 int64_t num_rows) const {
  const TypePtr& type = metadata_.schema->field(column)->type;
  if (num_rows == 0) return ArrayBuilder(type).Finish();
  const size_t first = FindPage(column, row_start);
  const size_t last = FindPage(column, row_start + num_rows - 1);
  const auto& pages = metadata_.columns[column].pages;
  if (first == last) {  // within one page: a zero-copy slice of it
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr page, ReadPage(column, first));
    return page->Slice(row_start - pages[first].first_row, num_rows);
  }
  ArrayBuilder builder(type);
  builder.Reserve(num_rows);
  const int64_t row_end = row_start + num_rows;
  for (size_t i = first; i <= last; ++i) {
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr page, ReadPage(column, i));
    const PageInfo& p = pages[i];
    const int64_t begin = std::max(row_start, p.first_row);
    const int64_t end = std::min(row_end, p.first_row + p.num_rows);
    IXRAY_RETURN_NOT_OK(builder.AppendFrom(*page, begin - p.first_row, end - begin));
  }
  return builder.Finish();
}

Result<RecordBatchPtr> DataFileReader::ReadRange(const std::vector<int>& column_indices,
                                                 int64_t row_start, int64_t num_rows) const {
  IXRAY_ASSIGN_OR_RAISE(SchemaPtr schema, ProjectSchema(column_indices));
  if (row_start < 0 || num_rows < 0 || row_start > this->num_rows() ||
      num_rows > this->num_rows() - row_start) {
    return Status::InvalidArgument(fmt::format("data file '{}': rows [{}, {}+{}) outside [0, {})",
                                               path_, row_start, row_start, num_rows,
                                               this->num_rows()));
  }
  std::vector<ArrayPtr> columns;
  for (int c : column_indices) {
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr column, ReadColumnRange(c, row_start, num_rows));
    columns.push_back(std::move(column));
  }
  return RecordBatch::Make(std::move(schema), num_rows, std::move(columns));
}

Result<ArrayPtr> DataFileReader::TakeColumn(int column, std::span<const uint64_t> rows) const {
  const auto& pages = metadata_.columns[column].pages;
  ArrayBuilder builder(metadata_.schema->field(column)->type);
  builder.Reserve(static_cast<int64_t>(rows.size()));
  size_t i = 0;
  while (i < rows.size()) {
    const size_t page_index = FindPage(column, static_cast<int64_t>(rows[i]));
    const PageInfo& p = pages[page_index];
    const auto page_end = static_cast<uint64_t>(p.first_row + p.num_rows);
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr page, ReadPageCached(column, page_index));
    while (i < rows.size() && rows[i] < page_end) {
      // Copy runs of consecutive rows at once.
      size_t j = i + 1;
      while (j < rows.size() && rows[j] == rows[j - 1] + 1 && rows[j] < page_end) ++j;
      IXRAY_RETURN_NOT_OK(builder.AppendFrom(*page, static_cast<int64_t>(rows[i]) - p.first_row,
                                             static_cast<int64_t>(j - i)));
      i = j;
    }
  }
  return builder.Finish();
}

Result<RecordBatchPtr> DataFileReader::Take(const std::vector<int>& column_indices,
                                            std::span<const uint64_t> sorted_row_offsets) const {
  IXRAY_ASSIGN_OR_RAISE(SchemaPtr schema, ProjectSchema(column_indices));
  for (size_t i = 0; i < sorted_row_offsets.size(); ++i) {
    if (sorted_row_offsets[i] >= static_cast<uint64_t>(num_rows())) {
      return Status::InvalidArgument(fmt::format("data file '{}': row offset {} is not below {}",
                                                 path_, sorted_row_offsets[i], num_rows()));
    }
    if (i > 0 && sorted_row_offsets[i] < sorted_row_offsets[i - 1]) {
      return Status::InvalidArgument(
          fmt::format("data file '{}': row offsets are not sorted at position {}", path_, i));
    }
  }
  std::vector<ArrayPtr> columns;
  for (int c : column_indices) {
    IXRAY_ASSIGN_OR_RAISE(ArrayPtr column, TakeColumn(c, sorted_row_offsets));
    columns.push_back(std::move(column));
  }
  return RecordBatch::Make(std::move(schema), static_cast<int64_t>(sorted_row_offsets.size()),
                           std::move(columns));
}

}  // namespace ixray
