// DataFileReader::Scan: a BatchReader that walks a data file's columns page
// by page, keeping one decoded page per column.

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "format/data_file.h"

namespace ixray {

namespace {

class DataFileScanner final : public BatchReader {
 public:
  DataFileScanner(std::shared_ptr<const DataFileReader> reader, std::vector<int> columns,
                  int64_t batch_size, SchemaPtr schema, Status error)
      : reader_(std::move(reader)),
        columns_(std::move(columns)),
        batch_size_(batch_size),
        schema_(std::move(schema)),
        error_(std::move(error)),
        cursors_(columns_.size()) {}

  const SchemaPtr& schema() const override { return schema_; }

  Result<RecordBatchPtr> Next() override {
    IXRAY_RETURN_NOT_OK(error_);
    if (position_ >= reader_->num_rows()) return RecordBatchPtr();
    const int64_t rows = std::min(batch_size_, reader_->num_rows() - position_);
    std::vector<ArrayPtr> arrays;
    arrays.reserve(columns_.size());
    for (size_t k = 0; k < columns_.size(); ++k) {
      auto array = ReadColumn(k, position_, rows);
      if (!array.ok()) {
        error_ = array.status();
        return error_;
      }
      arrays.push_back(std::move(*array));
    }
    position_ += rows;
    return RecordBatch::Make(schema_, rows, std::move(arrays));
  }

 private:
  // The page of one column that the scan is in.
  struct Cursor {
    size_t page_index = std::numeric_limits<size_t>::max();
    ArrayPtr page;
    int64_t first_row = 0;
    int64_t end_row = 0;
  };

  Result<ArrayPtr> ReadColumn(size_t k, int64_t start, int64_t count) {
    Cursor& cursor = cursors_[k];
    const int column = columns_[k];
    const auto& pages = reader_->metadata().columns[column].pages;
    std::vector<ArrayPtr> pieces;
    const int64_t end = start + count;
    for (int64_t row = start; row < end;) {
      if (cursor.page == nullptr || row < cursor.first_row || row >= cursor.end_row) {
        cursor.page = nullptr;  // release the old page before reading the next
        cursor.page_index = reader_->FindPage(column, row);
        IXRAY_ASSIGN_OR_RAISE(cursor.page, reader_->ReadPage(column, cursor.page_index));
        cursor.first_row = pages[cursor.page_index].first_row;
        cursor.end_row = cursor.first_row + pages[cursor.page_index].num_rows;
      }
      const int64_t take = std::min(end, cursor.end_row) - row;
      pieces.push_back(cursor.page->Slice(row - cursor.first_row, take));
      row += take;
    }
    if (pieces.size() == 1) return pieces[0];
    return Concatenate(pieces);
  }

  std::shared_ptr<const DataFileReader> reader_;
  std::vector<int> columns_;
  int64_t batch_size_;
  SchemaPtr schema_;
  Status error_;
  std::vector<Cursor> cursors_;
  int64_t position_ = 0;
};

}  // namespace

std::unique_ptr<BatchReader> DataFileReader::Scan(std::vector<int> column_indices,
                                                  int64_t batch_size) const {
  auto schema = ProjectSchema(column_indices);
  Status error = schema.status();
  if (error.ok() && batch_size <= 0) {
    error = Status::InvalidArgument(
        fmt::format("data file '{}': batch size {} is not positive", path_, batch_size));
  }
  SchemaPtr projected = schema.ok() ? *schema : std::make_shared<const Schema>();
  return std::make_unique<DataFileScanner>(shared_from_this(), std::move(column_indices),
                                           batch_size, std::move(projected), std::move(error));
}

}  // namespace ixray
