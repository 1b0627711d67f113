#include <fmt/format.h>

#include "core/bit_util.h"
#include "ixray/builder.h"
#include "ixray/compute.h"

namespace ixray {

namespace {

template <typename T>
void TakeFixed(const Array& array, std::span<const int64_t> indices, ArrayBuilder* out) {
  const T* values = array.data<T>();
  if (array.null_count() == 0) {
    for (int64_t i : indices) out->Append<T>(values[i]);
    return;
  }
  for (int64_t i : indices) {
    if (array.IsValid(i)) {
      out->Append<T>(values[i]);
    } else {
      out->AppendNull();
    }
  }
}

}  // namespace

Result<ArrayPtr> Take(const Array& array, std::span<const int64_t> indices) {
  for (int64_t i : indices) {
    if (i < 0 || i >= array.length()) {
      return Status::InvalidArgument(
          fmt::format("take index {} outside an array of length {}", i, array.length()));
    }
  }
  ArrayBuilder out(array.type());
  out.Reserve(static_cast<int64_t>(indices.size()));
  switch (array.type()->bit_width()) {
    case 8:
      TakeFixed<uint8_t>(array, indices, &out);
      break;
    case 16:
      TakeFixed<uint16_t>(array, indices, &out);
      break;
    case 32:
      TakeFixed<uint32_t>(array, indices, &out);
      break;
    case 64:
      TakeFixed<uint64_t>(array, indices, &out);
      break;
    default:
      if (array.type()->is_string_like()) {
        for (int64_t i : indices) {
          if (array.IsValid(i)) {
            out.AppendString(array.StringValue(i));
          } else {
            out.AppendNull();
          }
        }
      } else {
        for (int64_t i : indices) IXRAY_RETURN_NOT_OK(out.AppendFrom(array, i, 1));
      }
  }
  return out.Finish();
}

Result<RecordBatchPtr> Take(const RecordBatch& batch, std::span<const int64_t> indices) {
  std::vector<ArrayPtr> columns;
  columns.reserve(batch.num_columns());
  for (const auto& column : batch.columns()) {
    IXRAY_ASSIGN_OR_RAISE(auto taken, Take(*column, indices));
    columns.push_back(std::move(taken));
  }
  return std::make_shared<const RecordBatch>(batch.schema(), static_cast<int64_t>(indices.size()),
                                             std::move(columns));
}

std::vector<int64_t> SelectedIndices(const Array& mask) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < mask.length(); ++i) {
    if (mask.IsValid(i) && mask.BoolValue(i)) out.push_back(i);
  }
  return out;
}

Result<ArrayPtr> Filter(const Array& array, const Array& mask) {
  if (mask.type()->id() != TypeId::kBool || mask.length() != array.length()) {
    return Status::InvalidArgument("filter mask must be a bool array of the same length");
  }
  const auto indices = SelectedIndices(mask);
  if (static_cast<int64_t>(indices.size()) == array.length()) {
    return array.Slice(0, array.length());
  }
  return Take(array, indices);
}

}  // namespace ixray
