#include "dataset/compaction.h"

#include <string>
#include <utility>

namespace ixray::dataset {

namespace {

// For each index, the uuid of the segment covering `id` ("" for none).
std::vector<std::string> CoverageOf(const Manifest& manifest, FragmentId id) {
  std::vector<std::string> coverage;
  for (const IndexMetadata& index : manifest.indices) {
    std::string uuid;
    for (const IndexSegment& segment : index.segments) {
      if (std::binary_search(segment.fragment_ids.begin(), segment.fragment_ids.end(), id)) {
        uuid = segment.uuid;
        break;
      }
    }
    coverage.push_back(std::move(uuid));
  }
  return coverage;
}

}  // namespace

std::vector<std::vector<FragmentId>> PlanCompaction(const Manifest& manifest, int64_t target_rows,
                                                    bool materialize_deletions) {
  std::vector<std::vector<FragmentId>> groups;
  std::vector<FragmentId> group;
  std::vector<std::string> group_coverage;
  int64_t group_rows = 0;
  bool group_has_deletions = false;
  auto close = [&]() {
    if (group.size() > 1 || (group.size() == 1 && group_has_deletions)) {
      groups.push_back(std::move(group));
    }
    group.clear();
    group_rows = 0;
    group_has_deletions = false;
  };
  for (const Fragment& f : manifest.fragments) {
    const bool has_deletions = materialize_deletions && f.num_deleted_rows() > 0;
    if (f.num_live_rows() >= target_rows && !has_deletions) {
      close();
      continue;
    }
    std::vector<std::string> coverage = CoverageOf(manifest, f.id);
    if (!group.empty() &&
        (coverage != group_coverage || group_rows + f.num_live_rows() > target_rows)) {
      close();
    }
    group_coverage = std::move(coverage);
    group.push_back(f.id);
    group_rows += f.num_live_rows();
    group_has_deletions |= has_deletions;
    if (group_rows >= target_rows) close();
  }
  close();
  return groups;
}

Result<std::vector<Fragment>> RewriteFragments(const DatasetImpl& dataset,
                                               const std::vector<FragmentId>& fragment_ids,
                                               int64_t max_rows_per_file, int64_t max_page_bytes,
                                               std::vector<std::string>* written) {
  ScanOptions scan;
  scan.fragment_ids = fragment_ids;
  scan.batch_size = 65536;
  IXRAY_ASSIGN_OR_RAISE(auto scanner, dataset.Scan(std::move(scan)));
  IXRAY_ASSIGN_OR_RAISE(auto reader, scanner->ToReader());
  WriteOptions options;
  options.max_rows_per_file = max_rows_per_file;
  options.max_page_bytes = max_page_bytes;
  return WriteFragments(dataset.file_system(), dataset.uri(), *reader, dataset.schema(), options,
                        written);
}

}  // namespace ixray::dataset
