// libFuzzer target: arbitrary bytes as an input file for every ingest
// reader. The first byte picks the format, chunk size and batch size; the
// rest is the file. Reading must return batches or an error, never crash,
// hang or read out of bounds. Build with clang++ -fsanitize=fuzzer,address,
// undefined (cmake -DIXRAY_BUILD_FUZZERS=ON).

#include <cstddef>
#include <cstdint>
#include <string>

#include "ixray/file_system.h"
#include "ixray/ingest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr ixray::IngestFormat kFormats[] = {
      ixray::IngestFormat::kCsv,   ixray::IngestFormat::kJsonLines, ixray::IngestFormat::kNpy,
      ixray::IngestFormat::kFvecs, ixray::IngestFormat::kBvecs,     ixray::IngestFormat::kIvecs};
  const uint8_t selector = data[0];
  ixray::IngestOptions options;
  options.format = kFormats[selector % 6];
  options.chunk_size = 1 + (selector >> 3) % 7;
  options.batch_size = 1 + (selector >> 6);
  options.inference_rows = 1 + (selector >> 5) % 3;

  std::shared_ptr<ixray::FileSystem> fs = ixray::MakeMemoryFileSystem();
  {
    auto file = fs->OpenForWrite("input");
    if (!file.ok()) return 0;
    if (!(*file)
             ->Append(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1))
             .ok()) {
      return 0;
    }
    (void)(*file)->Close();
  }
  auto reader = ixray::OpenIngestReader(*fs, "input", options);
  if (!reader.ok()) return 0;
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok() || *batch == nullptr) break;
    (void)(*batch)->column(0);
  }
  return 0;
}
