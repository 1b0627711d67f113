// Internals of full-text search (fts_search.h), shared by the WAND and
// exhaustive scorers and by tests.
//
// Thread safety: values used by one query at a time.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "index/scalar/inverted/fts_search.h"
#include "index/scalar/inverted/inverted_segment.h"

namespace ixray::scalar::inverted {

using AllowedFn = std::function<bool(RowAddress)>;

// BM25 with the global statistics of one query's segments.
class Bm25 {
 public:
  Bm25(uint64_t num_docs, uint64_t total_tokens)
      : num_docs_(static_cast<double>(num_docs)),
        avg_doc_length_(num_docs == 0 || total_tokens == 0
                            ? 1.0
                            : static_cast<double>(total_tokens) / static_cast<double>(num_docs)) {}

  double Idf(uint64_t df) const {
    const double d = static_cast<double>(df);
    return std::log(1.0 + (num_docs_ - d + 0.5) / (d + 0.5));
  }
  double TermScore(double idf, uint32_t tf, uint32_t doc_length) const {
    return TermScoreWithNorm(idf, tf, LengthNorm(doc_length));
  }
  // TermScore split in two, for callers that reuse a document's norm.
  double LengthNorm(uint32_t doc_length) const {
    return kBm25K1 * (1.0 - kBm25B + kBm25B * static_cast<double>(doc_length) / avg_doc_length_);
  }
  static double TermScoreWithNorm(double idf, uint32_t tf, double norm) {
    const double f = static_cast<double>(tf);
    return idf * f * (kBm25K1 + 1.0) / (f + norm);
  }
  // Bounds TermScore for tf <= max_tf and doc_length >= min_doc_length, with
  // room for rounding.
  double UpperBound(double idf, uint32_t max_tf, uint32_t min_doc_length) const {
    return TermScore(idf, max_tf, min_doc_length) * (1.0 + 1e-9);
  }
  // The largest UpperBound over bound pairs (posting_list.h).
  double UpperBound(double idf, std::span<const BoundPair> pairs) const {
    double out = 0;
    for (const BoundPair& p : pairs)
      out = std::max(out, UpperBound(idf, p.max_tf, p.min_doc_length));
    return out;
  }

 private:
  double num_docs_;
  double avg_doc_length_;
};

// One distinct query term with its global idf.
struct QueryTerm {
  std::string text;
  double idf = 0;
};

// The k best rows seen: better = higher score, then lower address.
class TopK {
 public:
  explicit TopK(size_t k) : k_(k) {}
  size_t k() const { return k_; }
  // A row scoring below this cannot enter (-inf until full); one scoring
  // exactly this enters only with a lower address than the worst kept.
  float threshold() const {
    return rows_.size() < k_ ? -std::numeric_limits<float>::infinity() : rows_.front().score;
  }
  void Push(float score, RowAddress address);
  // The rows, best first.
  std::vector<ScoredRow> Take();

 private:
  size_t k_;
  std::vector<ScoredRow> rows_;  // a heap with the worst row on top
};

// Match query over one segment by block-max WAND. `terms` sorted, distinct.
Status SearchSegmentWand(const InvertedSegment& segment, const std::vector<QueryTerm>& terms,
                         const Bm25& bm25, const AllowedFn& allowed, TopK* top);

// Match query over one segment scoring every posting (the test oracle).
Status SearchSegmentExhaustive(const InvertedSegment& segment, const std::vector<QueryTerm>& terms,
                               const Bm25& bm25, const AllowedFn& allowed, TopK* top);

// SearchFullText with exhaustive scoring for match queries.
Result<std::vector<ScoredRow>> SearchFullTextExhaustive(
    std::span<const InvertedSegment* const> segments, const FtsQuery& query, int64_t k,
    const AllowedFn& allowed = {});

}  // namespace ixray::scalar::inverted
