#include "ingest/value_parse.h"

#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <limits>

namespace ixray::ingest {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at text[*pos], advancing *pos.
bool ReadDigits(std::string_view text, size_t* pos, int count, int64_t* value) {
  if (*pos + count > text.size()) return false;
  int64_t result = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text[*pos + i];
    if (!IsDigit(c)) return false;
    result = result * 10 + (c - '0');
  }
  *pos += count;
  *value = result;
  return true;
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Parses "YYYY-MM-DD" at the start of `text`, advancing *pos past it.
bool ReadDate(std::string_view text, size_t* pos, int64_t* days) {
  int64_t year, month, day;
  if (!ReadDigits(text, pos, 4, &year)) return false;
  if (*pos >= text.size() || text[(*pos)++] != '-') return false;
  if (!ReadDigits(text, pos, 2, &month)) return false;
  if (*pos >= text.size() || text[(*pos)++] != '-') return false;
  if (!ReadDigits(text, pos, 2, &day)) return false;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  *days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return true;
}

std::string Shorten(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

template <typename T>
bool AppendInteger(ArrayBuilder& builder, std::string_view text) {
  if constexpr (std::is_signed_v<T>) {
    const std::optional<int64_t> value = ParseInt64(text);
    if (!value || *value < std::numeric_limits<T>::min() ||
        *value > std::numeric_limits<T>::max()) {
      return false;
    }
    builder.Append<T>(static_cast<T>(*value));
  } else {
    const std::optional<uint64_t> value = ParseUInt64(text);
    if (!value || *value > std::numeric_limits<T>::max()) return false;
    builder.Append<T>(static_cast<T>(*value));
  }
  return true;
}

}  // namespace

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<int64_t> ParseInt64(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && IsDigit(text[1])) text.remove_prefix(1);
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<uint64_t> ParseUInt64(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && IsDigit(text[1])) text.remove_prefix(1);
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<double> ParseDouble(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  auto equals_ignore_case = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      if ((text[i] | 0x20) != word[i]) return false;
    }
    return true;
  };
  if (equals_ignore_case("true")) return true;
  if (equals_ignore_case("false")) return false;
  return std::nullopt;
}

std::optional<int32_t> ParseDate32(std::string_view text) {
  size_t pos = 0;
  int64_t days;
  if (!ReadDate(text, &pos, &days) || pos != text.size()) return std::nullopt;
  return static_cast<int32_t>(days);
}

std::optional<ParsedTimestamp> ParseTimestamp(std::string_view text) {
  size_t pos = 0;
  int64_t days;
  if (!ReadDate(text, &pos, &days)) return std::nullopt;
  ParsedTimestamp result;
  int64_t seconds_of_day = 0, fraction_micros = 0, offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    int64_t hour, minute, second = 0;
    if (!ReadDigits(text, &pos, 2, &hour)) return std::nullopt;
    if (pos >= text.size() || text[pos++] != ':') return std::nullopt;
    if (!ReadDigits(text, &pos, 2, &minute)) return std::nullopt;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!ReadDigits(text, &pos, 2, &second)) return std::nullopt;
      if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        int digits = 0;
        while (pos < text.size() && IsDigit(text[pos])) {
          if (digits < 6) fraction_micros = fraction_micros * 10 + (text[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return std::nullopt;
        for (int i = digits; i < 6; ++i) fraction_micros *= 10;
      }
    }
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
    seconds_of_day = hour * 3600 + minute * 60 + second;
    if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
      ++pos;
      result.has_zone = true;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      const int sign = text[pos++] == '-' ? -1 : 1;
      int64_t offset_hours, offset_minutes = 0;
      if (!ReadDigits(text, &pos, 2, &offset_hours)) return std::nullopt;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size() && !ReadDigits(text, &pos, 2, &offset_minutes)) return std::nullopt;
      if (offset_hours > 23 || offset_minutes > 59) return std::nullopt;
      offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
      result.has_zone = true;
    }
  }
  if (pos != text.size()) return std::nullopt;
  result.micros = (days * 86400 + seconds_of_day - offset_seconds) * 1000000 + fraction_micros;
  return result;
}

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  *day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  *month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  *year = static_cast<int64_t>(year_of_era) + era * 400 + (*month <= 2);
}

uint16_t FloatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  const uint32_t sign = (bits >> 16) & 0x8000u;
  const uint32_t exponent = (bits >> 23) & 0xffu;
  uint32_t mantissa = bits & 0x7fffffu;
  if (exponent == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mantissa ? 0x200u : 0));
  const int half_exponent = static_cast<int>(exponent) - 127 + 15;
  if (half_exponent >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (half_exponent <= 0) {
    // Subnormal (or zero) in half precision: value = m * 2^-24.
    if (half_exponent < -10) return static_cast<uint16_t>(sign);
    mantissa |= 0x800000u;
    const int shift = 14 - half_exponent;
    uint32_t half_mantissa = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (half_mantissa & 1))) ++half_mantissa;
    return static_cast<uint16_t>(sign | half_mantissa);
  }
  uint32_t half = sign | (static_cast<uint32_t>(half_exponent) << 10) | (mantissa >> 13);
  const uint32_t rest = mantissa & 0x1fffu;
  // A carry out of the mantissa correctly bumps the exponent (up to inf).
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1))) ++half;
  return static_cast<uint16_t>(half);
}

float HalfToFloat(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  const uint32_t mantissa = half & 0x3ffu;
  uint32_t bits;
  if (exponent == 0) {
    const float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -magnitude : magnitude;
  } else if (exponent == 31) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

bool IsTextParsableType(const DataType& type) { return !type.is_nested(); }

Status AppendParsedText(ArrayBuilder& builder, const DataType& type, std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  bool ok = true;
  switch (type.id()) {
    case TypeId::kBool: {
      const std::optional<bool> value = ParseBool(trimmed);
      if ((ok = value.has_value())) builder.AppendBool(*value);
      break;
    }
    case TypeId::kInt8:
      ok = AppendInteger<int8_t>(builder, trimmed);
      break;
    case TypeId::kInt16:
      ok = AppendInteger<int16_t>(builder, trimmed);
      break;
    case TypeId::kInt32:
      ok = AppendInteger<int32_t>(builder, trimmed);
      break;
    case TypeId::kInt64:
      ok = AppendInteger<int64_t>(builder, trimmed);
      break;
    case TypeId::kUInt8:
      ok = AppendInteger<uint8_t>(builder, trimmed);
      break;
    case TypeId::kUInt16:
      ok = AppendInteger<uint16_t>(builder, trimmed);
      break;
    case TypeId::kUInt32:
      ok = AppendInteger<uint32_t>(builder, trimmed);
      break;
    case TypeId::kUInt64:
      ok = AppendInteger<uint64_t>(builder, trimmed);
      break;
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      const std::optional<double> value = ParseDouble(trimmed);
      if (!(ok = value.has_value())) break;
      if (type.id() == TypeId::kFloat64) {
        builder.Append<double>(*value);
      } else if (type.id() == TypeId::kFloat32) {
        builder.Append<float>(static_cast<float>(*value));
      } else {
        builder.Append<uint16_t>(FloatToHalf(static_cast<float>(*value)));
      }
      break;
    }
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
      builder.AppendString(text);
      break;
    case TypeId::kDate32: {
      const std::optional<int32_t> value = ParseDate32(trimmed);
      if ((ok = value.has_value())) builder.Append<int32_t>(*value);
      break;
    }
    case TypeId::kTimestamp: {
      const std::optional<ParsedTimestamp> value = ParseTimestamp(trimmed);
      if ((ok = value.has_value())) builder.Append<int64_t>(value->micros);
      break;
    }
    case TypeId::kList:
    case TypeId::kFixedSizeList:
      return Status::NotImplemented("cannot parse text as " + type.ToString());
  }
  if (!ok)
    return Status::InvalidArgument(
        fmt::format("cannot parse '{}' as {}", Shorten(text), type.ToString()));
  return Status::OK();
}

}  // namespace ixray::ingest
