// The scanner of a dataset snapshot: reads the live rows of a version,
// fragment by fragment and page by page, applies deletion vectors and the
// filter, then offset/limit, and projects the requested columns.
//
// Memory stays bounded by about one page per read column plus one output
// batch, whatever the dataset's size.
//
// Thread safety: a Scanner is used by one thread at a time; the readers it
// makes hold the dataset snapshot alive.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataset/dataset_impl.h"
#include "ixray/dataset.h"
#include "query/expression.h"

namespace ixray::dataset {

// What an index-aware planner (search/filter_planner.h) decided for one
// fragment: only `rows` may match the scan's filter, and `filter` (null: none)
// is what remains to evaluate on them.
struct FragmentSelection {
  std::vector<uint32_t> rows;  // row offsets, ascending; deleted ones allowed
  query::ExprPtr filter;
};

// The planner's decisions. Fragments without an entry are scanned whole
// with the scan's full filter.
struct IndexedScan {
  std::unordered_map<FragmentId, FragmentSelection> fragments;
  std::vector<std::string> explain;  // a line per index used, for explain_plan
};

// Validates `options` against the dataset (unknown columns or fragments,
// bad filter, negative limit/offset -> InvalidArgument or TypeError).
// `indexed` (nullable) restricts fragments to the rows an index selected;
// the results are the same as without it.
Result<std::unique_ptr<Scanner>> MakeScanner(std::shared_ptr<const DatasetImpl> dataset,
                                             ScanOptions options,
                                             std::shared_ptr<const IndexedScan> indexed = nullptr);

// Calls fn(values of `column`, their row addresses) for each batch of the
// live rows of `fragment_ids` (all when empty), in address order. Goes
// through dataset.Scan, so it sees what every reader sees.
Status ForEachColumnBatch(const DatasetImpl& dataset, const std::string& column,
                          const std::vector<FragmentId>& fragment_ids, int64_t batch_size,
                          const std::function<Status(const Array&, std::span<const RowAddress>)>& fn);

// The addresses (ascending) of the live rows of `fragment_ids` (all when
// empty) that pass `filter`, planned with the scalar indices like any scan.
Result<std::vector<RowAddress>> MatchingRowAddresses(const DatasetImpl& dataset,
                                                     const std::string& filter,
                                                     const std::vector<FragmentId>& fragment_ids);

// Rows at row addresses, in the order given; see Dataset::TakeRows.
Result<RecordBatchPtr> TakeRowAddresses(const DatasetImpl& dataset,
                                        std::span<const RowAddress> addresses,
                                        const std::vector<std::string>& columns);

// The row addresses of live-row positions of a full scan; see Dataset::Take.
Result<std::vector<RowAddress>> PositionsToAddresses(const DatasetImpl& dataset,
                                                     std::span<const uint64_t> positions);

}  // namespace ixray::dataset
