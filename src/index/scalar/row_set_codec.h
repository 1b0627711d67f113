// The on-disk form of a RowAddressSet inside scalar index segments.
//
// Layout: u32 fragment count, then per fragment in ascending id order:
// u32 fragment id, u32 byte length, and the fragment's row offsets as a
// 32-bit roaring bitmap in the portable serialization (run-optimized). The
// decoder checks every bitmap with the strict parser of
// dataset::DeletionVector before CRoaring sees the bytes, so damaged input
// is Corruption, never undefined behaviour.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "index/scalar/scalar_index.h"

namespace ixray::scalar {

std::string EncodeRowSet(const RowAddressSet& rows);

// Corruption naming `what` if `bytes` is not an encoded row set.
Result<RowAddressSet> DecodeRowSet(std::string_view bytes, std::string_view what);

}  // namespace ixray::scalar
