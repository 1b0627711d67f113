// The CSV reader: header, schema inference over the first rows, then
// streaming conversion of records into batches (see ixray/ingest.h).

#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "ingest/chunked_input.h"
#include "ingest/csv_parser.h"
#include "ingest/ingest_internal.h"
#include "ingest/value_parse.h"
#include "ixray/builder.h"
#include "ixray/ingest.h"

namespace ixray {

namespace {

using ingest::ChunkedInput;
using ingest::CsvRecord;
using ingest::CsvRecordParser;

// What the values of one column seen so far could all be.
class ColumnInference {
 public:
  void Observe(std::string_view raw) {
    const std::string_view text = ingest::TrimBlanks(raw);
    if (text.empty()) return;  // null
    saw_value_ = true;
    if ((candidates_ & kInt) && !ingest::ParseInt64(text)) candidates_ &= ~kInt;
    if ((candidates_ & kFloat) && !ingest::ParseDouble(text)) candidates_ &= ~kFloat;
    if ((candidates_ & kBool) && !ingest::ParseBool(text)) candidates_ &= ~kBool;
    if ((candidates_ & kDate) && !ingest::ParseDate32(text)) candidates_ &= ~kDate;
    if (candidates_ & kTimestamp) {
      const auto timestamp = ingest::ParseTimestamp(text);
      if (!timestamp) {
        candidates_ &= ~kTimestamp;
      } else if (!timestamp->has_zone) {
        all_zoned_ = false;
      }
    }
  }

  TypePtr Resolve() const {
    if (!saw_value_) return utf8();
    if (candidates_ & kInt) return int64();
    if (candidates_ & kFloat) return float64();
    if (candidates_ & kBool) return boolean();
    if (candidates_ & kDate) return date32();
    if (candidates_ & kTimestamp) return timestamp(all_zoned_ ? "UTC" : "");
    return utf8();
  }

 private:
  static constexpr unsigned kInt = 1, kFloat = 2, kBool = 4, kDate = 8, kTimestamp = 16;
  unsigned candidates_ = kInt | kFloat | kBool | kDate | kTimestamp;
  bool saw_value_ = false;
  bool all_zoned_ = true;
};

class CsvReader final : public IngestReader {
 public:
  CsvReader(std::unique_ptr<ChunkedInput> input, const IngestOptions& options)
      : input_(std::move(input)), parser_(input_.get(), options.delimiter), options_(options) {}

  Status Init() {
    CsvRecord header;
    IXRAY_ASSIGN_OR_RAISE(bool has_header, parser_.Next(&header));
    if (!has_header) {
      return Status::InvalidArgument("'" + input_->path() + "': empty CSV file, no header row");
    }
    num_fields_ = header.num_fields();
    std::vector<std::string> names;
    for (int i = 0; i < num_fields_; ++i) {
      std::string name(ingest::TrimBlanks(header.field(i)));
      names.push_back(name.empty() ? fmt::format("column_{}", i + 1) : name);
    }
    if (options_.schema != nullptr) return BindSchema(names);

    std::vector<ColumnInference> inference(num_fields_);
    while (static_cast<int64_t>(pending_.size()) < options_.inference_rows) {
      CsvRecord record;
      IXRAY_ASSIGN_OR_RAISE(bool more, parser_.Next(&record));
      if (!more) break;
      IXRAY_RETURN_NOT_OK(CheckFieldCount(record));
      for (int i = 0; i < num_fields_; ++i) inference[i].Observe(record.field(i));
      pending_.push_back(std::move(record));
    }
    std::vector<FieldPtr> fields;
    for (int i = 0; i < num_fields_; ++i) {
      fields.push_back(field(names[i], inference[i].Resolve()));
      source_index_.push_back(i);
    }
    Result<SchemaPtr> schema = Schema::Make(std::move(fields));
    if (!schema.ok()) return schema.status().WithContext("'" + input_->path() + "' header");
    schema_ = std::move(*schema);
    return Status::OK();
  }

  const SchemaPtr& schema() const override { return schema_; }
  int64_t bytes_read() const override { return input_->position(); }
  int64_t total_bytes() const override { return input_->size(); }

  Result<RecordBatchPtr> Next() override {
    if (done_) return RecordBatchPtr();
    std::vector<std::unique_ptr<ArrayBuilder>> builders;
    for (const FieldPtr& f : schema_->fields()) {
      builders.push_back(std::make_unique<ArrayBuilder>(f->type));
      builders.back()->Reserve(std::min<int64_t>(options_.batch_size, 1 << 16));
    }
    int64_t rows = 0;
    CsvRecord record;
    while (rows < options_.batch_size) {
      if (!pending_.empty()) {
        record = std::move(pending_.front());
        pending_.pop_front();
      } else {
        IXRAY_ASSIGN_OR_RAISE(bool more, parser_.Next(&record));
        if (!more) {
          done_ = true;
          break;
        }
        IXRAY_RETURN_NOT_OK(CheckFieldCount(record));
      }
      IXRAY_RETURN_NOT_OK(AppendRecord(record, builders));
      ++rows;
    }
    if (rows == 0) return RecordBatchPtr();
    return ingest::FinishBatch(schema_, rows, builders);
  }

 private:
  // Matches the explicit schema's fields to header columns by name.
  Status BindSchema(const std::vector<std::string>& names) {
    for (const FieldPtr& f : options_.schema->fields()) {
      if (!ingest::IsTextParsableType(*f->type)) {
        return Status::NotImplemented(
            fmt::format("CSV column '{}': type {} is not supported", f->name, f->type->ToString()));
      }
      const auto it = std::find(names.begin(), names.end(), f->name);
      if (it == names.end()) {
        return Status::InvalidArgument(
            fmt::format("'{}': the schema's column '{}' is not in the "
                        "CSV header ({})",
                        input_->path(), f->name, fmt::join(names, ", ")));
      }
      source_index_.push_back(static_cast<int>(it - names.begin()));
    }
    schema_ = options_.schema;
    return Status::OK();
  }

  Status CheckFieldCount(const CsvRecord& record) const {
    if (record.num_fields() == num_fields_) return Status::OK();
    return Status::InvalidArgument(
        fmt::format("'{}' line {}: expected {} fields (as in the header), found {}", input_->path(),
                    record.line(), num_fields_, record.num_fields()));
  }

  Status AppendRecord(const CsvRecord& record,
                      std::vector<std::unique_ptr<ArrayBuilder>>& builders) const {
    for (size_t c = 0; c < builders.size(); ++c) {
      const int source = source_index_[c];
      const std::string_view text = record.field(source);
      const DataType& type = *schema_->field(static_cast<int>(c))->type;
      const bool is_string = type.is_string_like();
      if (is_string ? (text.empty() && !record.quoted(source)) : ingest::TrimBlanks(text).empty()) {
        builders[c]->AppendNull();
        continue;
      }
      const Status status = ingest::AppendParsedText(*builders[c], type, text);
      if (!status.ok()) {
        return Status::InvalidArgument(fmt::format(
            "'{}' line {}, column '{}' (#{}): {}{}", input_->path(), record.line(),
            schema_->field(static_cast<int>(c))->name, source + 1, status.message(),
            options_.schema ? ""
                            : fmt::format(" (type inferred from the first {} rows; pass an "
                                          "explicit schema or infer from more rows)",
                                          options_.inference_rows)));
      }
    }
    return Status::OK();
  }

  std::unique_ptr<ChunkedInput> input_;
  CsvRecordParser parser_;
  IngestOptions options_;
  int num_fields_ = 0;
  std::deque<CsvRecord> pending_;  // inference rows not yet emitted
  std::vector<int> source_index_;  // per output column, its field in a record
  SchemaPtr schema_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<IngestReader>> OpenCsvReader(FileSystem& fs, const std::string& path,
                                                    const IngestOptions& options) {
  IXRAY_RETURN_NOT_OK(ingest::ValidateOptions(options));
  if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
    return Status::InvalidArgument("the CSV delimiter cannot be a quote or a line end");
  }
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<ChunkedInput> input,
                        ChunkedInput::Open(fs, path, options.chunk_size));
  auto reader = std::make_unique<CsvReader>(std::move(input), options);
  IXRAY_RETURN_NOT_OK(reader->Init());
  return std::unique_ptr<IngestReader>(std::move(reader));
}

}  // namespace ixray
