// ProductQuantizer: the PQ codec of IVF_PQ. A d-dimensional vector is cut
// into m sub-vectors of dsub = d / m dimensions; each is replaced by the index
// of its nearest centroid in that sub-space's codebook of ksub = 2^nbits
// centroids, so a vector is stored in m bytes (8 bits) or (m + 1) / 2 bytes
// (4 bits, sub-vector 2j in the low nibble of byte j, 2j + 1 in the high
// nibble; the layout the pq_scan kernels of kernels/distance.h read).
//
// Search is asymmetric (ADC): ComputeDistanceTable turns a float query into
// an m x ksub table of per-sub-space distances, and a code's distance is the
// sum of m table entries (Kernels().pq_scan_8bit / pq_scan_4bit).
//
// Residual encoding (vector minus its IVF centroid) is the caller's job: this
// class encodes whatever vectors it is given.
//
// Thread safety: immutable after construction; every const method may be
// called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "index/vector/metric.h"
#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray::vector {

class ProductQuantizer {
 public:
  // Trains the m codebooks by k-means (l2, ksub centroids, k-means++ init,
  // max_iters rounds) on the sub-vectors of data[n][d], the sub-spaces in
  // parallel. Deterministic for a seed, whatever the executor.
  // REQUIRES: d >= 1, m >= 1, d % m == 0, nbits 4 or 8, n >= 2^nbits,
  //           max_iters >= 0; otherwise InvalidArgument.
  static Result<ProductQuantizer> Train(const float* data, size_t n, size_t d, int m, int nbits,
                                        int max_iters, Executor& executor, uint64_t seed);

  // Wraps a codebook given by the user (pq_codebook), laid out
  // codebook[m][2^nbits][d / m].
  // REQUIRES: as Train, and codebook.size() == 2^nbits * d (else InvalidArgument).
  static Result<ProductQuantizer> FromCodebook(size_t d, int m, int nbits,
                                               std::vector<float> codebook);

  size_t dimension() const { return d_; }
  int num_sub_vectors() const { return m_; }
  int nbits() const { return nbits_; }
  size_t sub_dimension() const { return d_ / m_; }
  size_t ksub() const { return size_t{1} << nbits_; }
  // [m][ksub][dsub]
  const std::vector<float>& codebook() const { return codebook_; }
  // Bytes per encoded vector: m (8 bits) or (m + 1) / 2 (4 bits).
  size_t code_size() const { return nbits_ == 8 ? m_ : (m_ + 1) / 2; }

  // Encodes x[n][d] into codes[n][code_size()] (nearest centroid per
  // sub-space, l2; ties to the lower index).
  Status Encode(const float* x, size_t n, uint8_t* codes, Executor& executor) const;

  // Reconstructs codes[n][code_size()] into x[n][d].
  void Decode(const uint8_t* codes, size_t n, float* x) const;

  // table[m][ksub] for query q[d]: kL2 (kCosine alike, on normalized
  // vectors): squared l2 of q's sub-vector j to centroid c of codebook j, so a
  // code's table sum is its squared distance to q as decoded. kDot: the
  // inner products, so the table sum is q . decoded and the search distance
  // is 1 - sum. kHamming is InvalidArgument.
  Status ComputeDistanceTable(const float* q, Metric metric, float* table) const;

  // Little-endian bytes: magic "IXPQ", version, d, m, nbits, codebook.
  std::string Serialize() const;
  // Corruption for bad magic, version, sizes or an invalid shape.
  static Result<ProductQuantizer> Deserialize(std::string_view bytes);

 private:
  ProductQuantizer(size_t d, int m, int nbits, std::vector<float> codebook);

  size_t d_;
  int m_;
  int nbits_;
  std::vector<float> codebook_;
  // [m][dsub][ksub]: each codebook dimension-major, for the *_transposed
  // kernels of ComputeDistanceTable.
  std::vector<float> codebook_transposed_;
};

}  // namespace ixray::vector
