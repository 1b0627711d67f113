#include "index/scalar/ordered_index_params.h"

#include <fmt/format.h>

#include <vector>

#include "index/scalar/ordered_keys.h"

namespace ixray::scalar {

Status CheckOrderedColumn(std::string_view index_type, const Field& field) {
  if (field.type != nullptr && KeyKindOf(*field.type)) return Status::OK();
  return Status::TypeError(fmt::format(
      "a {} index cannot index column '{}' of type {}: it supports integer, float, string, "
      "binary, date32, timestamp and bool columns",
      index_type, field.name, field.type == nullptr ? "(none)" : field.type->ToString()));
}

Status MergeParams(std::string_view index_type, const IndexParams& params,
                   ScalarIndexConfig* config) {
  for (const auto& [name, value] : params) {
    auto it = config->params.find(name);
    if (it == config->params.end()) {
      std::vector<std::string> accepted;
      for (const auto& [known, unused] : config->params) accepted.push_back(known);
      return Status::InvalidArgument(fmt::format(
          "unknown {} index parameter '{}'; accepted: {}", index_type, name,
          accepted.empty() ? std::string("none") : fmt::format("{}", fmt::join(accepted, ", "))));
    }
    it->second = value;
  }
  return Status::OK();
}

Status CheckConfigType(std::string_view index_type, const ScalarIndexConfig& config) {
  if (config.index_type == index_type) return Status::OK();
  return Status::InvalidArgument(
      fmt::format("a {} index was given a config of type '{}'", index_type, config.index_type));
}

Result<int64_t> GetIntInRange(const ScalarIndexConfig& config, std::string_view name, int64_t min,
                              int64_t max) {
  IXRAY_ASSIGN_OR_RAISE(int64_t value, config.GetInt(name));
  if (value < min || value > max) {
    return Status::InvalidArgument(
        fmt::format("{} index parameter '{}' must be in [{}, {}], got {}", config.index_type, name,
                    min, max, value));
  }
  return value;
}

}  // namespace ixray::scalar
