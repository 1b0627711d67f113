#include "format/page_decoder.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <string_view>

#include "core/bit_util.h"
#include "format/byte_coding.h"

namespace ixray::format {

static_assert(std::endian::native == std::endian::little,
              "the data file reader assumes a little-endian host");

namespace {

// No page body can hold more values than this (one bit each).
constexpr int64_t kMaxValuesPerPage = kMaxPageBytes * 8;

// Reads the segments of a page body in order.
class SegmentReader {
 public:
  explicit SegmentReader(BufferPtr body) : body_(std::move(body)) {}

  // The next segment, as a view of the body.
  Result<BufferPtr> Next(std::string_view what) {
    const int64_t left = body_->size() - position_;
    if (left < 8) {
      return Status::Corruption(fmt::format("page body ends before the {} segment", what));
    }
    const uint64_t length = LoadLittleEndian<uint64_t>(body_->data() + position_);
    position_ += 8;
    const uint64_t room = static_cast<uint64_t>(left - 8);
    if (length > room || PaddedSize(length) > room) {
      return Status::Corruption(fmt::format(
          "{} segment of {} bytes overruns the page body ({} bytes left)", what, length, room));
    }
    auto segment = body_->Slice(position_, static_cast<int64_t>(length));
    position_ += static_cast<int64_t>(PaddedSize(length));
    return segment;
  }

  // The next segment, which must hold exactly `size` bytes.
  Result<BufferPtr> NextExact(int64_t size, std::string_view what) {
    IXRAY_ASSIGN_OR_RAISE(BufferPtr segment, Next(what));
    if (segment->size() != size) {
      return Status::Corruption(
          fmt::format("{} segment holds {} bytes, expected {}", what, segment->size(), size));
    }
    return segment;
  }

  Status CheckAtEnd() const {
    if (position_ != body_->size()) {
      return Status::Corruption(fmt::format("{} unexpected bytes at the end of the page body",
                                            body_->size() - position_));
    }
    return Status::OK();
  }

 private:
  static uint64_t PaddedSize(uint64_t size) {
    return (size + kSegmentAlignment - 1) / kSegmentAlignment * kSegmentAlignment;
  }

  BufferPtr body_;
  int64_t position_ = 0;
};

Result<ArrayPtr> Make(const TypePtr& type, int64_t length, std::vector<BufferPtr> buffers,
                      std::vector<ArrayPtr> children = {}) {
  auto array = MakeArray(type, length, std::move(buffers), std::move(children));
  if (!array.ok()) return Status::Corruption(array.status().message());
  return array;
}

Result<ArrayPtr> DecodeNode(const TypePtr& type, int64_t n, PageEncoding encoding,
                            SegmentReader& r);

// Expands dictionary indices into a plain string-like array.
template <typename Offset>
Result<ArrayPtr> DecodeDictionary(const TypePtr& type, int64_t n, BufferPtr validity,
                                  SegmentReader& r) {
  IXRAY_ASSIGN_OR_RAISE(BufferPtr header, r.NextExact(kDictionaryHeaderSize, "dictionary header"));
  const int64_t num_entries = LoadLittleEndian<uint32_t>(header->data());
  const uint32_t index_width = LoadLittleEndian<uint32_t>(header->data() + 4);
  if (index_width != 1 && index_width != 2 && index_width != 4) {
    return Status::Corruption(
        fmt::format("dictionary index width {} is not 1, 2 or 4", index_width));
  }
  constexpr auto kOffsetWidth = static_cast<int64_t>(sizeof(Offset));
  IXRAY_ASSIGN_OR_RAISE(BufferPtr entry_offsets,
                        r.NextExact((num_entries + 1) * kOffsetWidth, "dictionary offsets"));
  IXRAY_ASSIGN_OR_RAISE(BufferPtr entry_data, r.Next("dictionary data"));
  IXRAY_ASSIGN_OR_RAISE(ArrayPtr dictionary,
                        Make(type, num_entries, {nullptr, entry_offsets, entry_data}));
  IXRAY_ASSIGN_OR_RAISE(BufferPtr indices, r.NextExact(n * index_width, "dictionary indices"));

  auto index_at = [&](int64_t i) -> int64_t {
    const uint8_t* p = indices->data() + i * index_width;
    switch (index_width) {
      case 1:
        return *p;
      case 2:
        return LoadLittleEndian<uint16_t>(p);
      default:
        return LoadLittleEndian<uint32_t>(p);
    }
  };
  auto is_valid = [&](int64_t i) {
    return validity == nullptr || bit_util::GetBit(validity->data(), i);
  };
  int64_t total_bytes = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!is_valid(i)) continue;
    const int64_t index = index_at(i);
    if (index >= num_entries) {
      return Status::Corruption(
          fmt::format("dictionary index {} at slot {} is not below {}", index, i, num_entries));
    }
    total_bytes += static_cast<int64_t>(dictionary->StringValue(index).size());
    if (total_bytes > kMaxPageBytes) {
      return Status::Corruption(
          fmt::format("dictionary page expands to more than {} bytes", kMaxPageBytes));
    }
  }

  auto offsets = Buffer::Allocate((n + 1) * kOffsetWidth);
  auto data = Buffer::Allocate(total_bytes);
  auto* out_offsets = reinterpret_cast<Offset*>(offsets->mutable_data());
  uint8_t* out_data = data->mutable_data();
  int64_t end = 0;
  for (int64_t i = 0; i < n; ++i) {
    out_offsets[i] = static_cast<Offset>(end);
    if (!is_valid(i)) continue;
    const std::string_view value = dictionary->StringValue(index_at(i));
    if (!value.empty()) std::memcpy(out_data + end, value.data(), value.size());
    end += static_cast<int64_t>(value.size());
  }
  out_offsets[n] = static_cast<Offset>(end);
  return Make(type, n, {std::move(validity), std::move(offsets), std::move(data)});
}

Result<ArrayPtr> DecodeStrings(const TypePtr& type, int64_t n, PageEncoding encoding,
                               BufferPtr validity, SegmentReader& r) {
  const bool large = type->has_large_offsets();
  if (encoding == PageEncoding::kDictionary) {
    return large ? DecodeDictionary<int64_t>(type, n, std::move(validity), r)
                 : DecodeDictionary<int32_t>(type, n, std::move(validity), r);
  }
  IXRAY_ASSIGN_OR_RAISE(BufferPtr offsets, r.NextExact((n + 1) * (large ? 8 : 4), "offsets"));
  IXRAY_ASSIGN_OR_RAISE(BufferPtr data, r.Next("string data"));
  return Make(type, n, {std::move(validity), std::move(offsets), std::move(data)});
}

Result<ArrayPtr> DecodeList(const TypePtr& type, int64_t n, PageEncoding encoding,
                            BufferPtr validity, SegmentReader& r) {
  IXRAY_ASSIGN_OR_RAISE(BufferPtr offsets_buffer, r.NextExact((n + 1) * 4, "list offsets"));
  const int32_t* offsets = offsets_buffer->data_as<int32_t>();
  if (offsets[0] != 0) {
    return Status::Corruption(fmt::format("list offsets start at {}, not 0", offsets[0]));
  }
  for (int64_t i = 0; i < n; ++i) {
    if (offsets[i + 1] < offsets[i]) {
      return Status::Corruption(fmt::format("list offsets decrease at slot {}", i));
    }
  }
  IXRAY_ASSIGN_OR_RAISE(ArrayPtr items, DecodeNode(type->value_type(), offsets[n], encoding, r));
  return Make(type, n, {std::move(validity), std::move(offsets_buffer)}, {std::move(items)});
}

Result<ArrayPtr> DecodeNode(const TypePtr& type, int64_t n, PageEncoding encoding,
                            SegmentReader& r) {
  if (n > kMaxValuesPerPage) {
    return Status::Corruption(
        fmt::format("{} values of {} cannot fit in one page", n, type->ToString()));
  }
  IXRAY_ASSIGN_OR_RAISE(BufferPtr validity, r.Next("validity"));
  if (validity->size() == 0) {
    validity = nullptr;  // no nulls
  } else if (validity->size() != bit_util::BytesForBits(n)) {
    return Status::Corruption(
        fmt::format("validity segment holds {} bytes for {} values", validity->size(), n));
  }
  switch (type->id()) {
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
      return DecodeStrings(type, n, encoding, std::move(validity), r);
    case TypeId::kList:
      return DecodeList(type, n, encoding, std::move(validity), r);
    case TypeId::kFixedSizeList: {
      const int64_t dim = type->list_size();
      if (dim <= 0 || n > kMaxValuesPerPage / dim) {
        return Status::Corruption(
            fmt::format("{} vectors of {} cannot fit in one page", n, type->ToString()));
      }
      IXRAY_ASSIGN_OR_RAISE(ArrayPtr items, DecodeNode(type->value_type(), n * dim, encoding, r));
      return Make(type, n, {std::move(validity)}, {std::move(items)});
    }
    default: {
      IXRAY_ASSIGN_OR_RAISE(BufferPtr values,
                            r.NextExact(bit_util::BytesForBits(n * type->bit_width()), "values"));
      return Make(type, n, {std::move(validity), std::move(values)});
    }
  }
}

}  // namespace

Result<ArrayPtr> DecodePage(const TypePtr& type, int64_t num_rows, PageEncoding encoding,
                            BufferPtr body) {
  if (reinterpret_cast<uintptr_t>(body->data()) % kSegmentAlignment != 0) {
    body = Buffer::CopyFrom(body->data(), body->size());  // aligned copy
  }
  SegmentReader reader(std::move(body));
  IXRAY_ASSIGN_OR_RAISE(ArrayPtr array, DecodeNode(type, num_rows, encoding, reader));
  IXRAY_RETURN_NOT_OK(reader.CheckAtEnd());
  return array;
}

}  // namespace ixray::format
