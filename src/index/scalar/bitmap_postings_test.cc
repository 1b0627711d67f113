#include "index/scalar/bitmap_postings.h"

#include <gtest/gtest.h>

#include <random>
#include <thread>

namespace ixray::scalar {
namespace {

std::vector<uint64_t> Members(const RowAddressSet& set) {
  std::vector<uint64_t> out;
  for (uint64_t a : set) out.push_back(a);
  return out;
}

RowAddressSet RandomSet(std::mt19937& rng, int n) {
  RowAddressSet set;
  for (int i = 0; i < n; ++i) {
    const uint64_t fragment = rng() % 4;
    set.add(fragment << 32 | (rng() % 3 == 0 ? rng() % 200000 : rng() % 100));
  }
  for (uint64_t a = 0; a < 5000; ++a) set.add((uint64_t{9} << 32) + a);  // a run container
  return set;
}

TEST(BitmapPostingsTest, RowSetRoundTrip) {
  std::mt19937 rng(1);
  for (int n : {0, 1, 10, 5000}) {
    RowAddressSet set = n == 0 ? RowAddressSet() : RandomSet(rng, n);
    auto decoded = DecodeRowSet(EncodeRowSet(set), "test");
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(Members(*decoded), Members(set));
  }
  // Buckets left empty by a subtraction still encode and decode.
  RowAddressSet hollow = RandomSet(rng, 100);
  hollow -= RowAddressSet(hollow);
  auto decoded = DecodeRowSet(EncodeRowSet(hollow), "test");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(decoded->isEmpty());
}

TEST(BitmapPostingsTest, DamagedRowSetsAreCorruption) {
  std::mt19937 rng(2);
  const std::string bytes = EncodeRowSet(RandomSet(rng, 3000));
  for (size_t cut = 0; cut < bytes.size(); cut += 1 + cut / 16) {
    auto decoded = DecodeRowSet(bytes.substr(0, cut), "test");
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption) << cut;
  }
  EXPECT_EQ(DecodeRowSet(bytes + "x", "test").status().code(), StatusCode::kCorruption);
  for (int k = 0; k < 300; ++k) {
    std::string flipped = bytes;
    flipped[rng() % flipped.size()] ^= static_cast<char>(1 + rng() % 255);
    auto decoded = DecodeRowSet(flipped, "test");
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
    }
  }
}

TEST(BitmapPostingsTest, ChunkedPostingsReadConcurrently) {
  std::mt19937 rng(3);
  auto fs = MakeMemoryFileSystem();
  std::vector<RowAddressSet> sets;
  for (int i = 0; i < 60; ++i) sets.push_back(RandomSet(rng, 1 + static_cast<int>(rng() % 400)));
  {
    auto writer = index::SegmentFileWriter::Open(fs, "/p.idx");
    ASSERT_TRUE(writer.ok());
    PostingWriter postings(writer->get(), /*chunk_bytes=*/4096);
    for (const auto& set : sets) ASSERT_TRUE(postings.Add(set).ok());
    ASSERT_TRUE(postings.Finish().ok());
    ASSERT_TRUE((*writer)->Finish().ok());
  }
  auto file = index::SegmentFileReader::Open(fs, "/p.idx");
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE((*file)->Has("postings.3"));  // several chunks
  auto reader = PostingReader::Open(*file);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->size(), sets.size());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < sets.size(); ++i) {
        const uint32_t e = (i * 7 + t * 13) % sets.size();
        auto set = (*reader)->Get(e);
        if (!set.ok() || Members(**set) != Members(sets[e])) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const uint32_t some[] = {3, 17, 42};
  auto all = (*reader)->Intersection(some);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Members(*all), Members(sets[3] & sets[17] & sets[42]));
  auto any = (*reader)->Union(some);
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(Members(*any), Members(sets[3] | sets[17] | sets[42]));
  auto non_null = (*reader)->NonNullRows();
  ASSERT_TRUE(non_null.ok());
  EXPECT_EQ(Members(*non_null), Members(sets[0] - sets[1]));
}

}  // namespace
}  // namespace ixray::scalar
