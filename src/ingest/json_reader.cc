// The JSON lines reader: one object per line, schema inferred per key from
// the first lines, then streamed into batches (see ixray/ingest.h).

#include <fmt/format.h>
#include <simdjson.h>

#include <deque>
#include <limits>
#include <map>

#include "ingest/chunked_input.h"
#include "ingest/ingest_internal.h"
#include "ingest/value_parse.h"
#include "ixray/builder.h"
#include "ixray/ingest.h"

namespace ixray {

namespace {

using ingest::ChunkedInput;
using ingest::LineReader;
using simdjson::dom::element;
using simdjson::dom::element_type;

std::string_view KindName(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "?";
}

bool IsNumber(element_type type) {
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// What the values of one key seen so far could all be.
class KeyInference {
 public:
  void Observe(element value) {
    switch (value.type()) {
      case element_type::NULL_VALUE:
        return;
      case element_type::BOOL:
        boolean_ = true;
        return;
      case element_type::INT64:
        integer_ = true;
        return;
      case element_type::UINT64:  // beyond int64: only a float holds it
      case element_type::DOUBLE:
        floating_ = true;
        return;
      case element_type::STRING:
        string_ = true;
        return;
      case element_type::OBJECT:
        object_ = true;
        return;
      case element_type::ARRAY:
        break;
    }
    array_ = true;
    simdjson::dom::array items = value.get_array().value_unsafe();
    const int64_t length = static_cast<int64_t>(items.size());
    min_length_ = std::min(min_length_, length);
    max_length_ = std::max(max_length_, length);
    for (element item : items) {
      const element_type type = item.type();
      if (type == element_type::NULL_VALUE) continue;
      if (type == element_type::STRING) {
        item_string_ = true;
      } else if (IsNumber(type)) {
        item_number_ = true;
      } else if (type == element_type::BOOL) {
        item_bool_ = true;
      } else {
        item_other_ = true;
      }
    }
  }

  TypePtr Resolve() const {
    const bool scalar = boolean_ || integer_ || floating_ || string_;
    if (object_ || (array_ && scalar)) return utf8();  // mixed: keep the JSON text
    if (array_) {
      if (item_other_ || item_string_ + item_number_ + item_bool_ > 1) return list(utf8());
      if (item_number_) {
        return min_length_ == max_length_
                   ? fixed_size_list(float32(), static_cast<int32_t>(max_length_))
                   : list(float64());
      }
      if (item_bool_) return list(boolean());
      return list(utf8());
    }
    if (boolean_ + (integer_ || floating_) + string_ > 1) return utf8();
    if (boolean_) return boolean();
    if (floating_) return float64();
    if (integer_) return int64();
    return utf8();
  }

 private:
  bool boolean_ = false, integer_ = false, floating_ = false, string_ = false;
  bool object_ = false, array_ = false;
  bool item_string_ = false, item_number_ = false, item_bool_ = false, item_other_ = false;
  int64_t min_length_ = std::numeric_limits<int64_t>::max();
  int64_t max_length_ = -1;
};

Status Mismatch(const DataType& type, element value) {
  return Status::InvalidArgument(
      fmt::format("expected {}, found {}", type.ToString(), KindName(value.type())));
}

template <typename T>
Status AppendInteger(ArrayBuilder& builder, const DataType& type, element value) {
  int64_t signed_value;
  uint64_t unsigned_value;
  bool in_range = false;
  if (value.get_int64().get(signed_value) == simdjson::SUCCESS) {
    in_range = std::is_signed_v<T> ? signed_value >= std::numeric_limits<T>::min() &&
                                         signed_value <= std::numeric_limits<T>::max()
                                   : signed_value >= 0 && static_cast<uint64_t>(signed_value) <=
                                                              std::numeric_limits<T>::max();
    if (in_range) builder.Append<T>(static_cast<T>(signed_value));
  } else if (value.get_uint64().get(unsigned_value) == simdjson::SUCCESS) {
    in_range = unsigned_value <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    if (in_range) builder.Append<T>(static_cast<T>(unsigned_value));
  } else {
    return Mismatch(type, value);
  }
  if (!in_range) {
    return Status::InvalidArgument(
        fmt::format("{} is out of range for {}", simdjson::minify(value), type.ToString()));
  }
  return Status::OK();
}

// Appends `value` (not null) as a value of `type`.
Status AppendJsonValue(ArrayBuilder& builder, const DataType& type, element value) {
  if (value.is_null()) {
    builder.AppendNull();
    return Status::OK();
  }
  const element_type kind = value.type();
  switch (type.id()) {
    case TypeId::kBool:
      if (kind != element_type::BOOL) return Mismatch(type, value);
      builder.AppendBool(value.get_bool().value_unsafe());
      return Status::OK();
    case TypeId::kInt8:
      return AppendInteger<int8_t>(builder, type, value);
    case TypeId::kInt16:
      return AppendInteger<int16_t>(builder, type, value);
    case TypeId::kInt32:
      return AppendInteger<int32_t>(builder, type, value);
    case TypeId::kInt64:
      return AppendInteger<int64_t>(builder, type, value);
    case TypeId::kUInt8:
      return AppendInteger<uint8_t>(builder, type, value);
    case TypeId::kUInt16:
      return AppendInteger<uint16_t>(builder, type, value);
    case TypeId::kUInt32:
      return AppendInteger<uint32_t>(builder, type, value);
    case TypeId::kUInt64:
      return AppendInteger<uint64_t>(builder, type, value);
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      if (!IsNumber(kind)) return Mismatch(type, value);
      const double number = value.get_double().value_unsafe();
      if (type.id() == TypeId::kFloat64) {
        builder.Append<double>(number);
      } else if (type.id() == TypeId::kFloat32) {
        builder.Append<float>(static_cast<float>(number));
      } else {
        builder.Append<uint16_t>(ingest::FloatToHalf(static_cast<float>(number)));
      }
      return Status::OK();
    }
    case TypeId::kString:
    case TypeId::kLargeString:
      if (kind == element_type::STRING) {
        builder.AppendString(value.get_string().value_unsafe());
      } else {
        builder.AppendString(simdjson::minify(value));
      }
      return Status::OK();
    case TypeId::kBinary:
      if (kind != element_type::STRING) return Mismatch(type, value);
      builder.AppendString(value.get_string().value_unsafe());
      return Status::OK();
    case TypeId::kDate32:
    case TypeId::kTimestamp:
      if (kind == element_type::INT64) {
        // Already in storage units: days, or microseconds.
        const int64_t number = value.get_int64().value_unsafe();
        if (type.id() == TypeId::kDate32) {
          builder.Append<int32_t>(static_cast<int32_t>(number));
        } else {
          builder.Append<int64_t>(number);
        }
        return Status::OK();
      }
      if (kind != element_type::STRING) return Mismatch(type, value);
      return ingest::AppendParsedText(builder, type, value.get_string().value_unsafe());
    case TypeId::kList:
    case TypeId::kFixedSizeList: {
      if (kind != element_type::ARRAY) return Mismatch(type, value);
      simdjson::dom::array items = value.get_array().value_unsafe();
      if (type.id() == TypeId::kFixedSizeList &&
          static_cast<int64_t>(items.size()) != type.list_size()) {
        return Status::InvalidArgument(fmt::format("expected {} values for {}, found {}",
                                                   type.list_size(), type.ToString(),
                                                   items.size()));
      }
      builder.StartList();
      int64_t index = 0;
      for (element item : items) {
        const Status status = AppendJsonValue(builder.child(), *type.value_type(), item);
        if (!status.ok()) return status.WithContext(fmt::format("item {}", index));
        ++index;
      }
      return Status::OK();
    }
  }
  return Status::Internal("unhandled type");
}

class JsonLinesReader final : public IngestReader {
 public:
  JsonLinesReader(std::unique_ptr<ChunkedInput> input, const IngestOptions& options)
      : input_(std::move(input)), lines_(input_.get()), options_(options) {}

  Status Init() {
    if (options_.schema != nullptr) {
      schema_ = options_.schema;
    } else {
      IXRAY_RETURN_NOT_OK(InferSchema());
    }
    for (int i = 0; i < schema_->num_fields(); ++i) columns_.emplace(schema_->field(i)->name, i);
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
    }
    int64_t rows = 0;
    while (rows < options_.batch_size) {
      int64_t line_number;
      if (!pending_.empty()) {
        line_number = pending_.front().first;
        line_ = std::move(pending_.front().second);
        pending_.pop_front();
      } else {
        IXRAY_ASSIGN_OR_RAISE(bool more, lines_.Next(&line_, &line_number));
        if (!more) {
          done_ = true;
          break;
        }
        if (IsBlank(line_)) continue;
      }
      IXRAY_RETURN_NOT_OK(AppendLine(line_number, builders));
      ++rows;
    }
    if (rows == 0) return RecordBatchPtr();
    return ingest::FinishBatch(schema_, rows, builders);
  }

 private:
  Status InferSchema() {
    std::vector<std::string> names;
    std::vector<KeyInference> keys;
    std::map<std::string, int, std::less<>> key_index;
    while (static_cast<int64_t>(pending_.size()) < options_.inference_rows) {
      int64_t line_number;
      IXRAY_ASSIGN_OR_RAISE(bool more, lines_.Next(&line_, &line_number));
      if (!more) break;
      if (IsBlank(line_)) continue;
      simdjson::dom::object object;
      IXRAY_RETURN_NOT_OK(ParseObject(line_number, &object));
      for (auto [key, value] : object) {
        auto it = key_index.find(key);
        if (it == key_index.end()) {
          it = key_index.emplace(std::string(key), static_cast<int>(keys.size())).first;
          names.emplace_back(key);
          keys.emplace_back();
        }
        keys[it->second].Observe(value);
      }
      pending_.emplace_back(line_number, std::move(line_));
    }
    std::vector<FieldPtr> fields;
    for (size_t i = 0; i < keys.size(); ++i) fields.push_back(field(names[i], keys[i].Resolve()));
    IXRAY_ASSIGN_OR_RAISE(schema_, Schema::Make(std::move(fields)));
    return Status::OK();
  }

  // Parses line_ (number `line_number`) as a JSON object.
  Status ParseObject(int64_t line_number, simdjson::dom::object* object) {
    element document;
    const simdjson::error_code error = parser_.parse(line_).get(document);
    if (error != simdjson::SUCCESS) {
      return Status::InvalidArgument(fmt::format("'{}' line {}: malformed JSON: {}", input_->path(),
                                                 line_number, simdjson::error_message(error)));
    }
    if (document.get_object().get(*object) != simdjson::SUCCESS) {
      return Status::InvalidArgument(fmt::format("'{}' line {}: expected a JSON object, found {}",
                                                 input_->path(), line_number,
                                                 KindName(document.type())));
    }
    return Status::OK();
  }

  Status AppendLine(int64_t line_number, std::vector<std::unique_ptr<ArrayBuilder>>& builders) {
    simdjson::dom::object object;
    IXRAY_RETURN_NOT_OK(ParseObject(line_number, &object));
    values_.assign(builders.size(), element());
    present_.assign(builders.size(), 0);
    for (auto [key, value] : object) {
      const auto it = columns_.find(key);
      if (it == columns_.end()) {
        if (options_.schema != nullptr) continue;  // not asked for
        return Status::InvalidArgument(fmt::format(
            "'{}' line {}: key '{}' did not appear in the first {} lines used to infer the "
            "schema; pass an explicit schema or infer from more lines",
            input_->path(), line_number, key, options_.inference_rows));
      }
      values_[it->second] = value;  // a repeated key: the last one wins
      present_[it->second] = 1;
    }
    for (size_t c = 0; c < builders.size(); ++c) {
      if (!present_[c]) {
        builders[c]->AppendNull();
        continue;
      }
      const FieldPtr& f = schema_->field(static_cast<int>(c));
      const Status status = AppendJsonValue(*builders[c], *f->type, values_[c]);
      if (!status.ok()) {
        return Status::InvalidArgument(fmt::format("'{}' line {}, key '{}': {}", input_->path(),
                                                   line_number, f->name, status.message()));
      }
    }
    return Status::OK();
  }

  std::unique_ptr<ChunkedInput> input_;
  LineReader lines_;
  IngestOptions options_;
  simdjson::dom::parser parser_;
  SchemaPtr schema_;
  std::map<std::string, int, std::less<>> columns_;
  std::deque<std::pair<int64_t, std::string>> pending_;  // inference lines not yet emitted
  std::string line_;
  std::vector<element> values_;  // per column, its value in the current line
  std::vector<uint8_t> present_;
  bool done_ = false;
};

}  // namespace

Result<std::unique_ptr<IngestReader>> OpenJsonLinesReader(FileSystem& fs, const std::string& path,
                                                          const IngestOptions& options) {
  IXRAY_RETURN_NOT_OK(ingest::ValidateOptions(options));
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<ChunkedInput> input,
                        ChunkedInput::Open(fs, path, options.chunk_size));
  auto reader = std::make_unique<JsonLinesReader>(std::move(input), options);
  IXRAY_RETURN_NOT_OK(reader->Init());
  return std::unique_ptr<IngestReader>(std::move(reader));
}

}  // namespace ixray
