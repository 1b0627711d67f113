// Page compression: zstd and lz4 behind one pair of functions.
//
// Thread safety: pure functions; safe to call from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "format/data_file_format.h"
#include "ixray/buffer.h"
#include "ixray/status.h"

namespace ixray::format {

// A page is stored compressed only if that saves at least this fraction of
// its bytes; otherwise it is stored raw (Compression::kNone).
inline constexpr double kMaxCompressedFraction = 0.9;

// Compresses `input` with `codec` (`zstd_level` applies to zstd only).
// REQUIRES: codec != kNone; input.size() <= kMaxPageBytes.
Result<std::string> Compress(Compression codec, int zstd_level, std::span<const uint8_t> input);

// Decompresses `input` into a new 64-byte-aligned buffer of exactly
// `uncompressed_length` bytes; Corruption if the input is malformed or
// decodes to any other size. For kNone, `input` is copied.
// REQUIRES: 0 <= uncompressed_length <= kMaxPageBytes.
Result<BufferPtr> Decompress(Compression codec, std::span<const uint8_t> input,
                             int64_t uncompressed_length);

}  // namespace ixray::format
