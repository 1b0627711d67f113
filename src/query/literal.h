// Literal: a typed constant of the filter language (`42`, `2.5`, `'abc'`,
// `date '2024-01-31'`, `NULL`, ...), plus the date and timestamp text codecs
// the parser and the binder share.
//
// A literal keeps the value as the user wrote it; coercion to a column's type
// happens when a comparison is evaluated or planned (see comparison_bounds.h),
// so an `int8` column compared with 1000 or 2.5 still gives the exact answer.
// Integer literals are kInt64 when they fit, otherwise kUInt64 (values above
// INT64_MAX); the factories normalize, so one value has one representation.
//
// Thread safety: a value type; immutable once made.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ixray/status.h"

namespace ixray::query {

enum class LiteralKind : uint8_t {
  kNull,
  kBool,
  kInt64,
  kUInt64,  // only for values above INT64_MAX
  kFloat64,
  kString,     // utf-8 or raw bytes; compared byte-wise
  kDate32,     // days since the UNIX epoch
  kTimestamp,  // microseconds since the UNIX epoch, UTC
};

class Literal {
 public:
  Literal() = default;  // NULL

  static Literal Null() { return Literal(); }
  static Literal Bool(bool value);
  static Literal Int64(int64_t value);
  // Normalizes to kInt64 when `value` <= INT64_MAX.
  static Literal UInt64(uint64_t value);
  static Literal Float64(double value);
  static Literal String(std::string value);
  static Literal Date32(int32_t days);
  static Literal Timestamp(int64_t micros);

  LiteralKind kind() const { return kind_; }
  bool is_null() const { return kind_ == LiteralKind::kNull; }
  bool is_number() const {
    return kind_ == LiteralKind::kInt64 || kind_ == LiteralKind::kUInt64 ||
           kind_ == LiteralKind::kFloat64;
  }

  // REQUIRES: kind() is kBool.
  bool bool_value() const { return int_ != 0; }
  // REQUIRES: kind() is kInt64, kDate32 or kTimestamp.
  int64_t int_value() const { return int_; }
  // REQUIRES: kind() is kUInt64.
  uint64_t uint_value() const { return static_cast<uint64_t>(int_); }
  // REQUIRES: kind() is kFloat64.
  double float_value() const { return float_; }
  // REQUIRES: kind() is kString.
  const std::string& string_value() const { return string_; }

  // The literal in filter syntax, so that parsing it gives it back:
  // NULL, TRUE, -7, 18446744073709551615, 2.5, 'it''s', date '2024-01-31',
  // timestamp '2024-01-31 12:00:00.250000'. Non-finite floats print as
  // inf / -inf / nan, which the parser does not accept.
  std::string ToString() const;
  // A short name of the kind for error messages: "integer", "string", ...
  std::string_view KindName() const;

  // Structural equality (floats compare by bits, so NaN equals NaN here).
  bool operator==(const Literal& other) const;

 private:
  LiteralKind kind_ = LiteralKind::kNull;
  int64_t int_ = 0;  // bool, int64, uint64 (bit pattern), date32, timestamp
  double float_ = 0;
  std::string string_;
};

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

// Parses 'YYYY-MM-DD' (a valid proleptic Gregorian date, years 0000-9999) to
// days since 1970-01-01. InvalidArgument otherwise.
Result<int32_t> ParseDate(std::string_view text);

// Parses 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS[.f]' or the same with 'T' between
// date and time, with up to 6 fraction digits and an optional trailing 'Z',
// as UTC, to microseconds since the epoch. InvalidArgument otherwise.
Result<int64_t> ParseTimestamp(std::string_view text);

// 'YYYY-MM-DD' of a day count.
std::string FormatDate(int64_t days);
// 'YYYY-MM-DD HH:MM:SS' plus '.ffffff' when the fraction is not zero.
std::string FormatTimestamp(int64_t micros);

}  // namespace ixray::query
