// Reading a snapshot (Scan, Take, TakeRows, CountRows, through the scanner
// of scanner.h) and Delete. Scans with `nearest` go to search/vector_search.h
// and filters to the index-aware planner (search/filter_planner.h): the
// layering's one exception, so that Dataset stays one object.

#include <fmt/format.h>

#include "dataset/dataset_impl.h"
#include "dataset/scanner.h"
#include "search/filter_planner.h"
#include "search/full_text_search.h"
#include "search/vector_search.h"

namespace ixray::dataset {

namespace {

// How often Delete re-runs itself on a newer version after a conflict.
constexpr int kMaxDeleteAttempts = 10;

bool IsBlank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

Result<std::unique_ptr<Scanner>> DatasetImpl::Scan(ScanOptions options) const {
  if (options.nearest) {
    if (options.full_text_query) {
      return Status::InvalidArgument("a scan takes nearest or full_text_query, not both");
    }
    return search::MakeNearestScanner(shared_impl(), std::move(options));
  }
  if (options.full_text_query) return search::MakeFullTextScanner(shared_impl(), std::move(options));
  return search::MakeIndexedScanner(shared_impl(), std::move(options));
}

Result<int64_t> DatasetImpl::CountRows(const std::string& filter) const {
  if (IsBlank(filter)) return manifest_->num_live_rows();
  ScanOptions options;
  options.filter = filter;
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<Scanner> scanner, Scan(std::move(options)));
  return scanner->CountRows();
}

Result<RecordBatchPtr> DatasetImpl::Take(std::span<const uint64_t> positions,
                                         const std::vector<std::string>& columns) const {
  IXRAY_ASSIGN_OR_RAISE(std::vector<RowAddress> addresses, PositionsToAddresses(*this, positions));
  return TakeRowAddresses(*this, addresses, columns);
}

Result<RecordBatchPtr> DatasetImpl::TakeRows(std::span<const RowAddress> addresses,
                                             const std::vector<std::string>& columns) const {
  return TakeRowAddresses(*this, addresses, columns);
}

Result<std::shared_ptr<Dataset>> DatasetImpl::Delete(const std::string& filter) const {
  std::shared_ptr<const DatasetImpl> base =
      std::static_pointer_cast<const DatasetImpl>(shared_from_this());
  Status conflict;
  for (int attempt = 0; attempt < kMaxDeleteAttempts; ++attempt) {
    auto result = DeleteMatchingRows(*base, filter);
    if (result.ok()) return std::shared_ptr<Dataset>(std::move(*result));
    if (result.status().code() != StatusCode::kConflict) return result.status();
    // A concurrent commit changed the same fragments (or overwrote the
    // dataset): evaluate the filter again on the newest version.
    conflict = result.status();
    IXRAY_ASSIGN_OR_RAISE(std::shared_ptr<Dataset> latest, base->CheckoutLatest());
    base = std::static_pointer_cast<const DatasetImpl>(latest);
  }
  return conflict.WithContext(fmt::format("Delete gave up after {} attempts", kMaxDeleteAttempts));
}

}  // namespace ixray::dataset
