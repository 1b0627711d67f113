// The BTREE plugin: column check, parameters, and the builder and segment
// factories of btree_build.cc and btree_search.cc.
#include "index/scalar/btree.h"

#include <fmt/format.h>

#include "index/scalar/ordered_index_params.h"

namespace ixray::scalar {

namespace {

class BTreePlugin final : public ScalarIndexPlugin {
 public:
  std::string_view name() const override { return "BTREE"; }

  Status CheckColumn(const Field& field) const override {
    return CheckOrderedColumn(name(), field);
  }

  Result<ScalarIndexConfig> NormalizeConfig(const IndexParams& params) const override {
    ScalarIndexConfig config{
        std::string(name()),
        {{std::string(btree::kBatchSizeParam), std::to_string(btree::kDefaultBatchSize)}}};
    IXRAY_RETURN_NOT_OK(MergeParams(name(), params, &config));
    IXRAY_RETURN_NOT_OK(BatchSize(config).status());
    return config;
  }

  Result<std::unique_ptr<ScalarSegmentBuilder>> MakeBuilder(
      const ScalarIndexConfig& config, const Field& field,
      const BuildContext& context) const override {
    IXRAY_RETURN_NOT_OK(CheckConfigType(name(), config));
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    IXRAY_ASSIGN_OR_RAISE(int64_t batch_size, BatchSize(config));
    if (context.fs == nullptr) return Status::InvalidArgument("BTREE builder needs a file system");
    return btree::MakeBuilder(field, batch_size, context);
  }

  Result<std::unique_ptr<ScalarIndexSegment>> Open(std::shared_ptr<index::SegmentFileReader> file,
                                                   const ScalarIndexConfig& config,
                                                   const Field& field) const override {
    IXRAY_RETURN_NOT_OK(CheckConfigType(name(), config));
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    return btree::OpenSegment(std::move(file), field);
  }

 private:
  static Result<int64_t> BatchSize(const ScalarIndexConfig& config) {
    return GetIntInRange(config, btree::kBatchSizeParam, 1, btree::kMaxBatchSize);
  }
};

}  // namespace

std::unique_ptr<ScalarIndexPlugin> MakeBTreePlugin() { return std::make_unique<BTreePlugin>(); }

}  // namespace ixray::scalar
