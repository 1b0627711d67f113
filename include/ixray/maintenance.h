// Dataset maintenance: compaction of small fragments and removal of old
// versions.
//
//   CompactFiles        rewrites runs of small fragments (and fragments with
//                       deleted rows) into fewer, larger ones, dropping the
//                       deleted rows, as one Rewrite commit that keeps every
//                       index consistent.
//   CleanupOldVersions  removes the manifests of old versions and every file
//                       that no remaining version references.
//
// Indices and compaction. Compaction moves rows to new row addresses, which
// index segments store. With CompactionOptions::remap_indices (the default)
// every index segment that covered a rewritten fragment is rebuilt with the
// index's own model (IVF centroids and codebooks, the scalar config: no
// retraining) over its remaining fragments plus the new ones, and the
// rebuilt segments replace the old ones in the same commit, so queries
// return the same rows before and after (vector distances of IVF_FLAT, SQ
// and PQ included; HNSW graphs are rebuilt and may differ; full-text BM25
// statistics change only by the deleted rows the rewrite drops). For that
// the new fragments' ids are reserved first with a ReserveFragments commit
// (one extra version). Without remap_indices the rewritten fragments simply
// leave their segments' coverage and are scanned (searched without the
// index) until an index build or optimize covers them again. Compaction
// never mixes fragments that different segments (or no segment) of an index
// cover, so each new fragment belongs to exactly one rebuilt segment.
//
// Concurrency. Both functions may run while others read and write. A
// compaction conflicts (Status::Conflict, nothing committed) with a
// concurrent Delete of a rewritten fragment or an index build whose new
// segments cover one; an index build committed after a compaction that
// removed fragments it covers fails the same way (transaction rules in
// docs/format.md). Cleanup only removes files that no retained version
// references, and files no version references at all (writes in flight,
// failed index builds) only when they are older than the cutoff.
//
// Thread safety: reentrant; datasets are immutable snapshots.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ixray/dataset.h"
#include "ixray/executor.h"
#include "ixray/file_system.h"
#include "ixray/status.h"

namespace ixray {

struct CompactionOptions {
  // Rows per new fragment (at most); fragments with fewer live rows are
  // candidates for merging.
  int64_t target_rows_per_fragment = int64_t{1} << 20;
  // Rewrite a fragment with deleted rows even when there is nothing to
  // merge it with, to drop those rows.
  bool materialize_deletions = true;
  // Rebuild the index segments over rewritten fragments in the same commit
  // (true), or let those fragments leave the segments' coverage (false).
  bool remap_indices = true;
  // Page size of the new data files.
  int64_t max_page_bytes = int64_t{1} << 20;
};

struct CompactionMetrics {
  int64_t fragments_removed = 0;
  int64_t fragments_added = 0;
  int64_t files_removed = 0;       // data and deletion files no longer referenced
  int64_t files_added = 0;         // data files written
  int64_t segments_rewritten = 0;  // index segments rebuilt (or removed)
};

struct CompactionResult {
  // The compacted version (the input dataset itself when nothing was to do).
  std::shared_ptr<Dataset> dataset;
  CompactionMetrics metrics;
};

// Compacts `dataset` (from its version; rebased over concurrent compatible
// commits). InvalidArgument for target_rows_per_fragment < 1.
// Errors: Conflict (see above); those of reading and writing. On failure
// the files it wrote are removed (best effort) and no version changes
// (except a ReserveFragments version, which changes no data).
Result<CompactionResult> CompactFiles(const Dataset& dataset, const CompactionOptions& options,
                                      Executor& executor);

struct CleanupOptions {
  // Remove versions committed longer ago than this. Unset together with
  // keep_last: 14 days.
  std::optional<std::chrono::microseconds> older_than;
  // Always keep this many of the newest versions (>= 1).
  std::optional<int64_t> keep_last;
};

struct CleanupStats {
  int64_t removed_manifests = 0;
  int64_t removed_data_files = 0;
  int64_t removed_deletion_files = 0;
  int64_t removed_index_segments = 0;  // "_indices/<uuid>/" directories
  int64_t removed_transaction_files = 0;
  int64_t removed_temporary_files = 0;  // leftovers of interrupted publishes
  int64_t bytes_removed = 0;
};

// Removes the versions of the dataset at `uri` that are not the latest, not
// among the `keep_last` newest and committed before now - `older_than`
// (when set; with neither set, older_than is 14 days), then the data files,
// deletion files, index segment directories and transaction files that no
// remaining version references: those a removed version referenced at any
// age, those no version ever referenced only when modified before the
// cutoff (now - older_than; 14 days when older_than is unset).
// InvalidArgument for a negative older_than or keep_last < 1; NotFound when
// there is no dataset.
Result<CleanupStats> CleanupOldVersions(const std::string& uri, const CleanupOptions& options,
                                        std::shared_ptr<FileSystem> file_system = nullptr);
Result<CleanupStats> CleanupOldVersions(const Dataset& dataset, const CleanupOptions& options);

}  // namespace ixray
