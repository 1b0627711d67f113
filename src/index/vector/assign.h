// Nearest-centroid assignment: for each data vector, the centroid (or the
// `nprobe` centroids) closest to it. This is the inner loop of k-means
// training, of IVF partitioning at build time and of IVF probing at search
// time.
//
// Large inputs go through single-precision GEMM (BLIS, single-threaded;
// parallelism comes from the Executor, one task per block of rows):
//   l2:  |x - c|^2 = |x|^2 + (|c|^2 - 2 x.c), the bracket from a GEMM block
//   dot: 1 - x.c
// and an argmin fused over each row block of the GEMM output, so the n x k
// distance matrix is never materialized. Reported distances are recomputed
// exactly with the distance kernels (so an l2 distance is never negative,
// which the GEMM form can be through cancellation). Very small inputs skip
// GEMM and use the kernels directly.
//
// Ties (equal distances) go to the lower centroid index. The result for a
// row does not depend on the executor's parallelism.
//
// Thread safety: every function is reentrant; the arrays passed are only
// read, except the outputs, which must not be shared between calls.
#pragma once

#include <cstddef>
#include <cstdint>

#include "index/vector/metric.h"
#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray::vector {

// For each row i of data[n][d], labels[i] = the index of its nearest row of
// centroids[k][d], and distances[i] (if not null) its distance: squared
// euclidean for kL2, 1 - x.c for kDot. kCosine is treated as kL2: cosine
// callers normalize both data and centroids first.
// REQUIRES: k >= 1, d >= 1, metric != kHamming (else InvalidArgument);
//           labels[n], distances[n] or null.
Status AssignNearest(const float* data, size_t n, const float* centroids, size_t k, size_t d,
                     Metric metric, Executor& executor, int32_t* labels, float* distances);

// Like AssignNearest, but the `nprobe` nearest centroids of each row, nearest
// first: labels[i * nprobe + r] is row i's (r+1)-th nearest centroid.
// REQUIRES: 1 <= nprobe <= k (else InvalidArgument); labels[n][nprobe],
//           distances[n][nprobe] or null.
Status AssignNearestN(const float* data, size_t n, const float* centroids, size_t k, size_t d,
                      Metric metric, int nprobe, Executor& executor, int32_t* labels,
                      float* distances);

// The lower-level form k-means builds on (always GEMM, any size).
struct AssignRequest {
  const float* data = nullptr;  // data[n][d]
  size_t n = 0;
  // Only these rows of data (ascending or not), num_rows of them; null: all n.
  const uint32_t* rows = nullptr;
  size_t num_rows = 0;
  const float* centroids = nullptr;  // centroids[k][d]
  size_t k = 0;
  size_t d = 0;
  Metric metric = Metric::kL2;  // kL2 (kCosine alike) or kDot
  // |c_j|^2 of each centroid, kL2 only; null: computed here.
  const float* centroid_norms = nullptr;
  // bias[k] added to each centroid's distance when choosing (balanced
  // k-means); the reported distances exclude it. Null: none.
  const float* bias = nullptr;
};

// Outputs of AssignNearestRows, indexed by data row (row `r` of the request
// writes element r, not its position in `rows`); each may be null.
struct AssignOutput {
  int32_t* labels = nullptr;   // [n] nearest centroid
  float* distances = nullptr;  // [n] exact distance to it (bias excluded)
  // [n] the GEMM-form distance to the second-nearest centroid, bias included
  // (+infinity when k == 1). Its rounding error is up to about
  // 1e-6 * d * (|x|^2 + |c|^2); k-means' pruning bounds allow for that.
  float* second_distances = nullptr;
};

// REQUIRES: k >= 1, d >= 1, metric != kHamming; each row index < n.
Status AssignNearestRows(const AssignRequest& request, Executor& executor,
                         const AssignOutput& output);

}  // namespace ixray::vector
