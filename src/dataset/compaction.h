// The dataset side of compaction (the public entry point, which also keeps
// indices consistent, is include/ixray/maintenance.h, in src/maintenance/):
// choosing which fragments to rewrite together, and rewriting their live
// rows into new data files.
//
// Thread safety: reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dataset/dataset_impl.h"
#include "dataset/manifest.h"

namespace ixray::dataset {

// Groups of fragments to rewrite together, each ascending by id. A fragment
// is a candidate when it has fewer than `target_rows` live rows, or deleted
// rows (with `materialize_deletions`). Groups are runs of consecutive
// candidates (by id) that every index covers the same way (the same segment
// of each index, or none) and that hold at most target_rows live rows
// together (so the rewrite leaves no small remainder); a group of one
// fragment is kept only if it has deleted rows.
// REQUIRES: target_rows >= 1.
std::vector<std::vector<FragmentId>> PlanCompaction(const Manifest& manifest, int64_t target_rows,
                                                    bool materialize_deletions);

// Writes the live rows of `fragment_ids` (in that order) into new data
// files of at most `max_rows_per_file` rows: new fragments without ids.
// Every file created is appended to `written` (also on failure).
Result<std::vector<Fragment>> RewriteFragments(const DatasetImpl& dataset,
                                               const std::vector<FragmentId>& fragment_ids,
                                               int64_t max_rows_per_file, int64_t max_page_bytes,
                                               std::vector<std::string>* written);

}  // namespace ixray::dataset
