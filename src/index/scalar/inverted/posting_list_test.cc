// Posting lists: round trips, bound pairs that bound every posting of their
// block and list, lists written without bound pairs, damaged bound pairs.
#include "index/scalar/inverted/posting_list.h"

#include <gtest/gtest.h>

#include <random>

namespace ixray::scalar::inverted {
namespace {

struct List {
  std::vector<uint32_t> docs, tfs, lengths;
  std::string bytes;
};

List MakeList(uint32_t seed, uint32_t num_docs, double density) {
  std::mt19937 rng(seed);
  List out;
  for (uint32_t doc = 0; doc < num_docs; ++doc) {
    out.lengths.push_back(1 + rng() % 200);
    if (std::uniform_real_distribution<double>(0, 1)(rng) < density) {
      out.docs.push_back(doc);
      out.tfs.push_back(1 + (rng() % 7 == 0 ? rng() % 30 : rng() % 3));
    }
  }
  EncodePostingList(out.docs, out.tfs, out.lengths, &out.bytes);
  return out;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

bool Bounded(std::span<const BoundPair> pairs, uint32_t tf, uint32_t length) {
  for (const BoundPair& p : pairs) {
    if (tf <= p.max_tf && length >= p.min_doc_length) return true;
  }
  return false;
}

TEST(PostingListTest, BoundPairsBoundEveryPosting) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    const List list = MakeList(seed, 5000, 0.3);
    auto cursor = PostingCursor::Open(Bytes(list.bytes), list.docs.size(), 5000);
    ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
    const std::vector<BoundPair> list_pairs(cursor->list_bounds().begin(),
                                            cursor->list_bounds().end());
    EXPECT_EQ(list_pairs.size(), kBoundPairs);
    size_t i = 0;
    for (; cursor->doc() != kEndOfPostings; ++i) {
      ASSERT_LT(i, list.docs.size());
      EXPECT_EQ(cursor->doc(), list.docs[i]);
      EXPECT_EQ(cursor->tf(), list.tfs[i]);
      const uint32_t length = list.lengths[list.docs[i]];
      ASSERT_TRUE(cursor->ShallowAdvance(cursor->doc()));
      EXPECT_TRUE(Bounded(cursor->shallow_bounds(), list.tfs[i], length)) << i;
      EXPECT_TRUE(Bounded(list_pairs, list.tfs[i], length)) << i;
      ASSERT_TRUE(cursor->Next().ok());
    }
    EXPECT_EQ(i, list.docs.size());
  }
}

TEST(PostingListTest, ListsWithoutBoundPairsStillRead) {
  const List list = MakeList(4, 3000, 0.5);
  const size_t blocks = (list.docs.size() + kBlockSize - 1) / kBlockSize;
  ASSERT_GE(blocks, 2u);
  // As written before bound pairs existed: the blocks only.
  const std::string old = list.bytes.substr(0, list.bytes.size() - (blocks + 1) * kBoundPairs * 8);
  auto cursor = PostingCursor::Open(Bytes(old), list.docs.size(), 3000);
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  EXPECT_EQ(cursor->list_bounds().size(), 1u);
  EXPECT_EQ(cursor->list_bounds()[0].max_tf, cursor->list_max_tf());
  size_t i = 0;
  for (; cursor->doc() != kEndOfPostings; ++i) {
    EXPECT_EQ(cursor->doc(), list.docs[i]);
    ASSERT_TRUE(cursor->ShallowAdvance(cursor->doc()));
    EXPECT_TRUE(Bounded(cursor->shallow_bounds(), list.tfs[i], list.lengths[list.docs[i]]));
    ASSERT_TRUE(cursor->Next().ok());
  }
  EXPECT_EQ(i, list.docs.size());
  // One block: no bound pairs are written.
  const List small = MakeList(5, 100, 0.5);
  std::string again;
  EncodePostingList(small.docs, small.tfs, small.lengths, &again);
  EXPECT_EQ(PostingCursor::Open(Bytes(again), small.docs.size(), 100)->list_bounds().size(), 1u);
}

TEST(PostingListTest, DamagedBoundPairsAreCorruption) {
  const List list = MakeList(6, 3000, 0.5);
  // Cut short.
  const std::string cut = list.bytes.substr(0, list.bytes.size() - 8);
  EXPECT_EQ(PostingCursor::Open(Bytes(cut), list.docs.size(), 3000).status().code(),
            StatusCode::kCorruption);
  // A pair whose tf passes its block's largest.
  std::string raised = list.bytes;
  const size_t last_pair = raised.size() - 8;
  raised[last_pair] = static_cast<char>(static_cast<uint8_t>(raised[last_pair]) + 100);
  EXPECT_EQ(PostingCursor::Open(Bytes(raised), list.docs.size(), 3000).status().code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace ixray::scalar::inverted
