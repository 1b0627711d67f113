// ScalarQuantizer: the 8-bit SQ codec of IVF_SQ. Each dimension j has its
// own range, learned from the training sample as [min_j, max_j] and cut into
// 256 equal steps of vscale_j = (max_j - min_j) / 256. A value is stored as
// the step it falls in, code = floor((x - vmin_j) / vscale_j) clamped to
// [0, 255], and read back as the step's midpoint
//   value = vmin_j + (code + 0.5) * vscale_j
// the convention of the sq8 kernels of kernels/distance.h. Inside the
// trained range the round-trip error is at most vscale_j / 2; values outside
// it are clamped to the nearest end step. A constant dimension (vscale 0)
// decodes to its constant exactly.
//
// Thread safety: immutable after construction; every const method may be
// called from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray::vector {

class ScalarQuantizer {
 public:
  // Learns per-dimension min/max over data[n][d]. Non-finite values are
  // ignored; a dimension with no finite value gets range [0, 0].
  // REQUIRES: n >= 1, d >= 1 (else InvalidArgument).
  static Result<ScalarQuantizer> Train(const float* data, size_t n, size_t d, Executor& executor);

  // Wraps known ranges. REQUIRES: vmin.size() == vscale.size() >= 1, every
  // vscale finite and >= 0 (else InvalidArgument).
  static Result<ScalarQuantizer> FromRanges(std::vector<float> vmin, std::vector<float> vscale);

  size_t dimension() const { return vmin_.size(); }
  size_t code_size() const { return vmin_.size(); }             // one byte per dimension
  const std::vector<float>& vmin() const { return vmin_; }      // [d]
  const std::vector<float>& vscale() const { return vscale_; }  // [d]

  // Encodes x[n][d] into codes[n][d]; NaN encodes as 0.
  Status Encode(const float* x, size_t n, uint8_t* codes, Executor& executor) const;
  // Decodes codes[n][d] into x[n][d].
  void Decode(const uint8_t* codes, size_t n, float* x) const;

  // Little-endian bytes: magic "IXSQ", version, d, vmin, vscale.
  std::string Serialize() const;
  // Corruption for bad magic, version, sizes or invalid ranges.
  static Result<ScalarQuantizer> Deserialize(std::string_view bytes);

 private:
  ScalarQuantizer(std::vector<float> vmin, std::vector<float> vscale)
      : vmin_(std::move(vmin)), vscale_(std::move(vscale)) {}

  std::vector<float> vmin_;
  std::vector<float> vscale_;
};

}  // namespace ixray::vector
