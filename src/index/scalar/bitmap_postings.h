// Posting lists of row addresses shared by the bitmap-style scalar indices
// (BITMAP, LABEL_LIST, NGRAM): per key of a sorted dictionary one roaring
// bitmap of the rows holding it, plus the rows indexed and the null rows.
//
// On disk (blobs of one segment file, index/segment_file.h):
//   "meta"             the index type (string), u32 version, u64 rows, u64 keys
//   "keys"             u64 key count n, n + 1 u64 end offsets (the first 0),
//                      then the keys' bytes, strictly ascending by memcmp
//   "postings.table"   u32 magic "IXPL", u32 version, u64 entry count,
//                      u64 chunk count, then per entry u32 chunk, u64
//                      offset, u64 length (into that chunk)
//   "postings.<c>"     chunk c: the encoded bitmaps of consecutive entries,
//                      cut at about 64 KiB so a lookup reads only the
//                      chunks holding the entries it needs
// Entry 0 holds every row indexed, entry 1 the rows whose value is null,
// entries 2.. the dictionary's keys in order (kFirstKeyEntry).
//
// A bitmap is encoded in CRoaring's portable 64-bit format: u64 bucket
// count, then per bucket (ascending high 32 bits) u32 high bits and the
// 32-bit roaring portable serialization of the low bits. Decoding parses
// every bucket strictly (dataset/deletion_vector.h) before CRoaring sees the
// bytes, so a damaged blob is Corruption, never a crash.
//
// Thread safety: PostingWriter is single-threaded; PostingReader is
// immutable after Open apart from its internal cache, which a mutex guards,
// so it may be shared by concurrent queries.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "index/scalar/scalar_index.h"
#include "index/segment_file.h"
#include "ixray/status.h"

namespace ixray::scalar {

constexpr uint32_t kAllRowsEntry = 0;
constexpr uint32_t kNullRowsEntry = 1;
constexpr uint32_t kFirstKeyEntry = 2;

// A run-optimized encoding of `rows` (see above).
std::string EncodeRowSet(const RowAddressSet& rows);
// Corruption naming `what` if `bytes` is not exactly one encoded set.
Result<RowAddressSet> DecodeRowSet(std::string_view bytes, std::string_view what);

class PostingWriter {
 public:
  // REQUIRES: `out` outlives the writer.
  explicit PostingWriter(index::SegmentFileWriter* out, size_t chunk_bytes = size_t{64} << 10)
      : out_(out), chunk_bytes_(chunk_bytes) {}
  // Appends the next entry (entry 0 first).
  Status Add(const RowAddressSet& rows);
  // Writes the last chunk and the table.
  Status Finish();

 private:
  Status FlushChunk();

  struct Location {
    uint32_t chunk;
    uint64_t offset, length;
  };
  index::SegmentFileWriter* out_;
  size_t chunk_bytes_;
  std::string chunk_;
  uint32_t chunk_count_ = 0;
  std::vector<Location> locations_;
};

class PostingReader {
 public:
  // Reads the table; Corruption if it is damaged or names missing chunks.
  static Result<std::unique_ptr<PostingReader>> Open(
      std::shared_ptr<index::SegmentFileReader> file);

  size_t size() const { return locations_.size(); }

  // The bitmaps of `entries`, each decoded once and cached; entries sharing
  // a chunk are read with one read. REQUIRES: every entry < size().
  Result<std::vector<std::shared_ptr<const RowAddressSet>>> Get(
      std::span<const uint32_t> entries) const;
  Result<std::shared_ptr<const RowAddressSet>> Get(uint32_t entry) const;
  // The union / intersection of `entries` (intersection of none: empty).
  Result<RowAddressSet> Union(std::span<const uint32_t> entries) const;
  Result<RowAddressSet> Intersection(std::span<const uint32_t> entries) const;
  // Every indexed row whose value is not null.
  Result<RowAddressSet> NonNullRows() const;

 private:
  struct Location {
    uint32_t chunk;
    uint64_t offset, length;
  };
  explicit PostingReader(std::shared_ptr<index::SegmentFileReader> file) : file_(std::move(file)) {}

  std::shared_ptr<index::SegmentFileReader> file_;
  std::vector<Location> locations_;
  mutable std::mutex mutex_;
  mutable std::vector<std::shared_ptr<const RowAddressSet>> cache_;
};

// The builder half of a keyed posting index: rows grouped by byte-string
// keys (a value, a label, a trigram), plus null rows. Finish writes blobs
// "meta", "keys" and the postings. Keys are byte strings compared with
// memcmp; each index chooses an encoding whose byte order suits it.
// Thread safety: single-threaded.
class KeyedPostingsBuilder {
 public:
  // Every row passed to the index, null or not, in ascending order.
  // InvalidArgument if `address` does not ascend.
  Status AddRow(RowAddress address);
  // REQUIRES: AddRow(address) was the last row added.
  void AddNull(RowAddress address) { null_rows_.add(address); }
  void AddKey(std::string_view key, RowAddress address);
  int64_t num_rows() const { return num_rows_; }
  // `magic` names the index type in the "meta" blob.
  Status Finish(index::SegmentFileWriter& out, std::string_view magic);

 private:
  int64_t num_rows_ = 0;
  RowAddress last_ = 0;
  RowAddressSet all_rows_, null_rows_;
  std::map<std::string, RowAddressSet, std::less<>> postings_;
};

// An opened keyed posting index: the sorted keys in memory, the postings
// read lazily (PostingReader). Thread safety: as PostingReader.
class KeyedPostings {
 public:
  // Corruption if a blob is missing or damaged, or `magic` differs.
  static Result<std::unique_ptr<KeyedPostings>> Open(std::shared_ptr<index::SegmentFileReader> file,
                                                     std::string_view magic);

  int64_t num_rows() const { return num_rows_; }
  size_t num_keys() const { return keys_.size(); }
  std::string_view key(size_t i) const { return keys_[i]; }
  // The index of `key`, or nullopt.
  std::optional<uint32_t> Find(std::string_view key) const;
  // The first key index whose key is >= (LowerBound) or > (UpperBound) `key`.
  uint32_t LowerBound(std::string_view key) const;
  uint32_t UpperBound(std::string_view key) const;

  // Rows holding any / all of the keys `ids` (all of none: empty).
  Result<RowAddressSet> UnionOfKeys(std::span<const uint32_t> ids) const;
  Result<RowAddressSet> IntersectionOfKeys(std::span<const uint32_t> ids) const;
  Result<RowAddressSet> NullRows() const;
  Result<RowAddressSet> NonNullRows() const { return postings_->NonNullRows(); }

 private:
  KeyedPostings() = default;
  int64_t num_rows_ = 0;
  BufferPtr keys_blob_;
  std::vector<std::string_view> keys_;  // into keys_blob_, ascending
  std::unique_ptr<PostingReader> postings_;
};

// ScalarIndexSegment::Search's result: an answer, or nullopt ("cannot help").
inline Result<std::optional<IndexAnswer>> Answer(IndexAnswer answer) {
  return std::optional<IndexAnswer>(std::move(answer));
}
inline Result<std::optional<IndexAnswer>> NoAnswer() { return std::optional<IndexAnswer>(); }

// NormalizeConfig of an index type that takes no parameters.
Result<ScalarIndexConfig> ConfigWithoutParams(std::string_view index_type,
                                              const IndexParams& params);

// TypeError "<index> index cannot index column 'c' of type t (needs ...)".
Status UnsupportedColumn(std::string_view index_type, const Field& field,
                         std::string_view supported);

}  // namespace ixray::scalar
