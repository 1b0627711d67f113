#include "index/vector/assign.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "index/vector/kernels/distance.h"

namespace ixray::vector {

namespace {

// One executor task covers kRowsPerTask rows; inside it, GEMM blocks of
// kBlockRows rows x kBlockCols centroids. The output block (1 MiB) stays in
// L2 while the fused argmin reads it. Both are fixed, so a row's result never
// depends on the executor's parallelism.
constexpr size_t kRowsPerTask = 1024;
constexpr size_t kBlockRows = 256;
constexpr size_t kBlockCols = 1024;

// Inputs with at most this many rows take the kernel path (no GEMM).
constexpr size_t kMaxKernelPathRows = 4;

constexpr float kInfinity = std::numeric_limits<float>::infinity();

Status ValidateShapes(size_t k, size_t d, Metric metric) {
  if (k == 0) return Status::InvalidArgument("nearest-centroid assignment needs k >= 1 centroids");
  if (d == 0) return Status::InvalidArgument("nearest-centroid assignment needs dimension >= 1");
  if (metric == Metric::kHamming) {
    return Status::InvalidArgument("nearest-centroid assignment supports l2, cosine and dot");
  }
  if (k > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument("too many centroids for int32 labels");
  }
  return Status::OK();
}

bool IsDot(Metric metric) { return metric == Metric::kDot; }

// The exact reported distance of x to c.
float ExactDistance(const DistanceKernels& kernels, const float* x, const float* c, size_t d,
                    Metric metric) {
  if (IsDot(metric)) return 1.0f - kernels.dot_f32(x, c, d);
  return kernels.l2_f32(x, c, d);
}

// The per-centroid term of the GEMM-form distance: |c|^2 for l2 (the GEMM
// adds -2 x.c), 0 for dot (the GEMM adds -x.c); plus the optional bias.
std::vector<float> CentroidTerms(const float* centroids, size_t k, size_t d, Metric metric,
                                 const float* norms, const float* bias) {
  std::vector<float> terms(k, 0.0f);
  if (!IsDot(metric)) {
    for (size_t j = 0; j < k; ++j) {
      if (norms != nullptr) {
        terms[j] = norms[j];
        continue;
      }
      const float* c = centroids + j * d;
      double sum = 0;
      for (size_t t = 0; t < d; ++t) sum += static_cast<double>(c[t]) * c[t];
      terms[j] = static_cast<float>(sum);
    }
  }
  if (bias != nullptr) {
    for (size_t j = 0; j < k; ++j) terms[j] += bias[j];
  }
  return terms;
}

// The two smallest of values[j] + term[j] over j in [0, n), and the first
// index of the smallest; NaN values are skipped. This is the inner loop of
// assignment, so it runs on 4-float vectors (plain SSE2 through the
// compiler's generic vector extension), two sets at a time for throughput.
struct SmallestTwo {
  float best = kInfinity;
  float second = kInfinity;
  uint32_t index = 0;
};

using Float4 = float __attribute__((vector_size(16)));
using Int4 = int32_t __attribute__((vector_size(16)));

inline Float4 Load4(const float* p) {
  Float4 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline SmallestTwo FindSmallestTwo(const float* values, const float* term, size_t n) {
  const Float4 infinity = {kInfinity, kInfinity, kInfinity, kInfinity};
  Float4 best[2] = {infinity, infinity};
  Float4 second[2] = {infinity, infinity};
  Int4 index[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
  Int4 lane[2] = {{0, 1, 2, 3}, {4, 5, 6, 7}};
  const Int4 step = {8, 8, 8, 8};
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    for (int h = 0; h < 2; ++h) {
      const Float4 v = Load4(values + j + 4 * h) + Load4(term + j + 4 * h);
      const Int4 less = v < best[h];
      const Float4 larger = less ? best[h] : v;
      second[h] = larger < second[h] ? larger : second[h];
      best[h] = less ? v : best[h];
      index[h] = less ? lane[h] : index[h];
      lane[h] += step;
    }
  }
  // Lanes to scalars: the smallest best (lowest index on ties), and the
  // smallest of all seconds and of the other lanes' bests.
  SmallestTwo result;
  int winner = -1;
  for (int l = 0; l < 8; ++l) {
    const float b = best[l / 4][l % 4];
    const auto at = static_cast<uint32_t>(index[l / 4][l % 4]);
    if (b < result.best || (b == result.best && winner >= 0 && at < result.index)) {
      result.best = b;
      result.index = at;
      winner = l;
    }
  }
  for (int l = 0; l < 8; ++l) {
    result.second = std::min(result.second, second[l / 4][l % 4]);
    if (l != winner) result.second = std::min(result.second, best[l / 4][l % 4]);
  }
  for (; j < n; ++j) {
    const float v = values[j] + term[j];
    if (v < result.best) {
      result.second = result.best;
      result.best = v;
      result.index = static_cast<uint32_t>(j);
    } else if (v < result.second) {
      result.second = v;
    }
  }
  return result;
}

// Runs the blocked GEMM over a list of rows and hands every output block to
// a scanner. `Scanner` is constructed once per task and gets
//   Begin(bm)                       a new block of bm rows
//   Scan(r, values, term, j0, bn)   values[bn] + term[bn] = GEMM-form
//                                   distances of the block's row r to
//                                   centroids [j0, j0 + bn)
//   Finish(row_ids, bm)             the block's rows are done
template <typename MakeScanner>
Status RunBlockedGemm(const float* data, const uint32_t* rows, size_t num_rows,
                      const float* centroids, size_t k, size_t d, Metric metric,
                      const std::vector<float>& terms, Executor& executor,
                      const MakeScanner& make_scanner) {
  const float alpha = IsDot(metric) ? -1.0f : -2.0f;
  const int64_t tasks = static_cast<int64_t>((num_rows + kRowsPerTask - 1) / kRowsPerTask);
  return executor.ParallelFor(tasks, [&](int64_t task) -> Status {
    auto scanner = make_scanner();
    const size_t task_begin = static_cast<size_t>(task) * kRowsPerTask;
    const size_t task_end = std::min(num_rows, task_begin + kRowsPerTask);
    // Scratch written before it is read: no need to zero it.
    const auto block =
        std::make_unique_for_overwrite<float[]>(kBlockRows * std::min(k, kBlockCols));
    const auto gathered =
        std::make_unique_for_overwrite<float[]>(rows != nullptr ? kBlockRows * d : 0);
    std::vector<uint32_t> row_ids(kBlockRows);
    for (size_t r0 = task_begin; r0 < task_end; r0 += kBlockRows) {
      const size_t bm = std::min(kBlockRows, task_end - r0);
      const float* a = data + r0 * d;
      for (size_t r = 0; r < bm; ++r) {
        row_ids[r] = rows != nullptr ? rows[r0 + r] : static_cast<uint32_t>(r0 + r);
      }
      if (rows != nullptr) {
        for (size_t r = 0; r < bm; ++r) {
          std::copy_n(data + static_cast<size_t>(row_ids[r]) * d, d, gathered.get() + r * d);
        }
        a = gathered.get();
      }
      scanner.Begin(bm);
      for (size_t j0 = 0; j0 < k; j0 += kBlockCols) {
        const size_t bn = std::min(kBlockCols, k - j0);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(bm),
                    static_cast<int>(bn), static_cast<int>(d), alpha, a, static_cast<int>(d),
                    centroids + j0 * d, static_cast<int>(d), 0.0f, block.get(),
                    static_cast<int>(bn));
        const float* term = terms.data() + j0;
        for (size_t r = 0; r < bm; ++r) scanner.Scan(r, block.get() + r * bn, term, j0, bn);
      }
      scanner.Finish(row_ids.data(), bm);
    }
    return Status::OK();
  });
}

// The nearest and second-nearest centroid of each row of a block.
class Top2Scanner {
 public:
  Top2Scanner(const AssignRequest& request, const AssignOutput& output,
              const DistanceKernels& kernels)
      : request_(request), output_(output), kernels_(kernels) {}

  void Begin(size_t bm) {
    best_.assign(bm, kInfinity);
    second_.assign(bm, kInfinity);
    label_.assign(bm, 0);
  }

  void Scan(size_t r, const float* values, const float* term, size_t j0, size_t bn) {
    const SmallestTwo block = FindSmallestTwo(values, term, bn);
    // An equal value in a later block loses: ties go to the lower index.
    if (block.best < best_[r]) {
      second_[r] = std::min(best_[r], block.second);
      best_[r] = block.best;
      label_[r] = static_cast<int32_t>(j0 + block.index);
    } else {
      second_[r] = std::min(second_[r], block.best);
    }
  }

  void Finish(const uint32_t* row_ids, size_t bm) {
    const size_t d = request_.d;
    for (size_t r = 0; r < bm; ++r) {
      const size_t row = row_ids[r];
      const int32_t label = label_[r];
      if (output_.labels != nullptr) output_.labels[row] = label;
      const float* x = request_.data + row * d;
      if (output_.distances != nullptr) {
        output_.distances[row] =
            ExactDistance(kernels_, x, request_.centroids + label * d, d, request_.metric);
      }
      if (output_.second_distances != nullptr) {
        float second = second_[r];
        if (second != kInfinity) {
          second = IsDot(request_.metric) ? 1.0f + second
                                          : std::max(0.0f, kernels_.dot_f32(x, x, d) + second);
        }
        output_.second_distances[row] = second;
      }
    }
  }

 private:
  const AssignRequest& request_;
  const AssignOutput& output_;
  const DistanceKernels& kernels_;
  std::vector<float> best_, second_;
  std::vector<int32_t> label_;
};

// The nprobe nearest centroids of each row of a block, by GEMM-form distance;
// Finish re-ranks them by exact distance.
class TopNScanner {
 public:
  TopNScanner(const float* data, const float* centroids, size_t d, Metric metric, size_t nprobe,
              int32_t* labels, float* distances, const DistanceKernels& kernels)
      : data_(data),
        centroids_(centroids),
        d_(d),
        metric_(metric),
        nprobe_(nprobe),
        labels_(labels),
        distances_(distances),
        kernels_(kernels) {}

  void Begin(size_t bm) {
    values_.assign(bm * nprobe_, kInfinity);
    ids_.assign(bm * nprobe_, -1);
  }

  void Scan(size_t r, const float* values, const float* term, size_t j0, size_t bn) {
    float* top_values = values_.data() + r * nprobe_;
    int32_t* top_ids = ids_.data() + r * nprobe_;
    for (size_t j = 0; j < bn; ++j) {
      const float v = values[j] + term[j];
      if (!(v < top_values[nprobe_ - 1])) continue;
      size_t pos = nprobe_ - 1;
      while (pos > 0 && v < top_values[pos - 1]) {
        top_values[pos] = top_values[pos - 1];
        top_ids[pos] = top_ids[pos - 1];
        --pos;
      }
      top_values[pos] = v;
      top_ids[pos] = static_cast<int32_t>(j0 + j);
    }
  }

  void Finish(const uint32_t* row_ids, size_t bm) {
    std::vector<std::pair<float, int32_t>> ranked;
    for (size_t r = 0; r < bm; ++r) {
      const size_t row = row_ids[r];
      const float* x = data_ + row * d_;
      ranked.clear();
      for (size_t p = 0; p < nprobe_; ++p) {
        int32_t id = ids_[r * nprobe_ + p];
        // Rows whose GEMM values were all NaN keep -1; any centroid will do.
        if (id < 0) id = static_cast<int32_t>(p);
        ranked.emplace_back(ExactDistance(kernels_, x, centroids_ + id * d_, d_, metric_), id);
      }
      std::stable_sort(ranked.begin(), ranked.end());
      for (size_t p = 0; p < nprobe_; ++p) {
        labels_[row * nprobe_ + p] = ranked[p].second;
        if (distances_ != nullptr) distances_[row * nprobe_ + p] = ranked[p].first;
      }
    }
  }

 private:
  const float* data_;
  const float* centroids_;
  size_t d_;
  Metric metric_;
  size_t nprobe_;
  int32_t* labels_;
  float* distances_;
  const DistanceKernels& kernels_;
  std::vector<float> values_;
  std::vector<int32_t> ids_;
};

// The kernel path for a handful of rows: exact distances to every centroid.
void AssignWithKernels(const float* data, size_t n, const float* centroids, size_t k, size_t d,
                       Metric metric, size_t nprobe, int32_t* labels, float* distances) {
  const DistanceKernels& kernels = Kernels();
  std::vector<float> all(k);
  std::vector<std::pair<float, int32_t>> ranked(k);
  for (size_t i = 0; i < n; ++i) {
    const float* x = data + i * d;
    if (IsDot(metric)) {
      kernels.dot_f32_batch(x, centroids, k, d, all.data());
      for (float& v : all) v = 1.0f - v;
    } else {
      kernels.l2_f32_batch(x, centroids, k, d, all.data());
    }
    for (size_t j = 0; j < k; ++j) {
      // NaN sorts last.
      ranked[j] = {std::isnan(all[j]) ? kInfinity : all[j], static_cast<int32_t>(j)};
    }
    std::partial_sort(ranked.begin(), ranked.begin() + nprobe, ranked.end());
    for (size_t p = 0; p < nprobe; ++p) {
      labels[i * nprobe + p] = ranked[p].second;
      if (distances != nullptr) distances[i * nprobe + p] = all[ranked[p].second];
    }
  }
}

}  // namespace

Status AssignNearestRows(const AssignRequest& request, Executor& executor,
                         const AssignOutput& output) {
  IXRAY_RETURN_NOT_OK(ValidateShapes(request.k, request.d, request.metric));
  const size_t num_rows = request.rows != nullptr ? request.num_rows : request.n;
  if (num_rows == 0) return Status::OK();
  const std::vector<float> terms =
      CentroidTerms(request.centroids, request.k, request.d, request.metric, request.centroid_norms,
                    request.bias);
  const DistanceKernels& kernels = Kernels();
  return RunBlockedGemm(request.data, request.rows, num_rows, request.centroids, request.k,
                        request.d, request.metric, terms, executor,
                        [&] { return Top2Scanner(request, output, kernels); });
}

Status AssignNearest(const float* data, size_t n, const float* centroids, size_t k, size_t d,
                     Metric metric, Executor& executor, int32_t* labels, float* distances) {
  IXRAY_RETURN_NOT_OK(ValidateShapes(k, d, metric));
  if (n <= kMaxKernelPathRows) {
    AssignWithKernels(data, n, centroids, k, d, metric, 1, labels, distances);
    return Status::OK();
  }
  AssignRequest request;
  request.data = data;
  request.n = n;
  request.centroids = centroids;
  request.k = k;
  request.d = d;
  request.metric = metric;
  AssignOutput output;
  output.labels = labels;
  output.distances = distances;
  return AssignNearestRows(request, executor, output);
}

Status AssignNearestN(const float* data, size_t n, const float* centroids, size_t k, size_t d,
                      Metric metric, int nprobe, Executor& executor, int32_t* labels,
                      float* distances) {
  IXRAY_RETURN_NOT_OK(ValidateShapes(k, d, metric));
  if (nprobe < 1 || static_cast<size_t>(nprobe) > k) {
    return Status::InvalidArgument("nprobe must be in [1, number of centroids]");
  }
  const size_t probes = static_cast<size_t>(nprobe);
  if (n <= kMaxKernelPathRows) {
    AssignWithKernels(data, n, centroids, k, d, metric, probes, labels, distances);
    return Status::OK();
  }
  const std::vector<float> terms = CentroidTerms(centroids, k, d, metric, nullptr, nullptr);
  const DistanceKernels& kernels = Kernels();
  return RunBlockedGemm(data, nullptr, n, centroids, k, d, metric, terms, executor, [&] {
    return TopNScanner(data, centroids, d, metric, probes, labels, distances, kernels);
  });
}

}  // namespace ixray::vector
