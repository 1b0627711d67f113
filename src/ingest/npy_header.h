// The header of a NumPy .npy file (format versions 1.0, 2.0 and 3.0):
//
//   "\x93NUMPY" major minor  header_len (uint16 LE for 1.x, uint32 LE for 2.x/3.x)
//   header: a Python dict literal, e.g.
//     {'descr': '<f4', 'fortran_order': False, 'shape': (1000, 128), }
//   padded with spaces and a newline; the array's bytes follow.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ixray/status.h"
#include "ixray/type.h"

namespace ixray::ingest {

struct NpyHeader {
  int major_version = 0;
  TypePtr value_type;       // the element type
  int item_size = 0;        // bytes per element in the file
  bool swap_bytes = false;  // the file's byte order differs from the host's
  std::vector<int64_t> shape;
  int64_t data_offset = 0;  // where the array's bytes start
};

// The number of leading bytes (magic, version, length) before the dict.
constexpr int64_t kNpyPreludeSize = 12;

// Parses the prelude (the first min(kNpyPreludeSize, file size) bytes) and
// returns the total header length (the data offset).
Result<int64_t> ParseNpyPrelude(std::string_view prelude, int* major_version);

// Parses the dict of a header whose prelude said `major_version`.
// InvalidArgument for a malformed dict; NotImplemented for dtypes other than
// bool/int/uint/float, Fortran order, or more than two dimensions.
Result<NpyHeader> ParseNpyDict(std::string_view dict, int major_version, int64_t data_offset);

}  // namespace ixray::ingest
