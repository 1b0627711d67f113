#include "ixray/record_batch.h"

#include <fmt/format.h>

namespace ixray {

RecordBatch::RecordBatch(SchemaPtr schema, int64_t num_rows, std::vector<ArrayPtr> columns)
    : schema_(std::move(schema)), num_rows_(num_rows), columns_(std::move(columns)) {}

Result<RecordBatchPtr> RecordBatch::Make(SchemaPtr schema, int64_t num_rows,
                                         std::vector<ArrayPtr> columns) {
  if (schema == nullptr) return Status::InvalidArgument("record batch without a schema");
  if (static_cast<int>(columns.size()) != schema->num_fields()) {
    return Status::InvalidArgument(fmt::format("record batch has {} columns, the schema {}",
                                               columns.size(), schema->num_fields()));
  }
  for (int i = 0; i < schema->num_fields(); ++i) {
    const Field& f = *schema->field(i);
    if (columns[i] == nullptr) {
      return Status::InvalidArgument(fmt::format("column '{}' is missing", f.name));
    }
    if (columns[i]->length() != num_rows) {
      return Status::InvalidArgument(fmt::format("column '{}' has {} rows, the batch {}", f.name,
                                                 columns[i]->length(), num_rows));
    }
    if (!columns[i]->type()->Equals(*f.type)) {
      return Status::TypeError(fmt::format("column '{}' is {}, the schema says {}", f.name,
                                           columns[i]->type()->ToString(), f.type->ToString()));
    }
  }
  return std::make_shared<const RecordBatch>(std::move(schema), num_rows, std::move(columns));
}

ArrayPtr RecordBatch::GetColumnByName(std::string_view name) const {
  const int i = schema_->FieldIndex(name);
  return i < 0 ? nullptr : columns_[i];
}

RecordBatchPtr RecordBatch::Slice(int64_t offset, int64_t length) const {
  std::vector<ArrayPtr> columns;
  columns.reserve(columns_.size());
  for (const auto& c : columns_) columns.push_back(c->Slice(offset, length));
  return std::make_shared<const RecordBatch>(schema_, length, std::move(columns));
}

Result<RecordBatchPtr> RecordBatch::Project(const std::vector<std::string>& names) const {
  IXRAY_ASSIGN_OR_RAISE(auto schema, schema_->Project(names));
  std::vector<ArrayPtr> columns;
  columns.reserve(names.size());
  for (const auto& name : names) columns.push_back(GetColumnByName(name));
  return std::make_shared<const RecordBatch>(std::move(schema), num_rows_, std::move(columns));
}

bool RecordBatch::Equals(const RecordBatch& other) const {
  if (num_rows_ != other.num_rows_ || !schema_->Equals(*other.schema_)) return false;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (!columns_[i]->Equals(*other.columns_[i])) return false;
  }
  return true;
}

std::string RecordBatch::ToString() const {
  std::string out = fmt::format("RecordBatch of {} rows", num_rows_);
  for (int i = 0; i < num_columns(); ++i) {
    out += fmt::format("\n  {}: {}", schema_->field(i)->ToString(), columns_[i]->ToString());
  }
  return out;
}

Result<std::vector<RecordBatchPtr>> BatchReader::ReadAll() {
  std::vector<RecordBatchPtr> out;
  while (true) {
    IXRAY_ASSIGN_OR_RAISE(auto batch, Next());
    if (batch == nullptr) return out;
    out.push_back(std::move(batch));
  }
}

namespace {

class VectorReader final : public BatchReader {
 public:
  VectorReader(SchemaPtr schema, std::vector<RecordBatchPtr> batches)
      : schema_(std::move(schema)), batches_(std::move(batches)) {}
  const SchemaPtr& schema() const override { return schema_; }
  Result<RecordBatchPtr> Next() override {
    if (next_ >= batches_.size()) return RecordBatchPtr();
    return batches_[next_++];
  }

 private:
  SchemaPtr schema_;
  std::vector<RecordBatchPtr> batches_;
  size_t next_ = 0;
};

}  // namespace

std::unique_ptr<BatchReader> MakeVectorReader(SchemaPtr schema,
                                              std::vector<RecordBatchPtr> batches) {
  return std::make_unique<VectorReader>(std::move(schema), std::move(batches));
}

Result<RecordBatchPtr> ConcatenateBatches(const SchemaPtr& schema,
                                          const std::vector<RecordBatchPtr>& batches) {
  int64_t rows = 0;
  for (const auto& b : batches) rows += b->num_rows();
  std::vector<ArrayPtr> columns;
  for (int i = 0; i < schema->num_fields(); ++i) {
    std::vector<ArrayPtr> parts;
    for (const auto& b : batches) parts.push_back(b->column(i));
    if (parts.empty()) {
      parts.push_back(MakeNullArray(schema->field(i)->type, 0));
    }
    IXRAY_ASSIGN_OR_RAISE(auto column, Concatenate(parts));
    columns.push_back(std::move(column));
  }
  return RecordBatch::Make(schema, rows, std::move(columns));
}

}  // namespace ixray
