// InvertedSegment: one opened segment of an INVERTED (full-text) index.
//
// Documents are the non-null rows a builder was given, numbered 0..n-1 in
// ascending row address (local doc ids); null rows count in num_rows() only.
// An empty string (or empty list) is a document of length 0.
//
// Blobs of a segment (index/segment_file.h names; little-endian):
//   "meta"           magic "IXFT", u32 version (1), u64 num_rows,
//                    u64 num_docs, u64 total_tokens (sum of doc lengths),
//                    u64 num_terms, u32 num_posting_chunks,
//                    u32 num_position_chunks, u8 with_positions
//   "terms"          the term dictionary, terms sorted bytewise, unique:
//                    (num_terms + 1) x u32 offsets into the term bytes,
//                    the term bytes, then num_terms x 40-byte records:
//                      u32 df, u32 posting chunk, u64 posting offset,
//                      u64 posting length, u32 positions chunk,
//                      u32 reserved (0), u64 positions offset
//   "docs"           num_docs x u64 row address (strictly ascending), then
//                    num_docs x u32 document length (tokens after filtering)
//   "postings.<i>"   posting lists (posting_list.h) back to back, i in
//                    [0, num_posting_chunks); a chunk is closed once it
//                    passes 8 MiB, so a query reads only the chunks of its
//                    terms
//   "positions.<i>"  with_positions only: the positions streams
//                    (posting_list.h), chunked the same way
//
// "meta", "terms" and "docs" are read and validated by Open; posting and
// position chunks are read on first use and cached.
//
// Thread safety: immutable after Open (the chunk cache is internally
// synchronized); share it between concurrent queries.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/byte_coding.h"
#include "index/scalar/inverted/inverted_config.h"
#include "index/scalar/inverted/posting_list.h"
#include "index/scalar/scalar_index.h"
#include "ixray/buffer.h"

namespace ixray::scalar::inverted {

inline constexpr std::string_view kSegmentMagic = "IXFT";
inline constexpr uint32_t kSegmentVersion = 1;
inline constexpr size_t kTermRecordSize = 40;
inline constexpr size_t kChunkTargetBytes = size_t{8} << 20;

std::string PostingChunkName(uint32_t chunk);
std::string PositionChunkName(uint32_t chunk);

// Where a segment's blobs come from: a segment file, or memory.
using BlobReader = std::function<Result<BufferPtr>(std::string_view name)>;

class InvertedSegment final : public ScalarIndexSegment {
 public:
  struct TermInfo {
    uint32_t df = 0;
    uint32_t posting_chunk = 0;
    uint64_t posting_offset = 0;
    uint64_t posting_length = 0;
    uint32_t positions_chunk = 0;
    uint64_t positions_offset = 0;
  };

  // Reads and validates meta, terms and docs; Corruption if damaged.
  // `config` is the index's (NormalizeInvertedConfig) config.
  static Result<std::unique_ptr<InvertedSegment>> Open(BlobReader read,
                                                       const ScalarIndexConfig& config);

  // Full-text search is not a filter: always nullopt (see fts_search.h).
  Result<std::optional<IndexAnswer>> Search(const query::ColumnPredicate&) const override {
    return std::optional<IndexAnswer>();
  }
  int64_t num_rows() const override { return static_cast<int64_t>(num_rows_); }

  uint32_t num_docs() const { return num_docs_; }
  uint64_t total_tokens() const { return total_tokens_; }
  bool with_positions() const { return with_positions_; }
  const InvertedConfig& config() const { return config_; }
  // Digest of the ScalarIndexConfig; equal for segments of one index.
  uint64_t config_digest() const { return config_digest_; }

  uint64_t num_terms() const { return num_terms_; }
  // REQUIRES: i < num_terms().
  std::string_view term(uint64_t i) const;
  TermInfo term_info(uint64_t i) const;
  std::optional<TermInfo> FindTerm(std::string_view term) const;

  // REQUIRES: doc < num_docs().
  RowAddress address(uint32_t doc) const {
    return LoadLittle<uint64_t>(docs_->data() + size_t{doc} * 8);
  }
  uint32_t doc_length(uint32_t doc) const {
    return LoadLittle<uint32_t>(docs_->data() + size_t{num_docs_} * 8 + size_t{doc} * 4);
  }

  // A cursor over a term's postings (reads its chunk on first use).
  Result<PostingCursor> OpenPostings(const TermInfo& info) const;
  // The positions stream bytes of the chunk holding `info`'s positions and
  // the offset where they start. REQUIRES: with_positions().
  Result<std::pair<std::span<const uint8_t>, size_t>> Positions(const TermInfo& info) const;

 private:
  InvertedSegment() = default;
  Status ParseTerms();
  Status ParseDocs();
  Result<BufferPtr> Chunk(bool positions, uint32_t chunk) const;

  BlobReader read_;
  InvertedConfig config_;
  uint64_t config_digest_ = 0;
  uint64_t num_rows_ = 0;
  uint32_t num_docs_ = 0;
  uint64_t total_tokens_ = 0;
  uint64_t num_terms_ = 0;
  uint32_t num_posting_chunks_ = 0;
  uint32_t num_position_chunks_ = 0;
  bool with_positions_ = false;
  BufferPtr terms_;
  size_t term_bytes_start_ = 0;
  size_t records_start_ = 0;
  BufferPtr docs_;

  mutable std::mutex chunk_mutex_;
  mutable std::vector<BufferPtr> posting_chunks_;
  mutable std::vector<BufferPtr> position_chunks_;
};

// The segment behind a plugin's ScalarIndexSegment, or nullptr if it is not
// an INVERTED one.
const InvertedSegment* AsInvertedSegment(const ScalarIndexSegment& segment);

}  // namespace ixray::scalar::inverted
