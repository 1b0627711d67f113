// The commit protocol: conflict rules, rebasing, publishing without
// overwriting, and crash safety at every step of a commit.

#include "dataset/commit.h"

#include <gtest/gtest.h>

#include "dataset/dataset_format.h"
#include "dataset/dataset_test_util.h"
#include "dataset/transaction.h"
#include "io/fault_injection_file_system.h"

namespace ixray::dataset {
namespace {

using ::ixray::testing::HasCode;
using ::ixray::testing::IsOk;
using ::ixray::testing::MakeIdBatch;
using ::ixray::testing::WriteBatches;

Fragment NewFragment(int64_t rows = 10) {
  Fragment f;
  f.files.push_back(DataFile{"data/" + NewUuid() + ".ixd", {0, 1}, rows, 100});
  f.physical_rows = rows;
  return f;
}

Fragment WithDeletions(FragmentId id, int64_t deleted) {
  Fragment f = NewFragment();
  f.id = id;
  f.deletion_file = DeletionFile{"_deletions/" + std::to_string(id) + "-x.del", deleted};
  return f;
}

IndexMetadata Index(std::string name, std::vector<FragmentId> fragments = {0}) {
  IndexMetadata index{std::move(name), "BTREE", {0}, {}, ""};
  index.segments.push_back(IndexSegment{NewUuid(), std::move(fragments), 1, {}, ""});
  return index;
}

Operation Append() { return AppendOperation{{NewFragment()}}; }
Operation Overwrite() {
  return OverwriteOperation{std::make_shared<const Schema>(std::vector<FieldPtr>{
                                field("id", int64(), false, 0), field("name", utf8(), true, 1)}),
                            {NewFragment()}};
}
Operation Delete(FragmentId updated, std::vector<FragmentId> removed = {}) {
  return DeleteOperation{{WithDeletions(updated, 1)}, std::move(removed)};
}
Operation CreateIndex(std::string name, std::vector<FragmentId> fragments = {0}) {
  return CreateIndexOperation{{Index(std::move(name), std::move(fragments))}, {}};
}
Operation Rewrite(std::vector<FragmentId> old_ids) {
  return RewriteOperation{{RewriteGroup{std::move(old_ids), {NewFragment()}}}, {}, false};
}

bool Compatible(const Operation& ours, const Operation& theirs) {
  return CheckConflict(MakeTransaction(1, ours), MakeTransaction(1, theirs), 2).ok();
}

TEST(CommitConflictTest, Rules) {
  // Append
  EXPECT_TRUE(Compatible(Append(), Append()));
  EXPECT_TRUE(Compatible(Append(), Delete(0)));
  EXPECT_TRUE(Compatible(Append(), CreateIndex("a")));
  EXPECT_TRUE(Compatible(Append(), DropIndexOperation{"a"}));
  EXPECT_TRUE(Compatible(Append(), Rewrite({0})));
  EXPECT_FALSE(Compatible(Append(), Overwrite()));
  // Overwrite replaces everything before it.
  for (const Operation& theirs :
       {Append(), Overwrite(), Delete(0), CreateIndex("a"), Operation(DropIndexOperation{"a"})}) {
    EXPECT_TRUE(Compatible(Overwrite(), theirs));
  }
  // Delete
  EXPECT_TRUE(Compatible(Delete(0), Append()));
  EXPECT_TRUE(Compatible(Delete(0), Delete(1)));
  EXPECT_FALSE(Compatible(Delete(0), Delete(0)));
  EXPECT_FALSE(Compatible(Delete(0), Delete(1, {0})));
  EXPECT_FALSE(Compatible(Delete(2, {0}), Delete(0)));
  EXPECT_TRUE(Compatible(Delete(0), CreateIndex("a")));
  EXPECT_FALSE(Compatible(Delete(0), Overwrite()));
  EXPECT_FALSE(Compatible(Delete(0), Rewrite({0})));
  EXPECT_TRUE(Compatible(Delete(0), Rewrite({1})));
  // CreateIndex
  EXPECT_TRUE(Compatible(CreateIndex("a"), Append()));
  EXPECT_TRUE(Compatible(CreateIndex("a"), Delete(0)));
  EXPECT_TRUE(Compatible(CreateIndex("a"), CreateIndex("b")));
  EXPECT_FALSE(Compatible(CreateIndex("a"), CreateIndex("a")));
  EXPECT_FALSE(Compatible(CreateIndex("a"), CreateIndexOperation{{Index("b")}, {"a"}}));
  EXPECT_FALSE(Compatible(CreateIndex("a"), DropIndexOperation{"a"}));
  EXPECT_TRUE(Compatible(CreateIndex("a"), DropIndexOperation{"b"}));
  EXPECT_FALSE(Compatible(CreateIndex("a"), Overwrite()));
  EXPECT_FALSE(Compatible(CreateIndex("a", {0, 1}), Rewrite({1})));
  EXPECT_TRUE(Compatible(CreateIndex("a", {0}), Rewrite({1})));
  // DropIndex
  EXPECT_FALSE(Compatible(DropIndexOperation{"a"}, CreateIndex("a")));
  EXPECT_FALSE(Compatible(DropIndexOperation{"a"}, DropIndexOperation{"a"}));
  EXPECT_TRUE(Compatible(DropIndexOperation{"a"}, CreateIndex("b")));
  EXPECT_FALSE(Compatible(DropIndexOperation{"a"}, Overwrite()));
  // Rewrite
  EXPECT_FALSE(Compatible(Rewrite({0}), Delete(0)));
  EXPECT_FALSE(Compatible(Rewrite({0}), CreateIndex("a", {0})));
  EXPECT_TRUE(Compatible(Rewrite({0}), Append()));
  // ReserveFragments
  for (const Operation& other :
       {Append(), Overwrite(), Delete(0), CreateIndex("a"), Rewrite({0})}) {
    EXPECT_TRUE(Compatible(ReserveFragmentsOperation{2}, other));
    EXPECT_TRUE(Compatible(other, ReserveFragmentsOperation{2}));
  }

  Status conflict = CheckConflict(MakeTransaction(3, Delete(0)), MakeTransaction(3, Delete(0)), 5);
  EXPECT_TRUE(HasCode(conflict, StatusCode::kConflict));
  EXPECT_NE(conflict.message().find("version 5"), std::string::npos) << conflict.ToString();
  EXPECT_NE(conflict.message().find("fragment 0"), std::string::npos) << conflict.ToString();
}

TEST(CommitApplyTest, RewriteReplacesFragmentsAndSegments) {
  auto v1 = ApplyTransaction(nullptr, MakeTransaction(0, Overwrite()));
  ASSERT_TRUE(IsOk(v1));
  auto v2 = ApplyTransaction(v1->get(),
                             MakeTransaction(1, AppendOperation{{NewFragment(), NewFragment()}}));
  ASSERT_TRUE(IsOk(v2));
  CreateIndexOperation create;
  create.new_indices.push_back(
      IndexMetadata{"i", "BTREE", {0}, {{"s1", {0, 1, 2}, 2, {}, ""}}, ""});
  create.new_indices.push_back(IndexMetadata{"j", "BTREE", {0}, {{"s2", {0, 1}, 2, {}, ""}}, ""});
  auto v3 = ApplyTransaction(v2->get(), MakeTransaction(2, create));
  ASSERT_TRUE(IsOk(v3));

  // Without reserved ids: the new fragment gets the next id; segments that
  // are not rebuilt stop covering the removed fragments.
  auto v4 = ApplyTransaction(v3->get(), MakeTransaction(3, Rewrite({0, 1})));
  ASSERT_TRUE(IsOk(v4));
  ASSERT_EQ((*v4)->fragments.size(), 2u);
  EXPECT_EQ((*v4)->fragments[0].id, 2u);
  EXPECT_EQ((*v4)->fragments[1].id, 3u);
  EXPECT_EQ((*v4)->FindIndex("i")->segments[0].fragment_ids, (std::vector<FragmentId>{2}));
  EXPECT_TRUE((*v4)->FindIndex("j")->segments[0].fragment_ids.empty());

  // With reserved ids and a rebuilt segment.
  auto v5 = ApplyTransaction(v4->get(), MakeTransaction(4, ReserveFragmentsOperation{1}));
  ASSERT_TRUE(IsOk(v5));
  EXPECT_EQ((*v5)->next_fragment_id, 5u);
  RewriteOperation rewrite{{RewriteGroup{{2, 3}, {NewFragment()}}}, {}, true};
  rewrite.groups[0].new_fragments[0].id = 4;
  rewrite.rewritten_segments.push_back({"i", "s1", {"s3", {4}, 5, {}, ""}});
  rewrite.rewritten_segments.push_back({"gone", "s9", {"s4", {4}, 5, {}, ""}});  // skipped
  auto v6 = ApplyTransaction(v5->get(), MakeTransaction(4, rewrite));
  ASSERT_TRUE(IsOk(v6));
  ASSERT_EQ((*v6)->fragments.size(), 1u);
  EXPECT_EQ((*v6)->fragments[0].id, 4u);
  EXPECT_EQ((*v6)->FindIndex("i")->segments[0].uuid, "s3");
  EXPECT_EQ((*v6)->FindIndex("i")->segments[0].fragment_ids, (std::vector<FragmentId>{4}));
  // An id that was never reserved, or a fragment already gone.
  rewrite.groups[0].new_fragments[0].id = 7;
  EXPECT_TRUE(HasCode(ApplyTransaction(v5->get(), MakeTransaction(4, rewrite)),
                      StatusCode::kInvalidArgument));
  EXPECT_TRUE(HasCode(ApplyTransaction(v6->get(), MakeTransaction(4, Rewrite({2}))),
                      StatusCode::kConflict));
}

TEST(CommitApplyTest, AssignsFragmentIdsAndAppliesOperations) {
  auto v1 = ApplyTransaction(nullptr, MakeTransaction(0, Overwrite()));
  ASSERT_TRUE(IsOk(v1));
  EXPECT_EQ((*v1)->version, 1u);
  EXPECT_EQ((*v1)->fragments.at(0).id, 0u);
  EXPECT_EQ((*v1)->next_fragment_id, 1u);
  EXPECT_EQ((*v1)->max_field_id, 1);

  auto v2 = ApplyTransaction(v1->get(),
                             MakeTransaction(1, AppendOperation{{NewFragment(), NewFragment()}}));
  ASSERT_TRUE(IsOk(v2));
  ASSERT_EQ((*v2)->fragments.size(), 3u);
  EXPECT_EQ((*v2)->fragments[2].id, 2u);
  // The recorded transaction carries the assigned ids.
  EXPECT_EQ(std::get<AppendOperation>((*v2)->transaction.operation).fragments[1].id, 2u);

  auto v3 = ApplyTransaction(v2->get(), MakeTransaction(2, Delete(1, {0})));
  ASSERT_TRUE(IsOk(v3));
  ASSERT_EQ((*v3)->fragments.size(), 2u);
  EXPECT_EQ((*v3)->fragments[0].id, 1u);
  EXPECT_EQ((*v3)->fragments[0].num_deleted_rows(), 1);
  EXPECT_EQ((*v3)->next_fragment_id, 3u);

  EXPECT_TRUE(
      HasCode(ApplyTransaction(v3->get(), MakeTransaction(2, Delete(0))), StatusCode::kConflict));
  auto v4 = ApplyTransaction(v3->get(), MakeTransaction(3, CreateIndex("a")));
  ASSERT_TRUE(IsOk(v4));
  EXPECT_TRUE(HasCode(ApplyTransaction(v4->get(), MakeTransaction(4, CreateIndex("a"))),
                      StatusCode::kAlreadyExists));
  auto replaced = ApplyTransaction(
      v4->get(), MakeTransaction(4, CreateIndexOperation{{Index("a", {1})}, {"a"}}));
  ASSERT_TRUE(IsOk(replaced));
  EXPECT_EQ((*replaced)->indices.at(0).segments.at(0).fragment_ids, std::vector<FragmentId>{1});
  EXPECT_TRUE(HasCode(ApplyTransaction(v4->get(), MakeTransaction(4, DropIndexOperation{"b"})),
                      StatusCode::kNotFound));
  auto dropped = ApplyTransaction(v4->get(), MakeTransaction(4, DropIndexOperation{"a"}));
  ASSERT_TRUE(IsOk(dropped));
  EXPECT_TRUE((*dropped)->indices.empty());
  // Overwrite keeps fragment ids growing and drops indices.
  auto v5 = ApplyTransaction(v4->get(), MakeTransaction(4, Overwrite()));
  ASSERT_TRUE(IsOk(v5));
  EXPECT_EQ((*v5)->fragments.at(0).id, 3u);
  EXPECT_TRUE((*v5)->indices.empty());
  EXPECT_TRUE(HasCode(
      ApplyTransaction(v5->get(), MakeTransaction(0, OverwriteOperation{(*v5)->schema, {}, true})),
      StatusCode::kAlreadyExists));
  EXPECT_TRUE(IsOk(ApplyTransaction(v5->get(), MakeTransaction(5, Rewrite({3})))));
  EXPECT_TRUE(
      HasCode(ApplyTransaction(nullptr, MakeTransaction(0, Append())), StatusCode::kNotFound));
}

// ---- The commit loop ---------------------------------------------------------

class CommitLoopTest : public ::testing::Test {
 protected:
  std::shared_ptr<FileSystem> fs_ = MakeMemoryFileSystem();
  const std::string uri_ = "ds";
};

TEST_F(CommitLoopTest, RebasesCompatibleTransactionsFromOneReadVersion) {
  ASSERT_TRUE(IsOk(CommitTransaction(*fs_, uri_, MakeTransaction(0, Overwrite()))));
  // Three writers that all read version 1.
  auto a = CommitTransaction(*fs_, uri_, MakeTransaction(1, Append()));
  auto b = CommitTransaction(*fs_, uri_, MakeTransaction(1, CreateIndex("x")));
  auto c = CommitTransaction(*fs_, uri_, MakeTransaction(1, Append()));
  ASSERT_TRUE(IsOk(a));
  ASSERT_TRUE(IsOk(b));
  ASSERT_TRUE(IsOk(c));
  EXPECT_EQ((*c)->version, 4u);
  EXPECT_EQ((*c)->fragments.size(), 3u);
  EXPECT_EQ((*c)->fragments.back().id, 2u);
  EXPECT_EQ((*c)->indices.size(), 1u);
  auto versions = ListVersions(*fs_, uri_);
  ASSERT_TRUE(IsOk(versions));
  EXPECT_EQ(*versions, (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST_F(CommitLoopTest, IncompatibleCommitFailsAndDeletesItsFiles) {
  ASSERT_TRUE(IsOk(CommitTransaction(*fs_, uri_, MakeTransaction(0, Overwrite()))));
  ASSERT_TRUE(IsOk(CommitTransaction(*fs_, uri_, MakeTransaction(1, Overwrite()))));
  // An append computed from version 1 lost to the overwrite at version 2.
  Operation append = Append();
  const std::string data_file = std::get<AppendOperation>(append).fragments[0].files[0].path;
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, JoinPath(uri_, data_file), "data")));
  auto result = CommitTransaction(*fs_, uri_, MakeTransaction(1, append));
  EXPECT_TRUE(HasCode(result, StatusCode::kConflict));
  EXPECT_FALSE(*fs_->Exists(JoinPath(uri_, data_file)));
  EXPECT_EQ(*LatestVersion(*fs_, uri_), 2u);
}

TEST_F(CommitLoopTest, CreateOverExistingIsAlreadyExists) {
  ASSERT_TRUE(IsOk(CommitTransaction(*fs_, uri_, MakeTransaction(0, Overwrite()))));
  auto create = std::get<OverwriteOperation>(Overwrite());
  create.create = true;
  EXPECT_TRUE(HasCode(CommitTransaction(*fs_, uri_, MakeTransaction(0, create)),
                      StatusCode::kAlreadyExists));
}

TEST_F(CommitLoopTest, ListingSkipsTemporaryAndForeignFiles) {
  ASSERT_TRUE(IsOk(CommitTransaction(*fs_, uri_, MakeTransaction(0, Overwrite()))));
  const std::string versions = JoinPath(uri_, kVersionsDir);
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(
      *fs_, JoinPath(versions, ManifestFileName(2) + ".tmp-123"), "partial")));
  ASSERT_TRUE(IsOk(WriteFileAtomicNoReplace(*fs_, JoinPath(versions, "README"), "hi")));
  EXPECT_EQ(*ListVersions(*fs_, uri_), std::vector<uint64_t>{1});
  // The next commit is version 2 regardless.
  auto next = CommitTransaction(*fs_, uri_, MakeTransaction(1, Append()));
  ASSERT_TRUE(IsOk(next));
  EXPECT_EQ((*next)->version, 2u);
}

TEST_F(CommitLoopTest, ReadManifestChecksTheVersionNumber) {
  ASSERT_TRUE(IsOk(CommitTransaction(*fs_, uri_, MakeTransaction(0, Overwrite()))));
  auto bytes = ReadWholeFile(*fs_, JoinPath(uri_, "_versions/" + ManifestFileName(1)));
  ASSERT_TRUE(IsOk(bytes));
  // A copy of version 1 posing as version 5.
  ASSERT_TRUE(IsOk(
      WriteFileAtomicNoReplace(*fs_, JoinPath(uri_, "_versions/" + ManifestFileName(5)), *bytes)));
  EXPECT_TRUE(HasCode(ReadManifest(*fs_, uri_, 5), StatusCode::kCorruption));
  EXPECT_TRUE(HasCode(ReadManifest(*fs_, uri_, 3), StatusCode::kNotFound));
}

// ---- Crash safety ------------------------------------------------------------

// Runs an append commit failing at every step, crashes, and checks that the
// dataset opens at the old or the new version with the right rows, and that
// an acknowledged commit is never lost.
void CheckCrashAtEveryStep(bool with_deletes) {
  // Counts the steps of the operation on a fresh file system.
  auto setup = [&](const std::shared_ptr<FileSystem>& base) -> std::shared_ptr<Dataset> {
    auto ds = WriteBatches({MakeIdBatch(0, 30)}, "ds", base, WriteMode::kCreate, 10);
    EXPECT_TRUE(IsOk(ds));
    if (with_deletes) {
      auto deleted = (*ds)->Delete("id < 5");
      EXPECT_TRUE(IsOk(deleted));
      return *deleted;
    }
    return *ds;
  };
  auto operation = [&](const std::shared_ptr<Dataset>& ds,
                       const std::shared_ptr<FileSystem>& fs) -> Result<std::shared_ptr<Dataset>> {
    if (with_deletes) return ds->Delete("id >= 12 AND id < 27");
    return WriteBatches({MakeIdBatch(100, 25)}, "ds", fs, WriteMode::kAppend, 10);
  };
  const int64_t old_rows = with_deletes ? 25 : 30;
  const int64_t new_rows = with_deletes ? 10 : 55;

  int64_t steps = 0;
  {
    auto base = MakeMemoryFileSystem();
    auto ds = setup(base);
    auto faulty = std::make_shared<FaultInjectionFileSystem>(base);
    auto reopened = Dataset::Open("ds", OpenOptions{std::nullopt, faulty});
    ASSERT_TRUE(IsOk(reopened));
    faulty->Reset();
    ASSERT_TRUE(IsOk(operation(*reopened, faulty)));
    steps = faulty->steps();
  }
  ASSERT_GT(steps, 5);
  for (int64_t k = 1; k <= steps + 1; ++k) {
    SCOPED_TRACE("failing at step " + std::to_string(k));
    auto base = MakeMemoryFileSystem();
    setup(base);
    auto faulty = std::make_shared<FaultInjectionFileSystem>(base);
    auto before = Dataset::Open("ds", OpenOptions{std::nullopt, faulty});
    ASSERT_TRUE(IsOk(before));
    const uint64_t old_version = (*before)->version();
    faulty->Reset();
    faulty->FailAtStep(k);
    auto result = operation(*before, faulty);
    ASSERT_TRUE(IsOk(faulty->SimulateCrash()));

    auto after = Dataset::Open("ds", OpenOptions{std::nullopt, faulty});
    ASSERT_TRUE(IsOk(after));
    const uint64_t version = (*after)->version();
    ASSERT_TRUE(version == old_version || version == old_version + 1) << version;
    if (result.ok()) {
      EXPECT_EQ(version, old_version + 1) << "an acknowledged commit was lost";
    }
    const int64_t expected = version == old_version ? old_rows : new_rows;
    EXPECT_EQ(*(*after)->CountRows(), expected);
    auto all = ::ixray::testing::ReadAllRows(**after);
    ASSERT_TRUE(IsOk(all));
    EXPECT_EQ((*all)->num_rows(), expected);
    EXPECT_EQ(*(*after)->CountRows("id >= 0"), expected);
    // The dataset still takes commits.
    auto again = WriteBatches({MakeIdBatch(1000, 3)}, "ds", faulty, WriteMode::kAppend);
    ASSERT_TRUE(IsOk(again));
    EXPECT_EQ((*again)->version(), version + 1);
    EXPECT_EQ(*(*again)->CountRows(), expected + 3);
  }
}

TEST(CommitCrashTest, AppendSurvivesACrashAtEveryStep) { CheckCrashAtEveryStep(false); }

TEST(CommitCrashTest, DeleteSurvivesACrashAtEveryStep) { CheckCrashAtEveryStep(true); }

TEST(CommitCrashTest, CreateSurvivesACrashAtEveryStep) {
  int64_t steps = 0;
  {
    auto faulty = std::make_shared<FaultInjectionFileSystem>(MakeMemoryFileSystem());
    ASSERT_TRUE(IsOk(WriteBatches({MakeIdBatch(0, 30)}, "ds", faulty, WriteMode::kCreate, 10)));
    steps = faulty->steps();
  }
  for (int64_t k = 1; k <= steps + 1; ++k) {
    SCOPED_TRACE("failing at step " + std::to_string(k));
    auto faulty = std::make_shared<FaultInjectionFileSystem>(MakeMemoryFileSystem());
    faulty->FailAtStep(k);
    auto result = WriteBatches({MakeIdBatch(0, 30)}, "ds", faulty, WriteMode::kCreate, 10);
    ASSERT_TRUE(IsOk(faulty->SimulateCrash()));
    auto after = Dataset::Open("ds", OpenOptions{std::nullopt, faulty});
    if (after.ok()) {
      EXPECT_EQ((*after)->version(), 1u);
      EXPECT_EQ(*(*after)->CountRows("id >= 0"), 30);
    } else {
      EXPECT_TRUE(HasCode(after, StatusCode::kNotFound));
      EXPECT_FALSE(result.ok()) << "an acknowledged create was lost";
    }
  }
}

}  // namespace
}  // namespace ixray::dataset
