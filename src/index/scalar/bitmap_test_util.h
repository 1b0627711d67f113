// Helpers shared by the tests of the bitmap-style scalar indices (BITMAP,
// LABEL_LIST, NGRAM): build a segment into an in-memory file system and
// compare the answers of filters with the filter evaluator's rows.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "index/scalar/scalar_index.h"
#include "index/segment_file.h"
#include "ixray/file_system.h"
#include "ixray/record_batch.h"
#include "query/filter_eval.h"
#include "query/filter_parser.h"

namespace ixray::scalar::test {

// `n` ascending row addresses spread over a few fragments, with gaps (as
// deleted rows leave them) and fragment ids that skip.
inline std::vector<RowAddress> SparseAddresses(int64_t n, std::mt19937& rng) {
  std::vector<RowAddress> out;
  uint64_t fragment = 1, offset = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (rng() % 97 == 0) {
      fragment += 1 + rng() % 3;
      offset = rng() % 5;
    }
    offset += 1 + (rng() % 4 == 0 ? rng() % 70000 : 0);  // sometimes cross a 2^16 boundary
    out.push_back(MakeRowAddress(static_cast<FragmentId>(fragment), static_cast<uint32_t>(offset)));
  }
  return out;
}

// An index segment built over one column, and the data to check it against.
struct Fixture {
  std::shared_ptr<FileSystem> fs = MakeMemoryFileSystem();
  const ScalarIndexPlugin* plugin = nullptr;
  ScalarIndexConfig config;
  RecordBatchPtr batch;  // the indexed column (column 0), one row per address
  std::vector<RowAddress> addresses;
  std::shared_ptr<index::SegmentFileReader> file;
  std::unique_ptr<ScalarIndexSegment> segment;
};

// Builds a segment of index `type` over column 0 of `batch`, adding it in
// slices of varying length.
inline Status BuildFixture(std::string_view type, RecordBatchPtr batch,
                           std::vector<RowAddress> addresses, Fixture* out, uint32_t seed = 1) {
  IXRAY_ASSIGN_OR_RAISE(out->plugin, ScalarIndexRegistry::BuiltIn().Find(type));
  IXRAY_ASSIGN_OR_RAISE(out->config, out->plugin->NormalizeConfig({}));
  out->batch = batch;
  out->addresses = std::move(addresses);
  const Field& field = *batch->schema()->field(0);
  IXRAY_RETURN_NOT_OK(out->plugin->CheckColumn(field));
  auto executor = MakeThreadPoolExecutor(1);
  BuildContext context{out->fs, "/tmp", int64_t{1} << 20, executor.get()};
  IXRAY_ASSIGN_OR_RAISE(auto builder, out->plugin->MakeBuilder(out->config, field, context));
  const ArrayPtr& column = batch->column(0);
  std::mt19937 rng(seed);
  for (int64_t start = 0; start < column->length();) {
    const int64_t length = std::min<int64_t>(column->length() - start, 1 + rng() % 300);
    IXRAY_RETURN_NOT_OK(builder->Add(*column->Slice(start, length),
                                     std::span(out->addresses).subspan(start, length)));
    start += length;
  }
  IXRAY_ASSIGN_OR_RAISE(auto writer, index::SegmentFileWriter::Open(out->fs, "/segment.idx"));
  IXRAY_RETURN_NOT_OK(builder->Finish(*writer));
  IXRAY_RETURN_NOT_OK(writer->Finish().status());
  IXRAY_ASSIGN_OR_RAISE(out->file, index::SegmentFileReader::Open(out->fs, "/segment.idx"));
  IXRAY_ASSIGN_OR_RAISE(out->segment, out->plugin->Open(out->file, out->config, field));
  return Status::OK();
}

// The members of `set`, ascending. (Roaring64Map::operator== of libroaring
// 0.2.66 loops forever on maps holding empty buckets, which subtraction
// leaves, so tests compare these instead.)
inline std::vector<uint64_t> Members(const RowAddressSet& set) {
  std::vector<uint64_t> out;
  for (uint64_t a : set) out.push_back(a);
  return out;
}

enum class AnswerKind { kNone, kExact, kSuperset };

// Parses `filter` against the batch's schema, asks the segment, and checks
// the answer against the rows where the evaluator finds the filter TRUE:
// equal if exact, a superset otherwise. Returns what kind of answer it got.
inline AnswerKind CheckFilter(const Fixture& f, const std::string& filter) {
  SCOPED_TRACE(filter);
  auto expr = query::ParseFilter(filter, *f.batch->schema());
  EXPECT_TRUE(expr.ok()) << expr.status().ToString();
  if (!expr.ok()) return AnswerKind::kNone;
  auto predicate = query::AsColumnPredicate(**expr);
  EXPECT_TRUE(predicate.has_value());
  if (!predicate) return AnswerKind::kNone;
  auto selected = query::FilterIndices(**expr, *f.batch);
  EXPECT_TRUE(selected.ok()) << selected.status().ToString();
  RowAddressSet expected;
  for (uint32_t i : *selected) expected.add(f.addresses[i]);
  auto answer = f.segment->Search(*predicate);
  EXPECT_TRUE(answer.ok()) << answer.status().ToString();
  if (!answer.ok() || !answer->has_value()) return AnswerKind::kNone;
  const IndexAnswer& a = **answer;
  if (a.exact) {
    EXPECT_TRUE(Members(a.rows) == Members(expected))
        << "index: " << a.rows.cardinality() << " rows, evaluator: " << expected.cardinality();
    return AnswerKind::kExact;
  }
  const std::vector<uint64_t> rows = Members(a.rows), want = Members(expected);
  EXPECT_TRUE(std::includes(rows.begin(), rows.end(), want.begin(), want.end()))
      << "an inexact answer misses rows";
  return AnswerKind::kSuperset;
}

// Copies the segment file with blob `name` replaced by `bytes` (checksums
// recomputed, so only the index's own parsing can notice) and opens it.
inline Result<std::unique_ptr<ScalarIndexSegment>> OpenWithBlob(
    const Fixture& f, const std::vector<std::string>& names, const std::string& name,
    const std::string& bytes) {
  IXRAY_ASSIGN_OR_RAISE(auto writer, index::SegmentFileWriter::Open(f.fs, "/damaged.idx"));
  for (const auto& n : names) {
    if (n == name) {
      IXRAY_RETURN_NOT_OK(writer->Add(n, bytes));
    } else {
      IXRAY_ASSIGN_OR_RAISE(BufferPtr blob, f.file->Read(n));
      IXRAY_RETURN_NOT_OK(writer->Add(n, blob->view()));
    }
  }
  IXRAY_RETURN_NOT_OK(writer->Finish().status());
  IXRAY_ASSIGN_OR_RAISE(auto file, index::SegmentFileReader::Open(f.fs, "/damaged.idx"));
  return f.plugin->Open(file, f.config, *f.batch->schema()->field(0));
}

// The blobs a keyed posting segment holds.
inline std::vector<std::string> SegmentBlobs(const index::SegmentFileReader& file) {
  std::vector<std::string> names = {"meta", "keys", "postings.table"};
  for (int c = 0; file.Has("postings." + std::to_string(c)); ++c) {
    names.push_back("postings." + std::to_string(c));
  }
  return names;
}

// Damages each blob of the fixture's segment (truncations, flipped bytes)
// and checks that opening and searching give OK or Corruption, never a
// crash; a truncated meta, keys or table blob must fail to open.
inline void CheckDamage(const Fixture& f, const std::vector<query::ColumnPredicate>& predicates) {
  const std::vector<std::string> names = SegmentBlobs(*f.file);
  std::mt19937 rng(7);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    auto original = f.file->Read(name);
    ASSERT_TRUE(original.ok());
    const std::string bytes((*original)->view());
    std::vector<std::string> variants;
    for (size_t cut : {size_t{0}, bytes.size() / 2, bytes.size() - 1}) {
      if (cut < bytes.size()) variants.push_back(bytes.substr(0, cut));
    }
    const size_t truncations = variants.size();
    for (int k = 0; k < 12 && !bytes.empty(); ++k) {
      std::string flipped = bytes;
      flipped[rng() % flipped.size()] ^= static_cast<char>(1 + rng() % 255);
      variants.push_back(flipped);
    }
    for (size_t v = 0; v < variants.size(); ++v) {
      auto segment = OpenWithBlob(f, names, name, variants[v]);
      if (!segment.ok()) {
        EXPECT_EQ(segment.status().code(), StatusCode::kCorruption) << segment.status().ToString();
        continue;
      }
      const bool is_chunk = name.rfind("postings.", 0) == 0 && name != "postings.table";
      if (v < truncations && !is_chunk) {
        ADD_FAILURE() << "a truncated " << name << " blob opened";
      }
      for (const auto& p : predicates) {
        auto answer = (*segment)->Search(p);
        if (!answer.ok()) {
          EXPECT_EQ(answer.status().code(), StatusCode::kCorruption) << answer.status().ToString();
        }
      }
    }
  }
}

}  // namespace ixray::scalar::test
