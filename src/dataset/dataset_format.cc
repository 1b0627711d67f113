#include "dataset/dataset_format.h"

#include <fmt/format.h>

#include <charconv>
#include <random>

#include "format/byte_coding.h"
#include "format/data_file_format.h"
#include "ixray/version.h"

namespace ixray::dataset {

std::string ManifestFileName(uint64_t version) {
  return fmt::format("{:0{}}{}", version, kVersionDigits, kManifestSuffix);
}

std::optional<uint64_t> ParseManifestFileName(std::string_view name) {
  if (name.size() != kVersionDigits + kManifestSuffix.size() || !name.ends_with(kManifestSuffix)) {
    return std::nullopt;
  }
  const std::string_view digits = name.substr(0, kVersionDigits);
  uint64_t version = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  // from_chars accepts no sign, but make sure every character was a digit.
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return version;
}

std::string NewDataFilePath() {
  return fmt::format("{}/{}{}", kDataDir, NewUuid(), kDataFileSuffix);
}

std::string NewDeletionFilePath(uint32_t fragment_id) {
  return fmt::format("{}/{}-{}{}", kDeletionsDir, fragment_id, NewUuid(), kDeletionFileSuffix);
}

std::string IndexSegmentDir(std::string_view uuid) {
  return fmt::format("{}/{}", kIndicesDir, uuid);
}

bool IsSafeRelativePath(std::string_view path) {
  if (path.empty() || path.front() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (part.find('\0') != std::string_view::npos) return false;
    start = end + 1;
  }
  return true;
}

std::string NewUuid() {
  // One generator per thread, seeded from the OS: uniqueness is what
  // matters (two writers must never pick the same file name).
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  uint64_t high = generator();
  uint64_t low = generator();
  high = (high & ~uint64_t{0xf000}) | uint64_t{0x4000};          // version 4
  low = (low & ~(uint64_t{0xc} << 60)) | (uint64_t{0x8} << 60);  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xffff,
                     high & 0xffff, low >> 48, low & 0xffffffffffffULL);
}

std::string WriterString() { return fmt::format("ixray {}", Version()); }

std::string EncodeFrame(std::string_view magic, uint32_t format_version, std::string_view payload) {
  std::string out;
  out.reserve(kFrameOverhead + payload.size());
  format::ByteWriter writer(&out);
  writer.PutBytes(magic.data(), magic.size());
  writer.PutU32(format_version);
  writer.PutU32(0);
  writer.PutU64(payload.size());
  writer.PutBytes(payload.data(), payload.size());
  writer.PutU64(format::Checksum(out));
  writer.PutBytes(magic.data(), magic.size());
  return out;
}

Result<std::string_view> DecodeFrame(std::string_view bytes, std::string_view magic,
                                     uint32_t max_format_version, std::string_view what) {
  auto corrupt = [&](std::string_view problem) {
    return Status::Corruption(fmt::format("{}: {}", what, problem));
  };
  if (bytes.size() < kFrameOverhead) {
    return corrupt(fmt::format("truncated: {} bytes, a valid file has at least {}", bytes.size(),
                               kFrameOverhead));
  }
  if (bytes.substr(0, kMagicSize) != magic) return corrupt("bad magic at the start");
  if (bytes.substr(bytes.size() - kMagicSize) != magic) return corrupt("bad magic at the end");
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint64_t payload_length = format::LoadLittleEndian<uint64_t>(data + 16);
  if (payload_length != bytes.size() - kFrameOverhead) {
    return corrupt(fmt::format("payload length {} disagrees with the file size {}", payload_length,
                               bytes.size()));
  }
  const size_t checked = kFrameHeaderSize + payload_length;
  const uint64_t stored = format::LoadLittleEndian<uint64_t>(data + checked);
  if (stored != format::Checksum(bytes.substr(0, checked))) return corrupt("checksum mismatch");
  const uint32_t version = format::LoadLittleEndian<uint32_t>(data + kMagicSize);
  if (version == 0 || version > max_format_version) {
    return Status::NotImplemented(
        fmt::format("{}: format version {} is not supported (this build reads up to {})", what,
                    version, max_format_version));
  }
  return bytes.substr(kFrameHeaderSize, payload_length);
}

}  // namespace ixray::dataset
