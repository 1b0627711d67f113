#include "format/page_encoder.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/bit_util.h"
#include "format/byte_coding.h"

namespace ixray::format {

// Values are copied in memory order, which is the file's order only on
// little-endian machines.
static_assert(std::endian::native == std::endian::little,
              "the data file writer assumes a little-endian host");

namespace {

// Dictionary encoding must shrink the string data of a page by at least a
// quarter to be chosen...
constexpr int64_t kDictionaryMaxSizeNumerator = 3;
constexpr int64_t kDictionaryMaxSizeDenominator = 4;
// ...and there must be at most one distinct value per this many values.
constexpr int64_t kDictionaryMinRepeats = 2;

int64_t PaddedSize(int64_t size) {
  return (size + kSegmentAlignment - 1) / kSegmentAlignment * kSegmentAlignment;
}

class PageBodyEncoder {
 public:
  PageBodyEncoder(std::string* out, bool allow_dictionary)
      : out_(out), allow_dictionary_(allow_dictionary) {}

  PageEncoding encoding() const { return encoding_; }

  // Appends the segments of slots [start, start + n) of `a`.
  void Node(const Array& a, int64_t start, int64_t n) {
    Validity(a, start, n);
    const DataType& type = *a.type();
    const int64_t first = a.offset() + start;  // physical slot of `start`
    switch (type.id()) {
      case TypeId::kBool: {
        uint8_t* dst = AppendSegment(bit_util::BytesForBits(n));
        bit_util::CopyBitmap(a.buffer(1)->data(), first, n, dst, 0);
        break;
      }
      case TypeId::kString:
      case TypeId::kLargeString:
      case TypeId::kBinary:
        if (!TryDictionary(a, start, n)) {
          if (type.has_large_offsets()) {
            PlainStrings<int64_t>(a, first, n);
          } else {
            PlainStrings<int32_t>(a, first, n);
          }
        }
        break;
      case TypeId::kList: {
        const int32_t* offsets = a.buffer(1)->data_as<int32_t>() + first;
        RebasedOffsets(offsets, n);
        Node(*a.values(), offsets[0], offsets[n] - offsets[0]);
        break;
      }
      case TypeId::kFixedSizeList: {
        const int64_t dim = type.list_size();
        Node(*a.values(), first * dim, n * dim);
        break;
      }
      default: {
        const int64_t width = type.bit_width() / 8;
        uint8_t* dst = AppendSegment(n * width);
        if (n > 0) std::memcpy(dst, a.buffer(1)->data() + first * width, n * width);
      }
    }
  }

 private:
  // Appends a segment header for `size` bytes plus zeroed, padded room for
  // them, and returns where the bytes go. Valid until the next append.
  uint8_t* AppendSegment(int64_t size) {
    ByteWriter(out_).PutU64(static_cast<uint64_t>(size));
    const size_t at = out_->size();
    out_->resize(at + PaddedSize(size));
    return reinterpret_cast<uint8_t*>(out_->data() + at);
  }

  void Validity(const Array& a, int64_t start, int64_t n) {
    const int64_t first = a.offset() + start;
    if (a.null_count() == 0 || CountNulls(a.buffer(0)->data(), first, n) == 0) {
      AppendSegment(0);  // no nulls: no bitmap
      return;
    }
    uint8_t* dst = AppendSegment(bit_util::BytesForBits(n));
    bit_util::CopyBitmap(a.buffer(0)->data(), first, n, dst, 0);
  }

  // Writes n + 1 offsets starting at `offsets`, shifted to start at 0.
  template <typename Offset>
  void RebasedOffsets(const Offset* offsets, int64_t n) {
    uint8_t* dst = AppendSegment((n + 1) * static_cast<int64_t>(sizeof(Offset)));
    for (int64_t i = 0; i <= n; ++i) {
      const Offset v = offsets[i] - offsets[0];
      std::memcpy(dst + i * sizeof(Offset), &v, sizeof(Offset));
    }
  }

  template <typename Offset>
  void PlainStrings(const Array& a, int64_t first, int64_t n) {
    const Offset* offsets = a.buffer(1)->data_as<Offset>() + first;
    RebasedOffsets(offsets, n);
    const int64_t bytes = offsets[n] - offsets[0];
    uint8_t* dst = AppendSegment(bytes);
    if (bytes > 0) std::memcpy(dst, a.buffer(2)->data() + offsets[0], bytes);
  }

  // Writes slots [start, start + n) of a string-like array as a dictionary
  // if that pays off; returns false (writing nothing) otherwise.
  bool TryDictionary(const Array& a, int64_t start, int64_t n) {
    if (!allow_dictionary_) return false;
    const int64_t nulls = n - CountValid(a, start, n);
    const int64_t max_entries = (n - nulls) / kDictionaryMinRepeats;
    std::unordered_map<std::string_view, uint32_t> index_of;
    std::vector<std::string_view> entries;
    std::vector<uint32_t> indices(n, 0);  // null slots keep index 0
    int64_t entry_bytes = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (a.IsNull(start + i)) continue;
      const std::string_view value = a.StringValue(start + i);
      auto [it, inserted] = index_of.try_emplace(value, static_cast<uint32_t>(entries.size()));
      if (inserted) {
        if (static_cast<int64_t>(entries.size()) >= max_entries) return false;
        entries.push_back(value);
        entry_bytes += static_cast<int64_t>(value.size());
      }
      indices[i] = it->second;
    }
    const int64_t num_entries = static_cast<int64_t>(entries.size());
    const int64_t offset_width = a.type()->has_large_offsets() ? 8 : 4;
    const int64_t index_width = num_entries <= 256 ? 1 : num_entries <= 65536 ? 2 : 4;
    const int64_t dictionary_size =
        kDictionaryHeaderSize + (num_entries + 1) * offset_width + entry_bytes + n * index_width;
    const int64_t plain_size =
        (n + 1) * offset_width + (a.ValueOffset(start + n) - a.ValueOffset(start));
    if (dictionary_size * kDictionaryMaxSizeDenominator >
        plain_size * kDictionaryMaxSizeNumerator) {
      return false;
    }

    uint8_t* header = AppendSegment(kDictionaryHeaderSize);
    StoreLittleEndian<uint32_t>(header, static_cast<uint32_t>(num_entries));
    StoreLittleEndian<uint32_t>(header + 4, static_cast<uint32_t>(index_width));
    uint8_t* offsets = AppendSegment((num_entries + 1) * offset_width);
    int64_t end = 0;
    for (int64_t e = 0; e <= num_entries; ++e) {
      if (offset_width == 8) {
        StoreLittleEndian<int64_t>(offsets + e * 8, end);
      } else {
        StoreLittleEndian<int32_t>(offsets + e * 4, static_cast<int32_t>(end));
      }
      if (e < num_entries) end += static_cast<int64_t>(entries[e].size());
    }
    uint8_t* data = AppendSegment(entry_bytes);
    for (const auto& entry : entries) {
      if (!entry.empty()) std::memcpy(data, entry.data(), entry.size());
      data += entry.size();
    }
    uint8_t* out = AppendSegment(n * index_width);
    for (int64_t i = 0; i < n; ++i) {
      switch (index_width) {
        case 1:
          out[i] = static_cast<uint8_t>(indices[i]);
          break;
        case 2:
          StoreLittleEndian<uint16_t>(out + i * 2, static_cast<uint16_t>(indices[i]));
          break;
        default:
          StoreLittleEndian<uint32_t>(out + i * 4, indices[i]);
      }
    }
    encoding_ = PageEncoding::kDictionary;
    return true;
  }

  static int64_t CountValid(const Array& a, int64_t start, int64_t n) {
    if (a.null_count() == 0) return n;
    return n - CountNulls(a.buffer(0)->data(), a.offset() + start, n);
  }

  std::string* out_;
  bool allow_dictionary_;
  PageEncoding encoding_ = PageEncoding::kPlain;
};

}  // namespace

Result<EncodedPage> EncodePage(const Array& array, int64_t start, int64_t length,
                               bool allow_dictionary) {
  if (start < 0 || length < 0 || start + length > array.length()) {
    return Status::InvalidArgument(fmt::format("page rows [{}, {}) outside an array of length {}",
                                               start, start + length, array.length()));
  }
  EncodedPage page;
  PageBodyEncoder encoder(&page.body, allow_dictionary);
  encoder.Node(array, start, length);
  page.encoding = encoder.encoding();
  return page;
}

int64_t PlainEncodedSize(const Array& array, int64_t start, int64_t length) {
  const DataType& type = *array.type();
  int64_t size = array.null_count() > 0 ? bit_util::BytesForBits(length) : 0;
  switch (type.id()) {
    case TypeId::kString:
    case TypeId::kLargeString:
    case TypeId::kBinary:
      size += (length + 1) * (type.has_large_offsets() ? 8 : 4) +
              (array.ValueOffset(start + length) - array.ValueOffset(start));
      break;
    case TypeId::kList: {
      const int64_t begin = array.ValueOffset(start);
      size += (length + 1) * 4 +
              PlainEncodedSize(*array.values(), begin, array.ValueOffset(start + length) - begin);
      break;
    }
    case TypeId::kFixedSizeList: {
      const int64_t dim = type.list_size();
      size += PlainEncodedSize(*array.values(), (array.offset() + start) * dim, length * dim);
      break;
    }
    default:
      size += bit_util::BytesForBits(length * type.bit_width());
  }
  return size;
}

}  // namespace ixray::format
