#include "query/literal.h"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <limits>

namespace ixray::query {

Literal Literal::Bool(bool value) {
  Literal out;
  out.kind_ = LiteralKind::kBool;
  out.int_ = value ? 1 : 0;
  return out;
}

Literal Literal::Int64(int64_t value) {
  Literal out;
  out.kind_ = LiteralKind::kInt64;
  out.int_ = value;
  return out;
}

Literal Literal::UInt64(uint64_t value) {
  if (value <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Int64(static_cast<int64_t>(value));
  }
  Literal out;
  out.kind_ = LiteralKind::kUInt64;
  out.int_ = static_cast<int64_t>(value);
  return out;
}

Literal Literal::Float64(double value) {
  Literal out;
  out.kind_ = LiteralKind::kFloat64;
  out.float_ = value;
  return out;
}

Literal Literal::String(std::string value) {
  Literal out;
  out.kind_ = LiteralKind::kString;
  out.string_ = std::move(value);
  return out;
}

Literal Literal::Date32(int32_t days) {
  Literal out;
  out.kind_ = LiteralKind::kDate32;
  out.int_ = days;
  return out;
}

Literal Literal::Timestamp(int64_t micros) {
  Literal out;
  out.kind_ = LiteralKind::kTimestamp;
  out.int_ = micros;
  return out;
}

namespace {

std::string QuoteString(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string FormatFloat(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  std::string out(buf, end);
  // Keep a float a float when it is parsed back: "2" would be an integer.
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

// Howard Hinnant's days_from_civil / civil_from_days (public domain), exact
// for the proleptic Gregorian calendar.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int64_t year, month, day;
};

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2), m, d};
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` decimal digits at `*pos`.
bool ReadDigits(std::string_view text, size_t* pos, int width, int64_t* out) {
  if (*pos + width > text.size()) return false;
  int64_t value = 0;
  for (int i = 0; i < width; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pos += width;
  *out = value;
  return true;
}

bool ReadChar(std::string_view text, size_t* pos, char expected) {
  if (*pos >= text.size() || text[*pos] != expected) return false;
  ++*pos;
  return true;
}

// Parses the date part at the front of `text`; `*pos` ends after it.
bool ParseDatePrefix(std::string_view text, size_t* pos, int64_t* days) {
  int64_t y, m, d;
  if (!ReadDigits(text, pos, 4, &y) || !ReadChar(text, pos, '-') || !ReadDigits(text, pos, 2, &m) ||
      !ReadChar(text, pos, '-') || !ReadDigits(text, pos, 2, &d)) {
    return false;
  }
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  *days = DaysFromCivil(y, m, d);
  return true;
}

}  // namespace

std::string Literal::ToString() const {
  switch (kind_) {
    case LiteralKind::kNull:
      return "NULL";
    case LiteralKind::kBool:
      return int_ ? "TRUE" : "FALSE";
    case LiteralKind::kInt64:
      return fmt::to_string(int_);
    case LiteralKind::kUInt64:
      return fmt::to_string(uint_value());
    case LiteralKind::kFloat64:
      return FormatFloat(float_);
    case LiteralKind::kString:
      return QuoteString(string_);
    case LiteralKind::kDate32:
      return "date " + QuoteString(FormatDate(int_));
    case LiteralKind::kTimestamp:
      return "timestamp " + QuoteString(FormatTimestamp(int_));
  }
  return "?";
}

std::string_view Literal::KindName() const {
  switch (kind_) {
    case LiteralKind::kNull:
      return "NULL";
    case LiteralKind::kBool:
      return "boolean";
    case LiteralKind::kInt64:
    case LiteralKind::kUInt64:
      return "integer";
    case LiteralKind::kFloat64:
      return "float";
    case LiteralKind::kString:
      return "string";
    case LiteralKind::kDate32:
      return "date";
    case LiteralKind::kTimestamp:
      return "timestamp";
  }
  return "?";
}

bool Literal::operator==(const Literal& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case LiteralKind::kNull:
      return true;
    case LiteralKind::kFloat64:
      return std::bit_cast<uint64_t>(float_) == std::bit_cast<uint64_t>(other.float_);
    case LiteralKind::kString:
      return string_ == other.string_;
    default:
      return int_ == other.int_;
  }
}

Result<int32_t> ParseDate(std::string_view text) {
  size_t pos = 0;
  int64_t days = 0;
  if (!ParseDatePrefix(text, &pos, &days) || pos != text.size()) {
    return Status::InvalidArgument(
        fmt::format("invalid date '{}': expected a valid date as 'YYYY-MM-DD'", text));
  }
  return static_cast<int32_t>(days);
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  const auto fail = [&] {
    return Status::InvalidArgument(
        fmt::format("invalid timestamp '{}': expected 'YYYY-MM-DD HH:MM:SS[.ffffff]'", text));
  };
  size_t pos = 0;
  int64_t days = 0;
  if (!ParseDatePrefix(text, &pos, &days)) return fail();
  int64_t micros = days * kMicrosPerDay;
  if (pos < text.size() && (text[pos] == ' ' || text[pos] == 'T')) {
    ++pos;
    int64_t h, m, s;
    if (!ReadDigits(text, &pos, 2, &h) || !ReadChar(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &m) || !ReadChar(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &s) || h > 23 || m > 59 || s > 59) {
      return fail();
    }
    micros += ((h * 60 + m) * 60 + s) * kMicrosPerSecond;
    if (ReadChar(text, &pos, '.')) {
      int64_t fraction = 0;
      int digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (++digits > 6) return fail();
        fraction = fraction * 10 + (text[pos++] - '0');
      }
      if (digits == 0) return fail();
      for (int i = digits; i < 6; ++i) fraction *= 10;
      micros += fraction;
    }
  }
  ReadChar(text, &pos, 'Z');
  if (pos != text.size()) return fail();
  return micros;
}

std::string FormatDate(int64_t days) {
  const CivilDate c = CivilFromDays(days);
  return fmt::format("{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
}

std::string FormatTimestamp(int64_t micros) {
  // Floor division, so times before the epoch land on the right day.
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const int64_t seconds = rest / kMicrosPerSecond;
  const int64_t fraction = rest % kMicrosPerSecond;
  std::string out = fmt::format("{} {:02d}:{:02d}:{:02d}", FormatDate(days), seconds / 3600,
                                seconds / 60 % 60, seconds % 60);
  if (fraction != 0) out += fmt::format(".{:06d}", fraction);
  return out;
}

}  // namespace ixray::query
