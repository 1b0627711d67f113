#include "index/scalar/inverted/fts_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "index/scalar/inverted/fts_search_internal.h"
#include "index/scalar/inverted/tokenizer.h"

namespace ixray::scalar {

namespace inverted {

namespace {

// A query's tokens (after the index's tokenizer) with their positions.
struct QueryTokens {
  std::vector<std::string> tokens;
  std::vector<uint32_t> positions;
};

Status CheckSegments(std::span<const InvertedSegment* const> segments, int64_t k) {
  if (k < 0) return Status::InvalidArgument(fmt::format("k must be >= 0, got {}", k));
  for (const InvertedSegment* segment : segments) {
    if (segment == nullptr) return Status::InvalidArgument("null INVERTED segment");
    if (segment->config_digest() != segments[0]->config_digest()) {
      return Status::InvalidArgument(
          "full-text search over INVERTED segments built with different configs");
    }
  }
  return Status::OK();
}

Result<QueryTokens> TokenizeQuery(const InvertedSegment& segment, std::string_view text) {
  IXRAY_ASSIGN_OR_RAISE(auto tokenizer, Tokenizer::Make(segment.config().tokenizer));
  TokenBuffer buffer;
  tokenizer->Tokenize(text, 0, &buffer);
  QueryTokens out;
  for (size_t i = 0; i < buffer.size(); ++i) {
    out.tokens.emplace_back(buffer.token(i));
    out.positions.push_back(buffer.positions[i]);
  }
  return out;
}

// The distinct terms, sorted, with idf from the df summed over `segments`.
std::vector<QueryTerm> PrepareTerms(std::span<const InvertedSegment* const> segments,
                                    std::vector<std::string> tokens, const Bm25& bm25) {
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  std::vector<QueryTerm> terms;
  for (std::string& token : tokens) {
    uint64_t df = 0;
    for (const InvertedSegment* segment : segments) {
      if (auto info = segment->FindTerm(token)) df += info->df;
    }
    if (df == 0) continue;  // in no document: contributes nothing
    terms.push_back({std::move(token), bm25.Idf(df)});
  }
  return terms;
}

Bm25 GlobalBm25(std::span<const InvertedSegment* const> segments) {
  uint64_t num_docs = 0, total_tokens = 0;
  for (const InvertedSegment* segment : segments) {
    num_docs += segment->num_docs();
    total_tokens += segment->total_tokens();
  }
  return Bm25(num_docs, total_tokens);
}

// One term's postings of one segment, fully decoded (for phrases).
struct DecodedPostings {
  std::vector<uint32_t> docs, tfs;
  std::vector<uint32_t> position_starts;  // per posting, into positions
  std::vector<uint32_t> positions;
};

Result<DecodedPostings> Decode(const InvertedSegment& segment,
                               const InvertedSegment::TermInfo& info) {
  DecodedPostings out;
  IXRAY_ASSIGN_OR_RAISE(PostingCursor cursor, segment.OpenPostings(info));
  IXRAY_ASSIGN_OR_RAISE(auto stream, segment.Positions(info));
  size_t pos = stream.second;
  while (cursor.doc() != kEndOfPostings) {
    out.docs.push_back(cursor.doc());
    out.tfs.push_back(cursor.tf());
    out.position_starts.push_back(static_cast<uint32_t>(out.positions.size()));
    IXRAY_RETURN_NOT_OK(DecodePositions(stream.first, &pos, cursor.tf(), &out.positions));
    IXRAY_RETURN_NOT_OK(cursor.Next());
  }
  out.position_starts.push_back(static_cast<uint32_t>(out.positions.size()));
  return out;
}

Status SearchSegmentPhrase(const InvertedSegment& segment, const QueryTokens& query,
                           const std::vector<QueryTerm>& terms, const Bm25& bm25,
                           const AllowedFn& allowed, TopK* top) {
  // Every distinct term must be in the segment.
  std::vector<DecodedPostings> postings;
  for (const QueryTerm& term : terms) {
    const auto info = segment.FindTerm(term.text);
    if (!info) return Status::OK();
    IXRAY_ASSIGN_OR_RAISE(DecodedPostings decoded, Decode(segment, *info));
    postings.push_back(std::move(decoded));
  }
  // Each query token: its term's index and its offset from the first token.
  std::vector<size_t> token_term;
  for (const std::string& token : query.tokens) {
    token_term.push_back(static_cast<size_t>(
        std::lower_bound(terms.begin(), terms.end(), token,
                         [](const QueryTerm& t, const std::string& s) { return t.text < s; }) -
        terms.begin()));
  }
  size_t rarest = 0;
  for (size_t t = 1; t < postings.size(); ++t) {
    if (postings[t].docs.size() < postings[rarest].docs.size()) rarest = t;
  }
  std::vector<size_t> index(postings.size(), 0);  // per term: the posting at the candidate
  for (uint32_t doc : postings[rarest].docs) {
    bool in_all = true;
    for (size_t t = 0; t < postings.size() && in_all; ++t) {
      const auto& docs = postings[t].docs;
      index[t] = static_cast<size_t>(std::lower_bound(docs.begin() + index[t], docs.end(), doc) -
                                     docs.begin());
      in_all = index[t] < docs.size() && docs[index[t]] == doc;
    }
    if (!in_all) continue;
    auto positions_of = [&](size_t t) {
      const DecodedPostings& p = postings[t];
      return std::span<const uint32_t>(p.positions)
          .subspan(p.position_starts[index[t]],
                   p.position_starts[index[t] + 1] - p.position_starts[index[t]]);
    };
    bool match = false;
    for (uint32_t start : positions_of(token_term[0])) {
      match = true;
      for (size_t i = 1; i < token_term.size() && match; ++i) {
        const uint64_t wanted = uint64_t{start} + (query.positions[i] - query.positions[0]);
        const auto candidates = positions_of(token_term[i]);
        match = std::binary_search(candidates.begin(), candidates.end(), wanted);
      }
      if (match) break;
    }
    if (!match) continue;
    const RowAddress address = segment.address(doc);
    if (allowed && !allowed(address)) continue;
    const uint32_t length = segment.doc_length(doc);
    double score = 0;
    for (size_t t = 0; t < terms.size(); ++t) {
      score += bm25.TermScore(terms[t].idf, postings[t].tfs[index[t]], length);
    }
    top->Push(static_cast<float>(score), address);
  }
  return Status::OK();
}

Result<std::vector<ScoredRow>> Search(std::span<const InvertedSegment* const> segments,
                                      const FtsQuery& query, int64_t k, const AllowedFn& allowed,
                                      bool exhaustive) {
  IXRAY_RETURN_NOT_OK(CheckSegments(segments, k));
  if (query.kind == FtsQuery::Kind::kPhrase) {
    for (const InvertedSegment* segment : segments) {
      if (!segment->with_positions()) {
        return Status::InvalidArgument(
            "phrase queries need an INVERTED index built with with_position=true");
      }
    }
  }
  if (segments.empty() || k == 0) return std::vector<ScoredRow>();
  IXRAY_ASSIGN_OR_RAISE(QueryTokens tokens, TokenizeQuery(*segments[0], query.text));
  const Bm25 bm25 = GlobalBm25(segments);
  const std::vector<QueryTerm> terms = PrepareTerms(segments, tokens.tokens, bm25);
  TopK top(static_cast<size_t>(k));
  if (query.kind == FtsQuery::Kind::kPhrase) {
    // A phrase of a term in no document matches nothing.
    std::vector<std::string> distinct = tokens.tokens;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    if (distinct.empty() || terms.size() != distinct.size()) return std::vector<ScoredRow>();
    for (const InvertedSegment* segment : segments) {
      IXRAY_RETURN_NOT_OK(SearchSegmentPhrase(*segment, tokens, terms, bm25, allowed, &top));
    }
    return top.Take();
  }
  for (const InvertedSegment* segment : segments) {
    IXRAY_RETURN_NOT_OK(exhaustive ? SearchSegmentExhaustive(*segment, terms, bm25, allowed, &top)
                                   : SearchSegmentWand(*segment, terms, bm25, allowed, &top));
  }
  return top.Take();
}

}  // namespace

Result<std::vector<ScoredRow>> SearchFullTextExhaustive(
    std::span<const InvertedSegment* const> segments, const FtsQuery& query, int64_t k,
    const AllowedFn& allowed) {
  return Search(segments, query, k, allowed, /*exhaustive=*/true);
}

}  // namespace inverted

Result<std::vector<ScoredRow>> SearchFullText(
    std::span<const inverted::InvertedSegment* const> segments, const FtsQuery& query, int64_t k,
    const std::function<bool(RowAddress)>& allowed) {
  return inverted::Search(segments, query, k, allowed, /*exhaustive=*/false);
}

}  // namespace ixray::scalar
