#include "index/segment_file.h"

#include <fmt/format.h>

#include "format/byte_coding.h"
#include "format/data_file_format.h"

namespace ixray::index {

namespace {

constexpr std::string_view kMagic = "IXRAYSEG";
constexpr uint32_t kVersion = 1;
constexpr int64_t kHeaderSize = 16;
constexpr int64_t kTrailerSize = 32;

}  // namespace

Result<std::unique_ptr<SegmentFileWriter>> SegmentFileWriter::Open(std::shared_ptr<FileSystem> fs,
                                                                   std::string path) {
  IXRAY_ASSIGN_OR_RAISE(auto file, fs->OpenForWrite(path));
  std::string header;
  format::ByteWriter w(&header);
  w.PutBytes(kMagic.data(), kMagic.size());
  w.PutU32(kVersion);
  w.PutU32(0);
  IXRAY_RETURN_NOT_OK(file->Append(header));
  auto writer = std::unique_ptr<SegmentFileWriter>(new SegmentFileWriter(path, std::move(file)));
  writer->offset_ = header.size();
  return writer;
}

Status SegmentFileWriter::Add(std::string_view name, std::string_view bytes) {
  if (entries_.count(name) > 0) {
    return Status::InvalidArgument(fmt::format("{}: blob '{}' added twice", path_, name));
  }
  IXRAY_RETURN_NOT_OK(file_->Append(bytes));
  entries_.emplace(std::string(name), Entry{offset_, bytes.size(), format::Checksum(bytes)});
  offset_ += bytes.size();
  const uint64_t pad = (8 - offset_ % 8) % 8;
  if (pad > 0) {
    IXRAY_RETURN_NOT_OK(file_->Append(std::string_view("\0\0\0\0\0\0\0", pad)));
    offset_ += pad;
  }
  return Status::OK();
}

Result<int64_t> SegmentFileWriter::Finish() {
  std::string directory;
  format::ByteWriter w(&directory);
  w.PutU32(static_cast<uint32_t>(entries_.size()));
  for (const auto& [name, e] : entries_) {
    w.PutString(name);
    w.PutU64(e.offset);
    w.PutU64(e.length);
    w.PutU64(e.checksum);
  }
  std::string trailer;
  format::ByteWriter t(&trailer);
  t.PutU64(offset_);
  t.PutU64(directory.size());
  t.PutU64(format::Checksum(directory));
  t.PutBytes(kMagic.data(), kMagic.size());
  IXRAY_RETURN_NOT_OK(file_->Append(directory));
  IXRAY_RETURN_NOT_OK(file_->Append(trailer));
  IXRAY_RETURN_NOT_OK(file_->Sync());
  IXRAY_RETURN_NOT_OK(file_->Close());
  return static_cast<int64_t>(offset_ + directory.size() + trailer.size());
}

Result<std::shared_ptr<SegmentFileReader>> SegmentFileReader::Open(std::shared_ptr<FileSystem> fs,
                                                                   std::string path) {
  auto reader = std::make_shared<SegmentFileReader>();
  reader->path_ = path;
  IXRAY_ASSIGN_OR_RAISE(reader->file_, fs->OpenForRead(path));
  IXRAY_ASSIGN_OR_RAISE(reader->file_size_, reader->file_->Size());
  auto corrupt = [&](std::string_view what) {
    return Status::Corruption(fmt::format("index segment file {}: {}", path, what));
  };
  if (reader->file_size_ < kHeaderSize + kTrailerSize) return corrupt("too short");
  IXRAY_ASSIGN_OR_RAISE(auto trailer_bytes,
                        reader->file_->ReadAt(reader->file_size_ - kTrailerSize, kTrailerSize));
  format::ByteReader t(trailer_bytes->span());
  IXRAY_ASSIGN_OR_RAISE(uint64_t dir_offset, t.GetU64("directory offset"));
  IXRAY_ASSIGN_OR_RAISE(uint64_t dir_length, t.GetU64("directory length"));
  IXRAY_ASSIGN_OR_RAISE(uint64_t dir_checksum, t.GetU64("directory checksum"));
  IXRAY_ASSIGN_OR_RAISE(auto magic, t.GetBytes(kMagic.size(), "magic"));
  if (std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kMagic) {
    return corrupt("bad magic (not an ixray index segment)");
  }
  const uint64_t body_end = static_cast<uint64_t>(reader->file_size_ - kTrailerSize);
  if (dir_offset < kHeaderSize || dir_offset > body_end || dir_length != body_end - dir_offset) {
    return corrupt("directory out of bounds");
  }
  IXRAY_ASSIGN_OR_RAISE(auto dir_bytes, reader->file_->ReadAt(dir_offset, dir_length));
  if (format::Checksum(dir_bytes->span()) != dir_checksum) return corrupt("directory checksum");
  format::ByteReader d(dir_bytes->span());
  IXRAY_ASSIGN_OR_RAISE(uint32_t count, d.GetU32("blob count"));
  for (uint32_t i = 0; i < count; ++i) {
    IXRAY_ASSIGN_OR_RAISE(auto name, d.GetString("blob name"));
    Entry e;
    IXRAY_ASSIGN_OR_RAISE(e.offset, d.GetU64("blob offset"));
    IXRAY_ASSIGN_OR_RAISE(e.length, d.GetU64("blob length"));
    IXRAY_ASSIGN_OR_RAISE(e.checksum, d.GetU64("blob checksum"));
    if (e.offset < kHeaderSize || e.offset > dir_offset || e.length > dir_offset - e.offset) {
      return corrupt(fmt::format("blob '{}' out of bounds", name));
    }
    reader->entries_.emplace(std::move(name), e);
  }
  if (d.remaining() != 0) return corrupt("trailing bytes after the directory");
  return reader;
}

Result<BufferPtr> SegmentFileReader::Read(std::string_view name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    return Status::NotFound(fmt::format("index segment file {} has no blob '{}'", path_, name));
  }
  IXRAY_ASSIGN_OR_RAISE(auto bytes, file_->ReadAt(it->second.offset, it->second.length));
  if (format::Checksum(bytes->span()) != it->second.checksum) {
    return Status::Corruption(
        fmt::format("index segment file {}: checksum mismatch in blob '{}'", path_, name));
  }
  return bytes;
}

}  // namespace ixray::index
