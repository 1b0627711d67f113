// Full-text search over the segments of an INVERTED index.
//
// Scores are BM25 (k1 = 1.2, b = 0.75) with
//   idf(t)  = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
//   score   = sum over the query's distinct terms t in the document of
//             idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
// where N (documents), avgdl (tokens per document) and df(t) are summed over
// ALL the given segments: a document's score does not depend on how the
// index was split into segments. Rows rejected by `allowed` are skipped but
// still count in these statistics. Documents are non-null rows (null rows
// are not documents; empty strings are documents of length 0).
//
//   match   the OR of the query text's tokens (the index's tokenizer
//           pipeline, duplicates counted once), ranked by BM25. Top-k by
//           block-max WAND, which returns exactly the exhaustive top k.
//   phrase  rows holding the query's tokens at the same relative positions
//           (gaps left by dropped stop words included), ranked by the BM25
//           of the phrase's terms. Needs an index built with
//           with_position=true.
//
// Results: at most k rows, by score descending, ties by ascending address.
//
// To search rows no segment covers with identical scoring, build a segment
// for them with BuildInMemoryInvertedSegment (inverted_builder.h) and pass it
// along with the index's segments.
//
// Thread safety: concurrent searches may share segments.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "index/scalar/inverted/inverted_segment.h"
#include "ixray/dataset.h"
#include "ixray/status.h"

namespace ixray::scalar {

struct FtsQuery {
  enum class Kind { kMatch, kPhrase };
  Kind kind = Kind::kMatch;
  std::string text;
};

struct ScoredRow {
  RowAddress address = 0;
  float score = 0;

  bool operator==(const ScoredRow&) const = default;
};

inline constexpr double kBm25K1 = 1.2;
inline constexpr double kBm25B = 0.75;

// The top `k` rows of `segments` (one index's segments, all with the same
// config) for `query`; `allowed` (empty: all rows) filters the results.
// InvalidArgument for k < 0, segments of different configs, or a phrase
// query on segments without positions. No segments: no rows.
Result<std::vector<ScoredRow>> SearchFullText(
    std::span<const inverted::InvertedSegment* const> segments, const FtsQuery& query, int64_t k,
    const std::function<bool(RowAddress)>& allowed = {});

}  // namespace ixray::scalar
