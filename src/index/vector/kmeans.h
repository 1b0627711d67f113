// k-means training: the centroids of IVF partitions and of PQ sub-quantizers.
//
// TrainKMeans runs Lloyd's algorithm on a sample the caller has drawn:
// initialization (k-means++ on a subsample, or k distinct random rows), then
// up to max_iters rounds of "assign every row to its nearest centroid"
// (assign.h: GEMM with a fused argmin) and "move every centroid to the mean of
// its rows". Metrics:
//   l2      plain k-means on squared euclidean distance
//   cosine  the rows are normalized (a copy), then l2
//   dot     spherical k-means, as FAISS does for inner product: rows are
//           assigned by largest x.c and centroids are re-normalized each round
//
// Exact pruning: for l2 and cosine each row keeps a lower bound on its
// distance to every centroid but its own (Hamerly's bound, moved by how far
// the centroids moved). A row whose own centroid is provably still nearest,
// with a margin for GEMM rounding, skips the GEMM; the result is the same as
// the plain algorithm's, only cheaper once centroids settle. It pays on
// well-separated clusters; on crowded high-dimensional data most rows fail
// the test and the round is a plain GEMM over all rows.
//
// Large k (KMeansHierarchy): two-level training, sqrt(k) coarse clusters
// split proportionally, then a few global rounds (see kTwoLevel).
//
// Distributed form: one round of flat Lloyd is AccumulatePartial on each
// worker's rows (per-cluster sums and counts against the shared centroids)
// followed by CentroidsFromPartials on the coordinator. TrainKMeans' rounds
// are built on exactly these two steps over one partial, so a distributed
// run over one split gives identical centroids, and over several splits
// centroids that differ only by the rounding of summing the partials in
// another order.
//
// Determinism: for a given input, options and seed the result is identical
// whatever the executor's parallelism (partial sums are reduced in a fixed
// order).
//
// Thread safety: all functions are reentrant; inputs are only read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "index/vector/metric.h"
#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray::vector {

enum class KMeansInit {
  kPlusPlus,  // k-means++ (D^2 sampling) on a random subsample of 8 * k rows
  kRandom,    // k distinct random rows (what FAISS does)
};

enum class KMeansHierarchy {
  // Two-level when k >= KMeansOptions::hierarchical_min_k, else flat.
  kAuto,
  kFlat,
  // ceil(sqrt(k)) coarse clusters first; then each coarse group is split
  // into a share of the k centroids (proportional to sqrt(size x distortion)
  // of the group) by k-means on its own rows; then refine_iters global
  // Lloyd rounds over all k centroids let rows cross group borders. Each
  // level runs up to max_iters rounds on GEMMs sqrt(k) times narrower, so
  // the whole costs about refine_iters + 2 flat rounds; on the benchmark
  // sets its objective matched or beat flat k-means with max_iters rounds.
  kTwoLevel,
};

struct KMeansOptions {
  int k = 0;                    // number of centroids; REQUIRES 1 <= k <= n
  int max_iters = 50;           // Lloyd rounds (assign + update); 0 returns the initial centroids
  Metric metric = Metric::kL2;  // kL2, kCosine or kDot
  uint64_t seed = 42;
  // Stop early once |objective change| <= tolerance * previous objective.
  double tolerance = 1e-4;
  KMeansInit init = KMeansInit::kPlusPlus;
  KMeansHierarchy hierarchical = KMeansHierarchy::kAuto;
  int hierarchical_min_k = 1024;
  // Two-level only: global Lloyd rounds over all k centroids after the split.
  int refine_iters = 3;
  // Balanced k-means: each centroid carries a penalty added to its distance
  // when rows choose their nearest centroid. After every round it grows by
  // balance_factor * (mean distance of a row to its centroid) *
  // (cluster size / (n / k) - 1): crowded clusters lose their border rows to
  // smaller neighbours, and small ones attract (a dual-ascent step on "every
  // size = n / k", so the penalties settle instead of oscillating). A soft
  // pressure, not a hard cap; the objective reported is the plain,
  // unpenalized one. Turns exact pruning off.
  bool balanced = false;
  double balance_factor = 0.1;
};

struct KMeansResult {
  std::vector<float> centroids;  // [k][d]; unit length for kDot
  // Lloyd rounds run (two-level: coarse + the most any fine group ran + refine).
  int iterations = 0;
  // Sum of the rows' distances (l2: squared) to their nearest centroid in the
  // last round's assignment, as FAISS reports it (cosine: over the
  // normalized rows; dot: sum of 1 - x.c).
  double objective = 0;
  std::vector<int64_t> cluster_sizes;  // [k] rows per centroid in the last assignment
};

// Trains k centroids on data[n][d].
// REQUIRES: 1 <= k <= n, d >= 1, max_iters >= 0, refine_iters >= 0,
//           metric l2/cosine/dot;
//           otherwise InvalidArgument (fewer rows than k is an error, not a
//           clamp: the caller should lower k). Fewer *distinct* rows than k
//           is allowed: empty clusters are repaired by splitting, so some
//           centroids come out near-duplicates.
Result<KMeansResult> TrainKMeans(const float* data, size_t n, size_t d,
                                 const KMeansOptions& options, Executor& executor);

// One worker's share of a Lloyd round.
struct KMeansPartial {
  std::vector<double> sums;     // [k][d]: sum of the rows assigned to each centroid
  std::vector<int64_t> counts;  // [k]: how many rows each centroid got
  double objective = 0;         // sum of those rows' distances (see KMeansResult)
};

// Assigns data[n][d] to the nearest of centroids[k][d] and accumulates the
// per-centroid sums, counts and objective into *out (resized to k x d and
// zeroed first). kCosine normalizes each row before use.
// REQUIRES: k >= 1, d >= 1, metric l2/cosine/dot.
Status AccumulatePartial(const float* data, size_t n, size_t d, const float* centroids, size_t k,
                         Metric metric, Executor& executor, KMeansPartial* out);

// The next centroids [k][d] from the workers' partials: the sum of the
// partials (in the order given) divided by the count; for kDot normalized to
// unit length. A centroid that got no rows is repaired: the largest cluster
// (ties: lowest index) is split, both halves becoming its centroid moved by
// +/- a small symmetric perturbation (about 1/1024 of each coordinate's
// magnitude, signs drawn from `seed`), its count shared between them, as
// FAISS does; if no cluster has two rows left to share, the centroid keeps
// its value from `previous`.
// REQUIRES: every partial has shape k x d; previous is k x d (else
// InvalidArgument).
Result<std::vector<float>> CentroidsFromPartials(const std::vector<KMeansPartial>& partials,
                                                 const std::vector<float>& previous, size_t k,
                                                 size_t d, Metric metric, uint64_t seed);

// The seed CentroidsFromPartials gets in Lloyd round `round` (from 0) of
// TrainKMeans with `seed`, so a distributed run repairs empty clusters alike.
uint64_t LloydRoundSeed(uint64_t seed, int round);

// Little-endian bytes: magic "IXKP", version, k, d, objective, counts, sums.
std::string SerializeKMeansPartial(const KMeansPartial& partial);
// Corruption for bad magic, version or sizes.
Result<KMeansPartial> DeserializeKMeansPartial(std::string_view bytes);

}  // namespace ixray::vector
