#include "distributed/plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "dataset/dataset_impl.h"
#include "index/vector/ivf_model.h"
#include "ixray/index.h"
#include "query/filter_parser.h"
#include "search/vector_search.h"

namespace ixray::distributed {

std::vector<std::vector<FragmentId>> BalanceByRows(
    std::vector<std::pair<FragmentId, int64_t>> items, int workers) {
  std::vector<std::vector<FragmentId>> groups;
  if (items.empty()) return groups;
  const size_t n = std::clamp<size_t>(static_cast<size_t>(std::max(workers, 1)), 1, items.size());
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  groups.resize(n);
  std::vector<int64_t> load(n, 0);
  for (size_t i = 0; i < items.size(); ++i) {
    // The first n items go to distinct (empty) groups, so none stays empty.
    const size_t g =
        i < n ? i : static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    groups[g].push_back(items[i].first);
    load[g] += items[i].second;
  }
  for (auto& g : groups) std::sort(g.begin(), g.end());
  return groups;
}

Result<BuildPlan> PlanIndexBuild(const Dataset& dataset,
                                 const std::vector<FragmentId>& fragment_ids, int num_workers) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  std::vector<std::pair<FragmentId, int64_t>> items;
  std::set<FragmentId> seen;
  if (fragment_ids.empty()) {
    for (const auto& f : ds.manifest().fragments) items.emplace_back(f.id, f.num_live_rows());
  } else {
    for (FragmentId id : fragment_ids) {
      const auto* f = ds.manifest().FindFragment(id);
      if (f == nullptr) {
        return Status::InvalidArgument(
            fmt::format("fragment {} is not in version {}", id, ds.version()));
      }
      if (!seen.insert(id).second) {
        return Status::InvalidArgument(fmt::format("fragment {} is listed twice", id));
      }
      items.emplace_back(id, f->num_live_rows());
    }
  }
  if (items.empty()) return Status::InvalidArgument("the dataset has no fragments to index");
  BuildPlan plan;
  plan.uri = ds.uri();
  plan.version = ds.version();
  std::map<FragmentId, int64_t> rows(items.begin(), items.end());
  plan.workers = BalanceByRows(std::move(items), num_workers);
  for (const auto& w : plan.workers) {
    int64_t total = 0;
    for (FragmentId f : w) total += rows[f];
    plan.rows.push_back(total);
  }
  return plan;
}

Result<VectorSearchPlan> PlanVectorSearch(const Dataset& dataset,
                                          const VectorSearchOptions& options) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  if (!options.scan.nearest) return Status::InvalidArgument("vector search needs `nearest`");
  const VectorQuery& nq = *options.scan.nearest;
  if (!(options.oversample_factor >= 1.0)) {
    return Status::InvalidArgument(
        fmt::format("oversample_factor must be >= 1, got {}", options.oversample_factor));
  }
  if (nq.k <= 0) return Status::InvalidArgument(fmt::format("k must be positive, got {}", nq.k));
  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(nq.column));
  if (!options.scan.filter.empty()) {
    IXRAY_RETURN_NOT_OK(query::ParseFilter(options.scan.filter, *ds.schema()).status());
  }
  VectorSearchPlan plan;
  plan.uri = ds.uri();
  plan.version = ds.version();
  const double shard_k = std::ceil(static_cast<double>(nq.k) * options.oversample_factor);
  plan.shard_k = static_cast<int64_t>(std::min(shard_k, double{1 << 30}));

  // The index: by name, or the first vector index on the column.
  const dataset::IndexMetadata* index = nullptr;
  for (const auto& candidate : ds.manifest().indices) {
    const bool on_column = candidate.field_ids == std::vector<int32_t>{field->id} &&
                           vector::ParseVectorIndexType(candidate.index_type).ok();
    if (!options.index_name.empty()) {
      if (candidate.name != options.index_name) continue;
      if (!on_column) {
        return Status::InvalidArgument(
            fmt::format("index '{}' is not a vector index on '{}'", options.index_name, nq.column));
      }
    } else if (!on_column || !nq.use_index) {
      continue;
    }
    index = &candidate;
    break;
  }
  if (!options.index_name.empty() && index == nullptr) {
    return Status::InvalidArgument(fmt::format("no index named '{}'", options.index_name));
  }
  std::string index_metric;
  if (index != nullptr) {
    plan.index_name = index->name;
    if (!index->segments.empty()) {
      IXRAY_ASSIGN_OR_RAISE(auto searcher, search::OpenSegment(ds, index->segments[0]));
      index_metric = std::string(vector::MetricName(searcher->model().metric));
    }
  }
  if (!nq.metric.empty()) {
    IXRAY_ASSIGN_OR_RAISE(auto metric, vector::ParseMetric(nq.metric));
    plan.metric = std::string(vector::MetricName(metric));
    if (!index_metric.empty() && index_metric != plan.metric) {
      return Status::InvalidArgument(
          fmt::format("the query asks for metric '{}' but index '{}' was built for '{}'", nq.metric,
                      index->name, index_metric));
    }
  } else {
    plan.metric = index_metric.empty() ? "l2" : index_metric;
  }

  // Indexed shards: whole segments, balanced by rows.
  std::set<FragmentId> covered;
  if (index != nullptr) {
    std::vector<std::pair<FragmentId, int64_t>> items;
    std::vector<IndexSegmentInfo> segments;
    for (const auto& info : DescribeIndices(dataset)) {
      if (info.name == index->name) segments = info.segments;
    }
    for (size_t i = 0; i < segments.size(); ++i) {
      items.emplace_back(static_cast<FragmentId>(i), segments[i].num_rows);
      covered.insert(segments[i].fragment_ids.begin(), segments[i].fragment_ids.end());
    }
    for (const auto& group : BalanceByRows(std::move(items), options.num_workers)) {
      SearchShardPlan shard;
      shard.indexed = true;
      for (FragmentId i : group) {
        shard.segment_uuids.push_back(segments[i].uuid);
        shard.fragment_ids.insert(shard.fragment_ids.end(), segments[i].fragment_ids.begin(),
                                  segments[i].fragment_ids.end());
        shard.rows += segments[i].num_rows;
      }
      std::sort(shard.fragment_ids.begin(), shard.fragment_ids.end());
      plan.shards.push_back(std::move(shard));
    }
  }
  // Flat shards: the fragments no segment covers.
  if (options.include_unindexed && !options.scan.fast_search) {
    std::vector<std::pair<FragmentId, int64_t>> items;
    std::map<FragmentId, int64_t> rows;
    for (const auto& f : ds.manifest().fragments) {
      if (covered.count(f.id) == 0) {
        items.emplace_back(f.id, f.num_live_rows());
        rows[f.id] = f.num_live_rows();
      }
    }
    for (auto& group : BalanceByRows(std::move(items), options.num_workers)) {
      SearchShardPlan shard;
      for (FragmentId f : group) shard.rows += rows[f];
      shard.fragment_ids = std::move(group);
      plan.shards.push_back(std::move(shard));
    }
  }
  return plan;
}

std::string DescribeShard(const SearchShardPlan& shard, size_t index) {
  if (shard.indexed) {
    return fmt::format("shard {}: indexed, segments [{}], fragments [{}], {} rows", index,
                       fmt::join(shard.segment_uuids, ", "), fmt::join(shard.fragment_ids, ", "),
                       shard.rows);
  }
  return fmt::format("shard {}: flat (unindexed), fragments [{}], {} rows", index,
                     fmt::join(shard.fragment_ids, ", "), shard.rows);
}

}  // namespace ixray::distributed
