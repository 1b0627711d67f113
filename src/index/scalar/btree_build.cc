// BTREE segment building: buffer (key, address) pairs, spill sorted runs
// when the buffer outgrows the memory limit, and merge them into pages.
#include <fmt/format.h>

#include <algorithm>
#include <queue>

#include "index/scalar/btree.h"
#include "index/scalar/btree_page.h"
#include "index/scalar/row_set_codec.h"

namespace ixray::scalar::btree {

std::string PageBlobName(int64_t page) { return fmt::format("btree/page/{}", page); }

namespace {

template <typename Keys>
struct Entry {
  typename Keys::Key key;
  RowAddress address;

  // (key, address) order; addresses are unique, so this is total.
  bool operator<(const Entry& other) const {
    if (Keys::Less(key, other.key)) return true;
    if (Keys::Less(other.key, key)) return false;
    return address < other.address;
  }
};

template <typename Keys>
void PutEntry(format::ByteWriter& w, const Entry<Keys>& e) {
  Keys::Put(w, e.key);
  w.PutU64(e.address);
}

// Cuts a sorted stream of entries into pages and adds them to the segment.
template <typename Keys>
class PageWriter {
 public:
  PageWriter(index::SegmentFileWriter& out, int64_t batch_size)
      : out_(out), batch_size_(batch_size) {
    lookup_.batch_size = batch_size;
  }

  Status Add(Entry<Keys> entry) {
    keys_.push_back(std::move(entry.key));
    addresses_.push_back(entry.address);
    if (static_cast<int64_t>(keys_.size()) >= batch_size_) return Flush();
    return Status::OK();
  }

  Status Flush() {
    if (keys_.empty()) return Status::OK();
    PageSummary<Keys> summary;
    summary.count = static_cast<uint32_t>(keys_.size());
    summary.first = keys_.front();
    summary.last = keys_.back();
    const int64_t index = static_cast<int64_t>(lookup_.pages.size());
    IXRAY_RETURN_NOT_OK(out_.Add(PageBlobName(index), EncodePage<Keys>(keys_, addresses_)));
    lookup_.pages.push_back(std::move(summary));
    keys_.clear();
    addresses_.clear();
    return Status::OK();
  }

  const Lookup<Keys>& lookup() const { return lookup_; }

 private:
  index::SegmentFileWriter& out_;
  const int64_t batch_size_;
  std::vector<typename Keys::Key> keys_;
  std::vector<RowAddress> addresses_;
  Lookup<Keys> lookup_;
};

// Reads back a spilled run, one buffered chunk at a time.
template <typename Keys>
class RunReader {
 public:
  Status Open(FileSystem& fs, const std::string& path, int64_t chunk_bytes) {
    IXRAY_ASSIGN_OR_RAISE(file_, fs.OpenForRead(path));
    IXRAY_ASSIGN_OR_RAISE(size_, file_->Size());
    chunk_bytes_ = chunk_bytes;
    return Status::OK();
  }

  // The next entry of the run, or false at its end.
  Result<bool> Next(Entry<Keys>* entry) {
    while (true) {
      if (position_ < buffer_.size()) {
        format::ByteReader r(AsBytes(std::string_view(buffer_).substr(position_)));
        auto key = Keys::Get(r);
        auto address = r.GetU64("row address");
        if (key.ok() && address.ok()) {
          entry->key = std::move(*key);
          entry->address = *address;
          position_ += r.position();
          return true;
        }
        if (offset_ == size_) {
          return Status::Corruption(fmt::format("spill run '{}' is truncated", file_->path()));
        }
      } else if (offset_ == size_) {
        return false;
      }
      // Keep the unread tail and append the next chunk.
      buffer_.erase(0, position_);
      position_ = 0;
      const int64_t length = std::min(chunk_bytes_, size_ - offset_);
      IXRAY_ASSIGN_OR_RAISE(BufferPtr chunk, file_->ReadAt(offset_, length));
      buffer_.append(reinterpret_cast<const char*>(chunk->data()), chunk->size());
      offset_ += length;
    }
  }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  int64_t size_ = 0;
  int64_t offset_ = 0;
  int64_t chunk_bytes_ = 0;
  std::string buffer_;
  size_t position_ = 0;
};

template <typename Keys>
class Builder final : public ScalarSegmentBuilder {
 public:
  Builder(const Field& field, int64_t batch_size, const BuildContext& context)
      : field_(field), batch_size_(batch_size), context_(context) {}

  ~Builder() override { DeleteRuns(); }

  Status Add(const Array& values, std::span<const RowAddress> addresses) override {
    if (finished_) return Status::InvalidArgument("BTREE builder: Add after Finish");
    if (values.length() != static_cast<int64_t>(addresses.size())) {
      return Status::InvalidArgument(fmt::format("BTREE builder: {} values but {} row addresses",
                                                 values.length(), addresses.size()));
    }
    if (!values.type()->Equals(*field_.type)) {
      return Status::TypeError(fmt::format("BTREE builder for column '{}' ({}) got values of {}",
                                           field_.name, field_.type->ToString(),
                                           values.type()->ToString()));
    }
    for (RowAddress address : addresses) {
      if (any_rows_ && address <= last_address_) {
        return Status::InvalidArgument("BTREE builder: row addresses must ascend strictly");
      }
      last_address_ = address;
      any_rows_ = true;
    }
    rows_.addMany(addresses.size(), addresses.data());
    Status status;
    ForEachKey<Keys>(
        values,
        [&](int64_t i, const auto& key) {
          Entry<Keys> entry{typename Keys::Key(key), addresses[i]};
          buffered_bytes_ += static_cast<int64_t>(sizeof(entry)) + Keys::HeapBytes(entry.key);
          buffer_.push_back(std::move(entry));
          if (buffered_bytes_ > context_.memory_limit && status.ok()) status = Spill();
        },
        [&](int64_t i) { nulls_.add(addresses[i]); });
    return status;
  }

  Status Finish(index::SegmentFileWriter& out) override {
    if (finished_) return Status::InvalidArgument("BTREE builder: Finish called twice");
    finished_ = true;
    PageWriter<Keys> pages(out, batch_size_);
    if (runs_.empty()) {
      std::sort(buffer_.begin(), buffer_.end());
      for (auto& entry : buffer_) IXRAY_RETURN_NOT_OK(pages.Add(std::move(entry)));
      ReleaseBuffer();
    } else {
      if (!buffer_.empty()) IXRAY_RETURN_NOT_OK(Spill());
      ReleaseBuffer();
      IXRAY_RETURN_NOT_OK(MergeRuns(pages));
      DeleteRuns();
    }
    IXRAY_RETURN_NOT_OK(pages.Flush());
    IXRAY_RETURN_NOT_OK(out.Add(kLookupBlob, EncodeLookup(pages.lookup())));
    nulls_.runOptimize();
    rows_.runOptimize();
    IXRAY_RETURN_NOT_OK(out.Add(kNullsBlob, EncodeRowSet(nulls_)));
    return out.Add(kRowsBlob, EncodeRowSet(rows_));
  }

 private:
  // Sorts the buffer and writes it as the next run file.
  Status Spill() {
    std::sort(buffer_.begin(), buffer_.end());
    const std::string path =
        JoinPath(context_.temp_dir, fmt::format("btree-run-{}.bin", runs_.size()));
    IXRAY_ASSIGN_OR_RAISE(std::unique_ptr<WritableFile> file, context_.fs->OpenForWrite(path));
    runs_.push_back(path);
    std::string chunk;
    format::ByteWriter w(&chunk);
    for (const auto& entry : buffer_) {
      PutEntry(w, entry);
      if (chunk.size() >= kSpillChunkBytes) {
        IXRAY_RETURN_NOT_OK(file->Append(chunk));
        chunk.clear();
      }
    }
    IXRAY_RETURN_NOT_OK(file->Append(chunk));
    IXRAY_RETURN_NOT_OK(file->Close());
    buffer_.clear();
    buffered_bytes_ = 0;
    return Status::OK();
  }

  // k-way merge of the sorted runs into `pages`. Each run reads through a
  // buffer of its share of the memory limit.
  Status MergeRuns(PageWriter<Keys>& pages) {
    const int64_t runs = static_cast<int64_t>(runs_.size());
    const int64_t chunk_bytes = std::max<int64_t>(4096, context_.memory_limit / (2 * runs));
    std::vector<RunReader<Keys>> readers(runs_.size());
    std::vector<Entry<Keys>> heads(runs_.size());
    // A min-heap of run indices by their head entry.
    const auto later = [&](size_t a, size_t b) { return heads[b] < heads[a]; };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> queue(later);
    for (size_t i = 0; i < runs_.size(); ++i) {
      IXRAY_RETURN_NOT_OK(readers[i].Open(*context_.fs, runs_[i], chunk_bytes));
      IXRAY_ASSIGN_OR_RAISE(bool has, readers[i].Next(&heads[i]));
      if (has) queue.push(i);
    }
    while (!queue.empty()) {
      const size_t i = queue.top();
      queue.pop();
      IXRAY_RETURN_NOT_OK(pages.Add(std::move(heads[i])));
      IXRAY_ASSIGN_OR_RAISE(bool has, readers[i].Next(&heads[i]));
      if (has) queue.push(i);
    }
    return Status::OK();
  }

  void ReleaseBuffer() {
    std::vector<Entry<Keys>>().swap(buffer_);
    buffered_bytes_ = 0;
  }

  // Best effort: the caller removes temp_dir anyway.
  void DeleteRuns() {
    for (const auto& path : runs_) (void)context_.fs->DeleteFile(path);
    runs_.clear();
  }

  static constexpr size_t kSpillChunkBytes = 1 << 20;

  const Field field_;
  const int64_t batch_size_;
  const BuildContext context_;
  std::vector<Entry<Keys>> buffer_;
  int64_t buffered_bytes_ = 0;
  std::vector<std::string> runs_;
  RowAddressSet nulls_;
  RowAddressSet rows_;
  RowAddress last_address_ = 0;
  bool any_rows_ = false;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<ScalarSegmentBuilder> MakeBuilder(const Field& field, int64_t batch_size,
                                                  const BuildContext& context) {
  switch (*KeyKindOf(*field.type)) {
    case KeyKind::kUInt64:
      return std::make_unique<Builder<UInt64Keys>>(field, batch_size, context);
    case KeyKind::kDouble:
      return std::make_unique<Builder<DoubleKeys>>(field, batch_size, context);
    case KeyKind::kString:
      return std::make_unique<Builder<StringKeys>>(field, batch_size, context);
  }
  return nullptr;
}

}  // namespace ixray::scalar::btree
