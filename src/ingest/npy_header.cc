#include "ingest/npy_header.h"

#include <fmt/format.h>

#include <bit>
#include <limits>
#include <map>
#include <variant>

namespace ixray::ingest {

namespace {

// A value of the header dict: a string, a bool, or a tuple of integers.
using DictValue = std::variant<std::string, bool, std::vector<int64_t>>;

class DictParser {
 public:
  explicit DictParser(std::string_view text) : text_(text) {}

  Result<std::map<std::string, DictValue>> Parse() {
    std::map<std::string, DictValue> dict;
    SkipSpace();
    if (!Consume('{')) return Error("expected '{'");
    while (true) {
      SkipSpace();
      if (Consume('}')) break;
      IXRAY_ASSIGN_OR_RAISE(std::string key, ParseString());
      SkipSpace();
      if (!Consume(':')) return Error("expected ':'");
      SkipSpace();
      IXRAY_ASSIGN_OR_RAISE(DictValue value, ParseValue(key));
      dict[key] = std::move(value);
      SkipSpace();
      if (Consume('}')) break;
      if (!Consume(',')) return Error("expected ',' or '}'");
    }
    return dict;
  }

 private:
  Status Error(std::string_view what) const {
    return Status::InvalidArgument(
        fmt::format("malformed .npy header: {} at offset {} of \"{}\"", what, pos_, text_));
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  Result<std::string> ParseString() {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      return Error("expected a quoted string");
    }
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) return Error("unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }
  Result<int64_t> ParseInteger() {
    const size_t start = pos_;
    int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (value > (int64_t{1} << 56)) return Error("dimension too large");
      value = value * 10 + (text_[pos_++] - '0');
    }
    if (pos_ == start) return Error("expected an integer");
    Consume('L');  // Python 2 long literals
    return value;
  }
  Result<DictValue> ParseValue(const std::string& key) {
    if (pos_ < text_.size() && (text_[pos_] == '\'' || text_[pos_] == '"')) {
      IXRAY_ASSIGN_OR_RAISE(std::string value, ParseString());
      return DictValue(std::move(value));
    }
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return DictValue(true);
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return DictValue(false);
    }
    if (Consume('(')) {
      std::vector<int64_t> tuple;
      while (true) {
        SkipSpace();
        if (Consume(')')) break;
        IXRAY_ASSIGN_OR_RAISE(int64_t value, ParseInteger());
        tuple.push_back(value);
        SkipSpace();
        if (Consume(')')) break;
        if (!Consume(',')) return Error("expected ',' or ')' in the shape");
      }
      return DictValue(std::move(tuple));
    }
    if (key == "descr" && pos_ < text_.size() && text_[pos_] == '[') {
      return Status::NotImplemented(".npy structured dtypes (record arrays) are not supported");
    }
    return Error("unexpected value for '" + key + "'");
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Maps a dtype string such as "<f4" to an element type.
Status ParseDescr(std::string_view descr, NpyHeader* header) {
  if (descr.size() < 3) {
    return Status::NotImplemented(fmt::format(".npy dtype '{}' is not supported", descr));
  }
  const char order = descr[0];
  const char kind = descr[1];
  int size = 0;
  for (char c : descr.substr(2)) {
    if (c < '0' || c > '9' || size > 1000) {
      return Status::NotImplemented(fmt::format(".npy dtype '{}' is not supported", descr));
    }
    size = size * 10 + (c - '0');
  }
  TypePtr type;
  if (kind == 'f') {
    type = size == 2 ? float16() : size == 4 ? float32() : size == 8 ? float64() : nullptr;
  } else if (kind == 'i') {
    type = size == 1   ? int8()
           : size == 2 ? int16()
           : size == 4 ? int32()
           : size == 8 ? int64()
                       : nullptr;
  } else if (kind == 'u') {
    type = size == 1   ? uint8()
           : size == 2 ? uint16()
           : size == 4 ? uint32()
           : size == 8 ? uint64()
                       : nullptr;
  } else if (kind == 'b' && size == 1) {
    type = boolean();
  }
  if (type == nullptr || (order != '<' && order != '>' && order != '|' && order != '=')) {
    return Status::NotImplemented(fmt::format(
        ".npy dtype '{}' is not supported (bool, int, uint and float dtypes are)", descr));
  }
  header->value_type = type;
  header->item_size = size;
  const bool little = std::endian::native == std::endian::little;
  header->swap_bytes = size > 1 && ((order == '<' && !little) || (order == '>' && little));
  return Status::OK();
}

}  // namespace

Result<int64_t> ParseNpyPrelude(std::string_view prelude, int* major_version) {
  if (prelude.size() < 10 || prelude.substr(0, 6) != "\x93NUMPY") {
    return Status::InvalidArgument("not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = static_cast<uint8_t>(prelude[6]);
  auto byte = [&](size_t i) { return static_cast<int64_t>(static_cast<uint8_t>(prelude[i])); };
  *major_version = major;
  if (major == 1) return 10 + (byte(8) | byte(9) << 8);
  if (major == 2 || major == 3) {
    if (prelude.size() < 12) return Status::InvalidArgument("truncated .npy header");
    return 12 + (byte(8) | byte(9) << 8 | byte(10) << 16 | byte(11) << 24);
  }
  return Status::NotImplemented(fmt::format(".npy format version {}.{} is not supported", major,
                                            static_cast<int>(static_cast<uint8_t>(prelude[7]))));
}

Result<NpyHeader> ParseNpyDict(std::string_view dict_text, int major_version, int64_t data_offset) {
  IXRAY_ASSIGN_OR_RAISE(auto dict, DictParser(dict_text).Parse());
  NpyHeader header;
  header.major_version = major_version;
  header.data_offset = data_offset;
  const auto descr = dict.find("descr");
  const auto fortran = dict.find("fortran_order");
  const auto shape = dict.find("shape");
  if (descr == dict.end() || !std::holds_alternative<std::string>(descr->second) ||
      fortran == dict.end() || !std::holds_alternative<bool>(fortran->second) ||
      shape == dict.end() || !std::holds_alternative<std::vector<int64_t>>(shape->second)) {
    return Status::InvalidArgument(fmt::format(
        "malformed .npy header: needs 'descr' (a string), 'fortran_order' (a bool) and 'shape' "
        "(a tuple): \"{}\"",
        dict_text));
  }
  IXRAY_RETURN_NOT_OK(ParseDescr(std::get<std::string>(descr->second), &header));
  if (std::get<bool>(fortran->second)) {
    return Status::NotImplemented(
        ".npy arrays in Fortran order are not supported (save with numpy.ascontiguousarray)");
  }
  header.shape = std::get<std::vector<int64_t>>(shape->second);
  if (header.shape.empty() || header.shape.size() > 2) {
    return Status::NotImplemented(fmt::format(
        ".npy arrays of {} dimensions are not supported (1-D or 2-D are)", header.shape.size()));
  }
  if (header.shape.size() == 2 &&
      (header.shape[1] <= 0 || header.shape[1] > std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument(
        fmt::format(".npy array of shape ({}, {}): the row length must be in 1..2^31-1",
                    header.shape[0], header.shape[1]));
  }
  return header;
}

}  // namespace ixray::ingest
