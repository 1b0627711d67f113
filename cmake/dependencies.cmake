# Third-party dependencies, all from Debian packages (see scripts/setup).
find_package(Threads REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
if(IXRAY_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()

set(IXRAY_LINK_LIBRARIES Threads::Threads fmt::fmt)

# Data file compression (zstd, lz4) and checksums (XXH3-64), via pkg-config.
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
list(APPEND IXRAY_LINK_LIBRARIES PkgConfig::ZSTD PkgConfig::LZ4 PkgConfig::XXHASH)

# Deletion vectors and fragment bitmaps (CRoaring).
find_package(roaring CONFIG REQUIRED)
list(APPEND IXRAY_LINK_LIBRARIES roaring::roaring)

# Manifests and other metadata messages (protobuf, lite runtime).
find_package(Protobuf REQUIRED)
list(APPEND IXRAY_LINK_LIBRARIES protobuf::libprotobuf-lite)

# JSON lines import (src/ingest).
find_package(simdjson CONFIG REQUIRED)
list(APPEND IXRAY_LINK_LIBRARIES simdjson::simdjson)
