// Full-text search over a dataset snapshot (ScanOptions::full_text_query):
// the segments of the columns' INVERTED indices, plus in-memory segments
// built with the same config over the fragments no segment covers (unless
// fast_search), searched together with global BM25 statistics so a row's
// score does not depend on what is indexed; `filter` (planned with scalar
// indices) and deletions restrict the results, never the statistics.
//
// Thread safety: reentrant; opened segments come from the dataset's cache.
#pragma once

#include <memory>
#include <string>

#include "dataset/dataset_impl.h"
#include "ixray/dataset.h"

namespace ixray::search {

// The matching rows: the requested columns, `_score` (float32, descending;
// ties by ascending row address) and `_rowid` when asked, after offset and
// limit. `explain` (nullable) receives the plan.
// REQUIRES: options.full_text_query is set.
Result<RecordBatchPtr> FullTextSearch(const dataset::DatasetImpl& dataset,
                                      const ScanOptions& options, std::string* explain);

// A Scanner over FullTextSearch (what Dataset::Scan returns for it).
Result<std::unique_ptr<Scanner>> MakeFullTextScanner(
    std::shared_ptr<const dataset::DatasetImpl> dataset, ScanOptions options);

}  // namespace ixray::search
