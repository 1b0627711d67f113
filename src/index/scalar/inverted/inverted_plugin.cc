// The INVERTED (alias FTS) scalar index plugin: full-text search over string
// and list<string> columns. The segment answers no filter predicates; queries
// go through SearchFullText (fts_search.h).
#include <memory>

#include "index/scalar/inverted/inverted_builder.h"
#include "index/scalar/inverted/inverted_config.h"
#include "index/scalar/inverted/inverted_segment.h"
#include "index/scalar/scalar_index.h"

namespace ixray::scalar {

namespace {

class InvertedPlugin final : public ScalarIndexPlugin {
 public:
  std::string_view name() const override { return inverted::kInvertedIndexType; }

  Status CheckColumn(const Field& field) const override {
    return inverted::CheckInvertedColumn(field);
  }

  Result<ScalarIndexConfig> NormalizeConfig(const IndexParams& params) const override {
    return inverted::NormalizeInvertedConfig(params);
  }

  Result<std::unique_ptr<ScalarSegmentBuilder>> MakeBuilder(
      const ScalarIndexConfig& config, const Field& field,
      const BuildContext& context) const override {
    IXRAY_ASSIGN_OR_RAISE(auto builder,
                          inverted::InvertedSegmentBuilder::Make(config, field, context));
    return std::unique_ptr<ScalarSegmentBuilder>(std::move(builder));
  }

  Result<std::unique_ptr<ScalarIndexSegment>> Open(std::shared_ptr<index::SegmentFileReader> file,
                                                   const ScalarIndexConfig& config,
                                                   const Field& field) const override {
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    inverted::BlobReader read = [file](std::string_view name) { return file->Read(name); };
    IXRAY_ASSIGN_OR_RAISE(auto segment, inverted::InvertedSegment::Open(std::move(read), config));
    return std::unique_ptr<ScalarIndexSegment>(std::move(segment));
  }
};

}  // namespace

std::unique_ptr<ScalarIndexPlugin> MakeInvertedPlugin() {
  return std::make_unique<InvertedPlugin>();
}

}  // namespace ixray::scalar
