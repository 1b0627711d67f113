#include "search/vector_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <set>
#include <unordered_map>

#include "dataset/dataset_format.h"
#include "dataset/scanner.h"
#include "index/vector/ivf_search.h"
#include "index/vector/kernels/distance.h"
#include "index/vector/vector_column.h"
#include "ixray/builder.h"
#include "ixray/compute.h"
#include "query/expression.h"
#include "query/filter_eval.h"
#include "query/filter_parser.h"

namespace ixray::search {

namespace {

using vector::Candidate;
using vector::Metric;

// Exact distance of a float row to the (prepared) query, public convention.
float ExactDistance(Metric metric, const float* q, const float* x, size_t d,
                    std::vector<float>* scratch) {
  const auto& k = vector::Kernels();
  switch (metric) {
    case Metric::kDot:
      return 1.0f - k.dot_f32(q, x, d);
    case Metric::kCosine: {
      scratch->assign(x, x + d);
      vector::NormalizeRows(scratch->data(), 1, d);
      return 0.5f * k.l2_f32(q, scratch->data(), d);
    }
    case Metric::kHamming: {
      uint32_t bits = 0;
      for (size_t j = 0; j < d; ++j) {
        bits += std::popcount(
            static_cast<uint32_t>(static_cast<uint8_t>(q[j]) ^ static_cast<uint8_t>(x[j])));
      }
      return static_cast<float>(bits);
    }
    default:
      return k.l2_f32(q, x, d);
  }
}

struct Plan {
  const dataset::IndexMetadata* index = nullptr;
  std::vector<const dataset::IndexSegment*> segments;
  std::vector<FragmentId> flat_fragments;
  Metric metric = Metric::kL2;
  query::ExprPtr filter;
};

Result<Plan> MakePlan(const dataset::DatasetImpl& ds, const ScanOptions& options) {
  const VectorQuery& nq = *options.nearest;
  Plan plan;
  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(nq.column));
  for (const auto& index : ds.manifest().indices) {
    if (nq.use_index && index.field_ids == std::vector<int32_t>{field->id} &&
        vector::ParseVectorIndexType(index.index_type).ok()) {
      // Named segments pick their index among several on the column.
      if (!options.index_segments.empty() &&
          std::none_of(index.segments.begin(), index.segments.end(),
                       [&](const auto& s) { return s.uuid == options.index_segments[0]; })) {
        continue;
      }
      plan.index = &index;
      break;
    }
  }
  std::optional<Metric> index_metric;
  std::vector<std::shared_ptr<vector::IvfSegmentSearcher>> unused;
  if (plan.index != nullptr && !plan.index->segments.empty()) {
    // All segments share the model; the first one tells the metric.
    IXRAY_ASSIGN_OR_RAISE(auto searcher, OpenSegment(ds, plan.index->segments[0]));
    index_metric = searcher->model().metric;
  }
  if (!nq.metric.empty()) {
    IXRAY_ASSIGN_OR_RAISE(plan.metric, vector::ParseMetric(nq.metric));
    if (index_metric && *index_metric != plan.metric) {
      return Status::InvalidArgument(
          fmt::format("the query asks for metric '{}' but index '{}' was built for '{}'", nq.metric,
                      plan.index->name, vector::MetricName(*index_metric)));
    }
  } else {
    plan.metric = index_metric.value_or(Metric::kL2);
  }
  IXRAY_RETURN_NOT_OK(vector::CheckVectorType(nq.column, *field->type, plan.metric));
  if (static_cast<int64_t>(nq.q.size()) != field->type->list_size()) {
    return Status::InvalidArgument(
        fmt::format("query vector has {} values but column '{}' holds vectors of dimension {}",
                    nq.q.size(), nq.column, field->type->list_size()));
  }
  for (float v : nq.q) {
    if (!std::isfinite(v)) return Status::InvalidArgument("the query vector has a NaN or inf");
  }
  if (nq.k <= 0) return Status::InvalidArgument(fmt::format("k must be positive, got {}", nq.k));
  if (!options.filter.empty()) {
    IXRAY_ASSIGN_OR_RAISE(plan.filter, query::ParseFilter(options.filter, *ds.schema()));
  }
  // options.fragment_ids (when set) limits the search to those fragments' rows.
  const std::set<FragmentId> only(options.fragment_ids.begin(), options.fragment_ids.end());
  auto searched = [&](FragmentId f) { return only.empty() || only.count(f) > 0; };
  std::set<FragmentId> covered;
  if (plan.index != nullptr) {
    for (const auto& segment : plan.index->segments) {
      for (FragmentId f : segment.fragment_ids) covered.insert(f);
      const bool named = std::find(options.index_segments.begin(), options.index_segments.end(),
                                   segment.uuid) != options.index_segments.end();
      const bool chosen =
          options.index_segments.empty()
              ? std::any_of(segment.fragment_ids.begin(), segment.fragment_ids.end(), searched)
              : named;
      if (chosen) plan.segments.push_back(&segment);
    }
  }
  for (const auto& uuid : options.index_segments) {
    if (std::none_of(plan.segments.begin(), plan.segments.end(),
                     [&](const auto* s) { return s->uuid == uuid; })) {
      return Status::InvalidArgument(
          fmt::format("no index segment '{}' on column '{}'", uuid, nq.column));
    }
  }
  if (!options.fast_search) {
    for (const auto& f : ds.manifest().fragments) {
      if (covered.count(f.id) == 0 && searched(f.id)) plan.flat_fragments.push_back(f.id);
    }
  }
  return plan;
}

}  // namespace

Result<std::shared_ptr<vector::IvfSegmentSearcher>> OpenSegment(
    const dataset::DatasetImpl& ds, const dataset::IndexSegment& segment) {
  const std::string path = ds.uri() + "/" + dataset::IndexSegmentDir(segment.uuid) + "/" +
                           (segment.files.empty() ? "index.ixi" : segment.files[0]);
  return ds.cache().GetOrCreate<vector::IvfSegmentSearcher>("ivf:" + segment.uuid, [&]() {
    return vector::IvfSegmentSearcher::Open(ds.file_system(), path);
  });
}

Result<RecordBatchPtr> NearestSearch(const dataset::DatasetImpl& ds, const ScanOptions& options,
                                     std::string* explain) {
  IXRAY_ASSIGN_OR_RAISE(auto plan, MakePlan(ds, options));
  const VectorQuery& nq = *options.nearest;
  const size_t d = nq.q.size();

  // Rows that may be returned: live (not deleted) and, with prefilter, matching.
  // Deletion vectors are loaded only for fragments that have deletions, so a
  // query does no per-fragment I/O or allocation on an undeleted dataset.
  // A fragment's rows may be returned if it still exists and is searched
  // (options.fragment_ids empty or naming it).
  auto fragment_exists = [&](FragmentId id) {
    if (!options.fragment_ids.empty() &&
        std::find(options.fragment_ids.begin(), options.fragment_ids.end(), id) ==
            options.fragment_ids.end()) {
      return false;
    }
    return ds.manifest().FindFragment(id) != nullptr;
  };
  std::unordered_map<FragmentId, dataset::DeletionVectorPtr> deletions;
  for (const auto& f : ds.manifest().fragments) {
    if (f.num_deleted_rows() == 0) continue;
    IXRAY_ASSIGN_OR_RAISE(deletions[f.id], ds.LoadDeletions(f));
  }
  std::vector<RowAddress> prefiltered;
  const bool use_prefilter = plan.filter != nullptr && options.prefilter;
  if (use_prefilter) {
    IXRAY_ASSIGN_OR_RAISE(prefiltered, dataset::MatchingRowAddresses(ds, options.filter,
                                                                     options.fragment_ids));
  }
  const std::function<bool(RowAddress)> allowed = [&](RowAddress a) {
    if (!deletions.empty()) {
      auto it = deletions.find(AddressFragment(a));
      if (it != deletions.end() && it->second != nullptr &&
          it->second->Contains(AddressOffset(a))) {
        return false;
      }
    }
    if (!fragment_exists(AddressFragment(a))) return false;  // the fragment is gone
    return !use_prefilter || std::binary_search(prefiltered.begin(), prefiltered.end(), a);
  };
  // Without a filter, deleted rows or segments over vanished fragments,
  // every indexed row may be returned: the searchers skip the per-row test.
  bool filter_rows = use_prefilter || !deletions.empty();
  for (const auto* segment : plan.segments) {
    for (FragmentId f : segment->fragment_ids) filter_rows |= !fragment_exists(f);
  }

  const int refine = nq.refine_factor.value_or(1);
  if (refine <= 0) return Status::InvalidArgument("refine_factor must be positive");
  std::vector<Candidate> candidates;
  vector::IvfSearchParams params;
  params.k = nq.k * refine;
  params.min_nprobes = nq.nprobes.value_or(nq.minimum_nprobes.value_or(20));
  params.max_nprobes = nq.nprobes ? *nq.nprobes : nq.maximum_nprobes.value_or(0);
  params.ef = nq.ef.value_or(0);
  bool approximate = false;
  for (const auto* segment : plan.segments) {
    IXRAY_ASSIGN_OR_RAISE(auto searcher, OpenSegment(ds, *segment));
    approximate |= vector::CodecOf(searcher->model().type) != vector::Codec::kFlat;
    IXRAY_ASSIGN_OR_RAISE(auto found,
                          searcher->Search(nq.q.data(), params, filter_rows ? &allowed : nullptr));
    candidates.insert(candidates.end(), found.begin(), found.end());
  }

  // Exact re-ranking of the approximate candidates.
  std::vector<float> q = nq.q;
  if (plan.metric == Metric::kCosine) vector::NormalizeRows(q.data(), 1, d);
  std::vector<float> rows, scratch;
  if (approximate && nq.refine_factor && !candidates.empty()) {
    std::sort(candidates.begin(), candidates.end());
    std::vector<RowAddress> addresses;
    for (const auto& c : candidates) addresses.push_back(c.address);
    IXRAY_ASSIGN_OR_RAISE(auto batch, ds.TakeRows(addresses, {nq.column}));
    std::vector<int64_t> kept;
    IXRAY_RETURN_NOT_OK(vector::AppendFloatRows(*batch->column(0), false, &rows, &kept));
    for (size_t i = 0; i < kept.size(); ++i) {
      candidates[kept[i]].distance =
          ExactDistance(plan.metric, q.data(), rows.data() + i * d, d, &scratch);
    }
  }

  // Fragments no segment covers: exact flat search, same convention.
  int64_t flat_rows = 0;
  if (!plan.flat_fragments.empty()) {
    IXRAY_RETURN_NOT_OK(vector::ForEachVectorBatch(
        ds, nq.column, plan.flat_fragments, [&](const Array& vectors, const uint64_t* addresses) {
          rows.clear();
          std::vector<int64_t> kept;
          IXRAY_RETURN_NOT_OK(vector::AppendFloatRows(vectors, false, &rows, &kept));
          flat_rows += static_cast<int64_t>(kept.size());
          for (size_t i = 0; i < kept.size(); ++i) {
            const RowAddress a = addresses[kept[i]];
            if (use_prefilter && !allowed(a)) continue;
            candidates.push_back(
                {ExactDistance(plan.metric, q.data(), rows.data() + i * d, d, &scratch), a});
          }
          return Status::OK();
        }));
  }

  std::sort(candidates.begin(), candidates.end());
  std::erase_if(candidates, [&](const Candidate& c) {
    return (nq.distance_lower && c.distance < *nq.distance_lower) ||
           (nq.distance_upper && c.distance >= *nq.distance_upper);
  });
  if (static_cast<int64_t>(candidates.size()) > nq.k) candidates.resize(nq.k);

  // Output rows, with _distance (and _rowid); postfilter drops non-matching ones.
  std::vector<std::string> columns = options.columns;
  if (columns.empty()) columns = ds.schema()->names();
  std::vector<RowAddress> addresses;
  for (const auto& c : candidates) addresses.push_back(c.address);
  IXRAY_ASSIGN_OR_RAISE(auto rows_batch, ds.TakeRows(addresses, columns));
  std::vector<int64_t> keep(candidates.size());
  std::iota(keep.begin(), keep.end(), 0);
  if (plan.filter != nullptr && !options.prefilter && !candidates.empty()) {
    IXRAY_ASSIGN_OR_RAISE(auto filter_rows,
                          ds.TakeRows(addresses, query::ReferencedColumns(*plan.filter)));
    IXRAY_ASSIGN_OR_RAISE(auto selected, query::FilterIndices(*plan.filter, *filter_rows));
    keep.assign(selected.begin(), selected.end());
    IXRAY_ASSIGN_OR_RAISE(rows_batch, Take(*rows_batch, keep));
  }
  std::vector<FieldPtr> fields = rows_batch->schema()->fields();
  std::vector<ArrayPtr> arrays = rows_batch->columns();
  ArrayBuilder distance(float32()), rowid(uint64());
  for (int64_t i : keep) {
    distance.Append<float>(candidates[i].distance);
    rowid.Append<uint64_t>(candidates[i].address);
  }
  fields.push_back(field("_distance", float32(), false));
  IXRAY_ASSIGN_OR_RAISE(auto distances, distance.Finish());
  arrays.push_back(distances);
  if (options.with_row_id) {
    fields.push_back(field("_rowid", uint64(), false));
    IXRAY_ASSIGN_OR_RAISE(auto ids, rowid.Finish());
    arrays.push_back(ids);
  }
  if (explain != nullptr) {
    *explain = fmt::format(
        "Nearest k={} on '{}' (metric {}) at version {}\n  index: {}\n  segments searched: {}\n"
        "  flat (unindexed) fragments: {} ({} rows)\n  filter: {} ({})\n  refine_factor: {}\n",
        nq.k, nq.column, vector::MetricName(plan.metric), ds.version(),
        plan.index ? plan.index->name + " (" + plan.index->index_type + ")" : "none",
        plan.segments.size(), plan.flat_fragments.size(), flat_rows,
        plan.filter ? plan.filter->ToString() : "none",
        options.prefilter ? "prefilter" : "postfilter", refine);
  }
  IXRAY_ASSIGN_OR_RAISE(auto schema, Schema::Make(std::move(fields)));
  return RecordBatch::Make(schema, static_cast<int64_t>(keep.size()), std::move(arrays));
}

}  // namespace ixray::search

namespace ixray::search {

namespace {

class NearestScanner final : public Scanner {
 public:
  NearestScanner(std::shared_ptr<const dataset::DatasetImpl> dataset, ScanOptions options,
                 SchemaPtr schema)
      : dataset_(std::move(dataset)), options_(std::move(options)), schema_(std::move(schema)) {}

  const SchemaPtr& schema() const override { return schema_; }

  Result<std::unique_ptr<BatchReader>> ToReader() override {
    IXRAY_ASSIGN_OR_RAISE(auto batch, Run());
    return MakeVectorReader(batch->schema(), {batch});
  }
  Result<int64_t> CountRows() override {
    IXRAY_ASSIGN_OR_RAISE(auto batch, Run());
    return batch->num_rows();
  }
  Result<std::string> ExplainPlan() override {
    std::string explain;
    IXRAY_RETURN_NOT_OK(NearestSearch(*dataset_, options_, &explain).status());
    return explain;
  }

 private:
  Result<RecordBatchPtr> Run() {
    IXRAY_ASSIGN_OR_RAISE(auto batch, NearestSearch(*dataset_, options_, nullptr));
    // offset/limit apply to the k results.
    const int64_t n = batch->num_rows();
    const int64_t begin = std::min(options_.offset, n);
    const int64_t end = options_.limit ? std::min(n, begin + *options_.limit) : n;
    return batch->Slice(begin, end - begin);
  }

  std::shared_ptr<const dataset::DatasetImpl> dataset_;
  ScanOptions options_;
  SchemaPtr schema_;
};

}  // namespace

Result<std::unique_ptr<Scanner>> MakeNearestScanner(
    std::shared_ptr<const dataset::DatasetImpl> dataset, ScanOptions options) {
  // The output schema: requested columns, _distance, _rowid.
  std::vector<std::string> columns = options.columns;
  if (columns.empty()) columns = dataset->schema()->names();
  IXRAY_ASSIGN_OR_RAISE(auto projected, dataset->schema()->Project(columns));
  std::vector<FieldPtr> fields = projected->fields();
  fields.push_back(field("_distance", float32(), false));
  if (options.with_row_id) fields.push_back(field("_rowid", uint64(), false));
  IXRAY_ASSIGN_OR_RAISE(auto schema, Schema::Make(std::move(fields)));
  if (options.offset < 0 || (options.limit && *options.limit < 0)) {
    return Status::InvalidArgument("offset and limit must not be negative");
  }
  return std::unique_ptr<Scanner>(
      new NearestScanner(std::move(dataset), std::move(options), std::move(schema)));
}

}  // namespace ixray::search
