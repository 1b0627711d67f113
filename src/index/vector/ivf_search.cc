#include "index/vector/ivf_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <queue>

#include "format/byte_coding.h"
#include "index/vector/kernels/distance.h"

namespace ixray::vector {

namespace {

// Keeps the k smallest candidates seen.
class TopK {
 public:
  explicit TopK(int64_t k) : k_(static_cast<size_t>(std::max<int64_t>(k, 1))) {}
  float threshold() const {
    return heap_.size() < k_ ? std::numeric_limits<float>::infinity() : heap_.top().distance;
  }
  void Push(float distance, RowAddress address) {
    if (heap_.size() < k_) {
      heap_.push({distance, address});
    } else if (Candidate{distance, address} < heap_.top()) {
      heap_.pop();
      heap_.push({distance, address});
    }
  }
  size_t size() const { return heap_.size(); }
  std::vector<Candidate> Take() {
    std::vector<Candidate> out;
    while (!heap_.empty()) {
      out.push_back(heap_.top());
      heap_.pop();
    }
    std::reverse(out.begin(), out.end());
    return out;
  }

 private:
  size_t k_;
  std::priority_queue<Candidate> heap_;  // max-heap on distance
};

}  // namespace

Result<std::shared_ptr<IvfSegmentSearcher>> IvfSegmentSearcher::Open(std::shared_ptr<FileSystem> fs,
                                                                     const std::string& path) {
  auto s = std::shared_ptr<IvfSegmentSearcher>(new IvfSegmentSearcher());
  IXRAY_ASSIGN_OR_RAISE(s->file_, index::SegmentFileReader::Open(std::move(fs), path));
  IXRAY_ASSIGN_OR_RAISE(auto model_bytes, s->file_->Read("model"));
  IXRAY_ASSIGN_OR_RAISE(s->model_, IvfModel::Deserialize(model_bytes->view()));
  IXRAY_ASSIGN_OR_RAISE(auto table, s->file_->Read("partitions"));
  format::ByteReader r(table->span());
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32("partition count"));
  if (static_cast<int32_t>(count) != s->model_.num_partitions()) {
    return Status::Corruption(fmt::format("{}: {} partitions but the model has {}", path, count,
                                          s->model_.num_partitions()));
  }
  for (uint32_t p = 0; p < count; ++p) {
    IXRAY_ASSIGN_OR_RAISE(uint64_t rows, r.GetU64("partition rows"));
    s->partition_rows_.push_back(rows);
    s->num_rows_ += static_cast<int64_t>(rows);
  }
  s->binary_centroids_ = s->model_.BinaryCentroids();
  s->partitions_.resize(count);
  return s;
}

Result<std::shared_ptr<const IvfSegmentSearcher::Partition>> IvfSegmentSearcher::LoadPartition(
    int p) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (partitions_[p] != nullptr) return partitions_[p];
  }
  auto partition = std::make_shared<Partition>();
  IXRAY_ASSIGN_OR_RAISE(auto ids, file_->Read(fmt::format("ids/{}", p)));
  IXRAY_ASSIGN_OR_RAISE(partition->codes, file_->Read(fmt::format("codes/{}", p)));
  const uint64_t rows = partition_rows_[p];
  const size_t d = model_.dim;
  const size_t code_size = CodeSize(model_);
  if (ids->size() != static_cast<int64_t>(rows * 8) ||
      partition->codes->size() != static_cast<int64_t>(rows * code_size)) {
    return Status::Corruption(fmt::format("{}: partition {} has the wrong size", file_->path(), p));
  }
  partition->ids.resize(rows);
  std::memcpy(partition->ids.data(), ids->data(), rows * 8);
  if (HasGraph(model_.type) && rows > 0) {
    IXRAY_ASSIGN_OR_RAISE(auto graph_bytes, file_->Read(fmt::format("graph/{}", p)));
    IXRAY_ASSIGN_OR_RAISE(auto graph, HnswGraph::Deserialize(graph_bytes->view()));
    if (graph.size() != rows) {
      return Status::Corruption(
          fmt::format("{}: the graph of partition {} has the wrong size", file_->path(), p));
    }
    partition->graph = std::move(graph);
    partition->decoded = DecodeVectors(model_, p, partition->codes->data(), rows);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (partitions_[p] == nullptr) partitions_[p] = std::move(partition);
  return partitions_[p];
}

Result<std::vector<Candidate>> IvfSegmentSearcher::Search(
    const float* query, const IvfSearchParams& params,
    const std::function<bool(RowAddress)>* allowed) const {
  const auto& kernels = Kernels();
  const size_t d = model_.dim;
  const int partitions = model_.num_partitions();
  const Metric metric = model_.metric;
  const Codec codec = CodecOf(model_.type);
  std::vector<float> q(query, query + d);
  if (metric == Metric::kCosine) NormalizeRows(q.data(), 1, d);
  std::vector<uint8_t> q_bytes;
  if (metric == Metric::kHamming) {
    q_bytes.resize(d);
    for (size_t j = 0; j < d; ++j) q_bytes[j] = static_cast<uint8_t>(q[j]);
  }

  // Partitions ordered by centroid distance (only the first max_probes are
  // ever visited).
  std::vector<float> centroid_dist(partitions);
  if (metric == Metric::kHamming) {
    for (int p = 0; p < partitions; ++p) {
      centroid_dist[p] =
          static_cast<float>(kernels.hamming(q_bytes.data(), binary_centroids_.data() + p * d, d));
    }
  } else if (metric == Metric::kDot) {
    kernels.dot_f32_batch(q.data(), model_.centroids.data(), partitions, d, centroid_dist.data());
    for (float& dist : centroid_dist) dist = -dist;
  } else {
    kernels.l2_f32_batch(q.data(), model_.centroids.data(), partitions, d, centroid_dist.data());
  }
  std::vector<std::pair<float, int>> order(partitions);
  for (int p = 0; p < partitions; ++p) order[p] = {centroid_dist[p], p};
  const int min_probes = std::clamp(params.min_nprobes, 1, std::max(partitions, 1));
  const int max_probes =
      params.max_nprobes <= 0 ? partitions : std::clamp(params.max_nprobes, min_probes, partitions);
  std::partial_sort(order.begin(), order.begin() + std::min(max_probes, partitions), order.end());

  TopK top(params.k);
  std::vector<float> scores;
  std::vector<float> residual(d);
  std::vector<float> table;
  for (int probe = 0; probe < partitions; ++probe) {
    if (probe >= max_probes ||
        (probe >= min_probes && static_cast<int64_t>(top.size()) >= params.k)) {
      break;
    }
    const int p = order[probe].second;
    if (partition_rows_[p] == 0) continue;
    IXRAY_ASSIGN_OR_RAISE(auto partition, LoadPartition(p));
    const size_t n = partition->ids.size();
    if (partition->graph) {
      FlatDistance space(partition->decoded.data(), n, d,
                         metric == Metric::kDot ? FlatMetric::kDot : FlatMetric::kL2);
      const auto to_query = space.FromQuery(q.data());
      const std::function<bool(uint32_t)> node_allowed = [&](uint32_t node) {
        return (*allowed)(partition->ids[node]);
      };
      const size_t k = static_cast<size_t>(params.k);
      const size_t ef = std::max<size_t>(params.ef > 0 ? params.ef : 40, k);
      std::vector<Neighbor> found;
      partition->graph->Search(*to_query, k, ef, allowed != nullptr ? &node_allowed : nullptr,
                               &found);
      for (const auto& [distance, node] : found) {
        top.Push(metric == Metric::kCosine ? distance * 0.5f : distance, partition->ids[node]);
      }
      continue;
    }
    scores.resize(n);
    const uint8_t* codes = partition->codes->data();
    const float* centroid = model_.centroids.data() + p * d;
    if (metric == Metric::kHamming) {
      for (size_t i = 0; i < n; ++i) {
        scores[i] = static_cast<float>(kernels.hamming(q_bytes.data(), codes + i * d, d));
      }
    } else if (codec == Codec::kFlat) {
      const auto* x = reinterpret_cast<const float*>(codes);
      if (metric == Metric::kDot) {
        kernels.dot_f32_batch(q.data(), x, n, d, scores.data());
        for (auto& s : scores) s = 1.0f - s;
      } else {
        kernels.l2_f32_batch(q.data(), x, n, d, scores.data());
      }
    } else {
      // Residual codecs: l2 on (q - c); dot as q.c + q.r.
      const bool dot = metric == Metric::kDot;
      const float qc = dot ? kernels.dot_f32(q.data(), centroid, d) : 0.0f;
      const float* target = q.data();
      if (!dot) {
        for (size_t j = 0; j < d; ++j) residual[j] = q[j] - centroid[j];
        target = residual.data();
      }
      if (codec == Codec::kSq) {
        const auto& sq = *model_.sq;
        (dot ? kernels.sq8_dot_batch : kernels.sq8_l2_batch)(
            target, codes, sq.vmin().data(), sq.vscale().data(), n, d, scores.data());
      } else {
        const auto& pq = *model_.pq;
        table.resize(static_cast<size_t>(pq.num_sub_vectors()) * pq.ksub());
        IXRAY_RETURN_NOT_OK(
            pq.ComputeDistanceTable(target, dot ? Metric::kDot : Metric::kL2, table.data()));
        (pq.nbits() == 8 ? kernels.pq_scan_8bit : kernels.pq_scan_4bit)(
            table.data(), codes, n, pq.num_sub_vectors(), scores.data());
      }
      if (dot) {
        for (auto& s : scores) s = 1.0f - (qc + s);
      }
    }
    if (metric == Metric::kCosine) {
      for (float& s : scores) s *= 0.5f;
    }
    float threshold = top.threshold();
    for (size_t i = 0; i < n; ++i) {
      if (scores[i] >= threshold) continue;
      if (allowed != nullptr && !(*allowed)(partition->ids[i])) continue;
      top.Push(scores[i], partition->ids[i]);
      threshold = top.threshold();
    }
  }
  return top.Take();
}

}  // namespace ixray::vector
