#include "interop/metadata.h"

#include <cstdint>
#include <cstring>

namespace ixray {

namespace {

void PutInt32(std::string* out, int32_t v) { out->append(reinterpret_cast<const char*>(&v), 4); }

int32_t GetInt32(const char* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

std::string EncodeArrowMetadata(const KeyValueList& pairs) {
  std::string out;
  PutInt32(&out, static_cast<int32_t>(pairs.size()));
  for (const auto& [key, value] : pairs) {
    PutInt32(&out, static_cast<int32_t>(key.size()));
    out += key;
    PutInt32(&out, static_cast<int32_t>(value.size()));
    out += value;
  }
  return out;
}

Result<KeyValueList> DecodeArrowMetadata(const char* metadata) {
  KeyValueList out;
  if (metadata == nullptr) return out;
  const char* p = metadata;
  const int32_t n = GetInt32(p);
  p += 4;
  if (n < 0) return Status::InvalidArgument("Arrow metadata with a negative pair count");
  for (int32_t i = 0; i < n; ++i) {
    std::string kv[2];
    for (auto& s : kv) {
      const int32_t len = GetInt32(p);
      p += 4;
      if (len < 0) return Status::InvalidArgument("Arrow metadata with a negative length");
      s.assign(p, len);
      p += len;
    }
    out.emplace_back(std::move(kv[0]), std::move(kv[1]));
  }
  return out;
}

}  // namespace ixray
