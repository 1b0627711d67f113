// libFuzzer target: decoding arbitrary bytes as a manifest file, a deletion
// file or a transaction must return a Status, never crash.
//
// Build (not part of the library or the tests):
//   clang++ -std=c++20 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc -I<build>/gen \
//     src/dataset/manifest_fuzz.cc <build>/libixray.a -lprotobuf-lite -lroaring -lxxhash \
//     -lzstd -llz4 -lfmt -o manifest_fuzz
// The checksum would stop almost every input at the frame, so each input is
// also wrapped in a valid frame to reach the protobuf and roaring parsers.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dataset/dataset_format.h"
#include "dataset/deletion_vector.h"
#include "dataset/manifest_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ixray::dataset;  // NOLINT(build/namespaces)
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  (void)DecodeManifestFile(bytes, "fuzz");
  (void)DeletionVector::DecodeFile(bytes, "fuzz");
  (void)DecodeTransaction(bytes, "fuzz");

  auto manifest =
      DecodeManifestFile(EncodeFrame(kManifestMagic, kManifestFormatVersion, bytes), "fuzz");
  if (manifest.ok()) {
    // What decodes must encode and decode again to the same version.
    auto again = DecodeManifestFile(EncodeManifestFile(**manifest), "fuzz");
    if (!again.ok() || (*again)->version != (*manifest)->version) __builtin_trap();
  }
  auto deletions = DeletionVector::DecodeFile(
      EncodeFrame(kDeletionFileMagic, kDeletionFileFormatVersion, bytes), "fuzz");
  if (deletions.ok()) {
    auto again = DeletionVector::DecodeFile(deletions->EncodeFile(), "fuzz");
    if (!again.ok() || !again->Equals(*deletions)) __builtin_trap();
  }
  return 0;
}
