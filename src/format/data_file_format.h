// The data file format's constants and its metadata structures, each with
// an encode/decode pair (in the manner of LevelDB's table/format.h).
//
// docs/format.md, "Data files", is the byte-level specification; this header
// is its single source of constants. A data file is
//
//   [header 16 B][page]...[page][metadata][trailer 40 B]
//
// where the metadata holds the schema and, per column, the page table.
// Everything is little-endian. Decoders take untrusted bytes and return
// Status::Corruption (without the file's path; callers add it) for anything
// malformed; they never read out of bounds.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray {

// How a page's bytes are compressed. The values are the on-disk codes.
enum class Compression : uint8_t {
  kNone = 0,
  kZstd = 1,
  kLz4 = 2,
};

std::string_view CompressionName(Compression compression);

}  // namespace ixray

namespace ixray::format {

// ---- Constants ---------------------------------------------------------------

// The first and last eight bytes of every data file.
inline constexpr std::string_view kDataFileMagic = "IXRAYDAT";
// The version this code writes, and the only one it reads.
inline constexpr uint32_t kDataFileFormatVersion = 1;

inline constexpr int64_t kFileHeaderSize = 16;   // magic, version, reserved
inline constexpr int64_t kFileTrailerSize = 40;  // see FileTrailer
inline constexpr int64_t kPageInfoSize = 50;     // one page table entry

// Limits that make every size read from a file bounded. A page's decoded
// body (and its plain, dictionary-free decoding) never exceeds kMaxPageBytes.
inline constexpr int64_t kMaxPageBytes = int64_t{1} << 30;
inline constexpr int64_t kMaxRowsPerPage = (int64_t{1} << 31) - 1;
// Row offsets are the low 32 bits of a row address.
inline constexpr int64_t kMaxRowsPerFile = int64_t{1} << 32;

// How many bytes at the end of the file Open() reads first, hoping to catch
// the trailer and the metadata in one read.
inline constexpr int64_t kFooterReadAhead = 64 * 1024;

// How the string-like values of a page (a string column's values, or the
// items of a list<string>) are stored. The values are the on-disk codes.
enum class PageEncoding : uint8_t {
  kPlain = 0,       // offsets + bytes, as in Arrow
  kDictionary = 1,  // distinct values + an index per value
};

// A decoded page body is a sequence of segments, each a u64 byte length, the
// bytes, and zero padding to a multiple of kSegmentAlignment, so that values
// inside a 64-byte-aligned body are aligned for any type.
inline constexpr int64_t kSegmentAlignment = 8;

// Dictionary indices are 1, 2 or 4 bytes wide, the narrowest that fits.
inline constexpr int64_t kDictionaryHeaderSize = 8;  // u32 entry count, u32 index width

// The on-disk type codes are the values of ixray::TypeId; they must never
// change.
static_assert(static_cast<int>(TypeId::kBool) == 0 && static_cast<int>(TypeId::kInt64) == 4 &&
              static_cast<int>(TypeId::kUInt64) == 8 && static_cast<int>(TypeId::kFloat64) == 11 &&
              static_cast<int>(TypeId::kString) == 12 && static_cast<int>(TypeId::kBinary) == 14 &&
              static_cast<int>(TypeId::kTimestamp) == 16 &&
              static_cast<int>(TypeId::kFixedSizeList) == 18);
inline constexpr uint8_t kMaxTypeCode = static_cast<uint8_t>(TypeId::kFixedSizeList);

// XXH3-64 of `bytes`: the checksum of pages, metadata and trailer.
uint64_t Checksum(std::span<const uint8_t> bytes);
inline uint64_t Checksum(std::string_view bytes) {
  return Checksum({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
}

// The string-like type whose values a page's encoding applies to: the
// column's own type, or its list items' type; null if the column has none.
const DataType* StringLeafType(const DataType& type);

// ---- Header ------------------------------------------------------------------

// magic[8] | u32 format_version | u32 reserved (0)
struct FileHeader {
  uint32_t format_version = kDataFileFormatVersion;

  void EncodeTo(std::string* out) const;
  // REQUIRES: bytes.size() >= kFileHeaderSize (else Corruption).
  static Result<FileHeader> Decode(std::span<const uint8_t> bytes);
};

// ---- Trailer -----------------------------------------------------------------

// u64 metadata_offset | u64 metadata_length | u64 metadata_checksum |
// u32 format_version | u32 trailer_checksum | magic[8]
// trailer_checksum is the low 32 bits of Checksum() over the 28 bytes
// before it.
struct FileTrailer {
  int64_t metadata_offset = 0;
  int64_t metadata_length = 0;
  uint64_t metadata_checksum = 0;
  uint32_t format_version = kDataFileFormatVersion;

  void EncodeTo(std::string* out) const;
  // Checks magic, trailer checksum and version, and that the metadata lies
  // between the header and the trailer of a file of `file_size` bytes.
  // REQUIRES: bytes.size() == kFileTrailerSize.
  static Result<FileTrailer> Decode(std::span<const uint8_t> bytes, int64_t file_size);
};

// ---- Metadata ----------------------------------------------------------------

// One page of one column: rows [first_row, first_row + num_rows) stored at
// bytes [offset, offset + length) of the file.
struct PageInfo {
  int64_t first_row = 0;
  int64_t num_rows = 0;
  int64_t offset = 0;
  int64_t length = 0;               // stored (possibly compressed) bytes
  int64_t uncompressed_length = 0;  // bytes of the decoded page body
  uint64_t checksum = 0;            // Checksum() of the stored bytes
  PageEncoding encoding = PageEncoding::kPlain;
  Compression compression = Compression::kNone;

  void EncodeTo(std::string* out) const;
};

// The pages of one column, in row order.
struct ColumnChunkMetadata {
  std::vector<PageInfo> pages;
};

// Everything the footer says about a file: its schema (names, types,
// nullability, field ids) and, per top-level column, the page table.
struct FileMetadata {
  int64_t num_rows = 0;
  SchemaPtr schema;
  std::vector<ColumnChunkMetadata> columns;  // one per schema field

  void EncodeTo(std::string* out) const;
  // Parses the metadata and checks it against a file whose metadata starts
  // at `metadata_offset`: a valid schema, one page table per column, pages
  // that tile [0, num_rows) in order, lie between the header and the
  // metadata at increasing offsets, and carry known encodings, codecs and
  // sizes within the format's limits.
  static Result<FileMetadata> Decode(std::span<const uint8_t> bytes, int64_t metadata_offset);
};

}  // namespace ixray::format
