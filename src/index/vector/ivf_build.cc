#include "index/vector/ivf_build.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <unordered_set>

#include "dataset/dataset_format.h"
#include "format/byte_coding.h"
#include "index/segment_file.h"
#include "index/vector/assign.h"
#include "index/vector/hnsw.h"
#include "index/vector/kernels/distance.h"
#include "index/vector/kmeans.h"
#include "index/vector/vector_column.h"

namespace ixray::vector {

namespace {

constexpr int kMaxPartitions = 4096;

int DefaultSubVectors(int dim) {
  if (dim % 16 == 0) return dim / 16;
  if (dim % 8 == 0) return dim / 8;
  return 1;
}

// `count` distinct live-row positions out of `total`, ascending.
std::vector<uint64_t> SamplePositions(uint64_t total, uint64_t count, uint64_t seed) {
  std::vector<uint64_t> out;
  if (count >= total) {
    out.resize(total);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  std::mt19937_64 rng(seed);
  // Floyd's algorithm: distinct samples without a total-sized array.
  std::vector<uint64_t> chosen;
  chosen.reserve(count);
  std::unordered_set<uint64_t> seen;
  for (uint64_t j = total - count; j < total; ++j) {
    const uint64_t t = std::uniform_int_distribution<uint64_t>(0, j)(rng);
    chosen.push_back(seen.insert(t).second ? t : (seen.insert(j), j));
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

// Residuals x - centroid(label) of n rows, in place.
void SubtractCentroids(float* x, size_t n, size_t d, const int32_t* labels,
                       const std::vector<float>& centroids) {
  for (size_t i = 0; i < n; ++i) {
    const float* c = centroids.data() + static_cast<size_t>(labels[i]) * d;
    for (size_t j = 0; j < d; ++j) x[i * d + j] -= c[j];
  }
}

Status AssignBinary(const uint8_t* vectors, size_t n, const std::vector<uint8_t>& centroids,
                    size_t k, size_t bytes, int32_t* labels) {
  const auto& kernels = Kernels();
  for (size_t i = 0; i < n; ++i) {
    uint32_t best = UINT32_MAX;
    for (size_t c = 0; c < k; ++c) {
      const uint32_t d = kernels.hamming(vectors + i * bytes, centroids.data() + c * bytes, bytes);
      if (d < best) {
        best = d;
        labels[i] = static_cast<int32_t>(c);
      }
    }
  }
  return Status::OK();
}

// The metric k-means and assignment run with: cosine is l2 on normalized rows.
Metric AssignMetric(Metric m) { return m == Metric::kDot ? Metric::kDot : Metric::kL2; }

}  // namespace

Result<IvfTrainingPlan> PlanIvfTraining(const dataset::DatasetImpl& dataset,
                                        const std::string& column,
                                        const VectorIndexParams& params) {
  IvfTrainingPlan plan;
  IvfModel& model = plan.model;
  IXRAY_ASSIGN_OR_RAISE(model.type, ParseVectorIndexType(params.index_type));
  IXRAY_ASSIGN_OR_RAISE(model.metric, ParseMetric(params.metric));
  IXRAY_ASSIGN_OR_RAISE(auto field, dataset.schema()->GetField(column));
  IXRAY_RETURN_NOT_OK(CheckVectorType(column, *field->type, model.metric));
  model.dim = field->type->list_size();
  model.element_type = field->type->value_type()->id();
  model.hnsw_m = params.m;
  model.hnsw_ef_construction = params.ef_construction;
  model.hnsw_max_level = params.max_level;
  const Codec codec = CodecOf(model.type);
  if (model.metric == Metric::kHamming && model.type != VectorIndexType::kIvfFlat) {
    return Status::InvalidArgument(
        fmt::format("the hamming metric supports IVF_FLAT only, not {}", params.index_type));
  }
  if (params.sample_rate <= 0 || params.max_iters <= 0 || params.m <= 1 ||
      params.ef_construction <= 0) {
    return Status::InvalidArgument(
        "sample_rate, max_iters and ef_construction must be positive and m at least 2");
  }
  const int64_t rows = dataset.manifest().num_live_rows();
  const int64_t target = params.target_partition_size.value_or(codec == Codec::kFlat ? 4096 : 8192);
  if (target <= 0) return Status::InvalidArgument("target_partition_size must be positive");
  const int cdim = model.centroid_dim();
  int partitions;
  if (!params.ivf_centroids.empty()) {
    if (params.ivf_centroids.size() % cdim != 0) {
      return Status::InvalidArgument(
          fmt::format("ivf_centroids has {} values, not a multiple of the dimension {}",
                      params.ivf_centroids.size(), cdim));
    }
    partitions = static_cast<int>(params.ivf_centroids.size() / cdim);
    if (params.num_partitions && *params.num_partitions != partitions) {
      return Status::InvalidArgument(
          fmt::format("ivf_centroids holds {} centroids but num_partitions is {}", partitions,
                      *params.num_partitions));
    }
  } else {
    partitions = params.num_partitions.value_or(
        static_cast<int>(std::clamp<int64_t>(rows / target, 1, kMaxPartitions)));
  }
  if (partitions <= 0 || partitions > 65536) {
    return Status::InvalidArgument(
        fmt::format("num_partitions must be in [1, 65536], got {}", partitions));
  }
  int sub_vectors = 0;
  if (codec == Codec::kPq) {
    if (params.num_bits != 8 && params.num_bits != 4) {
      return Status::InvalidArgument(
          fmt::format("num_bits must be 4 or 8, got {}", params.num_bits));
    }
    sub_vectors = params.num_sub_vectors.value_or(DefaultSubVectors(model.dim));
    if (sub_vectors <= 0 || model.dim % sub_vectors != 0) {
      return Status::InvalidArgument(fmt::format(
          "num_sub_vectors ({}) must divide the dimension ({})", sub_vectors, model.dim));
    }
  }
  plan.partitions = partitions;
  plan.sub_vectors = sub_vectors;
  plan.num_bits = params.num_bits;
  plan.max_iters = params.max_iters;
  plan.seed = params.seed;
  plan.pq_codebook = params.pq_codebook;

  // The training sample: sample_rate rows per partition (and per PQ centroid).
  plan.need_ivf = params.ivf_centroids.empty();
  plan.need_pq = codec == Codec::kPq && params.pq_codebook.empty();
  plan.need_sq = codec == Codec::kSq;
  int64_t want = 0;
  if (plan.need_ivf) want = static_cast<int64_t>(params.sample_rate) * partitions;
  if (plan.need_pq) want = std::max<int64_t>(want, int64_t{params.sample_rate} << params.num_bits);
  if (plan.need_sq) want = std::max<int64_t>(want, int64_t{params.sample_rate} * 256);
  if (want > 0) {
    if (rows == 0) {
      return Status::InvalidArgument(fmt::format(
          "cannot train a vector index on column '{}': the dataset has no rows", column));
    }
    plan.sample_positions = SamplePositions(rows, std::min(want, rows), params.seed);
  }
  if (!plan.need_ivf) {
    model.centroids = params.ivf_centroids;
    if (model.metric == Metric::kCosine) {
      NormalizeRows(model.centroids.data(), partitions, cdim);
    }
  }
  plan.kmeans.k = partitions;
  plan.kmeans.max_iters = params.max_iters;
  plan.kmeans.metric = AssignMetric(model.metric);
  plan.kmeans.seed = params.seed;
  return plan;
}

Result<std::vector<float>> ReadTrainingRows(const dataset::DatasetImpl& dataset,
                                            const std::string& column, Metric metric,
                                            std::span<const uint64_t> positions) {
  std::vector<float> rows;
  if (positions.empty()) return rows;
  IXRAY_ASSIGN_OR_RAISE(auto batch, dataset.Take(positions, {column}));
  IXRAY_RETURN_NOT_OK(
      AppendFloatRows(*batch->column(0), metric == Metric::kHamming, &rows, nullptr));
  if (metric == Metric::kCosine) {
    IXRAY_ASSIGN_OR_RAISE(auto field, dataset.schema()->GetField(column));
    const size_t d = static_cast<size_t>(field->type->list_size());
    NormalizeRows(rows.data(), rows.size() / d, d);
  }
  return rows;
}

Status CheckTrainingSample(const IvfTrainingPlan& plan, const std::string& column, size_t n) {
  if ((plan.need_ivf || plan.need_pq || plan.need_sq) && n == 0) {
    return Status::InvalidArgument(fmt::format("column '{}' has no non-null vectors", column));
  }
  if (plan.need_ivf && static_cast<size_t>(plan.partitions) > n) {
    return Status::InvalidArgument(
        fmt::format("num_partitions ({}) is larger than the number of vectors to train on ({})",
                    plan.partitions, n));
  }
  return Status::OK();
}

Result<IvfModel> FinishIvfModel(const IvfTrainingPlan& plan, std::vector<float> centroids,
                                const std::vector<float>& sample, Executor& executor) {
  IvfModel model = plan.model;
  if (plan.need_ivf) model.centroids = std::move(centroids);
  const Codec codec = CodecOf(model.type);
  if (codec == Codec::kFlat) return model;
  const size_t n = sample.size() / model.dim;
  // SQ and PQ are trained on residuals of the sample.
  std::vector<float> residuals;
  if (plan.need_pq || plan.need_sq) {
    IXRAY_ASSIGN_OR_RAISE(residuals, TrainingResiduals(model, model.centroids, sample, executor));
  }
  if (codec == Codec::kSq) {
    IXRAY_ASSIGN_OR_RAISE(auto sq,
                          ScalarQuantizer::Train(residuals.data(), n, model.dim, executor));
    model.sq = std::move(sq);
  } else if (plan.need_pq) {
    IXRAY_ASSIGN_OR_RAISE(
        auto pq, ProductQuantizer::Train(residuals.data(), n, model.dim, plan.sub_vectors,
                                         plan.num_bits, plan.max_iters, executor, plan.seed));
    model.pq = std::move(pq);
  } else {
    IXRAY_ASSIGN_OR_RAISE(auto pq, ProductQuantizer::FromCodebook(model.dim, plan.sub_vectors,
                                                                  plan.num_bits, plan.pq_codebook));
    model.pq = std::move(pq);
  }
  return model;
}

Result<std::vector<float>> TrainingResiduals(const IvfModel& model,
                                             const std::vector<float>& centroids,
                                             const std::vector<float>& sample, Executor& executor) {
  const size_t n = sample.size() / model.dim;
  const int partitions = static_cast<int>(centroids.size() / model.dim);
  std::vector<float> residuals = sample;
  std::vector<int32_t> labels(n);
  IXRAY_RETURN_NOT_OK(AssignNearest(residuals.data(), n, centroids.data(), partitions, model.dim,
                                    AssignMetric(model.metric), executor, labels.data(), nullptr));
  SubtractCentroids(residuals.data(), n, model.dim, labels.data(), centroids);
  return residuals;
}

Result<IvfModel> TrainIvfModel(const dataset::DatasetImpl& dataset, const std::string& column,
                               const VectorIndexParams& params, Executor& executor) {
  IXRAY_ASSIGN_OR_RAISE(auto plan, PlanIvfTraining(dataset, column, params));
  IXRAY_ASSIGN_OR_RAISE(
      auto sample, ReadTrainingRows(dataset, column, plan.model.metric, plan.sample_positions));
  const size_t n = sample.size() / plan.model.centroid_dim();
  IXRAY_RETURN_NOT_OK(CheckTrainingSample(plan, column, n));
  std::vector<float> centroids;
  if (plan.need_ivf) {
    IXRAY_ASSIGN_OR_RAISE(auto kmeans, TrainKMeans(sample.data(), n, plan.model.centroid_dim(),
                                                   plan.kmeans, executor));
    centroids = std::move(kmeans.centroids);
  }
  return FinishIvfModel(plan, std::move(centroids), sample, executor);
}

Status CheckIvfColumn(const dataset::DatasetImpl& dataset, const std::string& column,
                      const IvfModel& model) {
  IXRAY_ASSIGN_OR_RAISE(auto field, dataset.schema()->GetField(column));
  IXRAY_RETURN_NOT_OK(CheckVectorType(column, *field->type, model.metric));
  if (field->type->list_size() != model.dim ||
      field->type->value_type()->id() != model.element_type) {
    return Status::InvalidArgument(
        fmt::format("the index model is for {}-d vectors of {}, column '{}' is {}", model.dim,
                    ixray::fixed_size_list(field->type->value_type(), model.dim)->ToString(),
                    column, field->type->ToString()));
  }
  return Status::OK();
}

Status EncodeIvfRows(const dataset::DatasetImpl& dataset, const std::string& column,
                     const IvfModel& model, const std::vector<FragmentId>& fragment_ids,
                     Executor& executor, IvfPartitions* out) {
  const int partitions = model.num_partitions();
  const Codec codec = CodecOf(model.type);
  const bool hamming = model.metric == Metric::kHamming;
  const size_t d = model.dim;
  const size_t code_size = CodeSize(model);
  const std::vector<uint8_t> binary_centroids = model.BinaryCentroids();

  out->ids.assign(partitions, {});
  out->codes.assign(partitions, {});
  auto& ids = out->ids;
  auto& codes = out->codes;
  std::vector<float> rows_f;
  std::vector<int64_t> row_index;
  std::vector<int32_t> labels;
  std::vector<uint8_t> encoded;
  return ForEachVectorBatch(
      dataset, column, fragment_ids, [&](const Array& vectors, const uint64_t* addresses) {
        rows_f.clear();
        row_index.clear();
        IXRAY_RETURN_NOT_OK(AppendFloatRows(vectors, /*expand_bits=*/false, &rows_f, &row_index));
        const size_t n = row_index.size();
        if (n == 0) return Status::OK();
        labels.resize(n);
        if (hamming) {
          // Raw bytes (0..255 as floats) back to bytes for the hamming kernel.
          encoded.resize(n * d);
          for (size_t i = 0; i < n * d; ++i) encoded[i] = static_cast<uint8_t>(rows_f[i]);
          IXRAY_RETURN_NOT_OK(
              AssignBinary(encoded.data(), n, binary_centroids, partitions, d, labels.data()));
        } else {
          if (model.metric == Metric::kCosine) NormalizeRows(rows_f.data(), n, d);
          IXRAY_RETURN_NOT_OK(AssignNearest(rows_f.data(), n, model.centroids.data(), partitions, d,
                                            AssignMetric(model.metric), executor, labels.data(),
                                            nullptr));
          if (codec == Codec::kFlat) {
            encoded.resize(n * code_size);
            std::memcpy(encoded.data(), rows_f.data(), n * code_size);
          } else {
            SubtractCentroids(rows_f.data(), n, d, labels.data(), model.centroids);
            encoded.resize(n * code_size);
            IXRAY_RETURN_NOT_OK(codec == Codec::kSq
                                    ? model.sq->Encode(rows_f.data(), n, encoded.data(), executor)
                                    : model.pq->Encode(rows_f.data(), n, encoded.data(), executor));
          }
        }
        for (size_t i = 0; i < n; ++i) {
          const int32_t p = labels[i];
          ids[p].push_back(addresses[row_index[i]]);
          codes[p].append(reinterpret_cast<const char*>(encoded.data() + i * code_size), code_size);
        }
        return Status::OK();
      });
}

Result<BuiltSegment> WriteIvfSegment(const dataset::DatasetImpl& dataset, const IvfModel& model,
                                     const IvfPartitions& parts,
                                     const std::vector<FragmentId>& fragment_ids,
                                     Executor& executor, const std::string& segment_uuid) {
  const int partitions = model.num_partitions();
  const size_t d = model.dim;
  const auto& ids = parts.ids;
  const auto& codes = parts.codes;
  int64_t total = 0;
  for (const auto& p : ids) total += static_cast<int64_t>(p.size());
  // IVF_HNSW_*: one graph per partition over the vectors as the codec
  // reproduces them, so graph distances agree with search distances.
  std::vector<std::string> graphs(partitions);
  if (HasGraph(model.type)) {
    HnswParams hnsw;
    hnsw.m = static_cast<uint32_t>(model.hnsw_m);
    hnsw.ef_construction = static_cast<uint32_t>(model.hnsw_ef_construction);
    if (model.hnsw_max_level > 0) hnsw.max_level = static_cast<uint32_t>(model.hnsw_max_level);
    for (int p = 0; p < partitions; ++p) {
      const size_t n = ids[p].size();
      if (n == 0) continue;
      const auto decoded =
          DecodeVectors(model, p, reinterpret_cast<const uint8_t*>(codes[p].data()), n);
      FlatDistance distance(decoded.data(), n, d,
                            model.metric == Metric::kDot ? FlatMetric::kDot : FlatMetric::kL2);
      IXRAY_ASSIGN_OR_RAISE(auto graph, HnswGraph::Build(distance, hnsw, &executor));
      graph.Serialize(&graphs[p]);
    }
  }

  BuiltSegment segment;
  segment.uuid = segment_uuid.empty() ? dataset::NewUuid() : segment_uuid;
  segment.num_rows = total;
  segment.file = "index.ixi";
  if (fragment_ids.empty()) {
    for (const auto& f : dataset.manifest().fragments) segment.fragment_ids.push_back(f.id);
  } else {
    segment.fragment_ids = fragment_ids;
    std::sort(segment.fragment_ids.begin(), segment.fragment_ids.end());
  }
  const std::string path =
      dataset.uri() + "/" + dataset::IndexSegmentDir(segment.uuid) + "/" + segment.file;
  IXRAY_ASSIGN_OR_RAISE(auto writer, index::SegmentFileWriter::Open(dataset.file_system(), path));
  IXRAY_RETURN_NOT_OK(writer->Add("model", model.Serialize()));
  std::string table;
  format::ByteWriter w(&table);
  w.PutU32(static_cast<uint32_t>(partitions));
  for (const auto& p : ids) w.PutU64(p.size());
  IXRAY_RETURN_NOT_OK(writer->Add("partitions", table));
  for (int p = 0; p < partitions; ++p) {
    // Scan order within a partition is the dataset's order, so ids ascend.
    IXRAY_RETURN_NOT_OK(writer->Add(
        fmt::format("ids/{}", p),
        std::string_view(reinterpret_cast<const char*>(ids[p].data()), ids[p].size() * 8)));
    IXRAY_RETURN_NOT_OK(writer->Add(fmt::format("codes/{}", p), codes[p]));
    if (!graphs[p].empty()) IXRAY_RETURN_NOT_OK(writer->Add(fmt::format("graph/{}", p), graphs[p]));
  }
  IXRAY_RETURN_NOT_OK(writer->Finish().status());
  return segment;
}

Result<BuiltSegment> BuildIvfSegment(const dataset::DatasetImpl& dataset, const std::string& column,
                                     const IvfModel& model,
                                     const std::vector<FragmentId>& fragment_ids,
                                     Executor& executor, const std::string& segment_uuid) {
  IXRAY_RETURN_NOT_OK(CheckIvfColumn(dataset, column, model));
  IvfPartitions parts;
  IXRAY_RETURN_NOT_OK(EncodeIvfRows(dataset, column, model, fragment_ids, executor, &parts));
  return WriteIvfSegment(dataset, model, parts, fragment_ids, executor, segment_uuid);
}

}  // namespace ixray::vector
