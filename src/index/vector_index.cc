// The vector family of the two-phase index protocol (include/ixray/index.h):
// train an IVF model, build IVF segments with it, or do both in one process.
#include <fmt/format.h>

#include "dataset/dataset_impl.h"
#include "index/protocol_internal.h"
#include "index/vector/ivf_build.h"
#include "index/vector/vector_column.h"
#include "index/vector_params_codec.h"
#include "ixray/index.h"

namespace ixray {

namespace index {

Result<SegmentMetadata> ExecuteVectorSegment(const dataset::DatasetImpl& ds,
                                             const std::string& column,
                                             const std::string& model_bytes,
                                             const std::vector<FragmentId>& fragments,
                                             const std::string& segment_uuid, Executor& executor) {
  IXRAY_ASSIGN_OR_RAISE(auto model, vector::IvfModel::Deserialize(model_bytes));
  IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
  IXRAY_ASSIGN_OR_RAISE(
      auto built, vector::BuildIvfSegment(ds, column, model, fragments, executor, segment_uuid));
  SegmentMetadata meta;
  meta.uuid = built.uuid;
  meta.index_type = std::string(vector::VectorIndexTypeName(model.type));
  meta.field_id = field->id;
  meta.dataset_version = ds.version();
  meta.fragment_ids = built.fragment_ids;
  meta.num_rows = built.num_rows;
  meta.file = built.file;
  meta.model_digest = model.Digest();
  return meta;
}

}  // namespace index

Result<std::string> TrainVectorIndex(const Dataset& dataset, const std::string& column,
                                     const VectorIndexParams& params, Executor& executor) {
  IXRAY_ASSIGN_OR_RAISE(auto model, vector::TrainIvfModel(dataset::DatasetImpl::From(dataset),
                                                          column, params, executor));
  return model.Serialize();
}

Result<std::shared_ptr<Dataset>> CreateVectorIndex(const Dataset& dataset,
                                                   const std::string& column,
                                                   const VectorIndexParams& params,
                                                   const std::string& name, bool replace,
                                                   const std::vector<FragmentId>& fragment_ids,
                                                   Executor& executor) {
  const std::string index_name = name.empty() ? column + "_idx" : name;
  const auto& ds = dataset::DatasetImpl::From(dataset);
  IXRAY_RETURN_NOT_OK(index::CheckReplace(ds, index_name, replace));
  if (!params.train || ds.manifest().num_live_rows() == 0) {
    // An empty index: the type and column are checked and recorded; the
    // fragments stay unindexed (searched flat) until the index is filled.
    IXRAY_ASSIGN_OR_RAISE(auto type, vector::ParseVectorIndexType(params.index_type));
    IXRAY_ASSIGN_OR_RAISE(auto metric, vector::ParseMetric(params.metric));
    IXRAY_ASSIGN_OR_RAISE(auto field, ds.schema()->GetField(column));
    IXRAY_RETURN_NOT_OK(vector::CheckVectorType(column, *field->type, metric));
    // The parameters are kept so that OptimizeIndices can train it later.
    return index::CommitEmptyIndex(ds, index_name, std::string(vector::VectorIndexTypeName(type)),
                                   field->id, index::EncodeVectorIndexParams(params));
  }
  IXRAY_ASSIGN_OR_RAISE(auto model, TrainVectorIndex(dataset, column, params, executor));
  IXRAY_ASSIGN_OR_RAISE(auto segment,
                        ExecuteUncommitted(dataset, column, model, fragment_ids, executor));
  return CommitIndex(dataset, index_name, column, {segment}, replace);
}

}  // namespace ixray
