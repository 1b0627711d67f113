// One sub-quantizer of a product quantizer, trained on its own: what
// ProductQuantizer::Train does for each sub-space, exposed so that the
// distributed coordinator can train the sub-spaces on different workers
// and still get the codebook Train would (same k-means, same seeds).
//
// Thread safety: a pure function; `executor` runs its parallel loops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ixray/executor.h"
#include "ixray/status.h"

namespace ixray::vector {

// The 2^nbits x (d / m) centroids of sub-space j of data[n][d], trained as
// ProductQuantizer::Train(data, n, d, m, nbits, max_iters, executor, seed)
// trains them.
// REQUIRES: as ProductQuantizer::Train, and 0 <= j < m (else InvalidArgument).
Result<std::vector<float>> TrainPqSubQuantizer(const float* data, size_t n, size_t d, int m, int j,
                                               int nbits, int max_iters, uint64_t seed,
                                               Executor& executor);

}  // namespace ixray::vector
