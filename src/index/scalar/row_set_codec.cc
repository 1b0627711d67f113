#include "index/scalar/row_set_codec.h"

#include <fmt/format.h>

#include <roaring/roaring.hh>
#include <stdexcept>
#include <vector>

#include "dataset/deletion_vector.h"
#include "format/byte_coding.h"

namespace ixray::scalar {

std::string EncodeRowSet(const RowAddressSet& rows) {
  std::vector<uint64_t> addresses(rows.cardinality());
  rows.toUint64Array(addresses.data());  // ascending
  std::string out;
  format::ByteWriter w(&out);
  std::vector<std::pair<uint32_t, std::string>> fragments;
  std::vector<uint32_t> offsets;
  for (size_t i = 0; i < addresses.size();) {
    const uint32_t fragment = static_cast<uint32_t>(addresses[i] >> 32);
    offsets.clear();
    for (; i < addresses.size() && (addresses[i] >> 32) == fragment; ++i) {
      offsets.push_back(static_cast<uint32_t>(addresses[i]));
    }
    dataset::DeletionVector bitmap;  // a plain 32-bit roaring bitmap here
    bitmap.AddMany(offsets);
    fragments.emplace_back(fragment, bitmap.SerializePortable());
  }
  w.PutU32(static_cast<uint32_t>(fragments.size()));
  for (const auto& [fragment, bytes] : fragments) {
    w.PutU32(fragment);
    w.PutString(bytes);
  }
  return out;
}

Result<RowAddressSet> DecodeRowSet(std::string_view bytes, std::string_view what) {
  format::ByteReader r({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32("fragment count"));
  IXRAY_RETURN_NOT_OK(r.CheckCount(count, 8, "fragments"));
  // Re-serialized into Roaring64Map's own format, which its reader trusts.
  std::string standard;
  format::ByteWriter standard_writer(&standard);
  standard_writer.PutU64(count);
  int64_t previous = -1;
  for (uint32_t i = 0; i < count; ++i) {
    IXRAY_ASSIGN_OR_RAISE(uint32_t fragment, r.GetU32("fragment id"));
    IXRAY_ASSIGN_OR_RAISE(std::string chunk, r.GetString("fragment rows"));
    if (static_cast<int64_t>(fragment) <= previous) {
      return Status::Corruption(fmt::format("{}: fragment ids not ascending", what));
    }
    previous = fragment;
    IXRAY_RETURN_NOT_OK(dataset::DeletionVector::DeserializePortable(chunk, what).status());
    try {
      const Roaring bitmap = Roaring::readSafe(chunk.data(), chunk.size());
      std::string again(bitmap.getSizeInBytes(true), '\0');
      bitmap.write(again.data(), true);
      standard_writer.PutU32(fragment);
      standard_writer.PutBytes(again.data(), again.size());
    } catch (const std::exception& e) {
      return Status::Corruption(fmt::format("{}: {}", what, e.what()));
    }
  }
  if (r.remaining() != 0) {
    return Status::Corruption(fmt::format("{}: {} trailing bytes", what, r.remaining()));
  }
  try {
    return RowAddressSet::readSafe(standard.data(), standard.size());
  } catch (const std::exception& e) {
    return Status::Corruption(fmt::format("{}: {}", what, e.what()));
  }
}

}  // namespace ixray::scalar
