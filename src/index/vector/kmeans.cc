#include "index/vector/kmeans.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>

#include "format/byte_coding.h"
#include "index/vector/assign.h"
#include "index/vector/kernels/distance.h"

namespace ixray::vector {

namespace {

// Fixed task sizes: the order of every floating-point reduction depends on
// these, never on the executor's parallelism.
constexpr size_t kRowsPerTask = 4096;
// Accumulation: chunks of this many rows, their partial sums at most this big.
constexpr size_t kAccumulateRows = 16384;
constexpr size_t kAccumulateBytes = size_t{64} << 20;
constexpr size_t kPlusPlusPoolPerCluster = 8;
constexpr double kSplitPerturbation = 1.0 / 1024;

constexpr uint32_t kPartialMagic = 0x504b5849;  // "IXKP"
constexpr uint32_t kPartialVersion = 1;

// SplitMix64: a small, fully specified generator, so a seed gives the same
// centroids with every standard library.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  size_t Below(size_t bound) { return static_cast<size_t>(Uniform() * static_cast<double>(bound)); }

 private:
  uint64_t state_;
};

uint64_t MixSeed(uint64_t seed, uint64_t stream) {
  return Random(seed ^ (stream * 0xd1b54a32d192ed03ULL)).Next();
}

Status ValidateMetric(Metric metric) {
  if (metric == Metric::kHamming) {
    return Status::InvalidArgument("k-means supports the l2, cosine and dot metrics, not hamming");
  }
  return Status::OK();
}

// The metric the assignment runs with once rows are prepared.
Metric AssignMetric(Metric metric) { return metric == Metric::kDot ? Metric::kDot : Metric::kL2; }

// The first `count` entries of a random permutation of [0, n).
std::vector<uint32_t> RandomDistinctRows(size_t n, size_t count, Random& random) {
  std::vector<uint32_t> rows(n);
  std::iota(rows.begin(), rows.end(), 0u);
  for (size_t i = 0; i < count; ++i) std::swap(rows[i], rows[i + random.Below(n - i)]);
  rows.resize(count);
  return rows;
}

// k-means++ (D^2 sampling) over a random pool of rows.
Status InitPlusPlus(const float* data, size_t n, size_t d, size_t k, Random& random,
                    Executor& executor, float* centroids) {
  const size_t pool_size = std::min(n, k * kPlusPlusPoolPerCluster);
  const std::vector<uint32_t> pool = RandomDistinctRows(n, pool_size, random);
  std::vector<float> pool_rows(pool_size * d);
  for (size_t p = 0; p < pool_size; ++p) {
    std::copy_n(data + static_cast<size_t>(pool[p]) * d, d, pool_rows.data() + p * d);
  }
  std::vector<float> nearest(pool_size, std::numeric_limits<float>::infinity());
  std::vector<float> scratch(pool_size);
  const DistanceKernels& kernels = Kernels();
  size_t chosen = random.Below(pool_size);
  const int64_t tasks = static_cast<int64_t>((pool_size + kRowsPerTask - 1) / kRowsPerTask);
  for (size_t c = 0; c < k; ++c) {
    const float* center = pool_rows.data() + chosen * d;
    std::copy_n(center, d, centroids + c * d);
    if (c + 1 == k) break;
    IXRAY_RETURN_NOT_OK(executor.ParallelFor(tasks, [&](int64_t task) {
      const size_t begin = static_cast<size_t>(task) * kRowsPerTask;
      const size_t count = std::min(pool_size, begin + kRowsPerTask) - begin;
      kernels.l2_f32_batch(center, pool_rows.data() + begin * d, count, d, &scratch[begin]);
      for (size_t p = begin; p < begin + count; ++p) nearest[p] = std::min(nearest[p], scratch[p]);
      return Status::OK();
    }));
    double total = 0;
    for (float v : nearest) total += v;
    if (!(total > 0)) {  // only duplicates of chosen rows are left
      chosen = random.Below(pool_size);
      continue;
    }
    const double target = random.Uniform() * total;
    double prefix = 0;
    chosen = pool_size - 1;
    for (size_t p = 0; p < pool_size; ++p) {
      prefix += nearest[p];
      if (prefix > target && nearest[p] > 0) {
        chosen = p;
        break;
      }
    }
  }
  return Status::OK();
}

void NormalizeCentroidsIfDot(Metric metric, std::vector<float>* centroids, size_t k, size_t d) {
  if (metric == Metric::kDot) NormalizeRows(centroids->data(), k, d);
}

// sum[t] += x[t] for t in [0, d): four at a time through the compiler's
// generic vectors (the hottest loop of a k-means round after the GEMM).
inline void AddRow(const float* x, size_t d, double* sum) {
  using Float4 = float __attribute__((vector_size(16)));
  using Double4 = double __attribute__((vector_size(32)));
  size_t t = 0;
  for (; t + 4 <= d; t += 4) {
    Float4 value;
    Double4 total;
    std::memcpy(&value, x + t, sizeof(value));
    std::memcpy(&total, sum + t, sizeof(total));
    total += __builtin_convertvector(value, Double4);
    std::memcpy(sum + t, &total, sizeof(total));
  }
  for (; t < d; ++t) sum[t] += x[t];
}

// Sums, counts and objective of the rows of data[n][d] by label. The rows
// are cut into a fixed number of chunks (a function of n, k and d only);
// each chunk streams its rows in order into its own sums, and the chunks are
// added up in order, so the result never depends on the executor.
Status AccumulateAssigned(const float* data, size_t n, size_t d, size_t k, const int32_t* labels,
                          const float* distances, Executor& executor, KMeansPartial* out) {
  const size_t chunk_bytes = k * d * sizeof(double);
  const size_t max_chunks = std::max<size_t>(1, kAccumulateBytes / chunk_bytes);
  const size_t chunks =
      std::clamp<size_t>((n + kAccumulateRows - 1) / kAccumulateRows, 1, max_chunks);
  const size_t rows_per_chunk = (n + chunks - 1) / chunks;
  out->sums.assign(k * d, 0.0);
  out->counts.assign(k, 0);
  // Chunk 0 accumulates straight into *out.
  std::vector<double> sums((chunks - 1) * k * d, 0.0);
  std::vector<int64_t> counts((chunks - 1) * k, 0);
  std::vector<double> objectives(chunks, 0.0);
  IXRAY_RETURN_NOT_OK(executor.ParallelFor(static_cast<int64_t>(chunks), [&](int64_t chunk) {
    double* sum = chunk == 0 ? out->sums.data() : sums.data() + (chunk - 1) * k * d;
    int64_t* count = chunk == 0 ? out->counts.data() : counts.data() + (chunk - 1) * k;
    double objective = 0;
    const size_t end = std::min(n, (chunk + 1) * rows_per_chunk);
    for (size_t i = chunk * rows_per_chunk; i < end; ++i) {
      const float* x = data + i * d;
      AddRow(x, d, sum + static_cast<size_t>(labels[i]) * d);
      count[labels[i]]++;
      objective += distances[i];
    }
    objectives[chunk] = objective;
    return Status::OK();
  }));
  if (chunks > 1) {
    IXRAY_RETURN_NOT_OK(ParallelForRange(executor, static_cast<int64_t>(k * d), 4096,
                                         [&](int64_t begin, int64_t end) {
                                           for (size_t c = 1; c < chunks; ++c) {
                                             const double* sum = sums.data() + (c - 1) * k * d;
                                             for (int64_t i = begin; i < end; ++i)
                                               out->sums[i] += sum[i];
                                           }
                                           return Status::OK();
                                         }));
    for (size_t c = 1; c < chunks; ++c) {
      for (size_t j = 0; j < k; ++j) out->counts[j] += counts[(c - 1) * k + j];
    }
  }
  out->objective = 0;
  for (double v : objectives) out->objective += v;
  return Status::OK();
}

Status CheckPartialShape(const KMeansPartial& partial, size_t k, size_t d) {
  if (partial.sums.size() != k * d || partial.counts.size() != k) {
    return Status::InvalidArgument(
        fmt::format("k-means partial has {} sums and {} counts; expected {} x {} and {}",
                    partial.sums.size(), partial.counts.size(), k, d, k));
  }
  return Status::OK();
}

// Hamerly bounds for exact pruning (l2 only). lower[i] bounds from below
// the euclidean distance of row i to every centroid but its own.
struct PruningState {
  std::vector<float> lower;        // [n]
  std::vector<float> second;       // [n] scratch: GEMM second-nearest distance
  std::vector<float> error_scale;  // [n] GEMM rounding scale: (2d + 8) u |x|^2
  // The largest and second-largest move of a centroid last round.
  float max_drift = 0, second_max_drift = 0;
  int32_t max_drift_label = -1;
  float error_per_norm = 0;  // (2d + 8) u, times |c|^2_max gives the centroid part
};

// Row i's lower bound from a fresh GEMM: the second-nearest distance less
// its worst-case rounding, as a euclidean (not squared) distance.
float LowerBound(const PruningState& state, size_t i, float centroid_error) {
  const float second = state.second[i] - (state.error_scale[i] + centroid_error);
  return second > 0 ? std::sqrt(second) : 0.0f;
}

void RecordDrift(const std::vector<float>& before, const std::vector<float>& after, size_t k,
                 size_t d, PruningState* state) {
  state->max_drift = state->second_max_drift = 0;
  state->max_drift_label = -1;
  for (size_t c = 0; c < k; ++c) {
    double moved = 0;
    for (size_t t = 0; t < d; ++t) {
      const double delta = static_cast<double>(after[c * d + t]) - before[c * d + t];
      moved += delta * delta;
    }
    // Rounded up so that the bound stays a bound.
    const float drift = static_cast<float>(std::sqrt(moved) * (1 + 1e-6) + 1e-30);
    if (drift > state->max_drift) {
      state->second_max_drift = state->max_drift;
      state->max_drift = drift;
      state->max_drift_label = static_cast<int32_t>(c);
    } else if (drift > state->second_max_drift) {
      state->second_max_drift = drift;
    }
  }
}

// One Lloyd assignment: labels and distances of every row against
// `centroids`. With `pruning`, rows whose own centroid is provably nearest
// keep it without the GEMM.
Status AssignRound(const float* data, size_t n, size_t d, const std::vector<float>& centroids,
                   size_t k, Metric metric, const std::vector<float>& bias, bool first_round,
                   PruningState* pruning, Executor& executor, int32_t* labels, float* distances) {
  std::vector<float> norms(k);
  for (size_t c = 0; c < k; ++c) {
    double sum = 0;
    for (size_t t = 0; t < d; ++t)
      sum += static_cast<double>(centroids[c * d + t]) * centroids[c * d + t];
    norms[c] = static_cast<float>(sum);
  }
  AssignRequest request;
  request.data = data;
  request.n = n;
  request.centroids = centroids.data();
  request.k = k;
  request.d = d;
  request.metric = metric;
  request.centroid_norms = metric == Metric::kDot ? nullptr : norms.data();
  request.bias = bias.empty() ? nullptr : bias.data();
  AssignOutput output;
  output.labels = labels;
  output.distances = distances;
  if (pruning == nullptr) return AssignNearestRows(request, executor, output);

  const float max_norm = *std::max_element(norms.begin(), norms.end());
  const float centroid_error = pruning->error_per_norm * max_norm;
  output.second_distances = pruning->second.data();
  std::vector<uint32_t> recompute;
  if (!first_round) {
    const DistanceKernels& kernels = Kernels();
    const int64_t tasks = static_cast<int64_t>((n + kRowsPerTask - 1) / kRowsPerTask);
    std::vector<std::vector<uint32_t>> per_task(tasks);
    IXRAY_RETURN_NOT_OK(executor.ParallelFor(tasks, [&](int64_t task) {
      const size_t end = std::min(n, static_cast<size_t>(task + 1) * kRowsPerTask);
      for (size_t i = static_cast<size_t>(task) * kRowsPerTask; i < end; ++i) {
        const int32_t own = labels[i];
        float& lower = pruning->lower[i];
        lower -= own == pruning->max_drift_label ? pruning->second_max_drift : pruning->max_drift;
        const float distance = kernels.l2_f32(data + i * d, centroids.data() + own * d, d);
        distances[i] = distance;
        const float margin = 2 * (pruning->error_scale[i] + centroid_error);
        if (!(lower > 0 && distance + margin < lower * lower)) {
          per_task[task].push_back(static_cast<uint32_t>(i));
        }
      }
      return Status::OK();
    }));
    for (const auto& rows : per_task) recompute.insert(recompute.end(), rows.begin(), rows.end());
    if (recompute.empty()) return Status::OK();
  }
  // The first round, or mostly unpruned (centroids still moving, or crowded
  // data): a plain GEMM over all rows beats gathering them.
  const bool all_rows = first_round || recompute.size() * 4 > n * 3;
  request.rows = all_rows ? nullptr : recompute.data();
  request.num_rows = all_rows ? 0 : recompute.size();
  IXRAY_RETURN_NOT_OK(AssignNearestRows(request, executor, output));
  if (all_rows) {
    for (size_t i = 0; i < n; ++i) pruning->lower[i] = LowerBound(*pruning, i, centroid_error);
  } else {
    for (uint32_t i : recompute) pruning->lower[i] = LowerBound(*pruning, i, centroid_error);
  }
  return Status::OK();
}

// Lloyd rounds on prepared rows (metric kL2 or kDot here), from the k
// centroids in result->centroids, at most `rounds` of them.
Status RunLloyd(const float* data, size_t n, size_t d, const KMeansOptions& options, Metric metric,
                int rounds, Executor& executor, KMeansResult* result) {
  const size_t k = result->centroids.size() / d;
  std::vector<int32_t> labels(n, 0);
  std::vector<float> distances(n, 0.0f);
  std::vector<float> bias;
  PruningState pruning;
  const bool prune = metric == Metric::kL2 && !options.balanced;
  if (prune) {
    pruning.lower.assign(n, 0.0f);
    pruning.second.assign(n, 0.0f);
    pruning.error_scale.resize(n);
    pruning.error_per_norm = static_cast<float>((2.0 * d + 8) * 0x1.0p-24);
    const DistanceKernels& kernels = Kernels();
    for (size_t i = 0; i < n; ++i) {
      pruning.error_scale[i] =
          pruning.error_per_norm * kernels.dot_f32(data + i * d, data + i * d, d);
    }
  }
  double previous_objective = 0;
  for (int round = 0; round < rounds; ++round) {
    IXRAY_RETURN_NOT_OK(AssignRound(data, n, d, result->centroids, k, metric, bias, round == 0,
                                    prune ? &pruning : nullptr, executor, labels.data(),
                                    distances.data()));
    KMeansPartial partial;
    IXRAY_RETURN_NOT_OK(
        AccumulateAssigned(data, n, d, k, labels.data(), distances.data(), executor, &partial));
    result->objective = partial.objective;
    result->cluster_sizes = partial.counts;
    IXRAY_ASSIGN_OR_RAISE(std::vector<float> next,
                          CentroidsFromPartials({partial}, result->centroids, k, d, metric,
                                                LloydRoundSeed(options.seed, round)));
    if (prune) RecordDrift(result->centroids, next, k, d, &pruning);
    result->centroids = std::move(next);
    result->iterations++;
    if (round > 0 && std::abs(previous_objective - result->objective) <=
                         options.tolerance * previous_objective) {
      break;
    }
    previous_objective = result->objective;
    if (options.balanced) {
      // A step of dual ascent on "every size = n / k": the penalties add up
      // over rounds, so they settle instead of swinging rows back and forth.
      const double mean_size = static_cast<double>(n) / k;
      const double mean_distance = std::abs(result->objective) / n;
      bias.resize(k, 0.0f);
      for (size_t c = 0; c < k; ++c) {
        bias[c] += static_cast<float>(options.balance_factor * mean_distance *
                                      (result->cluster_sizes[c] / mean_size - 1));
      }
    }
  }
  return Status::OK();
}

// Flat k-means: initialization, then Lloyd.
Result<KMeansResult> TrainFlat(const float* data, size_t n, size_t d, const KMeansOptions& options,
                               Metric metric, Executor& executor) {
  const size_t k = static_cast<size_t>(options.k);
  Random random(options.seed);
  KMeansResult result;
  result.centroids.resize(k * d);
  if (options.init == KMeansInit::kPlusPlus) {
    IXRAY_RETURN_NOT_OK(InitPlusPlus(data, n, d, k, random, executor, result.centroids.data()));
  } else {
    const std::vector<uint32_t> rows = RandomDistinctRows(n, k, random);
    for (size_t c = 0; c < k; ++c) {
      std::copy_n(data + static_cast<size_t>(rows[c]) * d, d, result.centroids.data() + c * d);
    }
  }
  NormalizeCentroidsIfDot(metric, &result.centroids, k, d);
  result.cluster_sizes.assign(k, 0);
  IXRAY_RETURN_NOT_OK(RunLloyd(data, n, d, options, metric, options.max_iters, executor, &result));
  return result;
}

// Shares of k for the coarse groups, proportional to their weights, each at
// least 1 and at most the group's size (largest remainders first; ties:
// lower index).
std::vector<size_t> SplitShares(const std::vector<int64_t>& sizes,
                                const std::vector<double>& weights, size_t k) {
  const size_t groups = sizes.size();
  std::vector<size_t> shares(groups, 0);
  std::vector<double> exact(groups);
  double total_weight = 0;
  for (double w : weights) total_weight += w;
  size_t total = 0;
  for (size_t g = 0; g < groups; ++g) {
    const size_t size = static_cast<size_t>(sizes[g]);
    exact[g] = static_cast<double>(k) * weights[g] / total_weight;
    if (size > 0) shares[g] = std::min(size, std::max<size_t>(1, static_cast<size_t>(exact[g])));
    total += shares[g];
  }
  while (total != k) {
    const bool grow = total < k;
    size_t pick = groups;
    for (size_t g = 0; g < groups; ++g) {
      const bool can = grow ? shares[g] < static_cast<size_t>(sizes[g]) : shares[g] > 1;
      if (!can) continue;
      const double gap = exact[g] - static_cast<double>(shares[g]);
      if (pick == groups ||
          (grow ? gap > exact[pick] - shares[pick] : gap < exact[pick] - shares[pick])) {
        pick = g;
      }
    }
    shares[pick] += grow ? 1 : -1;
    total += grow ? 1 : -1;
  }
  return shares;
}

Result<KMeansResult> TrainTwoLevel(const float* data, size_t n, size_t d,
                                   const KMeansOptions& options, Metric metric,
                                   Executor& executor) {
  const size_t k = static_cast<size_t>(options.k);
  KMeansOptions coarse_options = options;
  coarse_options.k = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(k))));
  IXRAY_ASSIGN_OR_RAISE(KMeansResult coarse,
                        TrainFlat(data, n, d, coarse_options, metric, executor));
  const size_t groups = static_cast<size_t>(coarse_options.k);
  std::vector<int32_t> labels(n);
  std::vector<float> distances(n);
  IXRAY_RETURN_NOT_OK(AssignNearest(data, n, coarse.centroids.data(), groups, d, metric, executor,
                                    labels.data(), distances.data()));
  std::vector<std::vector<uint32_t>> members(groups);
  std::vector<double> distortion(groups, 0.0);
  for (size_t i = 0; i < n; ++i) {
    members[labels[i]].push_back(static_cast<uint32_t>(i));
    distortion[labels[i]] += std::max(0.0f, distances[i]);
  }
  std::vector<int64_t> sizes(groups);
  std::vector<double> weights(groups);
  double total_distortion = 0;
  for (double v : distortion) total_distortion += v;
  // Centroids go where rows are many and spread out: the weight of a group
  // is the geometric mean of its size and its distortion. (By size alone, a
  // dense crowd gets more centroids than it needs and a sparse group too
  // few; by distortion alone the sizes of the partitions drift apart.)
  for (size_t g = 0; g < groups; ++g) {
    sizes[g] = static_cast<int64_t>(members[g].size());
    weights[g] = total_distortion > 0 ? std::sqrt(static_cast<double>(sizes[g]) * distortion[g])
                                      : static_cast<double>(sizes[g]);
  }
  const std::vector<size_t> shares = SplitShares(sizes, weights, k);

  // Largest groups first, so the longest tasks start early.
  std::vector<size_t> schedule(groups);
  std::iota(schedule.begin(), schedule.end(), 0);
  std::stable_sort(schedule.begin(), schedule.end(),
                   [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  std::vector<KMeansResult> fine(groups);
  IXRAY_RETURN_NOT_OK(executor.ParallelFor(static_cast<int64_t>(groups), [&](int64_t task) {
    const size_t g = schedule[task];
    if (shares[g] == 0) return Status::OK();
    std::vector<float> rows(members[g].size() * d);
    for (size_t r = 0; r < members[g].size(); ++r) {
      std::copy_n(data + static_cast<size_t>(members[g][r]) * d, d, rows.data() + r * d);
    }
    KMeansOptions fine_options = options;
    fine_options.k = static_cast<int>(shares[g]);
    fine_options.seed = MixSeed(options.seed, 1000003 + g);
    IXRAY_ASSIGN_OR_RAISE(
        fine[g], TrainFlat(rows.data(), members[g].size(), d, fine_options, metric, executor));
    return Status::OK();
  }));
  KMeansResult result;
  result.objective = 0;
  int fine_iterations = 0;
  for (size_t g = 0; g < groups; ++g) {
    if (shares[g] == 0) continue;
    result.centroids.insert(result.centroids.end(), fine[g].centroids.begin(),
                            fine[g].centroids.end());
    result.cluster_sizes.insert(result.cluster_sizes.end(), fine[g].cluster_sizes.begin(),
                                fine[g].cluster_sizes.end());
    result.objective += fine[g].objective;
    fine_iterations = std::max(fine_iterations, fine[g].iterations);
  }
  result.iterations = coarse.iterations + fine_iterations;
  // Rows near a coarse border may belong to a centroid of the neighbouring
  // group: a few global rounds move them (each at most one flat round).
  KMeansOptions refine_options = options;
  refine_options.seed = MixSeed(options.seed, 2000003);
  IXRAY_RETURN_NOT_OK(
      RunLloyd(data, n, d, refine_options, metric, options.refine_iters, executor, &result));
  return result;
}

}  // namespace

Result<KMeansResult> TrainKMeans(const float* data, size_t n, size_t d,
                                 const KMeansOptions& options, Executor& executor) {
  IXRAY_RETURN_NOT_OK(ValidateMetric(options.metric));
  if (options.k < 1) return Status::InvalidArgument("k-means needs k >= 1");
  if (d == 0) return Status::InvalidArgument("k-means needs dimension >= 1");
  if (options.max_iters < 0 || options.refine_iters < 0) {
    return Status::InvalidArgument("k-means needs max_iters >= 0 and refine_iters >= 0");
  }
  if (n < static_cast<size_t>(options.k)) {
    return Status::InvalidArgument(
        fmt::format("k-means needs at least k = {} training rows, got {}", options.k, n));
  }
  if (n > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("k-means sample too large (more than 2^32 rows)");
  }
  std::vector<float> normalized;
  if (options.metric == Metric::kCosine) {
    normalized.assign(data, data + n * d);
    NormalizeRows(normalized.data(), n, d);
    data = normalized.data();
  }
  const Metric metric = AssignMetric(options.metric);
  const bool two_level =
      options.hierarchical == KMeansHierarchy::kTwoLevel ||
      (options.hierarchical == KMeansHierarchy::kAuto && options.k >= options.hierarchical_min_k);
  if (two_level && options.k > 1) return TrainTwoLevel(data, n, d, options, metric, executor);
  return TrainFlat(data, n, d, options, metric, executor);
}

uint64_t LloydRoundSeed(uint64_t seed, int round) {
  return MixSeed(seed, static_cast<uint64_t>(round) + 1);
}

Status AccumulatePartial(const float* data, size_t n, size_t d, const float* centroids, size_t k,
                         Metric metric, Executor& executor, KMeansPartial* out) {
  IXRAY_RETURN_NOT_OK(ValidateMetric(metric));
  if (k == 0 || d == 0) return Status::InvalidArgument("k-means needs k >= 1 and dimension >= 1");
  std::vector<float> normalized;
  if (metric == Metric::kCosine) {
    normalized.assign(data, data + n * d);
    NormalizeRows(normalized.data(), n, d);
    data = normalized.data();
  }
  std::vector<int32_t> labels(n);
  std::vector<float> distances(n);
  const std::vector<float> shared(centroids, centroids + k * d);
  IXRAY_RETURN_NOT_OK(AssignRound(data, n, d, shared, k, AssignMetric(metric), {}, true, nullptr,
                                  executor, labels.data(), distances.data()));
  return AccumulateAssigned(data, n, d, k, labels.data(), distances.data(), executor, out);
}

Result<std::vector<float>> CentroidsFromPartials(const std::vector<KMeansPartial>& partials,
                                                 const std::vector<float>& previous, size_t k,
                                                 size_t d, Metric metric, uint64_t seed) {
  IXRAY_RETURN_NOT_OK(ValidateMetric(metric));
  if (previous.size() != k * d) {
    return Status::InvalidArgument(
        fmt::format("previous centroids have {} values; expected {} x {}", previous.size(), k, d));
  }
  std::vector<double> sums(k * d, 0.0);
  std::vector<int64_t> counts(k, 0);
  for (const KMeansPartial& partial : partials) {
    IXRAY_RETURN_NOT_OK(CheckPartialShape(partial, k, d));
    for (size_t i = 0; i < k * d; ++i) sums[i] += partial.sums[i];
    for (size_t c = 0; c < k; ++c) counts[c] += partial.counts[c];
  }
  std::vector<float> centroids(k * d);
  for (size_t c = 0; c < k; ++c) {
    for (size_t t = 0; t < d; ++t) {
      centroids[c * d + t] =
          counts[c] > 0 ? static_cast<float>(sums[c * d + t] / counts[c]) : previous[c * d + t];
    }
  }
  NormalizeCentroidsIfDot(metric, &centroids, k, d);

  // Empty-cluster repair: split the largest cluster in two.
  Random random(seed);
  for (size_t empty = 0; empty < k; ++empty) {
    if (counts[empty] > 0) continue;
    const size_t largest =
        static_cast<size_t>(std::max_element(counts.begin(), counts.end()) - counts.begin());
    if (counts[largest] < 2) continue;  // nothing to share: keep `previous`
    float* big = centroids.data() + largest * d;
    float* fresh = centroids.data() + empty * d;
    double mean_magnitude = 0;
    for (size_t t = 0; t < d; ++t) mean_magnitude += std::abs(big[t]);
    mean_magnitude = mean_magnitude / d + 1e-30;
    for (size_t t = 0; t < d; ++t) {
      const double sign = (random.Next() >> 63) ? 1.0 : -1.0;
      const double delta = sign * kSplitPerturbation * (std::abs(big[t]) + mean_magnitude);
      fresh[t] = static_cast<float>(big[t] + delta);
      big[t] = static_cast<float>(big[t] - delta);
    }
    if (metric == Metric::kDot) {
      NormalizeRows(big, 1, d);
      NormalizeRows(fresh, 1, d);
    }
    counts[empty] = counts[largest] / 2;
    counts[largest] -= counts[empty];
  }
  return centroids;
}

std::string SerializeKMeansPartial(const KMeansPartial& partial) {
  std::string bytes;
  format::ByteWriter writer(&bytes);
  const size_t k = partial.counts.size();
  const size_t d = k == 0 ? 0 : partial.sums.size() / k;
  writer.PutU32(kPartialMagic);
  writer.PutU32(kPartialVersion);
  writer.PutU64(k);
  writer.PutU64(d);
  writer.PutU64(std::bit_cast<uint64_t>(partial.objective));
  for (int64_t count : partial.counts) writer.Put<int64_t>(count);
  for (double sum : partial.sums) writer.PutU64(std::bit_cast<uint64_t>(sum));
  return bytes;
}

Result<KMeansPartial> DeserializeKMeansPartial(std::string_view bytes) {
  format::ByteReader reader(
      std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  IXRAY_ASSIGN_OR_RAISE(uint32_t magic, reader.GetU32("k-means partial magic"));
  if (magic != kPartialMagic) return Status::Corruption("not a k-means partial (bad magic)");
  IXRAY_ASSIGN_OR_RAISE(uint32_t version, reader.GetU32("k-means partial version"));
  if (version != kPartialVersion) {
    return Status::Corruption(fmt::format("unsupported k-means partial version {}", version));
  }
  IXRAY_ASSIGN_OR_RAISE(uint64_t k, reader.GetU64("k-means partial k"));
  IXRAY_ASSIGN_OR_RAISE(uint64_t d, reader.GetU64("k-means partial dimension"));
  IXRAY_ASSIGN_OR_RAISE(uint64_t objective, reader.GetU64("k-means partial objective"));
  IXRAY_RETURN_NOT_OK(reader.CheckCount(k, 8, "k-means partial counts"));
  if (d != 0 && k > std::numeric_limits<uint64_t>::max() / d) {
    return Status::Corruption("k-means partial shape overflows");
  }
  IXRAY_RETURN_NOT_OK(reader.CheckCount(k + k * d, 8, "k-means partial values"));
  if (reader.remaining() != (k + k * d) * 8) {
    return Status::Corruption("k-means partial has trailing bytes");
  }
  KMeansPartial partial;
  partial.objective = std::bit_cast<double>(objective);
  partial.counts.resize(k);
  for (auto& count : partial.counts) {
    IXRAY_ASSIGN_OR_RAISE(count, reader.Get<int64_t>("k-means partial count"));
  }
  partial.sums.resize(k * d);
  for (auto& sum : partial.sums) {
    IXRAY_ASSIGN_OR_RAISE(uint64_t bits, reader.GetU64("k-means partial sum"));
    sum = std::bit_cast<double>(bits);
  }
  return partial;
}

}  // namespace ixray::vector
