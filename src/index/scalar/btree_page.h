// The BTREE blob codecs (layouts in btree.h): pages and the lookup blob,
// shared by the builder and the segment reader. Decoders treat their input
// as untrusted and return Corruption for any damage, including keys out of
// order, so a search never runs on a malformed page.
//
// Thread safety: pure functions and value types.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "format/byte_coding.h"
#include "index/scalar/btree.h"
#include "index/scalar/ordered_keys.h"

namespace ixray::scalar::btree {

template <typename Keys>
struct Page {
  std::vector<typename Keys::Key> keys;  // sorted
  std::vector<RowAddress> addresses;     // addresses[i] holds keys[i]
};

template <typename Keys>
struct PageSummary {
  uint32_t count = 0;
  typename Keys::Key first{};
  typename Keys::Key last{};
};

template <typename Keys>
struct Lookup {
  int64_t batch_size = 0;
  std::vector<PageSummary<Keys>> pages;
};

inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

template <typename Keys>
std::string EncodePage(const std::vector<typename Keys::Key>& keys,
                       const std::vector<RowAddress>& addresses) {
  std::string out;
  format::ByteWriter w(&out);
  w.PutU32(static_cast<uint32_t>(keys.size()));
  for (const auto& key : keys) Keys::Put(w, key);
  for (RowAddress address : addresses) w.PutU64(address);
  return out;
}

// REQUIRES: `expected` is the page's summary from the lookup blob.
template <typename Keys>
Result<Page<Keys>> DecodePage(std::string_view bytes, const PageSummary<Keys>& expected,
                              std::string_view what) {
  format::ByteReader r(AsBytes(bytes));
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32("page entry count"));
  if (count != expected.count || count == 0) {
    return Status::Corruption(
        fmt::format("{}: holds {} entries, the lookup says {}", what, count, expected.count));
  }
  IXRAY_RETURN_NOT_OK(r.CheckCount(count, 8 + 4, "page entries"));
  Page<Keys> page;
  page.keys.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    IXRAY_ASSIGN_OR_RAISE(auto key, Keys::Get(r));
    if (i > 0 && Keys::Less(key, page.keys.back())) {
      return Status::Corruption(fmt::format("{}: keys out of order at entry {}", what, i));
    }
    page.keys.push_back(std::move(key));
  }
  IXRAY_RETURN_NOT_OK(r.CheckCount(count, 8, "page row addresses"));
  page.addresses.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    IXRAY_ASSIGN_OR_RAISE(page.addresses[i], r.GetU64("row address"));
  }
  if (r.remaining() != 0 || !KeyEqual<Keys>(page.keys.front(), expected.first) ||
      !KeyEqual<Keys>(page.keys.back(), expected.last)) {
    return Status::Corruption(fmt::format("{}: does not match its lookup entry", what));
  }
  return page;
}

template <typename Keys>
std::string EncodeLookup(const Lookup<Keys>& lookup) {
  std::string out;
  format::ByteWriter w(&out);
  w.PutBytes(kLookupMagic.data(), kLookupMagic.size());
  w.PutU32(kFormatVersion);
  w.PutU8(static_cast<uint8_t>(Keys::kKind));
  w.PutU64(static_cast<uint64_t>(lookup.batch_size));
  w.PutU32(static_cast<uint32_t>(lookup.pages.size()));
  for (const auto& page : lookup.pages) {
    w.PutU32(page.count);
    Keys::Put(w, page.first);
    Keys::Put(w, page.last);
  }
  return out;
}

template <typename Keys>
Result<Lookup<Keys>> DecodeLookup(std::string_view bytes, std::string_view what) {
  format::ByteReader r(AsBytes(bytes));
  IXRAY_ASSIGN_OR_RAISE(auto magic, r.GetBytes(kLookupMagic.size(), "magic"));
  if (std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kLookupMagic) {
    return Status::Corruption(fmt::format("{}: bad magic", what));
  }
  IXRAY_ASSIGN_OR_RAISE(uint32_t version, r.GetU32("version"));
  if (version != kFormatVersion) {
    return Status::Corruption(fmt::format("{}: unsupported version {}", what, version));
  }
  IXRAY_ASSIGN_OR_RAISE(uint8_t kind, r.GetU8("key kind"));
  if (kind != static_cast<uint8_t>(Keys::kKind)) {
    return Status::Corruption(
        fmt::format("{}: key kind {} does not match the column's type", what, kind));
  }
  Lookup<Keys> lookup;
  IXRAY_ASSIGN_OR_RAISE(uint64_t batch_size, r.GetU64("batch size"));
  lookup.batch_size = static_cast<int64_t>(batch_size);
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, r.GetU32("page count"));
  IXRAY_RETURN_NOT_OK(r.CheckCount(count, 4 + 8, "pages"));
  lookup.pages.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    PageSummary<Keys> page;
    IXRAY_ASSIGN_OR_RAISE(page.count, r.GetU32("page entry count"));
    IXRAY_ASSIGN_OR_RAISE(page.first, Keys::Get(r));
    IXRAY_ASSIGN_OR_RAISE(page.last, Keys::Get(r));
    // Pages follow each other in key order.
    if (page.count == 0 || Keys::Less(page.last, page.first) ||
        (i > 0 && Keys::Less(page.first, lookup.pages.back().last))) {
      return Status::Corruption(fmt::format("{}: page {} is out of order", what, i));
    }
    lookup.pages.push_back(std::move(page));
  }
  if (r.remaining() != 0) {
    return Status::Corruption(fmt::format("{}: {} trailing bytes", what, r.remaining()));
  }
  return lookup;
}

}  // namespace ixray::scalar::btree
