#include "index/vector/vector_column.h"

#include "dataset/scanner.h"

#include <fmt/format.h>

#include <cmath>

#include "index/vector/kernels/distance.h"

namespace ixray::vector {

Status CheckVectorType(const std::string& column, const DataType& type, Metric metric) {
  if (type.id() != TypeId::kFixedSizeList) {
    return Status::TypeError(fmt::format(
        "column '{}' is {}, not a vector column (fixed_size_list<float32|float16|uint8, dim>)",
        column, type.ToString()));
  }
  const TypeId element = type.value_type()->id();
  if (element != TypeId::kFloat32 && element != TypeId::kFloat16 && element != TypeId::kUInt8) {
    return Status::TypeError(
        fmt::format("column '{}' is {}; vector elements must be float32, float16 or uint8", column,
                    type.ToString()));
  }
  if (metric == Metric::kHamming && element != TypeId::kUInt8) {
    return Status::TypeError(fmt::format(
        "the hamming metric needs uint8 vectors; column '{}' is {}", column, type.ToString()));
  }
  return Status::OK();
}

Status AppendFloatRows(const Array& vectors, bool expand_bits, std::vector<float>* out,
                       std::vector<int64_t>* rows) {
  const int32_t dim = vectors.type()->list_size();
  const Array& values = *vectors.values();
  const TypeId element = values.type()->id();
  const size_t width = expand_bits ? static_cast<size_t>(dim) * 8 : dim;
  const auto& kernels = Kernels();
  for (int64_t i = 0; i < vectors.length(); ++i) {
    if (vectors.IsNull(i)) continue;
    const int64_t first = (vectors.offset() + i) * dim;  // in `values`' logical slots
    const size_t at = out->size();
    out->resize(at + width);
    float* dst = out->data() + at;
    switch (element) {
      case TypeId::kFloat32:
        std::memcpy(dst, values.data<float>() + first, dim * 4);
        break;
      case TypeId::kFloat16:
        kernels.f16_to_f32(values.data<uint16_t>() + first, dim, dst);
        break;
      default: {
        const uint8_t* src = values.data<uint8_t>() + first;
        if (expand_bits) {
          for (size_t b = 0; b < width; ++b)
            dst[b] = static_cast<float>((src[b / 8] >> (b % 8)) & 1);
        } else {
          for (int32_t j = 0; j < dim; ++j) dst[j] = src[j];
        }
      }
    }
    if (!expand_bits) {
      for (int32_t j = 0; j < dim; ++j) {
        if (!std::isfinite(dst[j])) {
          out->resize(at);
          return Status::InvalidArgument(fmt::format(
              "vector at row {} has a non-finite value ({}) in dimension {}", i, dst[j], j));
        }
      }
    }
    if (rows != nullptr) rows->push_back(i);
  }
  return Status::OK();
}

Status ForEachVectorBatch(const dataset::DatasetImpl& dataset, const std::string& column,
                          const std::vector<FragmentId>& fragment_ids,
                          const std::function<Status(const Array&, const uint64_t*)>& fn) {
  return dataset::ForEachColumnBatch(
      dataset, column, fragment_ids, 16384,
      [&](const Array& vectors, std::span<const RowAddress> addresses) {
        return fn(vectors, addresses.data());
      });
}

}  // namespace ixray::vector
