#include "index/scalar/inverted/posting_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "format/byte_coding.h"

namespace ixray::scalar::inverted {

void PutVarint(uint32_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

namespace {

// GetVarint with the common one-byte case inlined (most deltas and tfs).
inline Status NextVarint(std::span<const uint8_t> data, size_t* pos, uint32_t* value) {
  if (*pos < data.size() && data[*pos] < 0x80) {
    *value = data[(*pos)++];
    return Status::OK();
  }
  return GetVarint(data, pos, value);
}

}  // namespace

Status GetVarint(std::span<const uint8_t> data, size_t* pos, uint32_t* value) {
  uint32_t result = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*pos >= data.size()) return Status::Corruption("truncated varint in a posting list");
    const uint8_t byte = data[(*pos)++];
    if (shift == 28 && (byte & 0xf0) != 0) {
      return Status::Corruption("varint longer than 32 bits in a posting list");
    }
    result |= static_cast<uint32_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return Status::OK();
    }
  }
  return Status::Corruption("varint longer than 32 bits in a posting list");
}

namespace {

// The (max tf, min doc length) pairs that bound every posting of a run:
// the Pareto frontier of (tf up, doc length down), cut to kBoundPairs
// points by merging neighbours (a merged pair takes the higher tf and the
// shorter length, so it still bounds both). Unused slots repeat the last.
std::array<BoundPair, kBoundPairs> Frontier(std::vector<BoundPair> points) {
  // By length ascending, tf descending: keep each point with a higher tf
  // than every shorter (or equal-length) one.
  std::sort(points.begin(), points.end(), [](const BoundPair& a, const BoundPair& b) {
    return a.min_doc_length < b.min_doc_length ||
           (a.min_doc_length == b.min_doc_length && a.max_tf > b.max_tf);
  });
  std::vector<BoundPair> frontier;
  for (const BoundPair& p : points) {
    if (frontier.empty() || p.max_tf > frontier.back().max_tf) frontier.push_back(p);
  }
  while (frontier.size() > kBoundPairs) {
    // Merge the neighbours closest in length (the least loosening).
    size_t best = 0;
    for (size_t i = 1; i + 1 < frontier.size(); ++i) {
      if (frontier[i + 1].min_doc_length - frontier[i].min_doc_length <
          frontier[best + 1].min_doc_length - frontier[best].min_doc_length) {
        best = i;
      }
    }
    frontier[best].max_tf = frontier[best + 1].max_tf;
    frontier.erase(frontier.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  std::array<BoundPair, kBoundPairs> out;
  for (size_t i = 0; i < kBoundPairs; ++i) out[i] = frontier[std::min(i, frontier.size() - 1)];
  return out;
}

void PutBounds(const std::array<BoundPair, kBoundPairs>& pairs, std::string* out) {
  format::ByteWriter writer(out);
  for (const BoundPair& p : pairs) {
    writer.PutU32(p.max_tf);
    writer.PutU32(p.min_doc_length);
  }
}

}  // namespace

void EncodePostingList(std::span<const uint32_t> docs, std::span<const uint32_t> tfs,
                       std::span<const uint32_t> doc_lengths, std::string* out) {
  const size_t df = docs.size();
  const uint32_t num_blocks = static_cast<uint32_t>((df + kBlockSize - 1) / kBlockSize);
  const size_t start = out->size();
  format::ByteWriter writer(out);
  writer.PutU32(num_blocks);
  const size_t headers = out->size();
  out->resize(headers + size_t{num_blocks} * kBlockHeaderSize);
  const size_t data_start = out->size();
  uint32_t previous = 0;
  for (uint32_t block = 0; block < num_blocks; ++block) {
    const size_t begin = size_t{block} * kBlockSize;
    const size_t end = std::min(df, begin + kBlockSize);
    uint32_t max_tf = 0, min_length = UINT32_MAX;
    for (size_t i = begin; i < end; ++i) {
      PutVarint(docs[i] - previous, out);
      previous = docs[i];
      max_tf = std::max(max_tf, tfs[i]);
      min_length = std::min(min_length, doc_lengths[docs[i]]);
    }
    for (size_t i = begin; i < end; ++i) PutVarint(tfs[i], out);
    uint8_t* header = reinterpret_cast<uint8_t*>(out->data() + headers) + block * kBlockHeaderSize;
    format::StoreLittleEndian<uint32_t>(header, docs[end - 1]);
    format::StoreLittleEndian<uint32_t>(header + 4,
                                        static_cast<uint32_t>(out->size() - data_start));
    format::StoreLittleEndian<uint32_t>(header + 8, max_tf);
    format::StoreLittleEndian<uint32_t>(header + 12, min_length);
  }
  if (num_blocks >= 2) {
    // The list's pairs bound the blocks' pairs, so they bound every posting.
    std::vector<BoundPair> all, points;
    std::string blocks;
    for (uint32_t block = 0; block < num_blocks; ++block) {
      const size_t begin = size_t{block} * kBlockSize;
      const size_t end = std::min(df, begin + kBlockSize);
      points.clear();
      for (size_t i = begin; i < end; ++i) points.push_back({tfs[i], doc_lengths[docs[i]]});
      const auto pairs = Frontier(std::move(points));
      all.insert(all.end(), pairs.begin(), pairs.end());
      PutBounds(pairs, &blocks);
    }
    PutBounds(Frontier(std::move(all)), out);
    out->append(blocks);
  }
  (void)start;
}

void EncodePositions(std::span<const uint32_t> positions, std::span<const uint32_t> tfs,
                     std::string* out) {
  size_t next = 0;
  for (uint32_t tf : tfs) {
    uint32_t previous = 0;
    for (uint32_t j = 0; j < tf; ++j, ++next) {
      PutVarint(positions[next] - previous, out);
      previous = positions[next];
    }
  }
}

Status DecodePositions(std::span<const uint8_t> data, size_t* pos, uint32_t tf,
                       std::vector<uint32_t>* out) {
  uint32_t previous = 0;
  for (uint32_t j = 0; j < tf; ++j) {
    uint32_t delta;
    IXRAY_RETURN_NOT_OK(GetVarint(data, pos, &delta));
    if (j > 0 && delta == 0) return Status::Corruption("positions do not ascend");
    if (delta > UINT32_MAX - previous) return Status::Corruption("position overflows");
    previous += delta;
    out->push_back(previous);
  }
  return Status::OK();
}

Result<PostingCursor> PostingCursor::Open(std::span<const uint8_t> bytes, uint32_t df,
                                          uint32_t num_docs) {
  PostingCursor cursor;
  cursor.bytes_ = bytes;
  cursor.df_ = df;
  if (bytes.size() < 4 || df == 0) return Status::Corruption("posting list is truncated");
  cursor.num_blocks_ = format::LoadLittleEndian<uint32_t>(bytes.data());
  if (cursor.num_blocks_ != (uint64_t{df} + kBlockSize - 1) / kBlockSize ||
      (bytes.size() - 4) / kBlockHeaderSize < cursor.num_blocks_) {
    return Status::Corruption(fmt::format("posting list of {} documents has {} blocks in {} bytes",
                                          df, cursor.num_blocks_, bytes.size()));
  }
  const size_t data_start = 4 + size_t{cursor.num_blocks_} * kBlockHeaderSize;
  cursor.data_ = bytes.subspan(data_start);
  cursor.list_min_doc_length_ = UINT32_MAX;
  uint32_t previous_end = 0;
  for (uint32_t block = 0; block < cursor.num_blocks_; ++block) {
    const BlockHeader h = cursor.header(block);
    const bool ascending = block == 0 || h.last_doc > cursor.header(block - 1).last_doc;
    if (!ascending || h.last_doc >= num_docs || h.data_end < previous_end ||
        h.data_end > cursor.data_.size() || h.max_tf == 0) {
      return Status::Corruption(fmt::format("posting list block {} header is invalid", block));
    }
    previous_end = h.data_end;
    cursor.list_max_tf_ = std::max(cursor.list_max_tf_, h.max_tf);
    cursor.list_min_doc_length_ = std::min(cursor.list_min_doc_length_, h.min_doc_length);
  }
  // Lists of 2+ blocks end with their bound pairs (the list's, then each
  // block's); lists written before those existed end with the last block.
  const size_t trailing = cursor.data_.size() - previous_end;
  const size_t bounds_size = size_t{cursor.num_blocks_ + 1} * kBoundPairs * 8;
  if (trailing != 0) {
    if (cursor.num_blocks_ < 2 || trailing != bounds_size) {
      return Status::Corruption(fmt::format("posting list has {} bytes after its blocks, not {}",
                                            trailing,
                                            cursor.num_blocks_ < 2 ? size_t{0} : bounds_size));
    }
    cursor.bounds_ = cursor.data_.subspan(previous_end);
    // Each run's pairs reach its header's largest tf and shortest length
    // (a cheap check; the pairs are a frontier between those).
    for (uint32_t i = 0; i <= cursor.num_blocks_; ++i) {
      uint32_t max_tf = 0, min_length = UINT32_MAX;
      for (const BoundPair& p : cursor.Bounds(i, 0, 0)) {
        max_tf = std::max(max_tf, p.max_tf);
        min_length = std::min(min_length, p.min_doc_length);
      }
      const BlockHeader h =
          i == 0 ? BlockHeader{0, 0, cursor.list_max_tf_, cursor.list_min_doc_length_}
                 : cursor.header(i - 1);
      if (max_tf != h.max_tf || min_length != h.min_doc_length) {
        return Status::Corruption(fmt::format("posting list bound pairs {} do not fit", i));
      }
    }
  }
  IXRAY_RETURN_NOT_OK(cursor.DecodeBlock(0));
  return cursor;
}

Status PostingCursor::DecodeBlock(uint32_t block) {
  const BlockHeader h = header(block);
  const uint32_t begin = block == 0 ? 0 : header(block - 1).data_end;
  const auto data = data_.subspan(0, h.data_end);
  const uint32_t count = block + 1 < num_blocks_ ? kBlockSize : df_ - block * kBlockSize;
  uint32_t previous = block == 0 ? 0 : header(block - 1).last_doc;
  size_t pos = begin;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t delta;
    IXRAY_RETURN_NOT_OK(NextVarint(data, &pos, &delta));
    const bool first = block == 0 && i == 0;
    if ((!first && delta == 0) || delta > h.last_doc - previous) {
      return Status::Corruption(fmt::format("posting list block {} has bad doc ids", block));
    }
    previous += delta;
    docs_[i] = previous;
  }
  if (previous != h.last_doc) {
    return Status::Corruption(fmt::format("posting list block {} ends at the wrong doc", block));
  }
  for (uint32_t i = 0; i < count; ++i) {
    IXRAY_RETURN_NOT_OK(NextVarint(data, &pos, &tfs_[i]));
    if (tfs_[i] == 0 || tfs_[i] > h.max_tf) {
      return Status::Corruption(fmt::format("posting list block {} has a bad frequency", block));
    }
  }
  if (pos != h.data_end) {
    return Status::Corruption(fmt::format("posting list block {} has trailing bytes", block));
  }
  block_ = block;
  block_count_ = count;
  index_in_block_ = 0;
  doc_ = docs_[0];
  return Status::OK();
}

Status PostingCursor::Next() {
  if (doc_ == kEndOfPostings) return Status::OK();
  if (++index_in_block_ < block_count_) {
    doc_ = docs_[index_in_block_];
    return Status::OK();
  }
  if (block_ + 1 >= num_blocks_) {
    doc_ = kEndOfPostings;
    return Status::OK();
  }
  return DecodeBlock(block_ + 1);
}

bool PostingCursor::ShallowAdvance(uint32_t target) {
  if (shallow_block_ < block_) shallow_block_ = block_;
  while (shallow_block_ < num_blocks_ && header(shallow_block_).last_doc < target) {
    ++shallow_block_;
  }
  return shallow_block_ < num_blocks_;
}

Status PostingCursor::Advance(uint32_t target) {
  if (doc_ >= target) return Status::OK();  // also when exhausted
  if (header(block_).last_doc < target) {
    if (!ShallowAdvance(target)) {
      doc_ = kEndOfPostings;
      return Status::OK();
    }
    IXRAY_RETURN_NOT_OK(DecodeBlock(shallow_block_));
  }
  // The decoded block holds a doc >= target: its last one at least.
  const uint32_t* found = std::lower_bound(docs_ + index_in_block_, docs_ + block_count_, target);
  index_in_block_ = static_cast<uint32_t>(found - docs_);
  doc_ = *found;
  return Status::OK();
}

}  // namespace ixray::scalar::inverted
