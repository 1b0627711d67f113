// The scalar family of the two-phase index protocol (include/ixray/index.h):
// the "model" is the plugin's normalized config; a segment is built by
// streaming the live rows of its fragments through the plugin's builder.
#include <fmt/format.h>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "dataset/scanner.h"
#include "index/protocol_internal.h"
#include "index/scalar/scalar_index.h"
#include "index/scalar_segment.h"
#include "ixray/index.h"

namespace ixray {

namespace index {

namespace {

constexpr std::string_view kSegmentFile = "index.ixi";
constexpr int64_t kBuildBatchRows = 16384;

// Feeds the live rows of `fragments` (column `column` with row addresses,
// in address order) to `builder`.
Status FeedBuilder(const dataset::DatasetImpl& ds, const std::string& column,
                   const std::vector<FragmentId>& fragments, scalar::ScalarSegmentBuilder& builder,
                   int64_t* rows) {
  return dataset::ForEachColumnBatch(
      ds, column, fragments, kBuildBatchRows,
      [&](const Array& values, std::span<const RowAddress> addresses) {
        *rows += static_cast<int64_t>(addresses.size());
        return builder.Add(values, addresses);
      });
}

}  // namespace

Result<SegmentMetadata> ExecuteScalarSegment(const dataset::DatasetImpl& ds,
                                             const std::string& column, const std::string& model,
                                             const std::vector<FragmentId>& fragments,
                                             const std::string& segment_uuid, Executor& executor) {
  IXRAY_ASSIGN_OR_RAISE(auto config, scalar::ScalarIndexConfig::Deserialize(model));
  IXRAY_ASSIGN_OR_RAISE(auto plugin, scalar::ScalarIndexRegistry::BuiltIn().Find(config.index_type));
  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
  IXRAY_RETURN_NOT_OK(plugin->CheckColumn(*field));

  SegmentMetadata meta;
  meta.uuid = segment_uuid.empty() ? dataset::NewUuid() : segment_uuid;
  meta.index_type = std::string(plugin->name());
  meta.field_id = field->id;
  meta.dataset_version = ds.version();
  meta.fragment_ids = fragments;
  meta.file = std::string(kSegmentFile);
  meta.model_digest = config.Digest();

  const auto& fs = ds.file_system();
  const std::string dir = ds.uri() + "/" + dataset::IndexSegmentDir(meta.uuid);
  scalar::BuildContext context;
  context.fs = fs;
  context.temp_dir = dir + "/tmp";
  context.executor = &executor;
  IXRAY_RETURN_NOT_OK(fs->CreateDir(context.temp_dir));
  auto build = [&]() -> Status {
    IXRAY_ASSIGN_OR_RAISE(auto builder, plugin->MakeBuilder(config, *field, context));
    IXRAY_RETURN_NOT_OK(FeedBuilder(ds, column, fragments, *builder, &meta.num_rows));
    IXRAY_ASSIGN_OR_RAISE(auto writer,
                          SegmentFileWriter::Open(fs, dir + "/" + std::string(kSegmentFile)));
    IXRAY_RETURN_NOT_OK(writer->Add(kScalarConfigBlob, config.Serialize()));
    IXRAY_RETURN_NOT_OK(builder->Finish(*writer));
    return writer->Finish().status();
  };
  Status built = build();
  Status cleaned = fs->DeleteDirRecursive(context.temp_dir);
  if (!built.ok()) {
    // Nothing refers to the segment; leave no files behind.
    (void)fs->DeleteDirRecursive(dir);
    return built;
  }
  IXRAY_RETURN_NOT_OK(cleaned);
  return meta;
}

}  // namespace index

std::vector<std::string> ScalarIndexTypes() {
  return scalar::ScalarIndexRegistry::BuiltIn().names();
}

Result<std::string> TrainScalarIndex(const Dataset& dataset, const std::string& column,
                                     const std::string& index_type,
                                     const ScalarIndexParams& params) {
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_ASSIGN_OR_RAISE(auto plugin, scalar::ScalarIndexRegistry::BuiltIn().Find(index_type));
  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
  IXRAY_RETURN_NOT_OK(plugin->CheckColumn(*field));
  IXRAY_ASSIGN_OR_RAISE(auto config, plugin->NormalizeConfig(params));
  return config.Serialize();
}

Result<std::shared_ptr<Dataset>> CreateScalarIndex(const Dataset& dataset,
                                                   const std::string& column,
                                                   const std::string& index_type,
                                                   const ScalarIndexParams& params,
                                                   const std::string& name, bool replace,
                                                   bool train,
                                                   const std::vector<FragmentId>& fragment_ids,
                                                   Executor& executor) {
  const std::string index_name = name.empty() ? column + "_idx" : name;
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_RETURN_NOT_OK(index::CheckReplace(ds, index_name, replace));
  IXRAY_ASSIGN_OR_RAISE(auto model, TrainScalarIndex(dataset, column, index_type, params));
  if (!train || ds.manifest().num_live_rows() == 0) {
    IXRAY_ASSIGN_OR_RAISE(auto config, scalar::ScalarIndexConfig::Deserialize(model));
    IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
    return index::CommitEmptyIndex(ds, index_name, config.index_type, field->id, model);
  }
  IXRAY_ASSIGN_OR_RAISE(auto segment,
                        ExecuteUncommitted(dataset, column, model, fragment_ids, executor));
  return CommitIndex(dataset, index_name, column, {segment}, replace);
}

}  // namespace ixray
