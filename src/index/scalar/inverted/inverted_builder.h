// InvertedSegmentBuilder: builds one segment of an INVERTED index
// (inverted_segment.h has the layout).
//
// Add() tokenizes a batch in parallel on the context's executor (one
// Tokenizer per task; each task maps its terms to batch-local ids), then
// merges the batch serially into a hash map term -> postings, so doc ids stay
// in row order. Finish() sorts the terms and encodes the posting lists.
//
// Memory: everything is held in memory until Finish (about 8 bytes per
// posting, 4 more per position, plus the term strings); memory_limit is not
// enforced yet (no spilling) -- build segments of bounded size.
//
// Thread safety: one thread drives a builder (see ScalarSegmentBuilder).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "index/scalar/inverted/inverted_config.h"
#include "index/scalar/inverted/inverted_segment.h"
#include "index/scalar/inverted/term_table.h"
#include "index/scalar/scalar_index.h"

namespace ixray::scalar::inverted {

// Receives a finished segment's blobs.
using BlobSink = std::function<Status(std::string_view name, std::string_view bytes)>;

// TypeError naming the column unless it is string, large_string or a list
// of either.
Status CheckInvertedColumn(const Field& field);

class InvertedSegmentBuilder final : public ScalarSegmentBuilder {
 public:
  // REQUIRES: context.executor is not null.
  static Result<std::unique_ptr<InvertedSegmentBuilder>> Make(const ScalarIndexConfig& config,
                                                              const Field& field,
                                                              const BuildContext& context);
  ~InvertedSegmentBuilder() override;

  Status Add(const Array& values, std::span<const RowAddress> addresses) override;
  Status Finish(index::SegmentFileWriter& out) override;
  // Finish() writing the blobs through `sink` instead of a segment file.
  Status FinishTo(const BlobSink& sink);

 private:
  struct Postings {
    std::vector<uint32_t> docs;
    std::vector<uint32_t> tfs;
    std::vector<uint32_t> positions;  // with_position only
  };
  struct BatchTokens;

  InvertedSegmentBuilder(InvertedConfig config, Field field, BuildContext context)
      : config_(std::move(config)), field_(std::move(field)), context_(std::move(context)) {}
  Status TokenizeRows(const Array& values, int64_t begin, int64_t end, BatchTokens* out) const;
  void Merge(BatchTokens& batch);

  InvertedConfig config_;
  Field field_;
  BuildContext context_;
  bool finished_ = false;
  uint64_t num_rows_ = 0;
  bool has_last_address_ = false;
  RowAddress last_address_ = 0;
  std::vector<RowAddress> addresses_;  // per doc
  std::vector<uint32_t> doc_lengths_;  // per doc
  uint64_t total_tokens_ = 0;
  TermTable terms_;                 // term id -> term
  std::vector<Postings> postings_;  // by term id
};

// Builds a segment in memory from `values` at `addresses` (ascending), with
// the same config as an index's segments, so unindexed rows can be searched
// with the same scoring (fts_search.h). `executor` null: serial.
Result<std::unique_ptr<InvertedSegment>> BuildInMemoryInvertedSegment(
    const ScalarIndexConfig& config, const Field& field, const Array& values,
    std::span<const RowAddress> addresses, Executor* executor = nullptr);

}  // namespace ixray::scalar::inverted
