#include "ixray/builder.h"

#include <fmt/format.h>

#include "core/bit_util.h"

namespace ixray {

namespace {

bool HasOffsets(const DataType& type) {
  return type.is_string_like() || type.id() == TypeId::kList;
}

}  // namespace

// Offsets are kept as the start offset of every slot; Finish() appends the
// end offset of the last one. That lets StartList() write its offset before
// the items are known.

ArrayBuilder::ArrayBuilder(TypePtr type) : type_(std::move(type)) {
  if (type_->is_nested()) child_ = std::make_unique<ArrayBuilder>(type_->value_type());
}

void ArrayBuilder::Reserve(int64_t additional) {
  const int64_t slots = length_ + additional;
  if (type_->id() == TypeId::kBool) {
    values_.Reserve(bit_util::BytesForBits(slots));
  } else if (HasOffsets(*type_)) {
    values_.Reserve((slots + 1) * (type_->has_large_offsets() ? 8 : 4));
  } else if (type_->is_fixed_width()) {
    values_.Reserve(slots * (type_->bit_width() / 8));
  } else if (type_->id() == TypeId::kFixedSizeList) {
    child_->Reserve(additional * type_->list_size());
  }
}

void ArrayBuilder::MarkValid() {
  if (validity_.size() > 0 || null_count_ > 0) {
    validity_.Resize(bit_util::BytesForBits(length_ + 1));
    bit_util::SetBitTo(validity_.mutable_data(), length_, true);
  }
  ++length_;
}

int64_t ArrayBuilder::CurrentEnd() const {
  return type_->id() == TypeId::kList ? child_->length() : data_.size();
}

void ArrayBuilder::AppendOffset(int64_t value) {
  if (type_->has_large_offsets()) {
    values_.AppendValue<int64_t>(value);
  } else {
    values_.AppendValue<int32_t>(static_cast<int32_t>(value));
  }
}

void ArrayBuilder::AppendNull() { AppendNulls(1); }

void ArrayBuilder::AppendNulls(int64_t count) {
  if (count <= 0) return;
  if (validity_.size() == 0 && null_count_ == 0) {
    // First null: materialize the bitmap with every earlier slot valid.
    validity_.Resize(bit_util::BytesForBits(length_));
    bit_util::SetBitsTo(validity_.mutable_data(), 0, length_, true);
  }
  validity_.Resize(bit_util::BytesForBits(length_ + count));  // new bits are zero
  switch (type_->id()) {
    case TypeId::kBool:
      values_.Resize(bit_util::BytesForBits(length_ + count));
      break;
    case TypeId::kFixedSizeList:
      child_->AppendNulls(count * type_->list_size());
      break;
    default:
      if (HasOffsets(*type_)) {
        for (int64_t i = 0; i < count; ++i) AppendOffset(CurrentEnd());
      } else {
        values_.AppendZeros(count * (type_->bit_width() / 8));
      }
  }
  length_ += count;
  null_count_ += count;
}

void ArrayBuilder::AppendBool(bool value) {
  values_.Resize(bit_util::BytesForBits(length_ + 1));
  bit_util::SetBitTo(values_.mutable_data(), length_, value);
  MarkValid();
}

void ArrayBuilder::AppendString(std::string_view bytes) {
  AppendOffset(data_.size());
  data_.Append(bytes.data(), static_cast<int64_t>(bytes.size()));
  MarkValid();
}

void ArrayBuilder::StartList() {
  if (type_->id() == TypeId::kList) AppendOffset(child_->length());
  MarkValid();
}

Status ArrayBuilder::AppendFrom(const Array& source, int64_t start, int64_t count) {
  if (!source.type()->Equals(*type_)) {
    return Status::TypeError(fmt::format("cannot append {} values to a {} builder",
                                         source.type()->ToString(), type_->ToString()));
  }
  if (start < 0 || count < 0 || start + count > source.length()) {
    return Status::InvalidArgument(fmt::format("slots [{}, {}) outside an array of length {}",
                                               start, start + count, source.length()));
  }
  if (count == 0) return Status::OK();
  const int64_t src_nulls = source.null_count() == 0 ? 0
                                                     : CountNulls(source.buffer(0)->data(),
                                                                  source.offset() + start, count);
  if (src_nulls > 0 && validity_.size() == 0 && null_count_ == 0) {
    validity_.Resize(bit_util::BytesForBits(length_));
    bit_util::SetBitsTo(validity_.mutable_data(), 0, length_, true);
  }
  if (validity_.size() > 0 || null_count_ > 0 || src_nulls > 0) {
    validity_.Resize(bit_util::BytesForBits(length_ + count));
    if (src_nulls > 0) {
      bit_util::CopyBitmap(source.buffer(0)->data(), source.offset() + start, count,
                           validity_.mutable_data(), length_);
    } else {
      bit_util::SetBitsTo(validity_.mutable_data(), length_, count, true);
    }
  }
  const DataType& type = *type_;
  switch (type.id()) {
    case TypeId::kBool:
      values_.Resize(bit_util::BytesForBits(length_ + count));
      bit_util::CopyBitmap(source.buffer(1)->data(), source.offset() + start, count,
                           values_.mutable_data(), length_);
      break;
    case TypeId::kFixedSizeList: {
      const int64_t n = type.list_size();
      IXRAY_RETURN_NOT_OK(
          child_->AppendFrom(*source.values(), (source.offset() + start) * n, count * n));
      break;
    }
    case TypeId::kList:
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary: {
      const int64_t first = source.ValueOffset(start);
      const int64_t last = source.ValueOffset(start + count);
      const int64_t base = CurrentEnd();
      for (int64_t i = 0; i < count; ++i)
        AppendOffset(base + source.ValueOffset(start + i) - first);
      if (type.id() == TypeId::kList) {
        IXRAY_RETURN_NOT_OK(child_->AppendFrom(*source.values(), first, last - first));
      } else {
        data_.Append(source.buffer(2)->data() + first, last - first);
      }
      break;
    }
    default: {
      const int bytes = type.bit_width() / 8;
      values_.Append(source.buffer(1)->data() + (source.offset() + start) * bytes, count * bytes);
    }
  }
  length_ += count;
  null_count_ += src_nulls;
  return Status::OK();
}

Result<ArrayPtr> ArrayBuilder::Finish() {
  std::vector<BufferPtr> buffers;
  std::vector<ArrayPtr> children;
  buffers.push_back(null_count_ > 0 ? validity_.Finish() : nullptr);
  if (null_count_ == 0) validity_.Resize(0);
  if (type_->id() == TypeId::kFixedSizeList) {
    IXRAY_ASSIGN_OR_RAISE(auto child, child_->Finish());
    children.push_back(std::move(child));
  } else {
    if (HasOffsets(*type_)) {
      if (!type_->has_large_offsets() && CurrentEnd() > INT32_MAX) {
        return Status::InvalidArgument(
            fmt::format("{} array of {} bytes overflows 32-bit offsets; use large_string",
                        type_->ToString(), CurrentEnd()));
      }
      AppendOffset(CurrentEnd());
    }
    if (type_->id() == TypeId::kList) {
      IXRAY_ASSIGN_OR_RAISE(auto child, child_->Finish());
      children.push_back(std::move(child));
    }
    buffers.push_back(values_.Finish());
    if (type_->is_string_like()) buffers.push_back(data_.Finish());
  }
  auto array = std::make_shared<const Array>(type_, length_, std::move(buffers),
                                             std::move(children), null_count_, 0);
  length_ = 0;
  null_count_ = 0;
  return ArrayPtr(std::move(array));
}

}  // namespace ixray
