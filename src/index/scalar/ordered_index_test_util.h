// Test helpers for the ordered scalar indices (BTREE, ZONEMAP): a random
// table spread over fragments with deleted rows, segment building into an
// in-memory file system, and the check of an index answer against the
// filter evaluator.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "index/scalar/scalar_index.h"
#include "ixray/builder.h"
#include "ixray/executor.h"
#include "ixray/record_batch.h"
#include "query/filter_eval.h"
#include "query/filter_parser.h"
#include "query/half_float.h"

namespace ixray::scalar::test {

// The live rows of a few fragments, in address order.
struct TestTable {
  RecordBatchPtr batch;
  std::vector<RowAddress> addresses;  // of each batch row
  // [begin, end) batch rows of each fragment.
  std::vector<std::pair<int64_t, int64_t>> fragments;
};

inline constexpr int32_t kDay2024 = 19723;  // 2024-01-01

// Columns i8, i32, i64, u64, f16, f32, f64, s (utf8), ls (large_utf8),
// d (date32), ts (timestamp), b (bool): small domains (many duplicates),
// about 15% nulls, NaN / +-inf / -0 in the float columns, empty strings.
inline TestTable MakeTestTable(uint32_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const auto chance = [&](int percent) { return uniform(0, 99) < percent; };
  std::vector<FieldPtr> fields = {
      field("i8", int8()),     field("i32", int32()),    field("i64", int64()),
      field("u64", uint64()),  field("f16", float16()),  field("f32", float32()),
      field("f64", float64()), field("s", utf8()),       field("ls", large_utf8()),
      field("d", date32()),    field("ts", timestamp()), field("b", boolean())};
  std::vector<std::unique_ptr<ArrayBuilder>> builders;
  for (const auto& f : fields) builders.push_back(std::make_unique<ArrayBuilder>(f->type));
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> floats = {-inf, -2.5, -1, -0.0, 0.0, 0.1, 1, 2.5, 3, 7.25, inf, NAN};
  const std::vector<std::string> strings = {"",  "a",  "ab", "abc",  "abd", "abcd",
                                            "b", "ba", "zz", "\x7f", "a%b"};
  TestTable table;
  const std::vector<std::pair<uint32_t, uint32_t>> fragments = {{1, 230}, {4, 180}, {9, 257}};
  for (const auto& [fragment, physical_rows] : fragments) {
    const int64_t begin = static_cast<int64_t>(table.addresses.size());
    for (uint32_t offset = 0; offset < physical_rows; ++offset) {
      if (chance(10)) continue;  // deleted
      table.addresses.push_back(MakeRowAddress(fragment, offset));
      for (size_t c = 0; c < fields.size(); ++c) {
        ArrayBuilder& b = *builders[c];
        if (chance(15)) {
          b.AppendNull();
          continue;
        }
        const double f = chance(70) ? floats[uniform(0, floats.size() - 1)]
                                    : static_cast<double>(uniform(-1000, 1000)) / 100;
        switch (fields[c]->type->id()) {
          case TypeId::kInt8:
            b.Append<int8_t>(chance(5) ? (chance(50) ? -128 : 127) : uniform(-10, 10));
            break;
          case TypeId::kInt32:
            b.Append<int32_t>(uniform(-10, 10));
            break;
          case TypeId::kInt64:
            b.Append<int64_t>(chance(5) ? std::numeric_limits<int64_t>::min() : uniform(-10, 10));
            break;
          case TypeId::kUInt64:
            b.Append<uint64_t>(chance(5)   ? (uint64_t{1} << 63) + 5
                               : chance(3) ? std::numeric_limits<uint64_t>::max()
                                           : uniform(0, 20));
            break;
          case TypeId::kFloat16:
            b.Append<uint16_t>(query::DoubleToHalf(f));
            break;
          case TypeId::kFloat32:
            b.Append<float>(static_cast<float>(f));
            break;
          case TypeId::kFloat64:
            b.Append<double>(f);
            break;
          case TypeId::kString:
          case TypeId::kLargeString: {
            std::string s;
            if (chance(70)) {
              s = strings[uniform(0, strings.size() - 1)];
            } else {
              for (int64_t k = uniform(0, 4); k > 0; --k)
                s += static_cast<char>('a' + uniform(0, 3));
            }
            b.AppendString(s);
            break;
          }
          case TypeId::kDate32:
            b.Append<int32_t>(kDay2024 + static_cast<int32_t>(uniform(-7, 7)));
            break;
          case TypeId::kTimestamp:
            b.Append<int64_t>(int64_t{kDay2024} * query::kMicrosPerDay +
                              uniform(-6, 6) * (query::kMicrosPerDay / 2) +
                              (chance(30) ? uniform(-1, 1) * 500000 : 0));
            break;
          case TypeId::kBool:
            b.AppendBool(chance(50));
            break;
          default:
            break;
        }
      }
    }
    table.fragments.emplace_back(begin, static_cast<int64_t>(table.addresses.size()));
  }
  std::vector<ArrayPtr> columns;
  for (auto& b : builders) columns.push_back(*b->Finish());
  table.batch = *RecordBatch::Make(*Schema::Make(fields), table.addresses.size(), columns);
  return table;
}

inline BuildContext MakeContext(std::shared_ptr<FileSystem> fs, std::string temp_dir,
                                int64_t memory_limit = int64_t{64} << 20) {
  EXPECT_TRUE(fs->CreateDir(temp_dir).ok());
  BuildContext context;
  context.fs = std::move(fs);
  context.temp_dir = std::move(temp_dir);
  context.memory_limit = memory_limit;
  context.executor = SerialExecutor().get();  // a process-wide singleton
  return context;
}

// Builds a segment of `column` at `path` (each fragment added in two
// parts), calling `after_add` before Finish, and opens it.
inline Result<std::unique_ptr<ScalarIndexSegment>> BuildSegment(
    const ScalarIndexPlugin& plugin, const IndexParams& params, const TestTable& table,
    const std::string& column, const BuildContext& context, const std::string& path,
    const std::function<void()>& after_add = nullptr) {
  IXRAY_ASSIGN_OR_RAISE(ScalarIndexConfig config, plugin.NormalizeConfig(params));
  IXRAY_ASSIGN_OR_RAISE(FieldPtr f, table.batch->schema()->GetField(column));
  IXRAY_ASSIGN_OR_RAISE(auto builder, plugin.MakeBuilder(config, *f, context));
  const ArrayPtr& values = table.batch->column(table.batch->schema()->FieldIndex(column));
  for (const auto& [begin, end] : table.fragments) {
    const int64_t middle = begin + (end - begin) / 3;
    for (auto [from, to] : {std::pair{begin, middle}, std::pair{middle, end}}) {
      IXRAY_RETURN_NOT_OK(
          builder->Add(*values->Slice(from, to - from),
                       {table.addresses.data() + from, static_cast<size_t>(to - from)}));
    }
  }
  if (after_add) after_add();
  IXRAY_ASSIGN_OR_RAISE(auto writer, index::SegmentFileWriter::Open(context.fs, path));
  IXRAY_RETURN_NOT_OK(builder->Finish(*writer));
  IXRAY_RETURN_NOT_OK(writer->Finish().status());
  IXRAY_ASSIGN_OR_RAISE(auto reader, index::SegmentFileReader::Open(context.fs, path));
  return plugin.Open(reader, config, *f);
}

// The addresses of the rows where `filter` is TRUE, by the evaluator.
inline RowAddressSet BruteForce(const TestTable& table, const query::Expr& filter) {
  auto rows = query::FilterIndices(filter, *table.batch);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  RowAddressSet out;
  for (uint32_t row : *rows) out.add(table.addresses[row]);
  return out;
}

enum class Expect { kExact, kSuperset, kNoAnswer };

// Checks the segment's answer for `filter` (one column predicate) against
// the evaluator: equal rows when exact, a superset of them (made only of
// indexed rows) otherwise. `expect` says what the index should give.
inline void CheckFilter(const ScalarIndexSegment& segment, const TestTable& table,
                        const std::string& filter, Expect expect) {
  SCOPED_TRACE(filter);
  auto expr = query::ParseFilter(filter, *table.batch->schema());
  ASSERT_TRUE(expr.ok()) << expr.status().ToString();
  const auto predicate = query::AsColumnPredicate(**expr);
  ASSERT_TRUE(predicate.has_value());
  auto answer = segment.Search(*predicate);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  if (expect == Expect::kNoAnswer) {
    EXPECT_FALSE(answer->has_value());
    return;
  }
  ASSERT_TRUE(answer->has_value());
  const RowAddressSet truth = BruteForce(table, **expr);
  const RowAddressSet& rows = (*answer)->rows;
  if (expect == Expect::kExact) EXPECT_TRUE((*answer)->exact);
  if ((*answer)->exact) {
    EXPECT_TRUE(rows == truth) << "index " << rows.cardinality() << " rows, evaluator "
                               << truth.cardinality();
  } else {
    EXPECT_TRUE(truth.isSubset(rows))
        << "index " << rows.cardinality() << " rows, evaluator " << truth.cardinality();
  }
  const RowAddressSet all(table.addresses.size(), table.addresses.data());
  EXPECT_TRUE(rows.isSubset(all)) << "the answer names rows that were not indexed";
}

// Filters over each column, with "{}" standing for the column name.
inline std::vector<std::string> IntegerFilters() {
  return {"{} = 3",
          "{} != 3",
          "{} < 5",
          "{} <= -2",
          "{} > 7",
          "{} >= 0",
          "{} < 2.5",
          "{} = 2.5",
          "{} != 2.5",
          "{} > -2.5",
          "{} <= -2.5",
          "{} < 1000",
          "{} > 1000",
          "{} >= -1000",
          "{} > 9223372036854775808",
          "{} <= 18446744073709551615",
          "{} < -9223372036854775808",
          "{} BETWEEN 2 AND 7",
          "{} NOT BETWEEN 2 AND 7",
          "{} BETWEEN 7 AND 2",
          "{} NOT BETWEEN 7 AND 2",
          "{} BETWEEN 1.5 AND 2.5",
          "{} BETWEEN NULL AND 3",
          "{} NOT BETWEEN NULL AND 3",
          "{} NOT BETWEEN 3 AND NULL",
          "{} IN (1, 2, 2.5, 9)",
          "{} IN (1, NULL)",
          "{} NOT IN (1, 2)",
          "{} NOT IN (1, NULL)",
          "{} IN (-10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)",
          "{} = NULL",
          "{} != NULL",
          "{} IS NULL",
          "{} IS NOT NULL",
          "NOT ({} IN (3, 4))",
          "NOT ({} BETWEEN -3 AND 3)"};
}

inline std::vector<std::string> FloatFilters() {
  return {"{} = 0.1",
          "{} = 0",
          "{} != 0",
          "{} != 0.1",
          "{} < 2.5",
          "{} >= 2.5",
          "{} > 7.25",
          "{} <= 3",
          "{} > 1e300",
          "{} < -1e300",
          "{} >= -1e300",
          "{} = 7",
          "{} BETWEEN -1 AND 1",
          "{} NOT BETWEEN -1 AND 1",
          "{} BETWEEN 0 AND 0",
          "{} IN (0.1, 2.5, 0, 99)",
          "{} NOT IN (0.1, 2.5)",
          "{} NOT IN (0.1, NULL)",
          "{} IS NULL",
          "{} IS NOT NULL",
          "{} < 100000",
          "{} > 65504"};
}

inline std::vector<std::string> StringFilters() {
  return {"{} = 'abc'",
          "{} != ''",
          "{} = ''",
          "{} >= 'abc'",
          "{} < 'b'",
          "{} > 'ab'",
          "{} <= ''",
          "{} BETWEEN 'a' AND 'abd'",
          "{} NOT BETWEEN 'a' AND 'abd'",
          "{} IN ('a', '', 'zz', 'q')",
          "{} NOT IN ('a', 'b')",
          "{} IS NULL",
          "{} IS NOT NULL",
          "{} != 'abc'"};
}

inline std::vector<std::string> DateFilters() {
  return {"{} < date '2024-01-01'",
          "{} >= date '2024-01-01'",
          "{} = '2024-01-02'",
          "{} != date '2024-01-02'",
          "{} < timestamp '2024-01-02 12:00:00'",
          "{} > timestamp '2024-01-02 12:00:00'",
          "{} = timestamp '2024-01-02 00:00:00'",
          "{} = timestamp '2024-01-02 00:00:01'",
          "{} BETWEEN '2023-12-30' AND '2024-01-02'",
          "{} NOT BETWEEN '2023-12-30' AND '2024-01-02'",
          "{} IN (date '2024-01-01', date '2023-12-25')",
          "{} NOT IN (date '2024-01-01')",
          "{} IS NULL",
          "{} IS NOT NULL"};
}

inline std::vector<std::string> TimestampFilters() {
  return {"{} < timestamp '2024-01-01 00:00:00.5'",
          "{} >= date '2024-01-01'",
          "{} = timestamp '2024-01-01 12:00:00'",
          "{} != timestamp '2024-01-01 12:00:00'",
          "{} > '2024-01-02 12:00:00'",
          "{} BETWEEN date '2023-12-31' AND '2024-01-02 00:00:00.5'",
          "{} NOT BETWEEN date '2023-12-31' AND '2024-01-02'",
          "{} IN (timestamp '2024-01-01 12:00:00', date '2024-01-02')",
          "{} NOT IN (date '2024-01-02')",
          "{} IS NULL",
          "{} IS NOT NULL"};
}

inline std::vector<std::string> BoolFilters() {
  return {
      "{}",         "NOT {}",        "{} = true",    "{} != true",        "{} = false",
      "{} < true",  "{} >= false",   "{} IN (true)", "{} NOT IN (false)", "{} NOT IN (true, NULL)",
      "{} IS NULL", "{} IS NOT NULL"};
}

// The filters of a column of the test table.
inline std::vector<std::string> FiltersFor(const std::string& column) {
  std::vector<std::string> templates;
  if (column == "i8" || column == "i32" || column == "i64" || column == "u64") {
    templates = IntegerFilters();
  } else if (column == "f16" || column == "f32" || column == "f64") {
    templates = FloatFilters();
  } else if (column == "s" || column == "ls") {
    templates = StringFilters();
  } else if (column == "d") {
    templates = DateFilters();
  } else if (column == "ts") {
    templates = TimestampFilters();
  } else {
    templates = BoolFilters();
  }
  std::vector<std::string> out;
  for (std::string t : templates) {
    for (size_t at; (at = t.find("{}")) != std::string::npos;) t.replace(at, 2, column);
    out.push_back(std::move(t));
  }
  return out;
}

inline const std::vector<std::string>& TestColumns() {
  static const std::vector<std::string> columns = {"i8",  "i32", "i64", "u64", "f16", "f32",
                                                   "f64", "s",   "ls",  "d",   "ts",  "b"};
  return columns;
}

}  // namespace ixray::scalar::test
