#include "index/vector/metric.h"

#include <cmath>
#include <string>

namespace ixray::vector {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char ca = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (ca != b[i]) return false;
  }
  return true;
}

}  // namespace

Result<Metric> ParseMetric(std::string_view name) {
  if (EqualsIgnoreCase(name, "l2") || EqualsIgnoreCase(name, "euclidean")) return Metric::kL2;
  if (EqualsIgnoreCase(name, "cosine")) return Metric::kCosine;
  if (EqualsIgnoreCase(name, "dot")) return Metric::kDot;
  if (EqualsIgnoreCase(name, "hamming")) return Metric::kHamming;
  return Status::InvalidArgument("unknown metric '" + std::string(name) +
                                 "'; valid metrics are l2 (or euclidean), cosine, dot, hamming");
}

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kL2:
      return "l2";
    case Metric::kCosine:
      return "cosine";
    case Metric::kDot:
      return "dot";
    case Metric::kHamming:
      return "hamming";
  }
  return "unknown";
}

void NormalizeRows(float* x, size_t n, size_t d) {
  for (size_t i = 0; i < n; ++i) {
    float* row = x + i * d;
    double norm2 = 0;
    for (size_t j = 0; j < d; ++j) norm2 += static_cast<double>(row[j]) * row[j];
    if (norm2 == 0) continue;
    const float scale = static_cast<float>(1.0 / std::sqrt(norm2));
    for (size_t j = 0; j < d; ++j) row[j] *= scale;
  }
}

}  // namespace ixray::vector
