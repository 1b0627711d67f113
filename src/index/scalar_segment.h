// Opening committed scalar index segments: the plugin is found from the
// config stored in the segment file itself (blob kScalarConfigBlob), and
// opened segments are cached in the dataset's ObjectCache by uuid.
//
// Thread safety: reentrant; opened segments are immutable and shared.
#pragma once

#include <memory>
#include <string_view>

#include "dataset/dataset_impl.h"
#include "index/scalar/scalar_index.h"

namespace ixray::index {

// The blob of every scalar segment file holding ScalarIndexConfig::Serialize().
inline constexpr std::string_view kScalarConfigBlob = "scalar_config";

struct OpenedScalarSegment {
  scalar::ScalarIndexConfig config;
  const scalar::ScalarIndexPlugin* plugin = nullptr;
  std::unique_ptr<scalar::ScalarIndexSegment> segment;
};

// Whether `index_type` names a scalar index type (BTREE, INVERTED, ...).
bool IsScalarIndexType(std::string_view index_type);

// The opened segment `segment` of `index` (cached). Corruption if its file
// is damaged; NotFound if it is missing.
Result<std::shared_ptr<const OpenedScalarSegment>> OpenScalarSegment(
    const dataset::DatasetImpl& dataset, const dataset::IndexMetadata& index,
    const dataset::IndexSegment& segment);

}  // namespace ixray::index
