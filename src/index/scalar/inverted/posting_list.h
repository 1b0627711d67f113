// Posting lists of the INVERTED index: encoding and a cursor for search.
//
// A posting list holds, for one term of one segment, the documents that
// contain it (local doc ids, ascending) and the term's frequency in each, in
// blocks of kBlockSize documents:
//
//   u32 num_blocks                     = ceil(df / kBlockSize)
//   num_blocks x 16-byte block header:
//     u32 last_doc                     the block's largest doc id
//     u32 data_end                     end of its data, from the data start
//     u32 max_tf                       the largest frequency in the block
//     u32 min_doc_length               the shortest document in the block
//   block data, per block (count = kBlockSize, the last block the rest):
//     count varint doc deltas (from the previous block's last_doc; the
//       list's first delta is the doc id itself), then count varint tfs.
//
//   bound pairs, lists of 2+ blocks only: (num_blocks + 1) x kBoundPairs
//     x (u32 max_tf, u32 min_doc_length): the list's, then each block's
//     (lists written without them end after the last block; readers of
//     either kind accept both).
//
// BM25 grows with the frequency and shrinks with the document length, so
// score(max_tf, min_doc_length) bounds every score in a block for any global
// statistics: the block-max WAND bound stays valid when segments are
// searched together. The header's pair is loose (its tf and its length
// may come from different documents); the bound pairs are a few points
// of the block's (tf, length) Pareto frontier, so the largest score over
// them is a much tighter bound, still valid for any statistics.
//
// Positions (with_position) are a separate stream per term: per posting, in
// order, its tf positions as varints (first absolute, then deltas).
//
// All integers little-endian; varints are LEB128 (7 bits per byte).
//
// Thread safety: a PostingCursor is used by one thread; the bytes it reads
// are immutable and shared.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "format/byte_coding.h"
#include "ixray/status.h"

namespace ixray::scalar::inverted {

inline constexpr uint32_t kBlockSize = 128;
inline constexpr uint32_t kBlockHeaderSize = 16;
inline constexpr size_t kBoundPairs = 4;

// A (tf, document length) point that bounds postings: each has a tf <=
// max_tf and a length >= min_doc_length.
struct BoundPair {
  uint32_t max_tf = 0;
  uint32_t min_doc_length = 0;
};
// doc() of an exhausted cursor.
inline constexpr uint32_t kEndOfPostings = UINT32_MAX;

// format::LoadLittleEndian as one load on little-endian hosts (the byte
// loop is not fused by the compiler; these run per candidate document).
template <typename T>
inline T LoadLittle(const uint8_t* src) {
  if constexpr (std::endian::native == std::endian::little) {
    T value;
    std::memcpy(&value, src, sizeof(T));
    return value;
  } else {
    return format::LoadLittleEndian<T>(src);
  }
}

void PutVarint(uint32_t value, std::string* out);
// Reads a varint at data[*pos] and advances *pos; Corruption if truncated or
// longer than 32 bits.
Status GetVarint(std::span<const uint8_t> data, size_t* pos, uint32_t* value);

// Appends the posting list of `docs` (ascending) with frequencies `tfs` to
// `out`. `doc_lengths[doc]` is each document's token count.
// REQUIRES: docs.size() == tfs.size() > 0, docs ascending, tfs >= 1.
void EncodePostingList(std::span<const uint32_t> docs, std::span<const uint32_t> tfs,
                       std::span<const uint32_t> doc_lengths, std::string* out);

// Appends the positions stream of one term: `positions` holds, per posting
// in order, its tf positions ascending.
void EncodePositions(std::span<const uint32_t> positions, std::span<const uint32_t> tfs,
                     std::string* out);

// Reads the positions of one posting (tf of them) at data[*pos] into `out`.
Status DecodePositions(std::span<const uint8_t> data, size_t* pos, uint32_t tf,
                       std::vector<uint32_t>* out);

// Iterates one posting list, decoding a block only when a document in it is
// needed; block headers are available without decoding (for block-max
// bounds).
class PostingCursor {
 public:
  // Validates the block headers against `df` and `num_docs` (the segment's
  // documents); Corruption if they do not fit. Positioned on the first doc.
  static Result<PostingCursor> Open(std::span<const uint8_t> bytes, uint32_t df, uint32_t num_docs);

  // The current document, kEndOfPostings when exhausted.
  uint32_t doc() const { return doc_; }
  // The current document's term frequency. REQUIRES: doc() != kEndOfPostings.
  uint32_t tf() const { return tfs_[index_in_block_]; }
  uint32_t df() const { return df_; }

  Status Next();
  // Moves to the first document >= target (no-op if already there).
  Status Advance(uint32_t target);

  // Block-max bounds: moves the header position (not the documents) to the
  // block that may contain `target`. False if no block does.
  bool ShallowAdvance(uint32_t target);
  // The header position's block. REQUIRES: ShallowAdvance returned true.
  uint32_t shallow_last_doc() const { return header(shallow_block_).last_doc; }
  uint32_t shallow_max_tf() const { return header(shallow_block_).max_tf; }
  uint32_t shallow_min_doc_length() const { return header(shallow_block_).min_doc_length; }
  // The header position's block number (changes only when ShallowAdvance moves).
  uint32_t shallow_block() const { return shallow_block_; }

  // The whole list's largest tf and smallest doc length (over all blocks).
  uint32_t list_max_tf() const { return list_max_tf_; }
  uint32_t list_min_doc_length() const { return list_min_doc_length_; }

  // The bound pairs of the list and of the header position's block: a
  // posting's score is at most the largest score over its pairs. Lists
  // without bound pairs give the header's single (loose) pair.
  std::span<const BoundPair> list_bounds() { return Bounds(0, list_max_tf_, list_min_doc_length_); }
  std::span<const BoundPair> shallow_bounds() {
    const BlockHeader h = header(shallow_block_);
    return Bounds(shallow_block_ + 1, h.max_tf, h.min_doc_length);
  }

 private:
  struct BlockHeader {
    uint32_t last_doc, data_end, max_tf, min_doc_length;
  };
  // Inline: read for every candidate document by WAND.
  BlockHeader header(uint32_t block) const {
    const uint8_t* p = bytes_.data() + 4 + size_t{block} * kBlockHeaderSize;
    return {LoadLittle<uint32_t>(p), LoadLittle<uint32_t>(p + 4), LoadLittle<uint32_t>(p + 8),
            LoadLittle<uint32_t>(p + 12)};
  }
  Status DecodeBlock(uint32_t block);
  // Bound pairs number `index` (0: the list's), or the given single pair.
  std::span<const BoundPair> Bounds(size_t index, uint32_t max_tf, uint32_t min_doc_length) {
    if (bounds_.empty()) {
      pairs_[0] = {max_tf, min_doc_length};
      return {pairs_, 1};
    }
    const uint8_t* p = bounds_.data() + index * kBoundPairs * 8;
    for (size_t i = 0; i < kBoundPairs; ++i) {
      pairs_[i] = {LoadLittle<uint32_t>(p + i * 8), LoadLittle<uint32_t>(p + i * 8 + 4)};
    }
    return {pairs_, kBoundPairs};
  }

  std::span<const uint8_t> bytes_;
  std::span<const uint8_t> bounds_;  // empty: none
  BoundPair pairs_[kBoundPairs];
  std::span<const uint8_t> data_;  // the block data area
  uint32_t df_ = 0;
  uint32_t num_blocks_ = 0;
  uint32_t list_max_tf_ = 0;
  uint32_t list_min_doc_length_ = 0;
  uint32_t shallow_block_ = 0;
  uint32_t block_ = 0;  // the decoded block
  uint32_t block_count_ = 0;
  uint32_t index_in_block_ = 0;
  uint32_t doc_ = kEndOfPostings;
  uint32_t docs_[kBlockSize];
  uint32_t tfs_[kBlockSize];
};

}  // namespace ixray::scalar::inverted
