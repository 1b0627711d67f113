#include "index/scalar_segment.h"

#include <fmt/format.h>

#include "dataset/dataset_format.h"

namespace ixray::index {

bool IsScalarIndexType(std::string_view index_type) {
  return scalar::ScalarIndexRegistry::BuiltIn().Find(index_type).ok();
}

Result<std::shared_ptr<const OpenedScalarSegment>> OpenScalarSegment(
    const dataset::DatasetImpl& dataset, const dataset::IndexMetadata& index,
    const dataset::IndexSegment& segment) {
  if (segment.files.empty()) {
    return Status::Corruption(fmt::format("index '{}' segment {} lists no file", index.name,
                                          segment.uuid));
  }
  if (index.field_ids.size() != 1) {
    return Status::Corruption(fmt::format("index '{}' covers {} columns; scalar indices cover one",
                                          index.name, index.field_ids.size()));
  }
  const int field_index = dataset.schema()->FieldIndexById(index.field_ids[0]);
  if (field_index < 0) {
    return Status::Corruption(fmt::format("index '{}' names field id {}, which the schema lacks",
                                          index.name, index.field_ids[0]));
  }
  const FieldPtr field = dataset.schema()->field(field_index);
  const std::string path =
      dataset.uri() + "/" + dataset::IndexSegmentDir(segment.uuid) + "/" + segment.files[0];
  IXRAY_ASSIGN_OR_RAISE(auto opened, dataset.cache().GetOrCreate<OpenedScalarSegment>(
      "scalar:" + segment.uuid, [&]() -> Result<std::shared_ptr<OpenedScalarSegment>> {
        IXRAY_ASSIGN_OR_RAISE(auto file, SegmentFileReader::Open(dataset.file_system(), path));
        IXRAY_ASSIGN_OR_RAISE(auto config_bytes, file->Read(kScalarConfigBlob));
        auto opened = std::make_shared<OpenedScalarSegment>();
        auto config = scalar::ScalarIndexConfig::Deserialize(
            {reinterpret_cast<const char*>(config_bytes->data()),
             static_cast<size_t>(config_bytes->size())});
        if (!config.ok()) {
          return Status::Corruption(fmt::format("{}: damaged index config", path));
        }
        opened->config = std::move(*config);
        IXRAY_ASSIGN_OR_RAISE(
            opened->plugin, scalar::ScalarIndexRegistry::BuiltIn().Find(opened->config.index_type));
        IXRAY_ASSIGN_OR_RAISE(opened->segment,
                              opened->plugin->Open(std::move(file), opened->config, *field));
        return opened;
      }));
  return std::shared_ptr<const OpenedScalarSegment>(std::move(opened));
}

}  // namespace ixray::index
