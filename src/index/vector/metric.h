// Metric: the distance a vector index is built and searched with, and the
// helpers every vector component shares to parse, name and prepare for it.
//
//   kL2      squared euclidean distance
//   kCosine  1 - cos(x, y); computed as l2 over unit-normalized vectors
//            (1 - cos = l2 / 2), so training and assignment normalize first
//   kDot     1 - x.y (inner product; vectors are not normalized)
//   kHamming number of differing bits of uint8 vectors
//
// Thread safety: all functions are reentrant.
#pragma once

#include <cstddef>
#include <string_view>

#include "ixray/status.h"

namespace ixray::vector {

enum class Metric { kL2, kCosine, kDot, kHamming };

// Parses a metric name, case-insensitively: "l2" (or "euclidean"), "cosine",
// "dot", "hamming". An unknown name is InvalidArgument listing the valid ones.
Result<Metric> ParseMetric(std::string_view name);

// The canonical lower-case name: "l2", "cosine", "dot" or "hamming".
std::string_view MetricName(Metric metric);

// Scales each row of x[n][d] to unit euclidean length in place. A zero row
// stays zero (it has no direction; callers treat it as farthest from all).
void NormalizeRows(float* x, size_t n, size_t d);

}  // namespace ixray::vector
