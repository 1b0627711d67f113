#include "format/compression.h"

#include <fmt/format.h>
#include <lz4.h>
#include <zstd.h>

#include <limits>

namespace ixray::format {

namespace {

// lz4 cannot expand a byte into more than 255 (plus a small constant).
constexpr int64_t kLz4MaxExpansion = 255;

Result<std::string> CompressZstd(int level, std::span<const uint8_t> input) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), level);
  if (ZSTD_isError(n)) {
    return Status::Internal(fmt::format("zstd compression failed: {}", ZSTD_getErrorName(n)));
  }
  out.resize(n);
  return out;
}

Result<std::string> CompressLz4(std::span<const uint8_t> input) {
  if (input.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) {
    return Status::InvalidArgument(fmt::format("{} bytes exceed lz4's input limit", input.size()));
  }
  const int size = static_cast<int>(input.size());
  std::string out(LZ4_compressBound(size), '\0');
  const int n = LZ4_compress_default(reinterpret_cast<const char*>(input.data()), out.data(), size,
                                     static_cast<int>(out.size()));
  if (n <= 0) return Status::Internal("lz4 compression failed");
  out.resize(n);
  return out;
}

Status CheckZstd(std::span<const uint8_t> input, int64_t expected) {
  // The frame header declares the content size; a mismatch is caught before
  // anything is decoded.
  const unsigned long long declared = ZSTD_getFrameContentSize(input.data(), input.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return Status::Corruption("not a zstd frame");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != static_cast<uint64_t>(expected)) {
    return Status::Corruption(
        fmt::format("zstd frame declares {} bytes, the page {}", declared, expected));
  }
  return Status::OK();
}

}  // namespace

Result<std::string> Compress(Compression codec, int zstd_level, std::span<const uint8_t> input) {
  switch (codec) {
    case Compression::kZstd:
      return CompressZstd(zstd_level, input);
    case Compression::kLz4:
      return CompressLz4(input);
    case Compression::kNone:
      break;
  }
  return Status::Internal("Compress called without a codec");
}

Result<BufferPtr> Decompress(Compression codec, std::span<const uint8_t> input,
                             int64_t uncompressed_length) {
  const auto input_size = static_cast<int64_t>(input.size());
  switch (codec) {
    case Compression::kNone: {
      if (input_size != uncompressed_length) {
        return Status::Corruption(
            fmt::format("raw page of {} bytes, expected {}", input_size, uncompressed_length));
      }
      return Buffer::CopyFrom(input.data(), input_size);
    }
    case Compression::kZstd: {
      IXRAY_RETURN_NOT_OK(CheckZstd(input, uncompressed_length));
      auto out = Buffer::Allocate(uncompressed_length);
      const size_t n =
          ZSTD_decompress(out->mutable_data(), uncompressed_length, input.data(), input.size());
      if (ZSTD_isError(n)) {
        return Status::Corruption(fmt::format("zstd: {}", ZSTD_getErrorName(n)));
      }
      if (static_cast<int64_t>(n) != uncompressed_length) {
        return Status::Corruption(
            fmt::format("zstd page decodes to {} bytes, expected {}", n, uncompressed_length));
      }
      return BufferPtr(std::move(out));
    }
    case Compression::kLz4: {
      if (input_size > std::numeric_limits<int>::max() ||
          uncompressed_length > input_size * kLz4MaxExpansion + 64) {
        return Status::Corruption(fmt::format("lz4 page of {} bytes cannot decode to {} bytes",
                                              input_size, uncompressed_length));
      }
      auto out = Buffer::Allocate(uncompressed_length);
      const int n = LZ4_decompress_safe(
          reinterpret_cast<const char*>(input.data()), reinterpret_cast<char*>(out->mutable_data()),
          static_cast<int>(input_size), static_cast<int>(uncompressed_length));
      if (n < 0) return Status::Corruption("lz4: malformed compressed data");
      if (n != uncompressed_length) {
        return Status::Corruption(
            fmt::format("lz4 page decodes to {} bytes, expected {}", n, uncompressed_length));
      }
      return BufferPtr(std::move(out));
    }
  }
  return Status::Corruption(fmt::format("unknown compression {}", static_cast<int>(codec)));
}

}  // namespace ixray::format
