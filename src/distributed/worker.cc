#include "distributed/worker.h"

#include <fmt/format.h>

#include "dataset/dataset_impl.h"
#include "distributed/work_unit.h"
#include "format/data_file_format.h"
#include "index/vector/ivf_build.h"
#include "index/vector/kmeans.h"
#include "index/vector/pq_train.h"
#include "ixray/index.h"
#include "search/vector_search.h"

namespace ixray::distributed {

namespace {

template <typename T>
std::optional<T> Lookup(std::list<std::pair<std::string, T>>& entries, const std::string& key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first == key) {
      entries.splice(entries.begin(), entries, it);  // most recent first
      return entries.front().second;
    }
  }
  return std::nullopt;
}

template <typename T>
void Insert(std::list<std::pair<std::string, T>>& entries, std::string key, T value,
            size_t capacity) {
  for (const auto& e : entries) {
    if (e.first == key) return;  // another thread was first
  }
  entries.emplace_front(std::move(key), std::move(value));
  while (entries.size() > capacity) entries.pop_back();
}

Result<std::string> RunTrainShare(const WorkUnit& unit, std::string_view shared, Executor& executor,
                                  WorkerCache& cache) {
  uint32_t k = 0, d = 0;
  IXRAY_ASSIGN_OR_RAISE(auto centroids, DecodeCentroids(shared, &k, &d));
  const auto metric = static_cast<vector::Metric>(unit.train.metric);
  if (unit.train.metric < 0 || unit.train.metric > static_cast<int>(vector::Metric::kHamming)) {
    return Status::InvalidArgument("train unit: unknown metric");
  }
  // Every round reads the same share: keep its rows.
  const std::string key = fmt::format(
      "{}@{}:{}:{}:{:x}", unit.uri, unit.version, unit.train.column, unit.index,
      format::Checksum(std::string_view(reinterpret_cast<const char*>(unit.train.positions.data()),
                                        unit.train.positions.size() * sizeof(uint64_t))));
  IXRAY_ASSIGN_OR_RAISE(auto rows, cache.Rows(key, [&]() -> Result<std::vector<float>> {
    IXRAY_ASSIGN_OR_RAISE(auto ds, cache.Open(unit.uri, unit.version));
    return vector::ReadTrainingRows(dataset::DatasetImpl::From(*ds), unit.train.column, metric,
                                    unit.train.positions);
  }));
  if (rows->size() % d != 0) {
    return Status::InvalidArgument("train unit: the centroids' dimension does not fit the column");
  }
  // Rows are prepared as training uses them (normalized for cosine), so
  // cosine runs as l2 here, as in TrainKMeans.
  const vector::Metric assign =
      metric == vector::Metric::kDot ? vector::Metric::kDot : vector::Metric::kL2;
  vector::KMeansPartial partial;
  IXRAY_RETURN_NOT_OK(vector::AccumulatePartial(rows->data(), rows->size() / d, d, centroids.data(),
                                                k, assign, executor, &partial));
  return vector::SerializeKMeansPartial(partial);
}

Result<std::string> RunTrainPq(const WorkUnit& unit, std::string_view shared, Executor& executor) {
  uint32_t n = 0, d = 0;
  IXRAY_ASSIGN_OR_RAISE(auto residuals, DecodeCentroids(shared, &n, &d));
  const TrainPqSpec& spec = unit.train_pq;
  if (spec.num_sub_vectors < 1 || d % static_cast<uint32_t>(spec.num_sub_vectors) != 0 ||
      spec.sub_spaces.empty()) {
    return Status::InvalidArgument("PQ train unit: sub-spaces do not fit the residuals");
  }
  std::vector<float> codebooks;
  for (uint32_t j : spec.sub_spaces) {
    IXRAY_ASSIGN_OR_RAISE(auto centroids,
                          vector::TrainPqSubQuantizer(residuals.data(), n, d, spec.num_sub_vectors,
                                                      static_cast<int>(j), spec.num_bits,
                                                      spec.max_iters, spec.seed, executor));
    codebooks.insert(codebooks.end(), centroids.begin(), centroids.end());
  }
  const uint32_t ksub = uint32_t{1} << spec.num_bits;
  return EncodeCentroids(codebooks, static_cast<uint32_t>(spec.sub_spaces.size()) * ksub,
                         d / static_cast<uint32_t>(spec.num_sub_vectors));
}

Result<std::string> RunBuildSegment(const WorkUnit& unit, std::string_view shared,
                                    Executor& executor, WorkerCache& cache) {
  if (format::Checksum(shared) != unit.build.model_digest) {
    return Status::InvalidArgument("build unit: the model bytes are not the unit's model");
  }
  if (!IsSegmentUuid(unit.build.segment_uuid)) {
    return Status::InvalidArgument("build unit: bad segment uuid");
  }
  IXRAY_ASSIGN_OR_RAISE(auto ds, cache.Open(unit.uri, unit.version));
  return ExecuteUncommitted(*ds, unit.build.column, std::string(shared), unit.build.fragment_ids,
                            unit.build.segment_uuid, executor);
}

Result<std::string> RunSearchShard(const WorkUnit& unit, WorkerCache& cache) {
  IXRAY_ASSIGN_OR_RAISE(auto ds, cache.Open(unit.uri, unit.version));
  const SearchShardSpec& spec = unit.search;
  ScanOptions options;
  options.nearest = spec.query;
  options.columns = {spec.query.column};
  options.with_row_id = true;
  if (spec.prefilter) {
    options.filter = spec.filter;
    options.prefilter = true;
  }
  if (spec.indexed) {
    if (spec.segment_uuids.empty())
      return Status::InvalidArgument("indexed shard without segments");
    options.index_segments = spec.segment_uuids;
    options.fast_search = true;
  } else {
    if (spec.fragment_ids.empty()) return Status::InvalidArgument("flat shard without fragments");
    options.nearest->use_index = false;
    options.fragment_ids = spec.fragment_ids;
  }
  SearchShardResult result;
  IXRAY_ASSIGN_OR_RAISE(auto batch, search::NearestSearch(dataset::DatasetImpl::From(*ds), options,
                                                          spec.analyze ? &result.plan : nullptr));
  if (spec.analyze) {
    result.plan += fmt::format("  output rows: {}\n", batch->num_rows());
    return EncodeSearchResult(result);
  }
  const auto ids = batch->GetColumnByName("_rowid");
  const auto distances = batch->GetColumnByName("_distance");
  if (ids == nullptr || distances == nullptr) return Status::Internal("search shard: no _rowid");
  result.addresses.assign(ids->data<uint64_t>(), ids->data<uint64_t>() + batch->num_rows());
  result.distances.assign(distances->data<float>(), distances->data<float>() + batch->num_rows());
  return EncodeSearchResult(result);
}

}  // namespace

Result<std::shared_ptr<Dataset>> WorkerCache::Open(const std::string& uri, uint64_t version) {
  const std::string key = fmt::format("{}@{}", uri, version);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto hit = Lookup(datasets_.entries, key)) return *hit;
  }
  OpenOptions options;
  options.version = version;
  IXRAY_ASSIGN_OR_RAISE(auto ds, Dataset::Open(uri, options));
  std::lock_guard<std::mutex> lock(mutex_);
  Insert(datasets_.entries, key, ds, max_datasets_);
  return ds;
}

Result<std::shared_ptr<const std::vector<float>>> WorkerCache::Rows(
    const std::string& key, const std::function<Result<std::vector<float>>()>& make) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto hit = Lookup(samples_.entries, key)) return *hit;
  }
  IXRAY_ASSIGN_OR_RAISE(auto rows, make());
  auto shared = std::make_shared<const std::vector<float>>(std::move(rows));
  std::lock_guard<std::mutex> lock(mutex_);
  Insert(samples_.entries, key, shared, max_samples_);
  return shared;
}

WorkerCache& WorkerCache::Default() {
  static WorkerCache* cache = new WorkerCache();  // never destroyed: used at exit by threads
  return *cache;
}

Result<std::string> ExecuteWorkUnit(std::string_view unit_bytes, std::string_view shared,
                                    Executor& executor, WorkerCache& cache) {
  IXRAY_ASSIGN_OR_RAISE(auto unit, DecodeWorkUnit(unit_bytes));
  switch (unit.kind) {
    case UnitKind::kTrainShare:
      return RunTrainShare(unit, shared, executor, cache);
    case UnitKind::kBuildSegment:
      return RunBuildSegment(unit, shared, executor, cache);
    case UnitKind::kSearchShard:
      return RunSearchShard(unit, cache);
    case UnitKind::kTrainPq:
      return RunTrainPq(unit, shared, executor);
  }
  return Status::InvalidArgument("unknown work unit kind");
}

}  // namespace ixray::distributed
