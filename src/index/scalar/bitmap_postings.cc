#include "index/scalar/bitmap_postings.h"

#include <fmt/format.h>
#include <roaring/roaring.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <map>

#include "dataset/deletion_vector.h"
#include "format/byte_coding.h"

namespace ixray::scalar {

namespace {

constexpr uint32_t kTableMagic = 0x4c505849;  // "IXPL"
constexpr uint32_t kTableVersion = 1;
constexpr std::string_view kTableBlob = "postings.table";

std::string ChunkName(uint32_t chunk) { return fmt::format("postings.{}", chunk); }

Status Corrupt(std::string_view what, std::string_view why) {
  return Status::Corruption(fmt::format("{}: {}", what, why));
}

}  // namespace

std::string EncodeRowSet(const RowAddressSet& rows) {
  RowAddressSet compact = rows;
  compact.runOptimize();
  std::string out(compact.getSizeInBytes(/*portable=*/true), '\0');
  out.resize(compact.write(out.data(), /*portable=*/true));
  return out;
}

Result<RowAddressSet> DecodeRowSet(std::string_view bytes, std::string_view what) {
  // Walk the buckets first, checking each strictly, so that CRoaring only
  // ever reads bytes known to be well formed.
  format::ByteReader in({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  auto count = in.GetU64("bucket count");
  if (!count.ok()) return Corrupt(what, "truncated row set");
  // Each bucket takes at least 4 (key) + 8 (smallest bitmap) bytes.
  if (*count > in.remaining() / 12 + 1) return Corrupt(what, "bad bucket count");
  int64_t previous_key = -1;
  for (uint64_t b = 0; b < *count; ++b) {
    auto key = in.GetU32("bucket key");
    if (!key.ok() || static_cast<int64_t>(*key) <= previous_key) {
      return Corrupt(what, "bad row set bucket key");
    }
    previous_key = *key;
    const char* start = bytes.data() + in.position();
    const size_t size = roaring_bitmap_portable_deserialize_size(start, in.remaining());
    if (size == 0) return Corrupt(what, "bad row set bucket");
    auto checked = dataset::DeletionVector::DeserializePortable({start, size}, what);
    if (!checked.ok()) return Corrupt(what, "bad row set bucket");
    // CRoaring's 64-bit reader steps over each bucket by its re-serialized
    // size, so the bytes must be in the form CRoaring writes.
    roaring_bitmap_t* bucket = roaring_bitmap_portable_deserialize_safe(start, size);
    if (bucket == nullptr) return Corrupt(what, "bad row set bucket");
    const size_t canonical = roaring_bitmap_portable_size_in_bytes(bucket);
    roaring_bitmap_free(bucket);
    if (canonical != size) return Corrupt(what, "row set bucket not in canonical form");
    IXRAY_RETURN_NOT_OK(in.GetBytes(size, "bucket").status());
  }
  if (in.remaining() != 0) return Corrupt(what, "trailing bytes after row set");
  try {
    return RowAddressSet::readSafe(bytes.data(), bytes.size());
  } catch (const std::exception& e) {
    return Corrupt(what, e.what());
  }
}

Status PostingWriter::Add(const RowAddressSet& rows) {
  const std::string bytes = EncodeRowSet(rows);
  if (!chunk_.empty() && chunk_.size() + bytes.size() > chunk_bytes_) {
    IXRAY_RETURN_NOT_OK(FlushChunk());
  }
  locations_.push_back({chunk_count_, chunk_.size(), bytes.size()});
  chunk_ += bytes;
  return Status::OK();
}

Status PostingWriter::FlushChunk() {
  IXRAY_RETURN_NOT_OK(out_->Add(ChunkName(chunk_count_), chunk_));
  ++chunk_count_;
  chunk_.clear();
  return Status::OK();
}

Status PostingWriter::Finish() {
  if (!chunk_.empty()) IXRAY_RETURN_NOT_OK(FlushChunk());
  std::string table;
  format::ByteWriter w(&table);
  w.PutU32(kTableMagic);
  w.PutU32(kTableVersion);
  w.PutU64(locations_.size());
  w.PutU64(chunk_count_);
  for (const auto& l : locations_) {
    w.PutU32(l.chunk);
    w.PutU64(l.offset);
    w.PutU64(l.length);
  }
  return out_->Add(kTableBlob, table);
}

Result<std::unique_ptr<PostingReader>> PostingReader::Open(
    std::shared_ptr<index::SegmentFileReader> file) {
  const std::string what = fmt::format("index segment {} blob '{}'", file->path(), kTableBlob);
  auto blob = file->Read(kTableBlob);
  if (!blob.ok()) {
    if (blob.status().code() == StatusCode::kNotFound) return Corrupt(what, "missing");
    return blob.status();
  }
  std::unique_ptr<PostingReader> reader(new PostingReader(file));
  format::ByteReader r((*blob)->span());
  const auto bad = [&] { return Corrupt(what, "damaged posting table"); };
  auto magic = r.GetU32("magic");
  auto version = r.GetU32("version");
  auto entries = r.GetU64("entries");
  auto chunks = r.GetU64("chunks");
  if (!magic.ok() || !version.ok() || !entries.ok() || !chunks.ok() || *magic != kTableMagic) {
    return bad();
  }
  if (*version != kTableVersion) return Corrupt(what, fmt::format("version {}", *version));
  if (*entries != r.remaining() / 20 || r.remaining() % 20 != 0 || *entries < kFirstKeyEntry) {
    return bad();
  }
  for (uint64_t c = 0; c < *chunks; ++c) {
    if (!file->Has(ChunkName(static_cast<uint32_t>(c)))) return Corrupt(what, "missing chunk");
  }
  reader->locations_.reserve(*entries);
  for (uint64_t i = 0; i < *entries; ++i) {
    Location l{*r.GetU32("chunk"), *r.GetU64("offset"), *r.GetU64("length")};
    if (l.chunk >= *chunks) return bad();
    reader->locations_.push_back(l);
  }
  reader->cache_.resize(reader->locations_.size());
  return reader;
}

Result<std::vector<std::shared_ptr<const RowAddressSet>>> PostingReader::Get(
    std::span<const uint32_t> entries) const {
  std::vector<std::shared_ptr<const RowAddressSet>> out(entries.size());
  std::map<uint32_t, std::vector<size_t>> missing;  // chunk -> positions in `entries`
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < entries.size(); ++i) {
      out[i] = cache_[entries[i]];
      if (out[i] == nullptr) missing[locations_[entries[i]].chunk].push_back(i);
    }
  }
  // Read and decode outside the lock; a concurrent query decoding the same
  // entry does redundant work but stores an equal set.
  for (const auto& [chunk, positions] : missing) {
    const std::string name = ChunkName(chunk);
    IXRAY_ASSIGN_OR_RAISE(BufferPtr bytes, file_->Read(name));
    const std::string what = fmt::format("index segment {} blob '{}'", file_->path(), name);
    for (size_t i : positions) {
      const Location& l = locations_[entries[i]];
      if (l.offset > static_cast<uint64_t>(bytes->size()) ||
          l.length > static_cast<uint64_t>(bytes->size()) - l.offset) {
        return Corrupt(what, "posting list out of bounds");
      }
      IXRAY_ASSIGN_OR_RAISE(RowAddressSet set,
                            DecodeRowSet(bytes->view().substr(l.offset, l.length), what));
      out[i] = std::make_shared<const RowAddressSet>(std::move(set));
    }
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i : positions) cache_[entries[i]] = out[i];
  }
  return out;
}

Result<std::shared_ptr<const RowAddressSet>> PostingReader::Get(uint32_t entry) const {
  IXRAY_ASSIGN_OR_RAISE(auto sets, Get(std::span<const uint32_t>(&entry, 1)));
  return sets[0];
}

Result<RowAddressSet> PostingReader::Union(std::span<const uint32_t> entries) const {
  IXRAY_ASSIGN_OR_RAISE(auto sets, Get(entries));
  RowAddressSet out;
  for (const auto& set : sets) out |= *set;
  return out;
}

Result<RowAddressSet> PostingReader::Intersection(std::span<const uint32_t> entries) const {
  if (entries.empty()) return RowAddressSet();
  IXRAY_ASSIGN_OR_RAISE(auto sets, Get(entries));
  // Smallest first, so the running intersection shrinks fast.
  std::sort(sets.begin(), sets.end(),
            [](const auto& a, const auto& b) { return a->cardinality() < b->cardinality(); });
  RowAddressSet out = *sets[0];
  for (size_t i = 1; i < sets.size() && !out.isEmpty(); ++i) out &= *sets[i];
  return out;
}

Result<RowAddressSet> PostingReader::NonNullRows() const {
  const uint32_t both[] = {kAllRowsEntry, kNullRowsEntry};
  IXRAY_ASSIGN_OR_RAISE(auto sets, Get(both));
  return *sets[0] - *sets[1];
}

namespace {

constexpr uint32_t kMetaVersion = 1;

std::string EncodeKeys(const std::map<std::string, RowAddressSet, std::less<>>& postings) {
  std::string out;
  format::ByteWriter w(&out);
  w.PutU64(postings.size());
  uint64_t end = 0;
  w.PutU64(end);
  for (const auto& entry : postings) w.PutU64(end += entry.first.size());
  for (const auto& entry : postings) w.PutBytes(entry.first.data(), entry.first.size());
  return out;
}

// The "meta" blob: the index type, then the row and key counts.
Result<std::pair<uint64_t, uint64_t>> ReadMeta(const index::SegmentFileReader& file,
                                               std::string_view magic) {
  const std::string what = fmt::format("index segment {} blob 'meta'", file.path());
  auto blob = file.Read("meta");
  if (!blob.ok()) {
    if (blob.status().code() == StatusCode::kNotFound) return Corrupt(what, "missing");
    return blob.status();
  }
  format::ByteReader r((*blob)->span());
  auto tag = r.GetString("magic");
  auto version = r.GetU32("version");
  auto rows = r.GetU64("rows");
  auto keys = r.GetU64("keys");
  if (!tag.ok() || !version.ok() || !rows.ok() || !keys.ok() || r.remaining() != 0) {
    return Corrupt(what, "damaged");
  }
  if (*tag != magic)
    return Corrupt(what, fmt::format("written by a {} index, not {}", *tag, magic));
  if (*version != kMetaVersion) return Corrupt(what, fmt::format("version {}", *version));
  return std::make_pair(*rows, *keys);
}

}  // namespace

Status KeyedPostingsBuilder::AddRow(RowAddress address) {
  if (num_rows_ > 0 && address <= last_) {
    return Status::InvalidArgument(
        fmt::format("index build: row address {} after {}; addresses must ascend", address, last_));
  }
  last_ = address;
  ++num_rows_;
  all_rows_.add(address);
  return Status::OK();
}

void KeyedPostingsBuilder::AddKey(std::string_view key, RowAddress address) {
  auto it = postings_.find(key);
  if (it == postings_.end()) it = postings_.emplace(std::string(key), RowAddressSet()).first;
  it->second.add(address);
}

Status KeyedPostingsBuilder::Finish(index::SegmentFileWriter& out, std::string_view magic) {
  std::string meta;
  format::ByteWriter w(&meta);
  w.PutString(magic);
  w.PutU32(kMetaVersion);
  w.PutU64(static_cast<uint64_t>(num_rows_));
  w.PutU64(postings_.size());
  IXRAY_RETURN_NOT_OK(out.Add("meta", meta));
  IXRAY_RETURN_NOT_OK(out.Add("keys", EncodeKeys(postings_)));
  PostingWriter writer(&out);
  IXRAY_RETURN_NOT_OK(writer.Add(all_rows_));
  IXRAY_RETURN_NOT_OK(writer.Add(null_rows_));
  for (const auto& entry : postings_) IXRAY_RETURN_NOT_OK(writer.Add(entry.second));
  return writer.Finish();
}

Result<std::unique_ptr<KeyedPostings>> KeyedPostings::Open(
    std::shared_ptr<index::SegmentFileReader> file, std::string_view magic) {
  IXRAY_ASSIGN_OR_RAISE(auto meta, ReadMeta(*file, magic));
  std::unique_ptr<KeyedPostings> out(new KeyedPostings());
  out->num_rows_ = static_cast<int64_t>(meta.first);
  const std::string what = fmt::format("index segment {} blob 'keys'", file->path());
  auto blob = file->Read("keys");
  if (!blob.ok()) {
    if (blob.status().code() == StatusCode::kNotFound) return Corrupt(what, "missing");
    return blob.status();
  }
  out->keys_blob_ = *blob;
  format::ByteReader r(out->keys_blob_->span());
  auto count = r.GetU64("count");
  if (!count.ok() || *count != meta.second || *count >= r.remaining() / 8) {
    return Corrupt(what, "bad key count");
  }
  std::vector<uint64_t> ends(*count + 1);
  for (auto& end : ends) end = *r.GetU64("offset");
  const std::string_view bytes = out->keys_blob_->view().substr(r.position());
  if (ends[0] != 0 || ends.back() != bytes.size()) return Corrupt(what, "bad key offsets");
  out->keys_.reserve(*count);
  for (uint64_t i = 0; i < *count; ++i) {
    if (ends[i + 1] < ends[i]) return Corrupt(what, "bad key offsets");
    const std::string_view key = bytes.substr(ends[i], ends[i + 1] - ends[i]);
    if (!out->keys_.empty() && !(out->keys_.back() < key)) {
      return Corrupt(what, "keys out of order");
    }
    out->keys_.push_back(key);
  }
  IXRAY_ASSIGN_OR_RAISE(out->postings_, PostingReader::Open(file));
  if (out->postings_->size() != out->keys_.size() + kFirstKeyEntry) {
    return Corrupt(what, "key and posting counts differ");
  }
  return out;
}

std::optional<uint32_t> KeyedPostings::Find(std::string_view key) const {
  const uint32_t i = LowerBound(key);
  if (i < keys_.size() && keys_[i] == key) return i;
  return std::nullopt;
}

uint32_t KeyedPostings::LowerBound(std::string_view key) const {
  return static_cast<uint32_t>(std::lower_bound(keys_.begin(), keys_.end(), key) - keys_.begin());
}

uint32_t KeyedPostings::UpperBound(std::string_view key) const {
  return static_cast<uint32_t>(std::upper_bound(keys_.begin(), keys_.end(), key) - keys_.begin());
}

namespace {

std::vector<uint32_t> ToEntries(std::span<const uint32_t> ids) {
  std::vector<uint32_t> entries(ids.begin(), ids.end());
  for (auto& e : entries) e += kFirstKeyEntry;
  return entries;
}

}  // namespace

Result<RowAddressSet> KeyedPostings::UnionOfKeys(std::span<const uint32_t> ids) const {
  return postings_->Union(ToEntries(ids));
}

Result<RowAddressSet> KeyedPostings::IntersectionOfKeys(std::span<const uint32_t> ids) const {
  return postings_->Intersection(ToEntries(ids));
}

Result<RowAddressSet> KeyedPostings::NullRows() const {
  IXRAY_ASSIGN_OR_RAISE(auto set, postings_->Get(kNullRowsEntry));
  return *set;
}

Result<ScalarIndexConfig> ConfigWithoutParams(std::string_view index_type,
                                              const IndexParams& params) {
  if (!params.empty()) {
    return Status::InvalidArgument(
        fmt::format("{} index has no parameter '{}'; accepted parameters: none", index_type,
                    params.begin()->first));
  }
  return ScalarIndexConfig{std::string(index_type), {}};
}

Status UnsupportedColumn(std::string_view index_type, const Field& field,
                         std::string_view supported) {
  return Status::TypeError(fmt::format("{} index cannot index column '{}' of type {} (needs {})",
                                       index_type, field.name, field.type->ToString(), supported));
}

}  // namespace ixray::scalar
