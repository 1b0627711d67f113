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

#include <memory>

#include "dataset/dataset_impl.h"
#include "ixray/dataset.h"

namespace ixray::dataset {

// Validates `options` against the dataset (unknown columns or fragments,
// bad filter, negative limit/offset -> InvalidArgument or TypeError).
Result<std::unique_ptr<Scanner>> MakeScanner(std::shared_ptr<const DatasetImpl> dataset,
                                             ScanOptions options);

// Rows at row addresses, in the order given; see Dataset::TakeRows.
Result<RecordBatchPtr> TakeRowAddresses(const DatasetImpl& dataset,
                                        std::span<const RowAddress> addresses,
                                        const std::vector<std::string>& columns);

// The row addresses of live-row positions of a full scan; see Dataset::Take.
Result<std::vector<RowAddress>> PositionsToAddresses(const DatasetImpl& dataset,
                                                     std::span<const uint64_t> positions);

}  // namespace ixray::dataset
