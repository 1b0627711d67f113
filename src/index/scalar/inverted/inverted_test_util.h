// Helpers shared by the INVERTED index tests.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "index/scalar/inverted/inverted_builder.h"
#include "index/scalar/inverted/inverted_config.h"
#include "index/scalar/inverted/inverted_segment.h"
#include "ixray/builder.h"

namespace ixray::scalar::inverted::testing {

inline ScalarIndexConfig MakeConfig(const IndexParams& params = {}) {
  auto config = NormalizeInvertedConfig(params);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  return *config;
}

inline ArrayPtr Strings(const std::vector<std::optional<std::string>>& values) {
  ArrayBuilder builder(utf8());
  for (const auto& value : values) {
    if (value) {
      builder.AppendString(*value);
    } else {
      builder.AppendNull();
    }
  }
  return *builder.Finish();
}

// Addresses of `n` consecutive rows of `fragment` starting at row `first`.
inline std::vector<RowAddress> Rows(size_t n, uint32_t fragment = 0, uint32_t first = 0) {
  std::vector<RowAddress> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(MakeRowAddress(fragment, first + static_cast<uint32_t>(i)));
  return out;
}

inline std::unique_ptr<InvertedSegment> BuildSegment(const ScalarIndexConfig& config,
                                                     const Array& values,
                                                     const std::vector<RowAddress>& addresses,
                                                     const Field* field = nullptr) {
  const Field text{"text", values.type()};
  auto segment = BuildInMemoryInvertedSegment(config, field ? *field : text, values, addresses);
  EXPECT_TRUE(segment.ok()) << segment.status().ToString();
  return segment.ok() ? std::move(*segment) : nullptr;
}

}  // namespace ixray::scalar::inverted::testing
