// libFuzzer target: arbitrary bytes as a data file. Opening and reading it
// every way must return data or an error, never crash, hang or read out of
// bounds. Build with clang++ -fsanitize=fuzzer,address,undefined.
//
// Checksums stop almost every mutation at the door; to let the fuzzer reach
// the decoders, a seed corpus of real files helps, and inputs whose first
// byte is 'R' are passed through RechecksumForFuzzing(), which rewrites the
// page, metadata and trailer checksums to match the bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/data_file.h"
#include "format/data_file_format.h"

namespace {

using ixray::format::FileMetadata;
using ixray::format::FileTrailer;

// Recomputes every checksum of `bytes` in place where its footer parses
// (ignoring the checksums themselves); leaves it unchanged otherwise.
void RechecksumForFuzzing(std::string& bytes) {
  namespace f = ixray::format;
  const auto size = static_cast<int64_t>(bytes.size());
  if (size < f::kFileHeaderSize + f::kFileTrailerSize) return;
  auto* data = reinterpret_cast<uint8_t*>(bytes.data());
  const int64_t trailer_at = size - f::kFileTrailerSize;
  // Fix the trailer checksum first so that the trailer decodes.
  FileTrailer probe;
  {
    std::string fixed = bytes.substr(trailer_at);
    const auto crc = static_cast<uint32_t>(f::Checksum(std::string_view(fixed).substr(0, 28)));
    for (int i = 0; i < 4; ++i) fixed[28 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
    auto trailer =
        FileTrailer::Decode({reinterpret_cast<const uint8_t*>(fixed.data()), fixed.size()}, size);
    if (!trailer.ok()) return;
    probe = *trailer;
  }
  auto metadata = FileMetadata::Decode(
      {data + probe.metadata_offset, static_cast<size_t>(probe.metadata_length)},
      probe.metadata_offset);
  if (!metadata.ok()) return;
  for (auto& column : metadata->columns) {
    for (auto& page : column.pages) {
      page.checksum = f::Checksum(std::string_view(bytes).substr(page.offset, page.length));
    }
  }
  std::string out = bytes.substr(0, probe.metadata_offset);
  std::string metadata_bytes;
  metadata->EncodeTo(&metadata_bytes);
  if (static_cast<int64_t>(metadata_bytes.size()) != probe.metadata_length) return;
  out += metadata_bytes;
  probe.metadata_checksum = f::Checksum(metadata_bytes);
  probe.EncodeTo(&out);
  bytes = std::move(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (!bytes.empty() && bytes[0] == 'R') {
    bytes.erase(0, 1);
    RechecksumForFuzzing(bytes);
  }
  auto fs = ixray::MakeMemoryFileSystem();
  {
    auto file = fs->OpenForWrite("input");
    if (!file.ok()) return 0;
    if (!(*file)->Append(bytes).ok() || !(*file)->Close().ok()) return 0;
  }
  auto reader = ixray::DataFileReader::Open(fs, "input");
  if (!reader.ok()) return 0;
  const auto& r = **reader;
  std::vector<int> columns;
  for (int i = 0; i < r.schema()->num_fields(); ++i) columns.push_back(i);

  (void)r.ReadRange(columns, 0, r.num_rows());
  std::vector<uint64_t> rows;
  for (int64_t row = 0; row < r.num_rows() && rows.size() < 64; row += 1 + row / 3) {
    rows.push_back(static_cast<uint64_t>(row));
  }
  (void)r.Take(columns, rows);
  auto scan = r.Scan(columns, 7);
  for (int i = 0; i < 1000; ++i) {
    auto batch = scan->Next();
    if (!batch.ok() || *batch == nullptr) break;
  }
  return 0;
}
