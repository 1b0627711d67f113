#include "dataset/deletion_vector.h"

#include <fmt/format.h>
#include <roaring/roaring.h>

#include <utility>

#include "dataset/dataset_format.h"
#include "format/byte_coding.h"

namespace ixray::dataset {

DeletionVector::DeletionVector() : bitmap_(roaring_bitmap_create()) {}

DeletionVector::~DeletionVector() {
  if (bitmap_ != nullptr) roaring_bitmap_free(bitmap_);
}

DeletionVector::DeletionVector(const DeletionVector& other)
    : bitmap_(roaring_bitmap_copy(other.bitmap_)) {}

DeletionVector& DeletionVector::operator=(const DeletionVector& other) {
  if (this != &other) {
    roaring_bitmap_t* copy = roaring_bitmap_copy(other.bitmap_);
    roaring_bitmap_free(bitmap_);
    bitmap_ = copy;
  }
  return *this;
}

// A moved-from vector gets a fresh empty bitmap, keeping "never null".
DeletionVector::DeletionVector(DeletionVector&& other) noexcept
    : bitmap_(std::exchange(other.bitmap_, roaring_bitmap_create())) {}

DeletionVector& DeletionVector::operator=(DeletionVector&& other) noexcept {
  std::swap(bitmap_, other.bitmap_);
  return *this;
}

bool DeletionVector::Contains(uint32_t offset) const {
  return roaring_bitmap_contains(bitmap_, offset);
}

uint64_t DeletionVector::cardinality() const { return roaring_bitmap_get_cardinality(bitmap_); }

uint64_t DeletionVector::Rank(uint32_t offset) const {
  return roaring_bitmap_rank(bitmap_, offset);
}

uint32_t DeletionVector::Maximum() const { return roaring_bitmap_maximum(bitmap_); }

void DeletionVector::Add(uint32_t offset) { roaring_bitmap_add(bitmap_, offset); }

void DeletionVector::AddMany(std::span<const uint32_t> offsets) {
  roaring_bitmap_add_many(bitmap_, offsets.size(), offsets.data());
}

void DeletionVector::AddRange(uint64_t begin, uint64_t end) {
  if (begin < end) roaring_bitmap_add_range(bitmap_, begin, end);
}

void DeletionVector::UnionWith(const DeletionVector& other) {
  roaring_bitmap_or_inplace(bitmap_, other.bitmap_);
}

std::vector<uint32_t> DeletionVector::ToVector() const {
  std::vector<uint32_t> values(cardinality());
  roaring_bitmap_to_uint32_array(bitmap_, values.data());
  return values;
}

bool DeletionVector::Equals(const DeletionVector& other) const {
  return roaring_bitmap_equals(bitmap_, other.bitmap_);
}

std::string DeletionVector::SerializePortable() const {
  // Run-length encoding shrinks ranges (a deleted prefix, say); optimize a
  // copy so that concurrent readers of this vector are undisturbed.
  roaring_bitmap_t* compact = roaring_bitmap_copy(bitmap_);
  roaring_bitmap_run_optimize(compact);
  std::string bytes(roaring_bitmap_portable_size_in_bytes(compact), '\0');
  bytes.resize(roaring_bitmap_portable_serialize(compact, bytes.data()));
  roaring_bitmap_free(compact);
  return bytes;
}

namespace {

// The roaring portable format (github.com/RoaringBitmap/RoaringFormatSpec).
constexpr uint32_t kCookieWithRuns = 12347;  // low 16 bits; high 16: containers - 1
constexpr uint32_t kCookieNoRuns = 12346;    // then a u32 container count
constexpr uint32_t kMaxContainers = 1 << 16;
constexpr uint32_t kNoOffsetThreshold = 4;  // with runs, offsets only from 4 containers
constexpr uint32_t kMaxArrayCardinality = 4096;

// Bounds-checked little-endian reads over untrusted bytes.
class PortableReader {
 public:
  explicit PortableReader(std::string_view bytes) : bytes_(bytes) {}
  bool Skip(size_t n) {
    if (bytes_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  template <typename T>
  bool Read(T* value) {
    if (bytes_.size() - pos_ < sizeof(T)) return false;
    *value = format::LoadLittleEndian<T>(reinterpret_cast<const uint8_t*>(bytes_.data()) + pos_);
    pos_ += sizeof(T);
    return true;
  }
  const uint8_t* at(size_t offset) const {
    return reinterpret_cast<const uint8_t*>(bytes_.data()) + offset;
  }
  size_t position() const { return pos_; }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// Decodes one container's values into `out`. Returns false if malformed.
bool DecodeContainer(PortableReader& in, bool is_run, uint32_t key, uint32_t cardinality,
                     DeletionVector* out) {
  const uint32_t base = key << 16;
  if (is_run) {
    uint16_t runs = 0;
    if (!in.Read(&runs)) return false;
    uint32_t total = 0;
    int64_t previous_end = -1;  // the last value of the previous run
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    for (uint16_t r = 0; r < runs; ++r) {
      uint16_t start = 0, length = 0;
      if (!in.Read(&start) || !in.Read(&length)) return false;
      const int64_t end = int64_t{start} + length;  // inclusive
      if (start <= previous_end || end > 0xffff) return false;
      previous_end = end;
      total += uint32_t{length} + 1;
      ranges.emplace_back(base + start, base + static_cast<uint32_t>(end));
    }
    if (total != cardinality) return false;
    for (const auto& [first, last] : ranges) out->AddRange(first, uint64_t{last} + 1);
    return true;
  }
  std::vector<uint32_t> values;
  values.reserve(cardinality);
  if (cardinality > kMaxArrayCardinality) {  // a bitset of 2^16 bits
    const size_t offset = in.position();
    if (!in.Skip(8192)) return false;
    for (uint32_t word = 0; word < 1024; ++word) {
      uint64_t bits = format::LoadLittleEndian<uint64_t>(in.at(offset + 8 * word));
      while (bits != 0) {
        values.push_back(base + word * 64 + static_cast<uint32_t>(__builtin_ctzll(bits)));
        bits &= bits - 1;
      }
    }
    if (values.size() != cardinality) return false;
  } else {
    for (uint32_t i = 0; i < cardinality; ++i) {
      uint16_t low = 0;
      if (!in.Read(&low)) return false;
      if (!values.empty() && base + low <= values.back()) return false;
      values.push_back(base + low);
    }
  }
  out->AddMany(values);
  return true;
}

// Parses the portable format strictly (ascending keys and values, exact
// cardinalities, no trailing bytes) without trusting any size it reads.
bool DecodePortable(std::string_view bytes, DeletionVector* out) {
  PortableReader in(bytes);
  uint32_t cookie = 0;
  if (!in.Read(&cookie)) return false;
  uint32_t containers = 0;
  std::string_view run_flags;
  const bool has_runs = (cookie & 0xffff) == kCookieWithRuns;
  if (has_runs) {
    containers = (cookie >> 16) + 1;
    const size_t flag_bytes = (containers + 7) / 8;
    const size_t offset = in.position();
    if (!in.Skip(flag_bytes)) return false;
    run_flags = bytes.substr(offset, flag_bytes);
  } else if (cookie == kCookieNoRuns) {
    if (!in.Read(&containers) || containers > kMaxContainers) return false;
  } else {
    return false;
  }
  std::vector<std::pair<uint16_t, uint32_t>> headers;  // key, cardinality
  for (uint32_t i = 0; i < containers; ++i) {
    uint16_t key = 0, cardinality_minus_one = 0;
    if (!in.Read(&key) || !in.Read(&cardinality_minus_one)) return false;
    if (!headers.empty() && key <= headers.back().first) return false;
    headers.emplace_back(key, uint32_t{cardinality_minus_one} + 1);
  }
  // The offset header only speeds up random access; the containers follow
  // one another, so it is skipped.
  if ((!has_runs || containers >= kNoOffsetThreshold) && !in.Skip(size_t{4} * containers)) {
    return false;
  }
  for (uint32_t i = 0; i < containers; ++i) {
    const bool is_run = has_runs && ((static_cast<uint8_t>(run_flags[i / 8]) >> (i % 8)) & 1);
    if (!DecodeContainer(in, is_run, headers[i].first, headers[i].second, out)) return false;
  }
  return in.done();
}

}  // namespace

Result<DeletionVector> DeletionVector::DeserializePortable(std::string_view bytes,
                                                           std::string_view what) {
  DeletionVector result;
  if (!DecodePortable(bytes, &result)) {
    return Status::Corruption(
        fmt::format("{}: malformed roaring bitmap ({} bytes)", what, bytes.size()));
  }
  return result;
}

std::string DeletionVector::EncodeFile() const {
  return EncodeFrame(kDeletionFileMagic, kDeletionFileFormatVersion, SerializePortable());
}

Result<DeletionVector> DeletionVector::DecodeFile(std::string_view bytes, std::string_view what) {
  IXRAY_ASSIGN_OR_RAISE(std::string_view payload,
                        DecodeFrame(bytes, kDeletionFileMagic, kDeletionFileFormatVersion, what));
  return DeserializePortable(payload, what);
}

Result<DeletionVectorPtr> ReadDeletionFile(FileSystem& fs, const std::string& path,
                                           uint64_t expected_cardinality, uint64_t physical_rows) {
  IXRAY_ASSIGN_OR_RAISE(std::string bytes, ReadWholeFile(fs, path));
  const std::string what = fmt::format("deletion file '{}'", path);
  IXRAY_ASSIGN_OR_RAISE(DeletionVector deletions, DeletionVector::DecodeFile(bytes, what));
  if (deletions.cardinality() != expected_cardinality) {
    return Status::Corruption(fmt::format("{}: holds {} rows, the manifest says {}", what,
                                          deletions.cardinality(), expected_cardinality));
  }
  if (!deletions.empty() && deletions.Maximum() >= physical_rows) {
    return Status::Corruption(fmt::format("{}: row offset {} is past the fragment's {} rows", what,
                                          deletions.Maximum(), physical_rows));
  }
  return std::make_shared<const DeletionVector>(std::move(deletions));
}

Status WriteDeletionFile(FileSystem& fs, const std::string& path, const DeletionVector& deletions) {
  const std::string bytes = deletions.EncodeFile();
  IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<WritableFile> file, fs.OpenForWrite(path));
  IXRAY_RETURN_NOT_OK(file->Append(bytes));
  IXRAY_RETURN_NOT_OK(file->Sync());
  return file->Close();
}

}  // namespace ixray::dataset
