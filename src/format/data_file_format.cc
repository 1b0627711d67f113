#include "format/data_file_format.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <cstring>

#include "format/byte_coding.h"

namespace ixray {

std::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return "none";
    case Compression::kZstd:
      return "zstd";
    case Compression::kLz4:
      return "lz4";
  }
  return "unknown";
}

}  // namespace ixray

namespace ixray::format {

namespace {

constexpr int kMaxTypeDepth = 1;      // list / fixed_size_list children are not nested
constexpr size_t kMinFieldSize = 10;  // empty name (4) + id (4) + flags (1) + type code (1)
constexpr uint8_t kFieldNullable = 1;

// The largest value a u64 length or offset field may hold, so that sums of
// two stay within int64_t.
constexpr uint64_t kMaxFileOffset = uint64_t{1} << 62;

void EncodeField(const Field& f, ByteWriter& w);

void EncodeType(const DataType& type, ByteWriter& w) {
  w.PutU8(static_cast<uint8_t>(type.id()));
  switch (type.id()) {
    case TypeId::kTimestamp:
      w.PutString(type.timezone());
      break;
    case TypeId::kFixedSizeList:
      w.PutI32(type.list_size());
      EncodeField(*type.value_field(), w);
      break;
    case TypeId::kList:
      EncodeField(*type.value_field(), w);
      break;
    default:
      break;
  }
}

void EncodeField(const Field& f, ByteWriter& w) {
  w.PutString(f.name);
  w.PutI32(f.id);
  w.PutU8(f.nullable ? kFieldNullable : 0);
  EncodeType(*f.type, w);
}

Result<FieldPtr> DecodeField(ByteReader& r, int depth);

Result<TypePtr> DecodeType(ByteReader& r, int depth) {
  IXRAY_ASSIGN_OR_RAISE(uint8_t code, r.GetU8("type code"));
  if (code > kMaxTypeCode) return Status::Corruption(fmt::format("unknown type code {}", code));
  const auto id = static_cast<TypeId>(code);
  const bool nested = id == TypeId::kList || id == TypeId::kFixedSizeList;
  if (nested && depth >= kMaxTypeDepth) {
    return Status::Corruption("nested list types are not allowed inside lists");
  }
  switch (id) {
    case TypeId::kBool:
      return boolean();
    case TypeId::kInt8:
      return int8();
    case TypeId::kInt16:
      return int16();
    case TypeId::kInt32:
      return int32();
    case TypeId::kInt64:
      return int64();
    case TypeId::kUInt8:
      return uint8();
    case TypeId::kUInt16:
      return uint16();
    case TypeId::kUInt32:
      return uint32();
    case TypeId::kUInt64:
      return uint64();
    case TypeId::kFloat16:
      return float16();
    case TypeId::kFloat32:
      return float32();
    case TypeId::kFloat64:
      return float64();
    case TypeId::kString:
      return utf8();
    case TypeId::kLargeString:
      return large_utf8();
    case TypeId::kBinary:
      return binary();
    case TypeId::kDate32:
      return date32();
    case TypeId::kTimestamp: {
      IXRAY_ASSIGN_OR_RAISE(std::string tz, r.GetString("timestamp time zone"));
      return timestamp(std::move(tz));
    }
    case TypeId::kList: {
      IXRAY_ASSIGN_OR_RAISE(FieldPtr child, DecodeField(r, depth + 1));
      return list(std::move(child));
    }
    case TypeId::kFixedSizeList: {
      IXRAY_ASSIGN_OR_RAISE(int32_t list_size, r.GetI32("fixed_size_list size"));
      if (list_size <= 0) {
        return Status::Corruption(
            fmt::format("fixed_size_list size {} is not positive", list_size));
      }
      IXRAY_ASSIGN_OR_RAISE(FieldPtr child, DecodeField(r, depth + 1));
      return fixed_size_list(std::move(child), list_size);
    }
  }
  return Status::Corruption(fmt::format("unknown type code {}", code));
}

Result<FieldPtr> DecodeField(ByteReader& r, int depth) {
  IXRAY_ASSIGN_OR_RAISE(std::string name, r.GetString("field name"));
  IXRAY_ASSIGN_OR_RAISE(int32_t id, r.GetI32("field id"));
  IXRAY_ASSIGN_OR_RAISE(uint8_t flags, r.GetU8("field flags"));
  if ((flags & ~kFieldNullable) != 0) {
    return Status::Corruption(fmt::format("field '{}' has unknown flags {:#x}", name, flags));
  }
  IXRAY_ASSIGN_OR_RAISE(TypePtr type, DecodeType(r, depth));
  return field(std::move(name), std::move(type), (flags & kFieldNullable) != 0, id);
}

Result<int64_t> GetLength(ByteReader& r, std::string_view what) {
  IXRAY_ASSIGN_OR_RAISE(uint64_t v, r.GetU64(what));
  if (v > kMaxFileOffset) return Status::Corruption(fmt::format("{} {} is too large", what, v));
  return static_cast<int64_t>(v);
}

Result<PageInfo> DecodePageInfo(ByteReader& r) {
  PageInfo p;
  IXRAY_ASSIGN_OR_RAISE(p.first_row, GetLength(r, "page first row"));
  IXRAY_ASSIGN_OR_RAISE(p.num_rows, GetLength(r, "page row count"));
  IXRAY_ASSIGN_OR_RAISE(p.offset, GetLength(r, "page offset"));
  IXRAY_ASSIGN_OR_RAISE(p.length, GetLength(r, "page length"));
  IXRAY_ASSIGN_OR_RAISE(p.uncompressed_length, GetLength(r, "page uncompressed length"));
  IXRAY_ASSIGN_OR_RAISE(p.checksum, r.GetU64("page checksum"));
  IXRAY_ASSIGN_OR_RAISE(uint8_t encoding, r.GetU8("page encoding"));
  IXRAY_ASSIGN_OR_RAISE(uint8_t compression, r.GetU8("page compression"));
  if (encoding > static_cast<uint8_t>(PageEncoding::kDictionary)) {
    return Status::Corruption(fmt::format("unknown page encoding {}", encoding));
  }
  if (compression > static_cast<uint8_t>(Compression::kLz4)) {
    return Status::Corruption(fmt::format("unknown page compression {}", compression));
  }
  p.encoding = static_cast<PageEncoding>(encoding);
  p.compression = static_cast<Compression>(compression);
  return p;
}

// Checks one column's page table; see FileMetadata::Decode.
Status ValidatePages(const Field& f, const ColumnChunkMetadata& chunk, int64_t num_rows,
                     int64_t metadata_offset) {
  int64_t next_row = 0;
  int64_t previous_end = kFileHeaderSize;
  const bool has_string_leaf = StringLeafType(*f.type) != nullptr;
  for (size_t i = 0; i < chunk.pages.size(); ++i) {
    const PageInfo& p = chunk.pages[i];
    auto bad = [&](std::string_view what) {
      return Status::Corruption(fmt::format("column '{}' page {}: {}", f.name, i, what));
    };
    if (p.first_row != next_row) {
      return bad(fmt::format("starts at row {}, expected {}", p.first_row, next_row));
    }
    if (p.num_rows <= 0 || p.num_rows > kMaxRowsPerPage) {
      return bad(fmt::format("row count {} out of range", p.num_rows));
    }
    next_row += p.num_rows;
    if (next_row > num_rows) {
      return bad(fmt::format("ends at row {}, past the file's {} rows", next_row, num_rows));
    }
    if (p.offset < previous_end) {
      return bad(fmt::format("offset {} overlaps the bytes before it (which end at {})", p.offset,
                             previous_end));
    }
    if (p.offset + p.length > metadata_offset) {
      return bad(fmt::format("bytes [{}, {}) run into the metadata at {}", p.offset,
                             p.offset + p.length, metadata_offset));
    }
    previous_end = p.offset + p.length;
    if (p.uncompressed_length > kMaxPageBytes) {
      return bad(fmt::format("decoded size {} exceeds the limit {}", p.uncompressed_length,
                             kMaxPageBytes));
    }
    if (p.compression == Compression::kNone && p.length != p.uncompressed_length) {
      return bad(fmt::format("uncompressed page stores {} bytes but declares {}", p.length,
                             p.uncompressed_length));
    }
    if (p.encoding == PageEncoding::kDictionary && !has_string_leaf) {
      return bad(fmt::format("dictionary encoding for type {}", f.type->ToString()));
    }
  }
  if (next_row != num_rows) {
    return Status::Corruption(
        fmt::format("column '{}': pages hold {} rows, the file {}", f.name, next_row, num_rows));
  }
  return Status::OK();
}

}  // namespace

uint64_t Checksum(std::span<const uint8_t> bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

const DataType* StringLeafType(const DataType& type) {
  if (type.is_string_like()) return &type;
  if (type.is_nested() && type.value_type() && type.value_type()->is_string_like()) {
    return type.value_type().get();
  }
  return nullptr;
}

// ---- Header ------------------------------------------------------------------

void FileHeader::EncodeTo(std::string* out) const {
  ByteWriter w(out);
  w.PutBytes(kDataFileMagic.data(), kDataFileMagic.size());
  w.PutU32(format_version);
  w.PutU32(0);
}

Result<FileHeader> FileHeader::Decode(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  IXRAY_ASSIGN_OR_RAISE(auto magic, r.GetBytes(kDataFileMagic.size(), "header magic"));
  if (std::memcmp(magic.data(), kDataFileMagic.data(), kDataFileMagic.size()) != 0) {
    return Status::Corruption("bad header magic: not an ixray data file");
  }
  FileHeader header;
  IXRAY_ASSIGN_OR_RAISE(header.format_version, r.GetU32("header format version"));
  IXRAY_ASSIGN_OR_RAISE(uint32_t reserved, r.GetU32("header reserved word"));
  if (reserved != 0) {
    return Status::Corruption(fmt::format("header reserved word is {:#x}, not 0", reserved));
  }
  return header;
}

// ---- Trailer -----------------------------------------------------------------

namespace {
constexpr size_t kTrailerChecksummedBytes = 28;
}  // namespace

void FileTrailer::EncodeTo(std::string* out) const {
  std::string bytes;
  ByteWriter w(&bytes);
  w.PutU64(static_cast<uint64_t>(metadata_offset));
  w.PutU64(static_cast<uint64_t>(metadata_length));
  w.PutU64(metadata_checksum);
  w.PutU32(format_version);
  w.PutU32(static_cast<uint32_t>(Checksum(bytes)));
  w.PutBytes(kDataFileMagic.data(), kDataFileMagic.size());
  out->append(bytes);
}

Result<FileTrailer> FileTrailer::Decode(std::span<const uint8_t> bytes, int64_t file_size) {
  if (bytes.size() != static_cast<size_t>(kFileTrailerSize)) {
    return Status::Corruption(
        fmt::format("trailer of {} bytes, expected {}", bytes.size(), kFileTrailerSize));
  }
  if (file_size < kFileHeaderSize + kFileTrailerSize) {
    return Status::Corruption(
        fmt::format("file of {} bytes is too small to be a data file", file_size));
  }
  const auto magic = bytes.subspan(bytes.size() - kDataFileMagic.size());
  if (std::memcmp(magic.data(), kDataFileMagic.data(), kDataFileMagic.size()) != 0) {
    return Status::Corruption("bad trailer magic: not an ixray data file, or truncated");
  }
  ByteReader r(bytes);
  FileTrailer t;
  IXRAY_ASSIGN_OR_RAISE(uint64_t metadata_offset, r.GetU64("metadata offset"));
  IXRAY_ASSIGN_OR_RAISE(uint64_t metadata_length, r.GetU64("metadata length"));
  IXRAY_ASSIGN_OR_RAISE(t.metadata_checksum, r.GetU64("metadata checksum"));
  IXRAY_ASSIGN_OR_RAISE(t.format_version, r.GetU32("trailer format version"));
  IXRAY_ASSIGN_OR_RAISE(uint32_t stored_checksum, r.GetU32("trailer checksum"));
  const auto computed = static_cast<uint32_t>(Checksum(bytes.first(kTrailerChecksummedBytes)));
  if (stored_checksum != computed) {
    return Status::Corruption(
        fmt::format("trailer checksum mismatch: stored {:#010x}, computed {:#010x}",
                    stored_checksum, computed));
  }
  if (t.format_version != kDataFileFormatVersion) {
    return Status::NotImplemented(
        fmt::format("data file format version {} is not supported (this build reads version {})",
                    t.format_version, kDataFileFormatVersion));
  }
  const auto data_end = static_cast<uint64_t>(file_size - kFileTrailerSize);
  if (metadata_offset < static_cast<uint64_t>(kFileHeaderSize) || metadata_offset > data_end ||
      metadata_length != data_end - metadata_offset) {
    return Status::Corruption(fmt::format(
        "metadata at [{}, {}+{}) does not end where the trailer starts ({}) or overlaps the header",
        metadata_offset, metadata_offset, metadata_length, data_end));
  }
  t.metadata_offset = static_cast<int64_t>(metadata_offset);
  t.metadata_length = static_cast<int64_t>(metadata_length);
  return t;
}

// ---- Metadata ----------------------------------------------------------------

void PageInfo::EncodeTo(std::string* out) const {
  ByteWriter w(out);
  w.PutU64(static_cast<uint64_t>(first_row));
  w.PutU64(static_cast<uint64_t>(num_rows));
  w.PutU64(static_cast<uint64_t>(offset));
  w.PutU64(static_cast<uint64_t>(length));
  w.PutU64(static_cast<uint64_t>(uncompressed_length));
  w.PutU64(checksum);
  w.PutU8(static_cast<uint8_t>(encoding));
  w.PutU8(static_cast<uint8_t>(compression));
}

void FileMetadata::EncodeTo(std::string* out) const {
  ByteWriter w(out);
  w.PutU64(static_cast<uint64_t>(num_rows));
  w.PutU32(static_cast<uint32_t>(schema->num_fields()));
  for (const auto& f : schema->fields()) EncodeField(*f, w);
  for (const auto& column : columns) {
    w.PutU32(static_cast<uint32_t>(column.pages.size()));
    for (const auto& page : column.pages) page.EncodeTo(out);
  }
}

Result<FileMetadata> FileMetadata::Decode(std::span<const uint8_t> bytes, int64_t metadata_offset) {
  ByteReader r(bytes);
  FileMetadata m;
  IXRAY_ASSIGN_OR_RAISE(uint64_t num_rows, r.GetU64("row count"));
  if (num_rows > static_cast<uint64_t>(kMaxRowsPerFile)) {
    return Status::Corruption(
        fmt::format("row count {} exceeds the limit {}", num_rows, kMaxRowsPerFile));
  }
  m.num_rows = static_cast<int64_t>(num_rows);

  IXRAY_ASSIGN_OR_RAISE(uint32_t num_fields, r.GetU32("field count"));
  IXRAY_RETURN_NOT_OK(r.CheckCount(num_fields, kMinFieldSize, "field"));
  std::vector<FieldPtr> fields;
  fields.reserve(num_fields);
  for (uint32_t i = 0; i < num_fields; ++i) {
    IXRAY_ASSIGN_OR_RAISE(FieldPtr f, DecodeField(r, 0));
    fields.push_back(std::move(f));
  }
  auto schema = Schema::Make(std::move(fields));
  if (!schema.ok()) {
    return Status::Corruption(fmt::format("invalid schema: {}", schema.status().message()));
  }
  m.schema = std::move(*schema);

  m.columns.resize(num_fields);
  for (uint32_t c = 0; c < num_fields; ++c) {
    IXRAY_ASSIGN_OR_RAISE(uint32_t num_pages, r.GetU32("page count"));
    IXRAY_RETURN_NOT_OK(r.CheckCount(num_pages, kPageInfoSize, "page"));
    auto& pages = m.columns[c].pages;
    pages.reserve(num_pages);
    for (uint32_t i = 0; i < num_pages; ++i) {
      IXRAY_ASSIGN_OR_RAISE(PageInfo page, DecodePageInfo(r));
      pages.push_back(page);
    }
    IXRAY_RETURN_NOT_OK(
        ValidatePages(*m.schema->field(c), m.columns[c], m.num_rows, metadata_offset));
  }
  if (r.remaining() != 0) {
    return Status::Corruption(fmt::format("{} unexpected bytes after the metadata", r.remaining()));
  }
  return m;
}

}  // namespace ixray::format
