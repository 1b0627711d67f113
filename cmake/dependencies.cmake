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

# Full-text index tokenizer (src/index/scalar/inverted): Unicode categories,
# case mapping and diacritic stripping (utf8proc), Snowball stemmers
# (libstemmer, which ships no pkg-config file).
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
find_path(IXRAY_STEMMER_INCLUDE_DIR NAMES libstemmer.h)
find_library(IXRAY_STEMMER_LIBRARY NAMES stemmer)
if(NOT IXRAY_STEMMER_INCLUDE_DIR OR NOT IXRAY_STEMMER_LIBRARY)
  message(FATAL_ERROR "libstemmer not found: install libstemmer-dev (scripts/setup)")
endif()
add_library(ixray_stemmer INTERFACE)
target_include_directories(ixray_stemmer INTERFACE ${IXRAY_STEMMER_INCLUDE_DIR})
target_link_libraries(ixray_stemmer INTERFACE ${IXRAY_STEMMER_LIBRARY})
list(APPEND IXRAY_LINK_LIBRARIES PkgConfig::UTF8PROC ixray_stemmer)

# Manifests and other metadata messages (protobuf, lite runtime).
find_package(Protobuf REQUIRED)
list(APPEND IXRAY_LINK_LIBRARIES protobuf::libprotobuf-lite)

# JSON lines import (src/ingest).
find_package(simdjson CONFIG REQUIRED)
list(APPEND IXRAY_LINK_LIBRARIES simdjson::simdjson)

# Dense linear algebra for k-means and IVF assignment (src/index/vector/assign.cc):
# cblas_sgemm from BLIS, its single-threaded ("serial") build. ixray calls
# GEMM concurrently from its own Executor's threads, one call per block, so
# the BLAS must start no threads and be reentrant. BLIS is both. (Debian's
# serial OpenBLAS is not: it is built without USE_LOCKING, and concurrent
# sgemm calls from two threads return wrong values.) Debian: libblis-serial-dev.
find_path(IXRAY_BLAS_INCLUDE_DIR NAMES cblas.h blis.h
  HINTS /usr/include/x86_64-linux-gnu/blis-serial /usr/include/aarch64-linux-gnu/blis-serial
  NO_DEFAULT_PATH)
find_library(IXRAY_BLAS_LIBRARY NAMES blis
  HINTS /usr/lib/x86_64-linux-gnu/blis-serial /usr/lib/aarch64-linux-gnu/blis-serial
  NO_DEFAULT_PATH)
if(NOT IXRAY_BLAS_INCLUDE_DIR OR NOT IXRAY_BLAS_LIBRARY)
  message(FATAL_ERROR "BLIS (serial) not found: install libblis-serial-dev (scripts/setup)")
endif()
add_library(ixray_blas INTERFACE)
target_include_directories(ixray_blas INTERFACE ${IXRAY_BLAS_INCLUDE_DIR})
target_link_libraries(ixray_blas INTERFACE ${IXRAY_BLAS_LIBRARY})
list(APPEND IXRAY_LINK_LIBRARIES ixray_blas)
