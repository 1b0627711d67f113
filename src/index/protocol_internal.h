// Pieces of the two-phase index protocol (include/ixray/index.h) shared by
// the generic steps (protocol.cc) and the per-family ones (vector_index.cc,
// scalar_index_build.cc).
//
// Thread safety: reentrant.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dataset/dataset_impl.h"
#include "index/segment_metadata.h"
#include "ixray/executor.h"

namespace ixray::index {

// `ids` sorted and checked against the version (all fragments when empty).
Result<std::vector<FragmentId>> CheckFragments(const dataset::DatasetImpl& dataset,
                                               const std::vector<FragmentId>& ids);

// Phase 2 of each family; `model` is its serialized model or config;
// `segment_uuid` names the segment (empty: a fresh uuid).
Result<SegmentMetadata> ExecuteVectorSegment(const dataset::DatasetImpl& dataset,
                                             const std::string& column, const std::string& model,
                                             const std::vector<FragmentId>& fragments,
                                             const std::string& segment_uuid, Executor& executor);
Result<SegmentMetadata> ExecuteScalarSegment(const dataset::DatasetImpl& dataset,
                                             const std::string& column, const std::string& model,
                                             const std::vector<FragmentId>& fragments,
                                             const std::string& segment_uuid, Executor& executor);

// Commits index `name` of `index_type` on `field_id` without segments.
Result<std::shared_ptr<Dataset>> CommitEmptyIndex(const dataset::DatasetImpl& dataset,
                                                  const std::string& name,
                                                  const std::string& index_type,
                                                  int32_t field_id, std::string details);

// InvalidArgument if index `name` exists and !replace.
Status CheckReplace(const dataset::DatasetImpl& dataset, const std::string& name, bool replace);

}  // namespace ixray::index
