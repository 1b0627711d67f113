// The coordinator's vector search: shard units, global top-k merge, the
// postfilter and the fetch of the winners' columns.
#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "dataset/dataset_impl.h"
#include "distributed/coordinator.h"
#include "distributed/work_unit.h"
#include "index/vector/ivf_search.h"
#include "ixray/builder.h"
#include "ixray/compute.h"
#include "query/expression.h"
#include "query/filter_eval.h"
#include "query/filter_parser.h"

namespace ixray::distributed {

std::vector<std::string> MakeSearchUnits(const VectorSearchPlan& plan,
                                         const VectorSearchOptions& options, bool analyze) {
  std::vector<std::string> units;
  for (size_t i = 0; i < plan.shards.size(); ++i) {
    const SearchShardPlan& shard = plan.shards[i];
    WorkUnit unit;
    unit.uri = plan.uri;
    unit.version = plan.version;
    unit.index = static_cast<uint32_t>(i);
    unit.kind = UnitKind::kSearchShard;
    SearchShardSpec& spec = unit.search;
    spec.query = *options.scan.nearest;
    spec.query.k = plan.shard_k;
    spec.query.metric = plan.metric;
    spec.indexed = shard.indexed;
    if (shard.indexed) {
      spec.segment_uuids = shard.segment_uuids;
    } else {
      spec.fragment_ids = shard.fragment_ids;
    }
    // A postfilter runs on the driver over the global top k, as a
    // single-process search filters its top k.
    spec.prefilter = options.scan.prefilter && !options.scan.filter.empty();
    if (spec.prefilter) spec.filter = options.scan.filter;
    spec.analyze = analyze;
    units.push_back(EncodeWorkUnit(unit));
  }
  return units;
}

Result<RecordBatchPtr> VectorSearchDistributed(const Dataset& dataset,
                                               const VectorSearchOptions& options,
                                               UnitRunner& runner) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto plan, PlanVectorSearch(dataset, options));
  const VectorQuery& nq = *options.scan.nearest;
  std::vector<vector::Candidate> candidates;
  const auto units = MakeSearchUnits(plan, options, false);
  if (!units.empty()) {
    IXRAY_ASSIGN_OR_RAISE(auto answers, runner.Run("search", units, ""));
    if (answers.size() != units.size()) return Status::Internal("runner lost search answers");
    for (const auto& a : answers) {
      IXRAY_ASSIGN_OR_RAISE(auto shard, DecodeSearchResult(a));
      for (size_t i = 0; i < shard.addresses.size(); ++i) {
        candidates.push_back({shard.distances[i], shard.addresses[i]});
      }
    }
  }
  std::sort(candidates.begin(), candidates.end());
  if (static_cast<int64_t>(candidates.size()) > nq.k) candidates.resize(nq.k);

  // The winners' rows; a postfilter keeps those that match.
  std::vector<std::string> columns = options.scan.columns;
  if (columns.empty()) columns = ds.schema()->names();
  std::vector<RowAddress> addresses;
  for (const auto& c : candidates) addresses.push_back(c.address);
  IXRAY_ASSIGN_OR_RAISE(auto rows, ds.TakeRows(addresses, columns));
  std::vector<int64_t> keep(candidates.size());
  std::iota(keep.begin(), keep.end(), 0);
  if (!options.scan.filter.empty() && !options.scan.prefilter && !candidates.empty()) {
    IXRAY_ASSIGN_OR_RAISE(auto filter, query::ParseFilter(options.scan.filter, *ds.schema()));
    IXRAY_ASSIGN_OR_RAISE(auto filter_rows,
                          ds.TakeRows(addresses, query::ReferencedColumns(*filter)));
    IXRAY_ASSIGN_OR_RAISE(auto selected, query::FilterIndices(*filter, *filter_rows));
    keep.assign(selected.begin(), selected.end());
    IXRAY_ASSIGN_OR_RAISE(rows, Take(*rows, keep));
  }
  std::vector<FieldPtr> fields = rows->schema()->fields();
  std::vector<ArrayPtr> arrays = rows->columns();
  ArrayBuilder distance(float32()), rowid(uint64());
  for (int64_t i : keep) {
    distance.Append<float>(candidates[i].distance);
    rowid.Append<uint64_t>(candidates[i].address);
  }
  fields.push_back(field("_distance", float32(), false));
  IXRAY_ASSIGN_OR_RAISE(auto distances, distance.Finish());
  arrays.push_back(distances);
  if (options.scan.with_row_id) {
    fields.push_back(field("_rowid", uint64(), false));
    IXRAY_ASSIGN_OR_RAISE(auto ids, rowid.Finish());
    arrays.push_back(ids);
  }
  IXRAY_ASSIGN_OR_RAISE(auto schema, Schema::Make(std::move(fields)));
  return RecordBatch::Make(schema, static_cast<int64_t>(keep.size()), std::move(arrays));
}

Result<std::string> AnalyzeVectorSearch(const Dataset& dataset, const VectorSearchOptions& options,
                                        UnitRunner& runner) {
  IXRAY_ASSIGN_OR_RAISE(auto plan, PlanVectorSearch(dataset, options));
  std::string out = fmt::format(
      "Distributed vector search at version {}: index {}, metric {}, {} shards, k={} per shard\n",
      plan.version, plan.index_name.empty() ? "none" : plan.index_name, plan.metric,
      plan.shards.size(), plan.shard_k);
  const auto units = MakeSearchUnits(plan, options, true);
  if (units.empty()) return out + "(no shards: nothing to search)\n";
  IXRAY_ASSIGN_OR_RAISE(auto answers, runner.Run("search", units, ""));
  if (answers.size() != units.size()) return Status::Internal("runner lost search answers");
  for (size_t i = 0; i < answers.size(); ++i) {
    IXRAY_ASSIGN_OR_RAISE(auto shard, DecodeSearchResult(answers[i]));
    out += DescribeShard(plan.shards[i], i) + "\n" + shard.plan;
  }
  if (!options.scan.filter.empty() && !options.scan.prefilter) {
    out += fmt::format("driver: merge top {}, then postfilter {}\n", options.scan.nearest->k,
                       options.scan.filter);
  }
  return out;
}

}  // namespace ixray::distributed
