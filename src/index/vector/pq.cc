#include "index/vector/pq.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <span>

#include "format/byte_coding.h"
#include "index/vector/assign.h"
#include "index/vector/kernels/distance.h"
#include "index/vector/kmeans.h"
#include "index/vector/pq_train.h"

namespace ixray::vector {

namespace {

constexpr uint32_t kPqMagic = 0x51505849;  // "IXPQ"
constexpr uint32_t kPqVersion = 1;
constexpr size_t kEncodeRowsPerTask = 1024;

Status ValidateShape(size_t d, int m, int nbits) {
  if (nbits != 4 && nbits != 8) {
    return Status::InvalidArgument(fmt::format("PQ nbits must be 4 or 8, got {}", nbits));
  }
  if (d == 0 || m < 1) {
    return Status::InvalidArgument(
        fmt::format("PQ needs dimension >= 1 and num_sub_vectors >= 1, got {} and {}", d, m));
  }
  if (d % static_cast<size_t>(m) != 0) {
    return Status::InvalidArgument(
        fmt::format("PQ num_sub_vectors {} must divide the dimension {}", m, d));
  }
  return Status::OK();
}

}  // namespace

ProductQuantizer::ProductQuantizer(size_t d, int m, int nbits, std::vector<float> codebook)
    : d_(d), m_(m), nbits_(nbits), codebook_(std::move(codebook)) {
  const size_t k = ksub(), dsub = sub_dimension();
  codebook_transposed_.resize(codebook_.size());
  for (size_t j = 0; j < static_cast<size_t>(m_); ++j) {
    const float* in = codebook_.data() + j * k * dsub;
    float* out = codebook_transposed_.data() + j * k * dsub;
    for (size_t c = 0; c < k; ++c) {
      for (size_t t = 0; t < dsub; ++t) out[t * k + c] = in[c * dsub + t];
    }
  }
}

Result<std::vector<float>> TrainPqSubQuantizer(const float* data, size_t n, size_t d, int m, int j,
                                               int nbits, int max_iters, uint64_t seed,
                                               Executor& executor) {
  IXRAY_RETURN_NOT_OK(ValidateShape(d, m, nbits));
  if (j < 0 || j >= m) {
    return Status::InvalidArgument(fmt::format("PQ sub-space {} is not in [0, {})", j, m));
  }
  const size_t ksub = size_t{1} << nbits;
  if (n < ksub) {
    return Status::InvalidArgument(
        fmt::format("PQ training with {} bits needs at least {} rows, got {}", nbits, ksub, n));
  }
  const size_t dsub = d / m;
  std::vector<float> sub(n * dsub);
  for (size_t i = 0; i < n; ++i) {
    std::copy_n(data + i * d + j * dsub, dsub, sub.data() + i * dsub);
  }
  KMeansOptions options;
  options.k = static_cast<int>(ksub);
  options.max_iters = max_iters;
  options.seed = seed + static_cast<uint64_t>(j) * 0x9e3779b97f4a7c15ULL;
  options.hierarchical = KMeansHierarchy::kFlat;
  IXRAY_ASSIGN_OR_RAISE(KMeansResult result, TrainKMeans(sub.data(), n, dsub, options, executor));
  return std::move(result.centroids);
}

Result<ProductQuantizer> ProductQuantizer::Train(const float* data, size_t n, size_t d, int m,
                                                 int nbits, int max_iters, Executor& executor,
                                                 uint64_t seed) {
  IXRAY_RETURN_NOT_OK(ValidateShape(d, m, nbits));
  const size_t ksub = size_t{1} << nbits;
  if (n < ksub) {
    return Status::InvalidArgument(
        fmt::format("PQ training with {} bits needs at least {} rows, got {}", nbits, ksub, n));
  }
  const size_t dsub = d / m;
  std::vector<float> codebook(static_cast<size_t>(m) * ksub * dsub);
  IXRAY_RETURN_NOT_OK(executor.ParallelFor(m, [&](int64_t j) -> Status {
    IXRAY_ASSIGN_OR_RAISE(auto centroids, TrainPqSubQuantizer(data, n, d, m, static_cast<int>(j),
                                                              nbits, max_iters, seed, executor));
    std::copy(centroids.begin(), centroids.end(),
              codebook.begin() + static_cast<size_t>(j) * ksub * dsub);
    return Status::OK();
  }));
  return ProductQuantizer(d, m, nbits, std::move(codebook));
}

Result<ProductQuantizer> ProductQuantizer::FromCodebook(size_t d, int m, int nbits,
                                                        std::vector<float> codebook) {
  IXRAY_RETURN_NOT_OK(ValidateShape(d, m, nbits));
  const size_t expected = (size_t{1} << nbits) * d;
  if (codebook.size() != expected) {
    return Status::InvalidArgument(fmt::format(
        "PQ codebook has {} values; expected {} sub-vectors x {} centroids x {} dimensions = {}",
        codebook.size(), m, size_t{1} << nbits, d / m, expected));
  }
  return ProductQuantizer(d, m, nbits, std::move(codebook));
}

Status ProductQuantizer::Encode(const float* x, size_t n, uint8_t* codes,
                                Executor& executor) const {
  const size_t m = static_cast<size_t>(m_);
  const size_t dsub = sub_dimension();
  const size_t k = ksub();
  const size_t bytes = code_size();
  std::vector<float> norms(m * k);
  for (size_t c = 0; c < m * k; ++c) {
    double sum = 0;
    for (size_t t = 0; t < dsub; ++t)
      sum += double{codebook_[c * dsub + t]} * codebook_[c * dsub + t];
    norms[c] = static_cast<float>(sum);
  }
  const int64_t tasks = static_cast<int64_t>((n + kEncodeRowsPerTask - 1) / kEncodeRowsPerTask);
  return executor.ParallelFor(tasks, [&](int64_t task) -> Status {
    const size_t begin = static_cast<size_t>(task) * kEncodeRowsPerTask;
    const size_t rows = std::min(n, begin + kEncodeRowsPerTask) - begin;
    std::vector<float> sub(rows * dsub);
    std::vector<int32_t> labels(rows);
    uint8_t* out = codes + begin * bytes;
    std::fill_n(out, rows * bytes, uint8_t{0});
    for (size_t j = 0; j < m; ++j) {
      for (size_t i = 0; i < rows; ++i) {
        std::copy_n(x + (begin + i) * d_ + j * dsub, dsub, sub.data() + i * dsub);
      }
      AssignRequest request;
      request.data = sub.data();
      request.n = rows;
      request.centroids = codebook_.data() + j * k * dsub;
      request.k = k;
      request.d = dsub;
      request.centroid_norms = norms.data() + j * k;
      AssignOutput output;
      output.labels = labels.data();
      IXRAY_RETURN_NOT_OK(AssignNearestRows(request, *SerialExecutor(), output));
      for (size_t i = 0; i < rows; ++i) {
        const auto code = static_cast<uint8_t>(labels[i]);
        if (nbits_ == 8) {
          out[i * bytes + j] = code;
        } else {
          out[i * bytes + j / 2] |= static_cast<uint8_t>(j % 2 == 0 ? code : code << 4);
        }
      }
    }
    return Status::OK();
  });
}

void ProductQuantizer::Decode(const uint8_t* codes, size_t n, float* x) const {
  const size_t m = static_cast<size_t>(m_);
  const size_t dsub = sub_dimension();
  const size_t k = ksub();
  const size_t bytes = code_size();
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * bytes;
    for (size_t j = 0; j < m; ++j) {
      const size_t c = nbits_ == 8 ? code[j] : (code[j / 2] >> (4 * (j % 2))) & 0xf;
      std::copy_n(codebook_.data() + (j * k + c) * dsub, dsub, x + i * d_ + j * dsub);
    }
  }
}

Status ProductQuantizer::ComputeDistanceTable(const float* q, Metric metric, float* table) const {
  if (metric == Metric::kHamming) {
    return Status::InvalidArgument("PQ distance tables support l2, cosine and dot");
  }
  const DistanceKernels& kernels = Kernels();
  const size_t dsub = sub_dimension();
  const size_t k = ksub();
  for (size_t j = 0; j < static_cast<size_t>(m_); ++j) {
    const float* centroids = codebook_transposed_.data() + j * k * dsub;
    if (metric == Metric::kDot) {
      kernels.dot_f32_transposed(q + j * dsub, centroids, k, dsub, table + j * k);
    } else {
      kernels.l2_f32_transposed(q + j * dsub, centroids, k, dsub, table + j * k);
    }
  }
  return Status::OK();
}

std::string ProductQuantizer::Serialize() const {
  std::string bytes;
  format::ByteWriter writer(&bytes);
  writer.PutU32(kPqMagic);
  writer.PutU32(kPqVersion);
  writer.PutU64(d_);
  writer.PutU32(static_cast<uint32_t>(m_));
  writer.PutU32(static_cast<uint32_t>(nbits_));
  writer.PutU64(codebook_.size());
  for (float v : codebook_) writer.PutU32(std::bit_cast<uint32_t>(v));
  return bytes;
}

Result<ProductQuantizer> ProductQuantizer::Deserialize(std::string_view bytes) {
  format::ByteReader reader(
      std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  IXRAY_ASSIGN_OR_RAISE(uint32_t magic, reader.GetU32("PQ magic"));
  if (magic != kPqMagic) return Status::Corruption("not a PQ codec (bad magic)");
  IXRAY_ASSIGN_OR_RAISE(uint32_t version, reader.GetU32("PQ version"));
  if (version != kPqVersion) {
    return Status::Corruption(fmt::format("unsupported PQ codec version {}", version));
  }
  IXRAY_ASSIGN_OR_RAISE(uint64_t d, reader.GetU64("PQ dimension"));
  IXRAY_ASSIGN_OR_RAISE(uint32_t m, reader.GetU32("PQ num_sub_vectors"));
  IXRAY_ASSIGN_OR_RAISE(uint32_t nbits, reader.GetU32("PQ nbits"));
  IXRAY_ASSIGN_OR_RAISE(uint64_t count, reader.GetU64("PQ codebook size"));
  IXRAY_RETURN_NOT_OK(reader.CheckCount(count, 4, "PQ codebook"));
  if (reader.remaining() != count * 4) return Status::Corruption("PQ codec has trailing bytes");
  std::vector<float> codebook(count);
  for (float& v : codebook) {
    IXRAY_ASSIGN_OR_RAISE(uint32_t bits, reader.GetU32("PQ codebook value"));
    v = std::bit_cast<float>(bits);
  }
  if (m > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return Status::Corruption("PQ num_sub_vectors out of range");
  }
  auto pq = FromCodebook(d, static_cast<int>(m), static_cast<int>(nbits), std::move(codebook));
  if (!pq.ok()) return Status::Corruption("PQ codec: " + pq.status().message());
  return pq;
}

}  // namespace ixray::vector
