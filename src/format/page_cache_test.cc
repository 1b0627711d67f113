// PageCache: hits, CLOCK eviction within the byte budget,
// oversized pages, and takes through a cache reading each page once.

#include "format/page_cache.h"

#include <gtest/gtest.h>

#include "format/data_file.h"
#include "format/data_file_test_util.h"
#include "ixray/builder.h"
#include "testing/sample_data.h"

namespace ixray::format {
namespace {

using testing::BatchesEqual;
using testing::IsOk;

ArrayPtr Page(int64_t value) {
  ArrayBuilder builder(int64());
  builder.Append<int64_t>(value);
  return *builder.Finish();
}

int64_t ValueOf(const ArrayPtr& page) { return page->data<int64_t>()[0]; }

TEST(PageCacheTest, KeepsPagesPerReaderColumnAndIndex) {
  constexpr int64_t kCharge = 10 + PageCache::kEntryOverhead;
  PageCache cache(1000);
  const uint64_t a = cache.NewReaderId(), b = cache.NewReaderId();
  EXPECT_NE(a, b);
  EXPECT_EQ(cache.Get(a, 0, 0), nullptr);
  cache.Put(a, 0, 0, Page(1), 10);
  cache.Put(a, 1, 0, Page(2), 10);
  cache.Put(a, 0, 1, Page(3), 10);
  cache.Put(b, 0, 0, Page(4), 10);
  EXPECT_EQ(ValueOf(cache.Get(a, 0, 0)), 1);
  EXPECT_EQ(ValueOf(cache.Get(a, 1, 0)), 2);
  EXPECT_EQ(ValueOf(cache.Get(a, 0, 1)), 3);
  EXPECT_EQ(ValueOf(cache.Get(b, 0, 0)), 4);
  EXPECT_EQ(cache.size_bytes(), 4 * kCharge);
  cache.Put(a, 0, 0, Page(5), 10);  // already there: kept as is
  EXPECT_EQ(ValueOf(cache.Get(a, 0, 0)), 1);
  EXPECT_EQ(cache.size_bytes(), 4 * kCharge);
}

TEST(PageCacheTest, EvictsPagesNotUsedSinceTheLastSweep) {
  constexpr int64_t kCharge = 25 + PageCache::kEntryOverhead;
  PageCache cache(4 * kCharge);
  const uint64_t r = cache.NewReaderId();
  for (int p = 0; p < 4; ++p) cache.Put(r, 0, p, Page(p), 25);
  ASSERT_NE(cache.Get(r, 0, 0), nullptr);  // page 0 gets a second chance
  cache.Put(r, 0, 4, Page(4), 25);         // evicts page 1
  EXPECT_EQ(cache.Get(r, 0, 1), nullptr);
  for (int p : {0, 2, 3, 4}) EXPECT_EQ(ValueOf(cache.Get(r, 0, p)), p);
  EXPECT_EQ(cache.size_bytes(), 4 * kCharge);
  // All referenced now: a sweep clears the bits, then the oldest slot goes.
  cache.Put(r, 0, 5, Page(5), 25);
  EXPECT_EQ(cache.size_bytes(), 4 * kCharge);
  int kept = 0;
  for (int p = 0; p <= 5; ++p) kept += cache.Get(r, 0, p) != nullptr;
  EXPECT_EQ(kept, 4);
  EXPECT_EQ(ValueOf(cache.Get(r, 0, 5)), 5);
  // Charged more than a quarter of the capacity: not kept.
  cache.Put(r, 0, 6, Page(6), 26);
  EXPECT_EQ(cache.Get(r, 0, 6), nullptr);
  EXPECT_EQ(cache.size_bytes(), 4 * kCharge);

  PageCache none(0);
  none.Put(r, 0, 0, Page(0), 0);
  EXPECT_EQ(none.Get(r, 0, 0), nullptr);
  EXPECT_EQ(none.size_bytes(), 0);
}

TEST(PageCacheTest, StaysWithinItsCapacityUnderChurn) {
  PageCache cache(4096);
  const uint64_t r = cache.NewReaderId();
  for (int p = 0; p < 2000; ++p) {
    cache.Put(r, p % 3, p, Page(p), p % 700);
    if (p % 5 == 0) cache.Get(r, (p / 2) % 3, p / 2);
    ASSERT_LE(cache.size_bytes(), 4096);
  }
  EXPECT_GT(cache.size_bytes(), 2048);
  EXPECT_EQ(ValueOf(cache.Get(r, 1999 % 3, 1999)), 1999);
}

TEST(PageCacheTest, TakesThroughTheCacheReadEachPageOnce) {
  auto fs = MakeMemoryFileSystem();
  auto schema =
      *Schema::Make({field("id", int64(), false), field("vec", fixed_size_list(float32(), 4))});
  auto batch =
      *RecordBatch::Make(schema, 500,
                         {testing::MakeSampleArray(int64(), 500, 0, 1),
                          testing::MakeSampleArray(fixed_size_list(float32(), 4), 500, 7, 2)});
  DataFileWriterOptions options;
  options.max_rows_per_page = 50;
  ASSERT_TRUE(IsOk(testing::WriteDataFile(fs, "f", schema, {batch}, options)));
  auto cache = std::make_shared<PageCache>(1 << 20);
  auto cached = *DataFileReader::Open(fs, "f", cache);
  auto uncached = *DataFileReader::Open(fs, "f");

  const std::vector<uint64_t> rows = {3, 7, 120, 121, 499};
  for (int round = 0; round < 3; ++round) {
    auto a = cached->Take({0, 1}, rows);
    auto b = uncached->Take({0, 1}, rows);
    ASSERT_TRUE(IsOk(a));
    ASSERT_TRUE(IsOk(b));
    EXPECT_TRUE(BatchesEqual(**a, **b));
  }
  // Pages 0, 2 and 9 of two columns, each read once; without the cache three times.
  EXPECT_EQ(cached->stats().pages_read, 6);
  EXPECT_EQ(uncached->stats().pages_read, 18);
  EXPECT_GT(cache->size_bytes(), 0);
  // Scans bypass the cache.
  const int64_t size = cache->size_bytes();
  ASSERT_TRUE(IsOk(cached->ReadRange({0, 1}, 0, 500)));
  EXPECT_EQ(cache->size_bytes(), size);
}

}  // namespace
}  // namespace ixray::format
