// Dataset behaviour: writing, appending, overwriting, versions, time travel,
// errors, deletes and damaged files.

#include <gtest/gtest.h>

#include <map>
#include <numeric>

#include "dataset/dataset_format.h"
#include "dataset/dataset_impl.h"
#include "dataset/dataset_test_util.h"
#include "ixray/builder.h"

namespace ixray::dataset {
namespace {

using ::ixray::testing::BatchesEqual;
using ::ixray::testing::HasCode;
using ::ixray::testing::Ids;
using ::ixray::testing::IsOk;
using ::ixray::testing::MakeIdBatch;
using ::ixray::testing::MakeSampleBatch;
using ::ixray::testing::ReadAllRows;
using ::ixray::testing::WriteBatches;

class DatasetTest : public ::testing::Test {
 protected:
  Result<std::shared_ptr<Dataset>> Open(std::optional<uint64_t> version = std::nullopt) {
    return Dataset::Open(uri_, OpenOptions{version, fs_});
  }
  Result<std::shared_ptr<Dataset>> Write(std::vector<RecordBatchPtr> batches,
                                         WriteMode mode = WriteMode::kCreate,
                                         int64_t max_rows_per_file = 1 << 20) {
    return WriteBatches(batches, uri_, fs_, mode, max_rows_per_file);
  }
  std::vector<std::string> ListDir(const std::string& dir) {
    std::vector<std::string> names;
    auto entries = fs_->ListDir(JoinPath(uri_, dir));
    if (!entries.ok()) return names;
    for (const auto& e : *entries) names.push_back(e.path.substr(e.path.rfind('/') + 1));
    return names;
  }

  std::shared_ptr<FileSystem> fs_ = MakeMemoryFileSystem();
  const std::string uri_ = "datasets/one";
};

TEST_F(DatasetTest, EveryTypeRoundTripsAcrossFragments) {
  auto part1 = MakeSampleBatch(250, 7, 1);
  auto part2 = MakeSampleBatch(130, 5, 2);
  auto written = Write({part1, part2}, WriteMode::kCreate, 100);
  ASSERT_TRUE(IsOk(written));
  EXPECT_EQ((*written)->version(), 1u);
  EXPECT_EQ((*written)->Fragments().size(), 4u);  // 100 + 100 + 100 + 80

  auto ds = Open();
  ASSERT_TRUE(IsOk(ds));
  EXPECT_EQ((*ds)->version(), 1u);
  EXPECT_TRUE((*ds)->schema()->Equals(*part1->schema()));
  for (int i = 0; i < (*ds)->schema()->num_fields(); ++i) {
    EXPECT_EQ((*ds)->schema()->field(i)->id, i);
  }
  EXPECT_EQ(*(*ds)->CountRows(), 380);
  const auto fragments = (*ds)->Fragments();
  ASSERT_EQ(fragments.size(), 4u);
  for (size_t i = 0; i < fragments.size(); ++i) {
    EXPECT_EQ(fragments[i].id, i);
    EXPECT_EQ(fragments[i].num_rows(), i < 3 ? 100 : 80);
    ASSERT_EQ(fragments[i].data_files.size(), 1u);
    EXPECT_TRUE(fragments[i].data_files[0].starts_with("data/"));
  }
  auto all = ReadAllRows(**ds);
  ASSERT_TRUE(IsOk(all));
  auto expected = ConcatenateBatches(part1->schema(), {part1, part2});
  ASSERT_TRUE(IsOk(expected));
  auto actual = RecordBatch::Make(part1->schema(), (*all)->num_rows(), (*all)->columns());
  EXPECT_TRUE(BatchesEqual(**actual, **expected));

  // Take by position and by row address cross fragment boundaries.
  const std::vector<uint64_t> positions = {379, 0, 150, 99, 100};
  auto taken = (*ds)->Take(positions, {"c4", "c12"});
  ASSERT_TRUE(IsOk(taken));
  ASSERT_EQ((*taken)->num_rows(), 5);
  auto c4 = (*expected)->GetColumnByName("c4");
  for (size_t i = 0; i < positions.size(); ++i) {
    EXPECT_EQ((*taken)->column(0)->IsNull(i), c4->IsNull(positions[i]));
    if (c4->IsValid(positions[i])) {
      EXPECT_EQ((*taken)->column(0)->Value<int64_t>(i), c4->Value<int64_t>(positions[i]));
    }
  }
  const std::vector<RowAddress> addresses = {MakeRowAddress(3, 79), MakeRowAddress(1, 0)};
  auto rows = (*ds)->TakeRows(addresses, {"c4"});
  ASSERT_TRUE(IsOk(rows));
  EXPECT_EQ((*rows)->num_rows(), 2);
  EXPECT_TRUE(HasCode((*ds)->TakeRows(std::vector<RowAddress>{MakeRowAddress(3, 80)}),
                      StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode((*ds)->TakeRows(std::vector<RowAddress>{MakeRowAddress(9, 0)}),
                      StatusCode::kInvalidArgument));
}

TEST_F(DatasetTest, EmptyInputCreatesAnEmptyDataset) {
  auto empty = MakeIdBatch(0, 0);
  auto ds = Write({empty});
  ASSERT_TRUE(IsOk(ds));
  EXPECT_EQ((*ds)->version(), 1u);
  EXPECT_TRUE((*ds)->Fragments().empty());
  EXPECT_EQ(*(*ds)->CountRows(), 0);
  auto reopened = Open();
  ASSERT_TRUE(IsOk(reopened));
  EXPECT_TRUE((*reopened)->schema()->Equals(*empty->schema()));
  auto all = ReadAllRows(**reopened);
  ASSERT_TRUE(IsOk(all));
  EXPECT_EQ((*all)->num_rows(), 0);
}

TEST_F(DatasetTest, AppendOverwriteVersionsAndTimeTravel) {
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 10)})));
  auto v2 = Write({MakeIdBatch(10, 15)}, WriteMode::kAppend, 10);
  ASSERT_TRUE(IsOk(v2));
  EXPECT_EQ((*v2)->version(), 2u);
  EXPECT_EQ(*(*v2)->CountRows(), 25);
  EXPECT_EQ((*v2)->Fragments().size(), 3u);
  EXPECT_EQ((*v2)->Fragments().back().id, 2u);

  // Overwrite may change the schema.
  auto other = MakeSampleBatch(5, 0, 3);
  auto v3 = WriteBatches({other}, uri_, fs_, WriteMode::kOverwrite);
  ASSERT_TRUE(IsOk(v3));
  EXPECT_EQ((*v3)->version(), 3u);
  EXPECT_EQ(*(*v3)->CountRows(), 5);
  EXPECT_TRUE((*v3)->schema()->Equals(*other->schema()));
  EXPECT_EQ((*v3)->Fragments().at(0).id, 3u);  // fragment ids are never reused

  auto latest = Open();
  ASSERT_TRUE(IsOk(latest));
  EXPECT_EQ((*latest)->version(), 3u);
  EXPECT_EQ(*(*latest)->LatestVersion(), 3u);
  auto versions = (*latest)->Versions();
  ASSERT_TRUE(IsOk(versions));
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[0].operation, "Create");
  EXPECT_EQ((*versions)[1].operation, "Append");
  EXPECT_EQ((*versions)[2].operation, "Overwrite");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*versions)[i].version, i + 1);
    EXPECT_GT((*versions)[i].timestamp_us, 0);
  }

  // Old versions still read their own data.
  auto v1 = (*latest)->CheckoutVersion(1);
  ASSERT_TRUE(IsOk(v1));
  auto v1_rows = ReadAllRows(**v1);
  ASSERT_TRUE(IsOk(v1_rows));
  std::vector<int64_t> expected(10);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(Ids(**v1_rows), expected);
  auto old = Open(2);
  ASSERT_TRUE(IsOk(old));
  auto v2_rows = ReadAllRows(**old);
  ASSERT_TRUE(IsOk(v2_rows));
  expected.resize(25);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(Ids(**v2_rows), expected);
  auto back = (*old)->CheckoutLatest();
  ASSERT_TRUE(IsOk(back));
  EXPECT_EQ((*back)->version(), 3u);
}

TEST_F(DatasetTest, Errors) {
  EXPECT_TRUE(HasCode(Open(), StatusCode::kNotFound));
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 10)})));
  EXPECT_TRUE(HasCode(Write({MakeIdBatch(0, 10)}), StatusCode::kAlreadyExists));
  EXPECT_TRUE(HasCode(Open(2), StatusCode::kNotFound));
  EXPECT_TRUE(HasCode(Open(0), StatusCode::kNotFound));
  auto ds = Open();
  ASSERT_TRUE(IsOk(ds));
  EXPECT_TRUE(HasCode((*ds)->CheckoutVersion(7), StatusCode::kNotFound));

  // Appends must match the dataset's schema.
  EXPECT_TRUE(HasCode(WriteBatches({MakeSampleBatch(3, 0, 1)}, uri_, fs_, WriteMode::kAppend),
                      StatusCode::kInvalidArgument));
  auto wrong_type = std::make_shared<const Schema>(
      std::vector<FieldPtr>{field("id", int32()), field("name", utf8())});
  auto mismatched = std::make_shared<const RecordBatch>(
      wrong_type, 0,
      std::vector<ArrayPtr>{*ArrayBuilder(int32()).Finish(), *ArrayBuilder(utf8()).Finish()});
  EXPECT_TRUE(
      HasCode(WriteBatches({mismatched}, uri_, fs_, WriteMode::kAppend), StatusCode::kTypeError));
  EXPECT_TRUE(
      HasCode(Write({MakeIdBatch(0, 3)}, WriteMode::kAppend, 0), StatusCode::kInvalidArgument));
  // Nothing of the failed writes is left behind or visible.
  EXPECT_EQ(*(*ds)->LatestVersion(), 1u);
  EXPECT_EQ(ListDir("data").size(), 1u);
}

TEST_F(DatasetTest, AppendToMissingDatasetCreatesIt) {
  auto ds = Write({MakeIdBatch(0, 4)}, WriteMode::kAppend);
  ASSERT_TRUE(IsOk(ds));
  EXPECT_EQ((*ds)->version(), 1u);
  auto overwritten = Write({MakeIdBatch(0, 2)}, WriteMode::kOverwrite);
  ASSERT_TRUE(IsOk(overwritten));
  EXPECT_EQ(*(*overwritten)->CountRows(), 2);
}

TEST_F(DatasetTest, DeleteMarksRowsWithoutRewritingData) {
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 100)}, WriteMode::kCreate, 30)));
  auto ds = Open();
  ASSERT_TRUE(IsOk(ds));
  // Remember the data files' bytes.
  std::map<std::string, std::string> data_bytes;
  for (const auto& name : ListDir("data")) {
    data_bytes[name] = *ReadWholeFile(*fs_, JoinPath(uri_, "data/" + name));
  }

  auto v2 = (*ds)->Delete("id < 5 OR id = 50 OR name = 'row99'");
  ASSERT_TRUE(IsOk(v2));
  EXPECT_EQ((*v2)->version(), 2u);
  EXPECT_EQ(*(*v2)->CountRows(), 93);
  EXPECT_EQ(*(*v2)->CountRows("id < 10"), 5);
  auto rows = ReadAllRows(**v2);
  ASSERT_TRUE(IsOk(rows));
  const auto ids = Ids(**rows);
  EXPECT_EQ(ids.size(), 93u);
  EXPECT_EQ(ids.front(), 5);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 50), 0);
  EXPECT_EQ(ids.back(), 98);
  auto fragments = (*v2)->Fragments();
  EXPECT_EQ(fragments[0].deleted_rows, 5);
  EXPECT_EQ(fragments[1].deleted_rows, 1);
  EXPECT_EQ(fragments[2].deleted_rows, 0);
  EXPECT_EQ(fragments[3].deleted_rows, 1);
  // Positions skip deleted rows.
  auto taken = (*v2)->Take(std::vector<uint64_t>{0, 45});
  ASSERT_TRUE(IsOk(taken));
  EXPECT_EQ(Ids(**taken), (std::vector<int64_t>{5, 51}));
  EXPECT_TRUE(HasCode((*v2)->TakeRows(std::vector<RowAddress>{MakeRowAddress(0, 2)}),
                      StatusCode::kInvalidArgument));

  // Deleting more unions with what was deleted; a fully deleted fragment
  // goes away.
  auto v3 = (*v2)->Delete("id >= 30 AND id < 62");
  ASSERT_TRUE(IsOk(v3));
  EXPECT_EQ(*(*v3)->CountRows(), 62);
  fragments = (*v3)->Fragments();
  ASSERT_EQ(fragments.size(), 3u);
  EXPECT_EQ(fragments[0].id, 0u);
  EXPECT_EQ(fragments[1].id, 2u);
  EXPECT_EQ(fragments[1].deleted_rows, 2);
  // Nothing matching: no new version.
  auto same = (*v3)->Delete("id > 1000");
  ASSERT_TRUE(IsOk(same));
  EXPECT_EQ((*same)->version(), 3u);

  // The old version is untouched, and so are the data files.
  auto v1 = (*v3)->CheckoutVersion(1);
  ASSERT_TRUE(IsOk(v1));
  EXPECT_EQ(*(*v1)->CountRows(), 100);
  EXPECT_EQ(*(*v1)->CountRows("id < 10"), 10);
  for (const auto& [name, bytes] : data_bytes) {
    EXPECT_EQ(*ReadWholeFile(*fs_, JoinPath(uri_, "data/" + name)), bytes) << name;
  }
  EXPECT_EQ(ListDir("data").size(), data_bytes.size());

  // Bad filters.
  EXPECT_TRUE(HasCode((*v3)->Delete(""), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode((*v3)->Delete("nope = 1"), StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode((*v3)->Delete("name = 1"), StatusCode::kTypeError));

  // Delete everything.
  auto v4 = (*v3)->Delete("TRUE");
  ASSERT_TRUE(IsOk(v4));
  EXPECT_EQ(*(*v4)->CountRows(), 0);
  EXPECT_TRUE((*v4)->Fragments().empty());
  auto reopened = Open();
  ASSERT_TRUE(IsOk(reopened));
  EXPECT_EQ((*reopened)->version(), 4u);
  auto versions = (*reopened)->Versions();
  EXPECT_EQ(versions->back().operation, "Delete");
}

TEST_F(DatasetTest, DeleteOnAStaleSnapshotRetriesOnTheLatestVersion) {
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 20)})));
  auto stale = Open();
  ASSERT_TRUE(IsOk(stale));
  ASSERT_TRUE(IsOk((*stale)->Delete("id < 5")));                       // version 2
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(20, 5)}, WriteMode::kAppend)));  // version 3
  // Computed from version 1, conflicts with the delete at version 2 on
  // fragment 0, then re-runs on version 3.
  auto result = (*stale)->Delete("id >= 3 AND id < 8 OR id = 22");
  ASSERT_TRUE(IsOk(result));
  EXPECT_EQ((*result)->version(), 4u);
  EXPECT_EQ(*(*result)->CountRows(), 25 - 8 - 1);
}

// ---- Damaged files ---------------------------------------------------------

TEST_F(DatasetTest, DamagedManifestIsCorruption) {
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 10)})));
  const std::string path = JoinPath(uri_, "_versions/" + ManifestFileName(1));
  const std::string bytes = *ReadWholeFile(*fs_, path);
  auto rewrite = [&](const std::string& contents) {
    ASSERT_TRUE(IsOk(fs_->DeleteFile(path)));
    ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, path, contents)));
  };
  for (size_t i = 0; i < bytes.size(); i += 7) {
    std::string damaged = bytes;
    damaged[i] ^= 0x20;
    rewrite(damaged);
    auto ds = Open();
    ASSERT_TRUE(HasCode(ds, StatusCode::kCorruption)) << i;
    EXPECT_NE(ds.status().message().find(ManifestFileName(1)), std::string::npos);
  }
  rewrite(bytes.substr(0, bytes.size() / 2));
  EXPECT_TRUE(HasCode(Open(), StatusCode::kCorruption));
  rewrite("");
  EXPECT_TRUE(HasCode(Open(), StatusCode::kCorruption));
  rewrite(bytes);
  EXPECT_TRUE(IsOk(Open()));
}

TEST_F(DatasetTest, DamagedDeletionFileIsCorruption) {
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 10)})));
  auto ds = Open();
  ASSERT_TRUE(IsOk((*ds)->Delete("id = 3")));
  const auto names = ListDir("_deletions");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].starts_with("0-"));
  const std::string path = JoinPath(uri_, "_deletions/" + names[0]);
  std::string bytes = *ReadWholeFile(*fs_, path);
  bytes[bytes.size() / 2] ^= 0x04;
  ASSERT_TRUE(IsOk(fs_->DeleteFile(path)));
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, path, bytes)));
  auto reopened = Open();
  ASSERT_TRUE(IsOk(reopened));  // deletion files are read lazily
  auto rows = ReadAllRows(**reopened);
  ASSERT_TRUE(HasCode(rows, StatusCode::kCorruption));
  EXPECT_NE(rows.status().message().find(names[0]), std::string::npos);
  EXPECT_TRUE(HasCode((*reopened)->Delete("id = 4"), StatusCode::kCorruption));
}

TEST_F(DatasetTest, MissingDataFileIsReported) {
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 10)})));
  const auto names = ListDir("data");
  ASSERT_EQ(names.size(), 1u);
  ASSERT_TRUE(IsOk(fs_->DeleteFile(JoinPath(uri_, "data/" + names[0]))));
  auto ds = Open();
  ASSERT_TRUE(IsOk(ds));
  EXPECT_FALSE(ReadAllRows(**ds).ok());
}

TEST_F(DatasetTest, SnapshotsShareFragmentReaders) {
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 20)}, WriteMode::kCreate, 10)));
  auto v1 = Open();
  ASSERT_TRUE(IsOk(v1));
  const auto& impl1 = DatasetImpl::From(**v1);
  auto v2 = (*v1)->Delete("id = 15");
  ASSERT_TRUE(IsOk(v2));
  const auto& impl2 = DatasetImpl::From(**v2);
  EXPECT_EQ(impl1.fragment_readers()[0], impl2.fragment_readers()[0]);  // unchanged
  EXPECT_NE(impl1.fragment_readers()[1], impl2.fragment_readers()[1]);  // new deletion file
  auto reader = impl2.fragment_reader(1);
  ASSERT_TRUE(IsOk(reader));
  auto deletions = (*reader)->deletion_vector();
  ASSERT_TRUE(IsOk(deletions));
  EXPECT_EQ((*deletions)->ToVector(), std::vector<uint32_t>{5});
  EXPECT_TRUE(HasCode(impl2.fragment_reader(7), StatusCode::kNotFound));
  EXPECT_EQ(impl2.manifest().version, 2u);
}

TEST_F(DatasetTest, RepeatedTakesReadEachPageOnceWithAPageCache) {
  ASSERT_TRUE(IsOk(Write({MakeIdBatch(0, 20)}, WriteMode::kCreate, 10)));
  const std::vector<RowAddress> rows = {MakeRowAddress(1, 3), MakeRowAddress(0, 7)};
  for (int64_t cache_bytes : {int64_t{0}, int64_t{1} << 20}) {
    SCOPED_TRACE(cache_bytes);
    OpenOptions options{std::nullopt, fs_};
    options.page_cache_bytes = cache_bytes;
    auto ds = Dataset::Open(uri_, options);
    ASSERT_TRUE(IsOk(ds));
    auto pages_read = [](const Dataset& dataset, size_t fragment) {
      auto file = DatasetImpl::From(dataset).fragment_readers()[fragment]->data_file();
      return file.ok() ? (*file)->stats().pages_read : -1;
    };
    for (int round = 0; round < 3; ++round) {
      auto taken = (*ds)->TakeRows(rows, {"id"});
      ASSERT_TRUE(IsOk(taken));
      EXPECT_EQ((*taken)->column(0)->Value<int64_t>(0), 13);
      EXPECT_EQ((*taken)->column(0)->Value<int64_t>(1), 7);
    }
    EXPECT_EQ(pages_read(**ds, 0) + pages_read(**ds, 1), cache_bytes == 0 ? 6 : 2);
    // Versions checked out from it share the cache.
    auto v2 = (*ds)->Delete("id = 15");
    ASSERT_TRUE(IsOk(v2));
    const int64_t before = pages_read(**v2, 0);  // the reader v1 and v2 share
    ASSERT_TRUE(IsOk((*v2)->TakeRows(std::vector<RowAddress>{MakeRowAddress(0, 7)}, {"id"})));
    EXPECT_EQ(pages_read(**v2, 0) - before, cache_bytes == 0 ? 1 : 0);
  }
  OpenOptions bad{std::nullopt, fs_};
  bad.page_cache_bytes = -1;
  EXPECT_TRUE(HasCode(Dataset::Open(uri_, bad), StatusCode::kInvalidArgument));
}

TEST(DatasetLocalTest, WritesToTheLocalFileSystem) {
  ::ixray::testing::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string uri = JoinPath(dir.path(), "local");
  ASSERT_TRUE(IsOk(WriteBatches({MakeIdBatch(0, 50)}, uri, nullptr, WriteMode::kCreate, 20)));
  auto ds = Dataset::Open(uri);
  ASSERT_TRUE(IsOk(ds));
  EXPECT_EQ(*(*ds)->CountRows("id >= 25"), 25);
  ASSERT_TRUE(IsOk((*ds)->Delete("id >= 25")));
  auto reopened = Dataset::Open(uri);
  ASSERT_TRUE(IsOk(reopened));
  EXPECT_EQ(*(*reopened)->CountRows(), 25);
}

}  // namespace
}  // namespace ixray::dataset
