// Python bindings of dataset maintenance (include/ixray/maintenance.h):
// compaction and cleanup of old versions, with the GIL released.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>

#include <chrono>

#include "bindings.h"
#include "errors.h"
#include "ixray/maintenance.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace ixray::python {

void BindMaintenance(nb::module_& m) {
  m.def(
      "compact_files",
      [](const std::shared_ptr<Dataset>& ds, int64_t target_rows_per_fragment,
         bool materialize_deletions, bool remap_indices) {
        CompactionOptions options;
        options.target_rows_per_fragment = target_rows_per_fragment;
        options.materialize_deletions = materialize_deletions;
        options.remap_indices = remap_indices;
        CompactionResult result;
        {
          nb::gil_scoped_release release;
          static const std::shared_ptr<Executor> kPool = MakeThreadPoolExecutor(0);
          result = ValueOrThrow(CompactFiles(*ds, options, *kPool));
        }
        nb::dict stats;
        stats["fragments_removed"] = result.metrics.fragments_removed;
        stats["fragments_added"] = result.metrics.fragments_added;
        stats["files_removed"] = result.metrics.files_removed;
        stats["files_added"] = result.metrics.files_added;
        stats["segments_rewritten"] = result.metrics.segments_rewritten;
        return nb::make_tuple(result.dataset, stats);
      },
      "dataset"_a, "target_rows_per_fragment"_a, "materialize_deletions"_a, "remap_indices"_a);
  m.def(
      "cleanup_old_versions",
      [](const std::shared_ptr<Dataset>& ds, std::optional<int64_t> older_than_us,
         std::optional<int64_t> keep_last) {
        CleanupOptions options;
        if (older_than_us) options.older_than = std::chrono::microseconds(*older_than_us);
        options.keep_last = keep_last;
        CleanupStats stats;
        {
          nb::gil_scoped_release release;
          stats = ValueOrThrow(CleanupOldVersions(*ds, options));
        }
        nb::dict out;
        out["removed_manifests"] = stats.removed_manifests;
        out["removed_data_files"] = stats.removed_data_files;
        out["removed_deletion_files"] = stats.removed_deletion_files;
        out["removed_index_segments"] = stats.removed_index_segments;
        out["removed_transaction_files"] = stats.removed_transaction_files;
        out["bytes_removed"] = stats.bytes_removed;
        return out;
      },
      "dataset"_a, "older_than_us"_a.none(), "keep_last"_a.none());
}

}  // namespace ixray::python
