// The ZONEMAP plugin: column check, parameters, and the builder and segment
// factories of zonemap_build.cc and zonemap_search.cc.
#include "index/scalar/zonemap.h"

#include "index/scalar/ordered_index_params.h"

namespace ixray::scalar {

namespace {

class ZoneMapPlugin final : public ScalarIndexPlugin {
 public:
  std::string_view name() const override { return "ZONEMAP"; }

  Status CheckColumn(const Field& field) const override {
    return CheckOrderedColumn(name(), field);
  }

  Result<ScalarIndexConfig> NormalizeConfig(const IndexParams& params) const override {
    ScalarIndexConfig config{
        std::string(name()),
        {{std::string(zonemap::kRowsPerZoneParam), std::to_string(zonemap::kDefaultRowsPerZone)}}};
    IXRAY_RETURN_NOT_OK(MergeParams(name(), params, &config));
    IXRAY_RETURN_NOT_OK(RowsPerZone(config).status());
    return config;
  }

  Result<std::unique_ptr<ScalarSegmentBuilder>> MakeBuilder(
      const ScalarIndexConfig& config, const Field& field,
      const BuildContext& /*context*/) const override {
    IXRAY_RETURN_NOT_OK(CheckConfigType(name(), config));
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    IXRAY_ASSIGN_OR_RAISE(int64_t rows_per_zone, RowsPerZone(config));
    return zonemap::MakeBuilder(field, rows_per_zone);
  }

  Result<std::unique_ptr<ScalarIndexSegment>> Open(std::shared_ptr<index::SegmentFileReader> file,
                                                   const ScalarIndexConfig& config,
                                                   const Field& field) const override {
    IXRAY_RETURN_NOT_OK(CheckConfigType(name(), config));
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    return zonemap::OpenSegment(std::move(file), field);
  }

 private:
  static Result<int64_t> RowsPerZone(const ScalarIndexConfig& config) {
    return GetIntInRange(config, zonemap::kRowsPerZoneParam, 1, zonemap::kMaxRowsPerZone);
  }
};

}  // namespace

std::unique_ptr<ScalarIndexPlugin> MakeZoneMapPlugin() { return std::make_unique<ZoneMapPlugin>(); }

}  // namespace ixray::scalar
