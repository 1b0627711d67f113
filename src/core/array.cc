#include "ixray/array.h"

#include <fmt/format.h>

#include "core/bit_util.h"
#include "ixray/builder.h"

namespace ixray {

namespace {

int ExpectedBufferCount(TypeId id) {
  switch (id) {
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
      return 3;
    case TypeId::kFixedSizeList:
      return 1;
    default:
      return 2;  // validity + values / offsets
  }
}

Status CheckBufferSize(const BufferPtr& buffer, int64_t needed, std::string_view what,
                       const DataType& type) {
  if (buffer == nullptr) {
    if (needed == 0) return Status::OK();
    return Status::InvalidArgument(
        fmt::format("{} array: missing {} buffer", type.ToString(), what));
  }
  if (buffer->size() < needed) {
    return Status::InvalidArgument(fmt::format("{} array: {} buffer holds {} bytes, needs {}",
                                               type.ToString(), what, buffer->size(), needed));
  }
  return Status::OK();
}

template <typename Offset>
Status CheckOffsets(const Array& a, int64_t limit, std::string_view limit_name) {
  const Offset* offsets = a.buffer(1)->data_as<Offset>() + a.offset();
  if (offsets[0] < 0) {
    return Status::InvalidArgument(
        fmt::format("{} array: negative first offset {}", a.type()->ToString(), offsets[0]));
  }
  for (int64_t i = 0; i < a.length(); ++i) {
    if (offsets[i + 1] < offsets[i]) {
      return Status::InvalidArgument(
          fmt::format("{} array: offsets decrease at slot {}", a.type()->ToString(), i));
    }
  }
  if (offsets[a.length()] > limit) {
    return Status::InvalidArgument(fmt::format("{} array: last offset {} exceeds the {} ({})",
                                               a.type()->ToString(), offsets[a.length()],
                                               limit_name, limit));
  }
  return Status::OK();
}

bool SlotEquals(const Array& a, int64_t i, const Array& b, int64_t j) {
  const DataType& type = *a.type();
  switch (type.id()) {
    case TypeId::kBool:
      return a.BoolValue(i) == b.BoolValue(j);
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
      return a.StringValue(i) == b.StringValue(j);
    case TypeId::kList: {
      const int64_t a_begin = a.ValueOffset(i), a_len = a.ValueOffset(i + 1) - a_begin;
      const int64_t b_begin = b.ValueOffset(j), b_len = b.ValueOffset(j + 1) - b_begin;
      return a_len == b_len &&
             a.values()->Slice(a_begin, a_len)->Equals(*b.values()->Slice(b_begin, b_len));
    }
    case TypeId::kFixedSizeList: {
      const int64_t n = type.list_size();
      return a.values()
          ->Slice((a.offset() + i) * n, n)
          ->Equals(*b.values()->Slice((b.offset() + j) * n, n));
    }
    default: {
      // Bitwise, so NaNs with equal bits compare equal.
      const int bytes = type.bit_width() / 8;
      return std::memcmp(a.buffer(1)->data() + (a.offset() + i) * bytes,
                         b.buffer(1)->data() + (b.offset() + j) * bytes, bytes) == 0;
    }
  }
}

}  // namespace

int64_t CountNulls(const uint8_t* bitmap, int64_t offset, int64_t length) {
  if (bitmap == nullptr) return 0;
  return length - bit_util::CountSetBits(bitmap, offset, length);
}

Array::Array(TypePtr type, int64_t length, std::vector<BufferPtr> buffers,
             std::vector<ArrayPtr> children, int64_t null_count, int64_t offset)
    : type_(std::move(type)),
      length_(length),
      offset_(offset),
      null_count_(null_count),
      buffers_(std::move(buffers)),
      children_(std::move(children)) {
  if (null_count_ < 0) {
    null_count_ = buffers_[0] ? CountNulls(buffers_[0]->data(), offset_, length_) : 0;
  }
  if (null_count_ == 0) buffers_[0] = nullptr;
}

Result<ArrayPtr> MakeArray(TypePtr type, int64_t length, std::vector<BufferPtr> buffers,
                           std::vector<ArrayPtr> children, int64_t null_count, int64_t offset) {
  if (type == nullptr) return Status::InvalidArgument("array without a type");
  IXRAY_RETURN_NOT_OK(ValidateType(*type));
  if (length < 0 || offset < 0) {
    return Status::InvalidArgument(
        fmt::format("{} array: negative length {} or offset {}", type->ToString(), length, offset));
  }
  if (static_cast<int>(buffers.size()) != ExpectedBufferCount(type->id())) {
    return Status::InvalidArgument(fmt::format("{} array: expected {} buffers, got {}",
                                               type->ToString(), ExpectedBufferCount(type->id()),
                                               buffers.size()));
  }
  if (children.size() != (type->is_nested() ? 1u : 0u)) {
    return Status::InvalidArgument(
        fmt::format("{} array: wrong number of children ({})", type->ToString(), children.size()));
  }
  if (buffers[0]) {
    IXRAY_RETURN_NOT_OK(
        CheckBufferSize(buffers[0], bit_util::BytesForBits(offset + length), "validity", *type));
    const int64_t nulls = CountNulls(buffers[0]->data(), offset, length);
    if (null_count >= 0 && null_count != nulls) {
      return Status::InvalidArgument(fmt::format("{} array: null_count {} but the bitmap has {}",
                                                 type->ToString(), null_count, nulls));
    }
    null_count = nulls;
  } else if (null_count > 0) {
    return Status::InvalidArgument(fmt::format("{} array: null_count {} without a validity bitmap",
                                               type->ToString(), null_count));
  }
  auto array = std::make_shared<const Array>(std::move(type), length, std::move(buffers),
                                             std::move(children), null_count, offset);
  IXRAY_RETURN_NOT_OK(array->Validate());
  return array;
}

Status Array::Validate() const {
  const DataType& type = *type_;
  const int64_t end = offset_ + length_;
  if (buffers_[0]) {
    IXRAY_RETURN_NOT_OK(
        CheckBufferSize(buffers_[0], bit_util::BytesForBits(end), "validity", type));
  }
  switch (type.id()) {
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary: {
      const int width = type.has_large_offsets() ? 8 : 4;
      IXRAY_RETURN_NOT_OK(CheckBufferSize(buffers_[1], (end + 1) * width, "offsets", type));
      if (buffers_[2] == nullptr) return Status::InvalidArgument("string array without data");
      return type.has_large_offsets()
                 ? CheckOffsets<int64_t>(*this, buffers_[2]->size(), "data size")
                 : CheckOffsets<int32_t>(*this, buffers_[2]->size(), "data size");
    }
    case TypeId::kList: {
      IXRAY_RETURN_NOT_OK(CheckBufferSize(buffers_[1], (end + 1) * 4, "offsets", type));
      if (!values()->type()->Equals(*type.value_type())) {
        return Status::InvalidArgument(fmt::format("{} array: child of type {}", type.ToString(),
                                                   values()->type()->ToString()));
      }
      IXRAY_RETURN_NOT_OK(CheckOffsets<int32_t>(*this, values()->length(), "child length"));
      return values()->Validate();
    }
    case TypeId::kFixedSizeList: {
      if (!values()->type()->Equals(*type.value_type())) {
        return Status::InvalidArgument(fmt::format("{} array: child of type {}", type.ToString(),
                                                   values()->type()->ToString()));
      }
      if (values()->length() < end * type.list_size()) {
        return Status::InvalidArgument(fmt::format("{} array: child has {} values, needs {}",
                                                   type.ToString(), values()->length(),
                                                   end * type.list_size()));
      }
      return values()->Validate();
    }
    default:
      return CheckBufferSize(buffers_[1], bit_util::BytesForBits(end * type.bit_width()), "values",
                             type);
  }
}

ArrayPtr Array::Slice(int64_t offset, int64_t length) const {
  const int64_t new_offset = offset_ + offset;
  const int64_t nulls = null_count_ == 0 ? 0 : CountNulls(buffers_[0]->data(), new_offset, length);
  return std::make_shared<const Array>(type_, length, buffers_, children_, nulls, new_offset);
}

bool Array::Equals(const Array& other) const {
  if (this == &other) return true;
  if (!type_->Equals(*other.type_) || length_ != other.length_ ||
      null_count_ != other.null_count_) {
    return false;
  }
  for (int64_t i = 0; i < length_; ++i) {
    const bool valid = IsValid(i);
    if (valid != other.IsValid(i)) return false;
    if (valid && !SlotEquals(*this, i, other, i)) return false;
  }
  return true;
}

std::string Array::ToString() const {
  constexpr int64_t kMaxShown = 20;
  std::string out = "[";
  for (int64_t i = 0; i < std::min(length_, kMaxShown); ++i) {
    if (i > 0) out += ", ";
    if (IsNull(i)) {
      out += "null";
      continue;
    }
    switch (type_->id()) {
      case TypeId::kBool:
        out += BoolValue(i) ? "true" : "false";
        break;
      case TypeId::kInt8:
        out += fmt::to_string(Value<int8_t>(i));
        break;
      case TypeId::kInt16:
        out += fmt::to_string(Value<int16_t>(i));
        break;
      case TypeId::kInt32:
      case TypeId::kDate32:
        out += fmt::to_string(Value<int32_t>(i));
        break;
      case TypeId::kInt64:
      case TypeId::kTimestamp:
        out += fmt::to_string(Value<int64_t>(i));
        break;
      case TypeId::kUInt8:
        out += fmt::to_string(Value<uint8_t>(i));
        break;
      case TypeId::kUInt16:
      case TypeId::kFloat16:
        out += fmt::to_string(Value<uint16_t>(i));
        break;
      case TypeId::kUInt32:
        out += fmt::to_string(Value<uint32_t>(i));
        break;
      case TypeId::kUInt64:
        out += fmt::to_string(Value<uint64_t>(i));
        break;
      case TypeId::kFloat32:
        out += fmt::to_string(Value<float>(i));
        break;
      case TypeId::kFloat64:
        out += fmt::to_string(Value<double>(i));
        break;
      case TypeId::kString:
      case TypeId::kLargeString:
        out += fmt::format("\"{}\"", StringValue(i));
        break;
      case TypeId::kBinary:
        out += fmt::format("<{} bytes>", StringValue(i).size());
        break;
      case TypeId::kList: {
        const int64_t begin = ValueOffset(i);
        out += values()->Slice(begin, ValueOffset(i + 1) - begin)->ToString();
        break;
      }
      case TypeId::kFixedSizeList: {
        const int64_t n = type_->list_size();
        out += values()->Slice((offset_ + i) * n, n)->ToString();
        break;
      }
    }
  }
  if (length_ > kMaxShown) out += fmt::format(", ... {} more", length_ - kMaxShown);
  return out + "]";
}

ArrayPtr MakeNullArray(const TypePtr& type, int64_t length) {
  ArrayBuilder builder(type);
  builder.AppendNulls(length);
  return *builder.Finish();
}

Result<ArrayPtr> Concatenate(const std::vector<ArrayPtr>& arrays) {
  if (arrays.empty()) return Status::InvalidArgument("Concatenate needs at least one array");
  ArrayBuilder builder(arrays[0]->type());
  int64_t total = 0;
  for (const auto& a : arrays) total += a->length();
  builder.Reserve(total);
  for (const auto& a : arrays) IXRAY_RETURN_NOT_OK(builder.AppendFrom(*a, 0, a->length()));
  return builder.Finish();
}

}  // namespace ixray
