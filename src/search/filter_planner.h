// The index-aware filter planner: answers a scan's filter with the
// dataset's scalar indices where it can.
//
// Each of the filter's top-level AND terms is offered to the scalar indices:
// a test of one column against literals (query::AsColumnPredicate) to the
// indices on that column, an OR of answerable terms as the union of their
// answers, a nested AND as the intersection. Per fragment, the terms'
// answers are intersected; terms answered exactly are dropped from that
// fragment's filter, the rest (and inexact answers) are rechecked on the
// selected rows.
// Fragments no segment covers are scanned with the whole filter, so results
// are always those of an unindexed scan.
//
// Thread safety: reentrant; opened segments come from the dataset's cache.
#pragma once

#include <memory>

#include "dataset/dataset_impl.h"
#include "dataset/scanner.h"
#include "query/expression.h"

namespace ixray::search {

// The plan for `filter` (bound to the dataset's schema), or null when no
// index helps. Errors from damaged index files are returned.
Result<std::shared_ptr<const dataset::IndexedScan>> PlanIndexedFilter(
    const dataset::DatasetImpl& dataset, const query::ExprPtr& filter);

// Whether the version has a scalar index with segments (planning may help).
bool HasScalarIndices(const dataset::DatasetImpl& dataset);

// What Dataset::Scan returns for a plain scan with a filter.
Result<std::unique_ptr<Scanner>> MakeIndexedScanner(
    std::shared_ptr<const dataset::DatasetImpl> dataset, ScanOptions options);

}  // namespace ixray::search
