// Merging IVF segments of one index (ivf_build.h, MergeIvfSegments): all
// segments share the model, so a row's partition and code are the same in
// every segment; merging is a per-partition merge of (address, code) lists
// in address order, which is the order a build over the same fragments
// scans them in.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>

#include "dataset/dataset_impl.h"
#include "dataset/deletion_vector.h"
#include "index/segment_file.h"
#include "index/vector/ivf_build.h"

namespace ixray::vector {

namespace {

// Whether the row at `address` is live in this version; deletion vectors
// of `fragments` (null: the fragment is gone) are loaded on first use.
class LiveRows {
 public:
  explicit LiveRows(const dataset::DatasetImpl& dataset) : dataset_(dataset) {}
  Result<bool> Contains(uint64_t address) {
    const auto fragment = static_cast<FragmentId>(address >> 32);
    auto it = deletions_.find(fragment);
    if (it == deletions_.end()) {
      const dataset::Fragment* f = dataset_.manifest().FindFragment(fragment);
      dataset::DeletionVectorPtr deleted;
      if (f != nullptr) {
        IXRAY_ASSIGN_OR_RAISE(deleted, dataset_.LoadDeletions(*f));
      }
      it = deletions_.emplace(fragment, Entry{f != nullptr, std::move(deleted)}).first;
    }
    if (!it->second.exists) return false;
    return !it->second.deleted->Contains(static_cast<uint32_t>(address & 0xffffffffu));
  }

 private:
  struct Entry {
    bool exists;
    dataset::DeletionVectorPtr deleted;
  };
  const dataset::DatasetImpl& dataset_;
  std::map<FragmentId, Entry> deletions_;
};

// Appends the live rows of partition `p` of `file` to `out`.
Status TakePartition(const index::SegmentFileReader& file, int p, size_t code_size, LiveRows& live,
                     IvfPartitions* out) {
  IXRAY_ASSIGN_OR_RAISE(auto ids, file.Read(fmt::format("ids/{}", p)));
  IXRAY_ASSIGN_OR_RAISE(auto codes, file.Read(fmt::format("codes/{}", p)));
  const size_t n = static_cast<size_t>(ids->size()) / 8;
  if (static_cast<size_t>(ids->size()) != n * 8 ||
      static_cast<size_t>(codes->size()) != n * code_size) {
    return Status::Corruption(
        fmt::format("{}: partition {} has {} bytes of ids and {} bytes of codes", file.path(), p,
                    ids->size(), codes->size()));
  }
  for (size_t i = 0; i < n; ++i) {
    uint64_t address;
    std::memcpy(&address, ids->data() + i * 8, 8);
    IXRAY_ASSIGN_OR_RAISE(bool keep, live.Contains(address));
    if (!keep) continue;
    out->ids[p].push_back(address);
    out->codes[p].append(reinterpret_cast<const char*>(codes->data()) + i * code_size, code_size);
  }
  return Status::OK();
}

// Partition `p` of `parts` in ascending address order.
void SortPartition(IvfPartitions& parts, int p, size_t code_size) {
  auto& ids = parts.ids[p];
  if (std::is_sorted(ids.begin(), ids.end())) return;
  std::vector<size_t> order(ids.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ids[a] < ids[b]; });
  std::vector<uint64_t> sorted_ids(ids.size());
  std::string sorted_codes(parts.codes[p].size(), '\0');
  for (size_t i = 0; i < order.size(); ++i) {
    sorted_ids[i] = ids[order[i]];
    std::memcpy(sorted_codes.data() + i * code_size, parts.codes[p].data() + order[i] * code_size,
                code_size);
  }
  ids = std::move(sorted_ids);
  parts.codes[p] = std::move(sorted_codes);
}

}  // namespace

Result<BuiltSegment> MergeIvfSegments(const dataset::DatasetImpl& dataset,
                                      const std::string& column, const IvfModel& model,
                                      const std::vector<std::string>& segment_files,
                                      const std::vector<FragmentId>& fragment_ids,
                                      const std::vector<FragmentId>& delta_fragments,
                                      Executor& executor) {
  IXRAY_RETURN_NOT_OK(CheckIvfColumn(dataset, column, model));
  const int partitions = model.num_partitions();
  const size_t code_size = CodeSize(model);
  const std::string model_bytes = model.Serialize();
  IvfPartitions parts;
  parts.ids.assign(partitions, {});
  parts.codes.assign(partitions, {});
  LiveRows live(dataset);
  for (const auto& path : segment_files) {
    IXRAY_ASSIGN_OR_RAISE(auto file, index::SegmentFileReader::Open(dataset.file_system(), path));
    IXRAY_ASSIGN_OR_RAISE(auto their_model, file->Read("model"));
    if (their_model->view() != model_bytes) {
      return Status::Corruption(fmt::format("{} was built with another model", path));
    }
    for (int p = 0; p < partitions; ++p) {
      IXRAY_RETURN_NOT_OK(TakePartition(*file, p, code_size, live, &parts));
    }
  }
  if (!delta_fragments.empty()) {
    IvfPartitions delta;
    IXRAY_RETURN_NOT_OK(EncodeIvfRows(dataset, column, model, delta_fragments, executor, &delta));
    for (int p = 0; p < partitions; ++p) {
      parts.ids[p].insert(parts.ids[p].end(), delta.ids[p].begin(), delta.ids[p].end());
      parts.codes[p] += delta.codes[p];
    }
  }
  for (int p = 0; p < partitions; ++p) SortPartition(parts, p, code_size);
  return WriteIvfSegment(dataset, model, parts, fragment_ids, executor, "");
}

}  // namespace ixray::vector
