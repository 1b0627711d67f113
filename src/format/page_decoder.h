// Page decoding: the inverse of page_encoder.h. Turns a decompressed page
// body back into an array, validating every length, offset and index, so
// that arbitrary bytes yield Status::Corruption rather than a bad read.
//
// Thread safety: a pure function; safe to call from any thread.
#pragma once

#include <cstdint>

#include "format/data_file_format.h"
#include "ixray/array.h"
#include "ixray/buffer.h"
#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray::format {

// Decodes `body` (a page body of `num_rows` slots of `type` in `encoding`)
// into an array of exactly `num_rows` slots. The result shares `body`'s
// memory where it can. Errors are Corruption, without file context.
// REQUIRES: 0 <= num_rows.
Result<ArrayPtr> DecodePage(const TypePtr& type, int64_t num_rows, PageEncoding encoding,
                            BufferPtr body);

}  // namespace ixray::format
