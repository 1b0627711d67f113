// Page encoding: turns a range of rows of one column into the bytes of a
// page body (before compression). docs/format.md, "Page bodies", gives the
// layout; page_decoder.h is the inverse.
//
// Thread safety: pure functions over immutable arrays.
#pragma once

#include <cstdint>
#include <string>

#include "format/data_file_format.h"
#include "ixray/array.h"
#include "ixray/status.h"

namespace ixray::format {

struct EncodedPage {
  std::string body;  // the decoded page body: segments, see data_file_format.h
  PageEncoding encoding = PageEncoding::kPlain;
};

// Encodes slots [start, start + length) of `array`. With `allow_dictionary`,
// the page's string-like values (a string column's, or a list's items) are
// dictionary-encoded when that makes the page markedly smaller, which is
// the case for low-cardinality values.
// REQUIRES: 0 <= start, start + length <= array.length(), and the array is
// valid (e.g. came from ArrayBuilder or MakeArray).
Result<EncodedPage> EncodePage(const Array& array, int64_t start, int64_t length,
                               bool allow_dictionary);

// The bytes that slots [start, start + length) of `array` take in plain
// encoding, without compression or segment framing: what the writer
// measures pages by. O(1) per call.
// REQUIRES: as for EncodePage.
int64_t PlainEncodedSize(const Array& array, int64_t start, int64_t length);

}  // namespace ixray::format
