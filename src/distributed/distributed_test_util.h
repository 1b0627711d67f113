// Helpers shared by the distributed tests: small clustered vector datasets.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "dataset/dataset_test_util.h"
#include "ixray/builder.h"

namespace ixray::distributed::testing {

inline constexpr int kDim = 8;

// Rows id = first.. with "vec" fixed_size_list<float32, kDim> drawn around
// 6 cluster centres (distinct values, so distances rarely tie).
inline RecordBatchPtr MakeVectorBatch(int64_t first, int64_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.3f);
  ArrayBuilder ids(int64());
  ArrayBuilder vecs(fixed_size_list(float32(), kDim));
  for (int64_t i = 0; i < rows; ++i) {
    ids.Append<int64_t>(first + i);
    vecs.StartList();
    const int cluster = static_cast<int>((first + i) % 6);
    for (int j = 0; j < kDim; ++j) {
      vecs.child().Append<float>(static_cast<float>((cluster * (j + 1)) % 5) + noise(rng));
    }
  }
  auto schema =
      *Schema::Make({field("id", int64(), false), field("vec", fixed_size_list(float32(), kDim))});
  return *RecordBatch::Make(schema, rows, {*ids.Finish(), *vecs.Finish()});
}

inline std::vector<float> Query(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 4.5f);
  std::vector<float> q(kDim);
  for (auto& v : q) v = u(rng);
  return q;
}

// Writes `rows` rows in fragments of `rows_per_file` at `uri`.
inline std::shared_ptr<Dataset> WriteVectors(const std::string& uri, int64_t first, int64_t rows,
                                             int64_t rows_per_file, WriteMode mode, uint64_t seed) {
  auto ds = ixray::testing::WriteBatches({MakeVectorBatch(first, rows, seed)}, uri,
                                         LocalFileSystem(), mode, rows_per_file);
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  return *ds;
}

}  // namespace ixray::distributed::testing
