// k-nearest-neighbour search over a dataset snapshot: the segments of the
// column's vector index, plus an exact flat search of the fragments no
// segment covers (unless fast_search), merged under one distance
// convention, optionally re-ranked exactly (refine_factor), filtered before
// (prefilter) or after (postfilter) the search, deleted rows never returned.
//
// Thread safety: reentrant; segment searchers are cached in the dataset's
// ObjectCache and shared.
#pragma once

#include <memory>
#include <string>

#include "dataset/dataset_impl.h"
#include "index/vector/ivf_search.h"
#include "ixray/dataset.h"

namespace ixray::search {

// The result rows: the requested columns, `_distance` (float32, ascending)
// and `_rowid` when asked. `explain` (nullable) receives the plan.
// REQUIRES: options.nearest is set.
Result<RecordBatchPtr> NearestSearch(const dataset::DatasetImpl& dataset,
                                     const ScanOptions& options, std::string* explain);

// A Scanner over NearestSearch (what Dataset::Scan returns for `nearest`).
Result<std::unique_ptr<Scanner>> MakeNearestScanner(
    std::shared_ptr<const dataset::DatasetImpl> dataset, ScanOptions options);

// The cached searcher of one segment.
Result<std::shared_ptr<vector::IvfSegmentSearcher>> OpenSegment(
    const dataset::DatasetImpl& dataset, const dataset::IndexSegment& segment);

}  // namespace ixray::search
