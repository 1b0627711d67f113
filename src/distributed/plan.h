// Planning distributed work at one pinned dataset version: how fragments
// are split among index-build workers, and how a vector search is split
// into shards by index-segment ownership.
//
// Thread safety: pure functions over immutable snapshots.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ixray/dataset.h"
#include "ixray/status.h"

namespace ixray::distributed {

// Splits items (id, rows) into min(max(workers, 1), items) groups with
// balanced row totals: largest first onto the least-loaded group (ties:
// lower id first, lower group first). Each group lists its ids ascending;
// no group is empty.
std::vector<std::vector<FragmentId>> BalanceByRows(
    std::vector<std::pair<FragmentId, int64_t>> items, int workers);

// An index build: one work unit (one segment) per worker.
struct BuildPlan {
  std::string uri;
  uint64_t version = 0;  // every worker reads this version
  std::vector<std::vector<FragmentId>> workers;
  std::vector<int64_t> rows;  // live rows per worker
};

// Splits `fragment_ids` (all fragments when empty) of the dataset's version
// by live rows; num_workers is clamped to [1, fragment count].
// InvalidArgument for an unknown or repeated fragment, or no fragments.
Result<BuildPlan> PlanIndexBuild(const Dataset& dataset,
                                 const std::vector<FragmentId>& fragment_ids, int num_workers);

struct SearchShardPlan {
  bool indexed = false;
  std::vector<std::string> segment_uuids;  // indexed: whole segments, never split
  std::vector<FragmentId> fragment_ids;    // indexed: what they cover; flat: what is scanned
  int64_t rows = 0;
};

struct VectorSearchOptions {
  // nearest (required), columns, filter, prefilter, with_row_id, fast_search.
  ScanOptions scan;
  std::string index_name;  // empty: the first vector index on the column, if any
  int num_workers = 4;
  double oversample_factor = 1.0;
  bool include_unindexed = true;
};

struct VectorSearchPlan {
  std::string uri;
  uint64_t version = 0;
  std::string index_name;  // empty: no index, all shards flat
  std::string metric;      // the convention of every shard's _distance
  int64_t shard_k = 0;     // candidates per shard: ceil(k * oversample_factor)
  std::vector<SearchShardPlan> shards;
};

// Index segments go to at most num_workers indexed shards, balanced by
// rows; fragments no segment covers go to at most num_workers flat shards
// (none with fast_search or !include_unindexed). InvalidArgument for an
// unknown index_name, oversample_factor < 1, a bad query or filter, or a
// metric other than the index's.
Result<VectorSearchPlan> PlanVectorSearch(const Dataset& dataset,
                                          const VectorSearchOptions& options);

// One line per shard, for logs and analyze_plan headers.
std::string DescribeShard(const SearchShardPlan& shard, size_t index);

}  // namespace ixray::distributed
