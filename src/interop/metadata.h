// Arrow C Data Interface field metadata: the binary key/value encoding of
// the specification (int32 count, then int32 length + bytes for each key and
// value, native endianness).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ixray/status.h"

namespace ixray {

// The metadata key that carries a field's dataset field id.
inline constexpr std::string_view kFieldIdKey = "ixray:field_id";

using KeyValueList = std::vector<std::pair<std::string, std::string>>;

std::string EncodeArrowMetadata(const KeyValueList& pairs);
// `metadata` may be null (no metadata).
Result<KeyValueList> DecodeArrowMetadata(const char* metadata);

}  // namespace ixray
