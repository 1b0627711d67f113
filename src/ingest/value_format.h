// Rendering of array values as text (for tables) and as JSON, for every
// ixray type. Shared by the CLI (scan, info) and the ingest tests.
//
//   type              text                       JSON
//   null              null                       null
//   bool              true / false               true / false
//   integers          123                        123
//   float16/32/64     shortest round-trip form   number; NaN and inf -> null
//   string            as is, \n \r \t escaped    JSON string
//   binary            base64                     base64 string
//   date32            2024-01-31                 "2024-01-31"
//   timestamp         2024-01-31T12:00:00.5      "2024-01-31T12:00:00.500Z"
//   list, vector      [1, 2, 3]                  [1,2,3]
//
// Timestamps print without a zone when the type has none. A UTC zone ("UTC",
// "Z", "Etc/UTC", "+00:00") prints as Z; a fixed offset ("+05:30") prints
// the local time with that offset; other zone names print the UTC time with
// Z (no time zone database is consulted).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ixray/array.h"
#include "ixray/record_batch.h"

namespace ixray::ingest {

// "2024-01-31".
std::string FormatDate32(int32_t days);
// ISO 8601 of `micros` since the epoch, rendered for `timezone` (above).
// The fraction is left out when zero, else 3 or 6 digits.
std::string FormatTimestamp(int64_t micros, std::string_view timezone);

// Appends `text` as a quoted, escaped JSON string.
void AppendJsonString(std::string_view text, std::string* out);
std::string Base64Encode(std::string_view bytes);

// Appends slot `i` of `array` as text. Lists show at most `max_list_items`
// items followed by ", ..." (no limit when negative).
// REQUIRES: 0 <= i < array.length().
void AppendValueText(const Array& array, int64_t i, std::string* out, int max_list_items = -1);
// Appends slot `i` of `array` as a JSON value.
void AppendValueJson(const Array& array, int64_t i, std::string* out);
// Appends row `row` of `batch` as a compact JSON object keyed by column name.
void AppendRowJson(const RecordBatch& batch, int64_t row, std::string* out);

// The number of terminal columns `text` takes (UTF-8 code points).
int64_t DisplayWidth(std::string_view text);

}  // namespace ixray::ingest
