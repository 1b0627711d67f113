#include "index/vector/sq.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <span>

#include "format/byte_coding.h"

namespace ixray::vector {

namespace {

constexpr uint32_t kSqMagic = 0x51535849;  // "IXSQ"
constexpr uint32_t kSqVersion = 1;
constexpr int64_t kRowsPerTask = 4096;
constexpr float kLevels = 256.0f;

}  // namespace

Result<ScalarQuantizer> ScalarQuantizer::Train(const float* data, size_t n, size_t d,
                                               Executor& executor) {
  if (n == 0 || d == 0) {
    return Status::InvalidArgument("SQ training needs at least one row of dimension >= 1");
  }
  const int64_t tasks = (static_cast<int64_t>(n) + kRowsPerTask - 1) / kRowsPerTask;
  // Per-task ranges, combined afterwards (min/max are exact in any order).
  std::vector<float> lows(tasks * d, std::numeric_limits<float>::infinity());
  std::vector<float> highs(tasks * d, -std::numeric_limits<float>::infinity());
  IXRAY_RETURN_NOT_OK(executor.ParallelFor(tasks, [&](int64_t task) {
    float* low = lows.data() + task * d;
    float* high = highs.data() + task * d;
    const size_t end = std::min<size_t>(n, (task + 1) * kRowsPerTask);
    for (size_t i = static_cast<size_t>(task) * kRowsPerTask; i < end; ++i) {
      for (size_t j = 0; j < d; ++j) {
        const float v = data[i * d + j];
        if (!std::isfinite(v)) continue;
        low[j] = std::min(low[j], v);
        high[j] = std::max(high[j], v);
      }
    }
    return Status::OK();
  }));
  std::vector<float> vmin(d), vscale(d);
  for (size_t j = 0; j < d; ++j) {
    float low = std::numeric_limits<float>::infinity();
    float high = -low;
    for (int64_t t = 0; t < tasks; ++t) {
      low = std::min(low, lows[t * d + j]);
      high = std::max(high, highs[t * d + j]);
    }
    if (low > high) low = high = 0;  // no finite value
    vmin[j] = low;
    // In double: max - min of two finite floats may overflow float.
    const double scale = (static_cast<double>(high) - low) / kLevels;
    vscale[j] = static_cast<float>(std::min<double>(scale, std::numeric_limits<float>::max()));
  }
  return ScalarQuantizer(std::move(vmin), std::move(vscale));
}

Result<ScalarQuantizer> ScalarQuantizer::FromRanges(std::vector<float> vmin,
                                                    std::vector<float> vscale) {
  if (vmin.empty() || vmin.size() != vscale.size()) {
    return Status::InvalidArgument(
        fmt::format("SQ ranges need as many minimums as scales (>= 1), got {} and {}", vmin.size(),
                    vscale.size()));
  }
  for (size_t j = 0; j < vmin.size(); ++j) {
    if (!std::isfinite(vmin[j]) || !std::isfinite(vscale[j]) || vscale[j] < 0) {
      return Status::InvalidArgument(fmt::format("SQ range of dimension {} is invalid", j));
    }
  }
  return ScalarQuantizer(std::move(vmin), std::move(vscale));
}

Status ScalarQuantizer::Encode(const float* x, size_t n, uint8_t* codes, Executor& executor) const {
  const size_t d = dimension();
  std::vector<float> inverse(d);
  for (size_t j = 0; j < d; ++j) inverse[j] = vscale_[j] > 0 ? 1.0f / vscale_[j] : 0.0f;
  return ParallelForRange(executor, static_cast<int64_t>(n), kRowsPerTask,
                          [&](int64_t begin, int64_t end) {
                            for (size_t i = begin; i < static_cast<size_t>(end); ++i) {
                              for (size_t j = 0; j < d; ++j) {
                                const float step = (x[i * d + j] - vmin_[j]) * inverse[j];
                                // Written so that NaN lands on 0.
                                const float clamped = step >= 0 ? std::min(step, 255.0f) : 0.0f;
                                codes[i * d + j] = static_cast<uint8_t>(clamped);
                              }
                            }
                            return Status::OK();
                          });
}

void ScalarQuantizer::Decode(const uint8_t* codes, size_t n, float* x) const {
  const size_t d = dimension();
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < d; ++j) {
      x[i * d + j] = vmin_[j] + (static_cast<float>(codes[i * d + j]) + 0.5f) * vscale_[j];
    }
  }
}

std::string ScalarQuantizer::Serialize() const {
  std::string bytes;
  format::ByteWriter writer(&bytes);
  writer.PutU32(kSqMagic);
  writer.PutU32(kSqVersion);
  writer.PutU64(dimension());
  for (float v : vmin_) writer.PutU32(std::bit_cast<uint32_t>(v));
  for (float v : vscale_) writer.PutU32(std::bit_cast<uint32_t>(v));
  return bytes;
}

Result<ScalarQuantizer> ScalarQuantizer::Deserialize(std::string_view bytes) {
  format::ByteReader reader(
      std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  IXRAY_ASSIGN_OR_RAISE(uint32_t magic, reader.GetU32("SQ magic"));
  if (magic != kSqMagic) return Status::Corruption("not an SQ codec (bad magic)");
  IXRAY_ASSIGN_OR_RAISE(uint32_t version, reader.GetU32("SQ version"));
  if (version != kSqVersion) {
    return Status::Corruption(fmt::format("unsupported SQ codec version {}", version));
  }
  IXRAY_ASSIGN_OR_RAISE(uint64_t d, reader.GetU64("SQ dimension"));
  IXRAY_RETURN_NOT_OK(reader.CheckCount(d, 8, "SQ dimensions"));
  if (reader.remaining() != d * 8) return Status::Corruption("SQ codec has trailing bytes");
  std::vector<float> vmin(d), vscale(d);
  for (auto* values : {&vmin, &vscale}) {
    for (float& v : *values) {
      IXRAY_ASSIGN_OR_RAISE(uint32_t value_bits, reader.GetU32("SQ range"));
      v = std::bit_cast<float>(value_bits);
    }
  }
  auto sq = FromRanges(std::move(vmin), std::move(vscale));
  if (!sq.ok()) return Status::Corruption("SQ codec: " + sq.status().message());
  return sq;
}

}  // namespace ixray::vector
