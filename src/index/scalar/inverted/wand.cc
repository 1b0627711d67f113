// Top-k scoring of match queries within one segment: block-max WAND, and the
// exhaustive scorer it is tested against.
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "index/scalar/inverted/fts_search_internal.h"

namespace ixray::scalar::inverted {

namespace {

bool Better(const ScoredRow& a, const ScoredRow& b) {
  return a.score > b.score || (a.score == b.score && a.address < b.address);
}

// The k best documents of one segment by (score, doc id). Doc ids ascend
// with row addresses, so this is TopK's order; addresses are looked up only
// for the k kept (a lookup per scored document costs a cache miss).
class SegmentTopK {
 public:
  explicit SegmentTopK(size_t k) : k_(k) {}
  float threshold() const {
    return rows_.size() < k_ ? -std::numeric_limits<float>::infinity() : rows_.front().score;
  }
  void Push(float score, uint32_t doc) {
    const Row row{score, doc};
    if (k_ == 0) return;
    if (rows_.size() < k_) {
      rows_.push_back(row);
      std::push_heap(rows_.begin(), rows_.end(), Better);
      return;
    }
    if (!Better(row, rows_.front())) return;
    std::pop_heap(rows_.begin(), rows_.end(), Better);
    rows_.back() = row;
    std::push_heap(rows_.begin(), rows_.end(), Better);
  }
  void MoveTo(const InvertedSegment& segment, TopK* top) const {
    for (const Row& row : rows_) top->Push(row.score, segment.address(row.doc));
  }

 private:
  struct Row {
    float score;
    uint32_t doc;
  };
  static bool Better(const Row& a, const Row& b) {
    return a.score > b.score || (a.score == b.score && a.doc < b.doc);
  }
  size_t k_;
  std::vector<Row> rows_;  // a heap with the worst row on top
};

struct TermCursor {
  PostingCursor postings;
  double idf;
  double max_score;  // bound over the whole list
  // The bound of block `bound_block` (the last one asked for): WAND asks
  // for the same block many times in a row, and a bound costs a division.
  uint32_t bound_block = UINT32_MAX;
  double block_bound = 0;

  // REQUIRES: postings.ShallowAdvance returned true.
  double BlockBound(const Bm25& bm25) {
    if (postings.shallow_block() != bound_block) {
      bound_block = postings.shallow_block();
      block_bound = bm25.UpperBound(idf, postings.shallow_bounds());
    }
    return block_bound;
  }
};

// Cursors of the terms the segment knows, in term order.
Result<std::vector<TermCursor>> OpenCursors(const InvertedSegment& segment,
                                            const std::vector<QueryTerm>& terms, const Bm25& bm25) {
  std::vector<TermCursor> cursors;
  for (const QueryTerm& term : terms) {
    const auto info = segment.FindTerm(term.text);
    if (!info) continue;
    IXRAY_ASSIGN_OR_RAISE(PostingCursor postings, segment.OpenPostings(*info));
    const double bound = bm25.UpperBound(term.idf, postings.list_bounds());
    cursors.push_back({std::move(postings), term.idf, bound, UINT32_MAX, 0});
  }
  return cursors;
}

}  // namespace

void TopK::Push(float score, RowAddress address) {
  const ScoredRow row{address, score};
  if (k_ == 0) return;
  if (rows_.size() < k_) {
    rows_.push_back(row);
    std::push_heap(rows_.begin(), rows_.end(), Better);
    return;
  }
  if (!Better(row, rows_.front())) return;
  std::pop_heap(rows_.begin(), rows_.end(), Better);
  rows_.back() = row;
  std::push_heap(rows_.begin(), rows_.end(), Better);
}

std::vector<ScoredRow> TopK::Take() {
  std::sort(rows_.begin(), rows_.end(), Better);
  return std::move(rows_);
}

Status SearchSegmentWand(const InvertedSegment& segment, const std::vector<QueryTerm>& terms,
                         const Bm25& bm25, const AllowedFn& allowed, TopK* top) {
  IXRAY_ASSIGN_OR_RAISE(std::vector<TermCursor> cursors, OpenCursors(segment, terms, bm25));
  std::vector<TermCursor*> order;
  for (TermCursor& cursor : cursors) order.push_back(&cursor);
  auto by_doc = [](const TermCursor* a, const TermCursor* b) {
    return a->postings.doc() < b->postings.doc();
  };
  // Documents go to a segment-local top k, merged into `top` at the end: a
  // document that cannot beat `top`'s threshold now cannot enter it later.
  const float top_threshold = top->threshold();
  SegmentTopK local(top->k());
  // LengthNorm of short documents, computed on first use (a division saved
  // per scored document; the same value, so the same scores).
  std::vector<double> norms(1024, std::numeric_limits<double>::quiet_NaN());
  auto norm_of = [&](uint32_t length) {
    if (length >= norms.size()) return bm25.LengthNorm(length);
    if (std::isnan(norms[length])) norms[length] = bm25.LengthNorm(length);
    return norms[length];
  };
  if (cursors.size() == 1) {
    // One term: no pivots; skip blocks whose bound cannot reach the
    // threshold and score the others document by document.
    TermCursor& cursor = cursors[0];
    PostingCursor& postings = cursor.postings;
    while (postings.doc() != kEndOfPostings) {
      const float threshold = std::max(top_threshold, local.threshold());
      if (!(static_cast<float>(cursor.max_score) >= threshold)) break;
      postings.ShallowAdvance(postings.doc());  // true: the cursor is in a block
      const uint32_t block_end = postings.shallow_last_doc();
      if (static_cast<float>(cursor.BlockBound(bm25)) < threshold) {
        if (block_end + 1 >= segment.num_docs()) break;
        IXRAY_RETURN_NOT_OK(postings.Advance(block_end + 1));
        continue;
      }
      for (uint32_t doc = postings.doc(); doc <= block_end; doc = postings.doc()) {
        if (!allowed || allowed(segment.address(doc))) {
          const double score =
              Bm25::TermScoreWithNorm(cursor.idf, postings.tf(), norm_of(segment.doc_length(doc)));
          local.Push(static_cast<float>(score), doc);
        }
        IXRAY_RETURN_NOT_OK(postings.Next());
        if (postings.doc() == kEndOfPostings) break;
      }
    }
    local.MoveTo(segment, top);
    return Status::OK();
  }
  while (true) {
    std::sort(order.begin(), order.end(), by_doc);
    while (!order.empty() && order.back()->postings.doc() == kEndOfPostings) order.pop_back();
    if (order.empty()) break;
    const float threshold = std::max(top_threshold, local.threshold());

    // The pivot: the first cursor where the bounds so far could reach the
    // threshold. Documents before its doc hold only terms whose bounds
    // together cannot.
    double bound = 0;
    size_t pivot = order.size();
    for (size_t i = 0; i < order.size(); ++i) {
      bound += order[i]->max_score;
      if (!(static_cast<float>(bound) < threshold)) {
        pivot = i;
        break;
      }
    }
    if (pivot == order.size()) break;
    const uint32_t pivot_doc = order[pivot]->postings.doc();
    while (pivot + 1 < order.size() && order[pivot + 1]->postings.doc() == pivot_doc) ++pivot;

    // Block-max check: the blocks holding pivot_doc bound every document up
    // to the first block end; skip past it if they cannot reach the
    // threshold.
    double block_bound = 0;
    uint32_t block_end = kEndOfPostings;
    for (size_t i = 0; i <= pivot; ++i) {
      PostingCursor& postings = order[i]->postings;
      if (!postings.ShallowAdvance(pivot_doc)) continue;
      block_bound += order[i]->BlockBound(bm25);
      block_end = std::min(block_end, postings.shallow_last_doc());
    }
    if (static_cast<float>(block_bound) < threshold) {
      uint32_t next = block_end + 1;  // block_end < num_docs < kEndOfPostings
      if (pivot + 1 < order.size()) next = std::min(next, order[pivot + 1]->postings.doc());
      for (size_t i = 0; i <= pivot; ++i) IXRAY_RETURN_NOT_OK(order[i]->postings.Advance(next));
      continue;
    }

    if (order[0]->postings.doc() == pivot_doc) {
      if (!allowed || allowed(segment.address(pivot_doc))) {
        // Summed in term order, exactly as the exhaustive scorer does.
        const double norm = norm_of(segment.doc_length(pivot_doc));
        double score = 0;
        for (const TermCursor& cursor : cursors) {
          if (cursor.postings.doc() == pivot_doc) {
            score += Bm25::TermScoreWithNorm(cursor.idf, cursor.postings.tf(), norm);
          }
        }
        local.Push(static_cast<float>(score), pivot_doc);
      }
      for (size_t i = 0; i <= pivot; ++i) IXRAY_RETURN_NOT_OK(order[i]->postings.Next());
    } else {
      for (size_t i = 0; i < pivot && order[i]->postings.doc() < pivot_doc; ++i) {
        IXRAY_RETURN_NOT_OK(order[i]->postings.Advance(pivot_doc));
      }
    }
  }
  local.MoveTo(segment, top);
  return Status::OK();
}

Status SearchSegmentExhaustive(const InvertedSegment& segment, const std::vector<QueryTerm>& terms,
                               const Bm25& bm25, const AllowedFn& allowed, TopK* top) {
  IXRAY_ASSIGN_OR_RAISE(std::vector<TermCursor> cursors, OpenCursors(segment, terms, bm25));
  std::vector<std::optional<double>> scores(segment.num_docs());
  for (TermCursor& cursor : cursors) {
    PostingCursor& postings = cursor.postings;
    while (postings.doc() != kEndOfPostings) {
      const uint32_t doc = postings.doc();
      const double term = bm25.TermScore(cursor.idf, postings.tf(), segment.doc_length(doc));
      scores[doc] = scores[doc].value_or(0.0) + term;
      IXRAY_RETURN_NOT_OK(postings.Next());
    }
  }
  for (uint32_t doc = 0; doc < segment.num_docs(); ++doc) {
    if (!scores[doc]) continue;
    const RowAddress address = segment.address(doc);
    if (!allowed || allowed(address)) top->Push(static_cast<float>(*scores[doc]), address);
  }
  return Status::OK();
}

}  // namespace ixray::scalar::inverted
