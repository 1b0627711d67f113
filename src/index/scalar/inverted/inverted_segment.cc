#include "index/scalar/inverted/inverted_segment.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace ixray::scalar::inverted {

std::string PostingChunkName(uint32_t chunk) { return fmt::format("postings.{}", chunk); }
std::string PositionChunkName(uint32_t chunk) { return fmt::format("positions.{}", chunk); }

Result<std::unique_ptr<InvertedSegment>> InvertedSegment::Open(BlobReader read,
                                                               const ScalarIndexConfig& config) {
  std::unique_ptr<InvertedSegment> segment(new InvertedSegment());
  IXRAY_ASSIGN_OR_RAISE(segment->config_, ParseInvertedConfig(config));
  segment->config_digest_ = config.Digest();
  segment->read_ = std::move(read);

  IXRAY_ASSIGN_OR_RAISE(BufferPtr meta, segment->read_("meta"));
  format::ByteReader r(meta->span());
  IXRAY_ASSIGN_OR_RAISE(auto magic, r.GetBytes(kSegmentMagic.size(), "magic"));
  if (std::memcmp(magic.data(), kSegmentMagic.data(), kSegmentMagic.size()) != 0) {
    return Status::Corruption("INVERTED segment meta has a bad magic");
  }
  IXRAY_ASSIGN_OR_RAISE(uint32_t version, r.GetU32("version"));
  if (version != kSegmentVersion) {
    return Status::Corruption(fmt::format("INVERTED segment version {} is not supported", version));
  }
  IXRAY_ASSIGN_OR_RAISE(segment->num_rows_, r.GetU64("num_rows"));
  IXRAY_ASSIGN_OR_RAISE(uint64_t num_docs, r.GetU64("num_docs"));
  IXRAY_ASSIGN_OR_RAISE(segment->total_tokens_, r.GetU64("total_tokens"));
  IXRAY_ASSIGN_OR_RAISE(segment->num_terms_, r.GetU64("num_terms"));
  IXRAY_ASSIGN_OR_RAISE(segment->num_posting_chunks_, r.GetU32("num_posting_chunks"));
  IXRAY_ASSIGN_OR_RAISE(segment->num_position_chunks_, r.GetU32("num_position_chunks"));
  IXRAY_ASSIGN_OR_RAISE(uint8_t with_positions, r.GetU8("with_positions"));
  if (num_docs > segment->num_rows_ || num_docs >= kEndOfPostings || with_positions > 1 ||
      r.remaining() != 0) {
    return Status::Corruption("INVERTED segment meta is invalid");
  }
  segment->num_docs_ = static_cast<uint32_t>(num_docs);
  segment->with_positions_ = with_positions == 1;
  if (!segment->with_positions_ && segment->num_position_chunks_ != 0) {
    return Status::Corruption("INVERTED segment has positions chunks but no positions");
  }
  // Every chunk holds at least one term's list (bounds the allocations below).
  if (segment->num_posting_chunks_ > segment->num_terms_ ||
      segment->num_position_chunks_ > segment->num_terms_) {
    return Status::Corruption("INVERTED segment has more chunks than terms");
  }
  IXRAY_RETURN_NOT_OK(segment->ParseDocs());
  IXRAY_RETURN_NOT_OK(segment->ParseTerms());
  segment->posting_chunks_.resize(segment->num_posting_chunks_);
  segment->position_chunks_.resize(segment->num_position_chunks_);
  return segment;
}

Status InvertedSegment::ParseDocs() {
  IXRAY_ASSIGN_OR_RAISE(docs_, read_("docs"));
  if (static_cast<uint64_t>(docs_->size()) != uint64_t{num_docs_} * 12) {
    return Status::Corruption(fmt::format("INVERTED segment docs blob has {} bytes for {} docs",
                                          docs_->size(), num_docs_));
  }
  uint64_t tokens = 0;
  for (uint32_t doc = 0; doc < num_docs_; ++doc) {
    if (doc > 0 && address(doc) <= address(doc - 1)) {
      return Status::Corruption("INVERTED segment row addresses do not ascend");
    }
    tokens += doc_length(doc);
  }
  if (tokens != total_tokens_) {
    return Status::Corruption("INVERTED segment document lengths do not add up");
  }
  return Status::OK();
}

Status InvertedSegment::ParseTerms() {
  IXRAY_ASSIGN_OR_RAISE(terms_, read_("terms"));
  const uint64_t size = static_cast<uint64_t>(terms_->size());
  if (size < 4 || num_terms_ > (size - 4) / (4 + kTermRecordSize)) {
    return Status::Corruption("INVERTED segment term dictionary is truncated");
  }
  term_bytes_start_ = (num_terms_ + 1) * 4;
  const uint32_t bytes_size = format::LoadLittleEndian<uint32_t>(terms_->data() + num_terms_ * 4);
  records_start_ = term_bytes_start_ + bytes_size;
  if (records_start_ + num_terms_ * kTermRecordSize != size) {
    return Status::Corruption("INVERTED segment term dictionary has the wrong size");
  }
  uint32_t previous_end = 0;
  for (uint64_t i = 0; i < num_terms_; ++i) {
    const uint32_t begin = format::LoadLittleEndian<uint32_t>(terms_->data() + i * 4);
    const uint32_t end = format::LoadLittleEndian<uint32_t>(terms_->data() + (i + 1) * 4);
    if ((i == 0 && begin != 0) || end < begin || end > bytes_size) {
      return Status::Corruption("INVERTED segment term offsets are invalid");
    }
    previous_end = end;
    if (i > 0 && !(term(i - 1) < term(i))) {
      return Status::Corruption("INVERTED segment terms are not sorted");
    }
    const TermInfo info = term_info(i);
    if (info.df == 0 || info.df > num_docs_ || info.posting_chunk >= num_posting_chunks_ ||
        (with_positions_ && info.positions_chunk >= num_position_chunks_)) {
      return Status::Corruption(fmt::format("INVERTED segment term {} has a bad record", i));
    }
  }
  if (num_terms_ == 0 ? bytes_size != 0 : previous_end != bytes_size) {
    return Status::Corruption("INVERTED segment term bytes do not add up");
  }
  return Status::OK();
}

std::string_view InvertedSegment::term(uint64_t i) const {
  const uint8_t* offsets = terms_->data();
  const uint32_t begin = format::LoadLittleEndian<uint32_t>(offsets + i * 4);
  const uint32_t end = format::LoadLittleEndian<uint32_t>(offsets + (i + 1) * 4);
  return terms_->view().substr(term_bytes_start_ + begin, end - begin);
}

InvertedSegment::TermInfo InvertedSegment::term_info(uint64_t i) const {
  const uint8_t* p = terms_->data() + records_start_ + i * kTermRecordSize;
  TermInfo info;
  info.df = format::LoadLittleEndian<uint32_t>(p);
  info.posting_chunk = format::LoadLittleEndian<uint32_t>(p + 4);
  info.posting_offset = format::LoadLittleEndian<uint64_t>(p + 8);
  info.posting_length = format::LoadLittleEndian<uint64_t>(p + 16);
  info.positions_chunk = format::LoadLittleEndian<uint32_t>(p + 24);
  info.positions_offset = format::LoadLittleEndian<uint64_t>(p + 32);
  return info;
}

std::optional<InvertedSegment::TermInfo> InvertedSegment::FindTerm(std::string_view wanted) const {
  uint64_t low = 0, high = num_terms_;
  while (low < high) {
    const uint64_t mid = low + (high - low) / 2;
    if (term(mid) < wanted) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  if (low < num_terms_ && term(low) == wanted) return term_info(low);
  return std::nullopt;
}

Result<BufferPtr> InvertedSegment::Chunk(bool positions, uint32_t chunk) const {
  std::lock_guard<std::mutex> lock(chunk_mutex_);
  auto& cache = positions ? position_chunks_ : posting_chunks_;
  if (chunk >= cache.size()) return Status::Corruption("INVERTED segment chunk out of range");
  if (cache[chunk] == nullptr) {
    // Read under the lock: concurrent first readers of one chunk wait for
    // a single read instead of each reading it.
    IXRAY_ASSIGN_OR_RAISE(cache[chunk],
                          read_(positions ? PositionChunkName(chunk) : PostingChunkName(chunk)));
  }
  return cache[chunk];
}

Result<PostingCursor> InvertedSegment::OpenPostings(const TermInfo& info) const {
  IXRAY_ASSIGN_OR_RAISE(BufferPtr chunk, Chunk(false, info.posting_chunk));
  const uint64_t size = static_cast<uint64_t>(chunk->size());
  if (info.posting_offset > size || info.posting_length > size - info.posting_offset) {
    return Status::Corruption("INVERTED segment posting list lies outside its chunk");
  }
  // The cache keeps the chunk alive as long as this segment.
  return PostingCursor::Open(chunk->span().subspan(info.posting_offset, info.posting_length),
                             info.df, num_docs_);
}

Result<std::pair<std::span<const uint8_t>, size_t>> InvertedSegment::Positions(
    const TermInfo& info) const {
  if (!with_positions_) return Status::InvalidArgument("segment was built without positions");
  IXRAY_ASSIGN_OR_RAISE(BufferPtr chunk, Chunk(true, info.positions_chunk));
  if (info.positions_offset > static_cast<uint64_t>(chunk->size())) {
    return Status::Corruption("INVERTED segment positions lie outside their chunk");
  }
  return std::make_pair(chunk->span(), static_cast<size_t>(info.positions_offset));
}

const InvertedSegment* AsInvertedSegment(const ScalarIndexSegment& segment) {
  return dynamic_cast<const InvertedSegment*>(&segment);
}

}  // namespace ixray::scalar::inverted
