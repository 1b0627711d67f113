// Parsing of text values (CSV fields, JSON strings) into ixray's storage
// representations, and the calendar and half-float conversions they need.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "ixray/builder.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray::ingest {

// `text` without leading and trailing spaces and tabs.
std::string_view TrimBlanks(std::string_view text);

// Each returns nullopt if all of `text` is not a value of the kind.
// Integers: optional sign, decimal digits, within range.
std::optional<int64_t> ParseInt64(std::string_view text);
std::optional<uint64_t> ParseUInt64(std::string_view text);
// Decimal or scientific notation, "inf", "nan" (any case, optional sign).
std::optional<double> ParseDouble(std::string_view text);
// "true" or "false" in any case.
std::optional<bool> ParseBool(std::string_view text);
// YYYY-MM-DD, a valid calendar day; days since 1970-01-01.
std::optional<int32_t> ParseDate32(std::string_view text);

struct ParsedTimestamp {
  int64_t micros = 0;     // since the epoch, in UTC
  bool has_zone = false;  // the text gave Z or an offset
};
// ISO 8601: YYYY-MM-DD, optionally followed by 'T' or ' ' and
// HH:MM[:SS[.fraction]], optionally followed by Z or +HH[:MM] / -HH[:MM].
// Digits of the fraction past microseconds are truncated. A time without a
// zone is taken as UTC.
std::optional<ParsedTimestamp> ParseTimestamp(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

// IEEE binary16 bits of `value`, rounded to nearest even; and back.
uint16_t FloatToHalf(float value);
float HalfToFloat(uint16_t half);

// Parses `text` as a value of `type` and appends it to `builder`; with an
// error naming the type when `text` is not one.
// REQUIRES: builder.type() is `type`, a bool, integer, float, string-like,
// date32 or timestamp type. Numbers, bools, dates and timestamps are parsed
// with surrounding blanks trimmed; strings are taken as they are.
Status AppendParsedText(ArrayBuilder& builder, const DataType& type, std::string_view text);

// Whether AppendParsedText supports `type`.
bool IsTextParsableType(const DataType& type);

}  // namespace ixray::ingest
