// Manifest and deletion file formats: round trips, and damage of every kind
// is reported as Corruption, never a crash.

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "dataset/dataset_format.h"
#include "dataset/deletion_vector.h"
#include "dataset/manifest_codec.h"
#include "format/data_file_test_util.h"
#include "testing/sample_data.h"

namespace ixray::dataset {
namespace {

using ::ixray::testing::HasCode;
using ::ixray::testing::IsOk;

SchemaPtr SampleSchema() {
  std::vector<FieldPtr> fields;
  int i = 0;
  for (const TypePtr& type : ::ixray::testing::AllSupportedTypes()) {
    fields.push_back(field("c" + std::to_string(i), type, i % 2 == 0, i));
    ++i;
  }
  return std::make_shared<const Schema>(std::move(fields));
}

Fragment MakeFragment(FragmentId id, int64_t rows, const Schema& schema) {
  Fragment f;
  f.id = id;
  std::vector<int32_t> ids;
  for (const FieldPtr& field : schema.fields()) ids.push_back(field->id);
  f.files.push_back(DataFile{"data/" + NewUuid() + ".ixd", ids, rows, 1000 + rows});
  f.physical_rows = rows;
  return f;
}

Manifest SampleManifest() {
  Manifest m;
  m.version = 7;
  m.schema = SampleSchema();
  m.max_field_id = m.schema->MaxFieldId();
  m.fragments.push_back(MakeFragment(0, 100, *m.schema));
  m.fragments.push_back(MakeFragment(3, 50, *m.schema));
  m.fragments[1].deletion_file = DeletionFile{"_deletions/3-abc.del", 7};
  m.next_fragment_id = 4;
  IndexMetadata index{"c4_idx", "BTREE", {4}, {}, "params"};
  index.segments.push_back(IndexSegment{NewUuid(), {0, 3}, 6, {"part0.idx"}, "seg"});
  m.indices.push_back(index);
  m.transaction = MakeTransaction(6, DeleteOperation{{m.fragments[1]}, {1, 2}});
  m.timestamp_us = 1234567;
  m.writer = WriterString();
  return m;
}

void ExpectFragmentsEqual(const std::vector<Fragment>& a, const std::vector<Fragment>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].physical_rows, b[i].physical_rows);
    ASSERT_EQ(a[i].files.size(), b[i].files.size());
    for (size_t j = 0; j < a[i].files.size(); ++j) {
      EXPECT_EQ(a[i].files[j].path, b[i].files[j].path);
      EXPECT_EQ(a[i].files[j].field_ids, b[i].files[j].field_ids);
      EXPECT_EQ(a[i].files[j].num_rows, b[i].files[j].num_rows);
      EXPECT_EQ(a[i].files[j].file_size, b[i].files[j].file_size);
    }
    ASSERT_EQ(a[i].deletion_file.has_value(), b[i].deletion_file.has_value());
    if (a[i].deletion_file) {
      EXPECT_EQ(a[i].deletion_file->path, b[i].deletion_file->path);
      EXPECT_EQ(a[i].deletion_file->num_deleted_rows, b[i].deletion_file->num_deleted_rows);
    }
  }
}

TEST(ManifestFormatTest, FileNames) {
  EXPECT_EQ(ManifestFileName(42), "00000000000000000042.manifest");
  EXPECT_EQ(ParseManifestFileName("00000000000000000042.manifest"), 42u);
  EXPECT_EQ(ParseManifestFileName(ManifestFileName(UINT64_MAX)), UINT64_MAX);
  EXPECT_FALSE(ParseManifestFileName("00000000000000000042.manifest.tmp-abc"));
  EXPECT_FALSE(ParseManifestFileName("0000000000000000004x.manifest"));
  EXPECT_FALSE(ParseManifestFileName("+0000000000000000042.manifest"));
  EXPECT_FALSE(ParseManifestFileName("42.manifest"));
  EXPECT_TRUE(IsSafeRelativePath("data/x.ixd"));
  EXPECT_FALSE(IsSafeRelativePath("/etc/passwd"));
  EXPECT_FALSE(IsSafeRelativePath("data/../../x"));
  EXPECT_FALSE(IsSafeRelativePath("data//x"));
  EXPECT_FALSE(IsSafeRelativePath(""));
  EXPECT_NE(NewUuid(), NewUuid());
  EXPECT_EQ(NewUuid().size(), 36u);
}

TEST(ManifestFormatTest, RoundTrip) {
  const Manifest m = SampleManifest();
  auto decoded = DecodeManifestFile(EncodeManifestFile(m), "test");
  ASSERT_TRUE(IsOk(decoded));
  const Manifest& d = **decoded;
  EXPECT_EQ(d.version, m.version);
  EXPECT_TRUE(d.schema->Equals(*m.schema, /*check_ids=*/true)) << d.schema->ToString();
  ExpectFragmentsEqual(d.fragments, m.fragments);
  EXPECT_EQ(d.next_fragment_id, 4u);
  EXPECT_EQ(d.max_field_id, m.max_field_id);
  ASSERT_EQ(d.indices.size(), 1u);
  EXPECT_EQ(d.indices[0].name, "c4_idx");
  EXPECT_EQ(d.indices[0].field_ids, std::vector<int32_t>{4});
  EXPECT_EQ(d.indices[0].details, "params");
  ASSERT_EQ(d.indices[0].segments.size(), 1u);
  EXPECT_EQ(d.indices[0].segments[0].fragment_ids, (std::vector<FragmentId>{0, 3}));
  EXPECT_EQ(d.indices[0].segments[0].uuid, m.indices[0].segments[0].uuid);
  EXPECT_EQ(d.indices[0].segments[0].dataset_version, 6u);
  EXPECT_EQ(d.indices[0].segments[0].files, std::vector<std::string>{"part0.idx"});
  EXPECT_EQ(OperationName(d.transaction), "Delete");
  EXPECT_EQ(d.transaction.read_version, 6u);
  EXPECT_EQ(d.transaction.uuid, m.transaction.uuid);
  const auto& del = std::get<DeleteOperation>(d.transaction.operation);
  EXPECT_EQ(del.removed_fragment_ids, (std::vector<FragmentId>{1, 2}));
  ExpectFragmentsEqual(del.updated_fragments, {m.fragments[1]});
  EXPECT_EQ(d.timestamp_us, 1234567);
  EXPECT_EQ(d.writer, WriterString());
  EXPECT_EQ(d.num_live_rows(), 143);
  EXPECT_EQ(d.FindFragment(3)->physical_rows, 50);
  EXPECT_EQ(d.FindFragment(2), nullptr);
}

TEST(ManifestFormatTest, NamesNeedNotBeUtf8) {
  Manifest m = SampleManifest();
  m.schema =
      std::make_shared<const Schema>(std::vector<FieldPtr>{field("caf\xe9", int32(), true, 0)});
  m.max_field_id = 0;
  for (Fragment& f : m.fragments) f.files[0].field_ids = {0};
  m.indices[0].field_ids = {0};
  auto decoded = DecodeManifestFile(EncodeManifestFile(m), "m");
  ASSERT_TRUE(IsOk(decoded));
  EXPECT_EQ((*decoded)->schema->field(0)->name, "caf\xe9");
}

TEST(ManifestFormatTest, TransactionsRoundTrip) {
  const SchemaPtr schema = SampleSchema();
  std::vector<Operation> operations = {
      AppendOperation{{MakeFragment(0, 10, *schema)}},
      OverwriteOperation{schema, {MakeFragment(0, 10, *schema)}, true},
      CreateIndexOperation{{IndexMetadata{"i", "BITMAP", {1}, {}, ""}}, {"old"}},
      DropIndexOperation{"i"},
      RewriteOperation{{RewriteGroup{{1, 2}, {MakeFragment(0, 5, *schema)}}}, {}, false},
      ReserveFragmentsOperation{3},
  };
  for (const Operation& op : operations) {
    const Transaction t = MakeTransaction(3, op);
    auto decoded = DecodeTransaction(EncodeTransaction(t), "t");
    ASSERT_TRUE(IsOk(decoded));
    EXPECT_EQ(OperationName(*decoded), OperationName(t));
    EXPECT_EQ(decoded->uuid, t.uuid);
    EXPECT_EQ(decoded->operation.index(), op.index());
  }
  // A rewrite that replaces index segments keeps them, with reserved ids.
  IndexSegment rebuilt{"seg-new", {7, 9}, 4, {"index.ixi"}, "details"};
  RewriteOperation rewrite{
      {RewriteGroup{{1, 2}, {MakeFragment(9, 5, *schema)}}},
      {RewrittenSegment{"i", "seg-old", rebuilt}, RewrittenSegment{"j", "seg-gone", {}}},
      true};
  auto decoded = DecodeTransaction(EncodeTransaction(MakeTransaction(3, rewrite)), "t");
  ASSERT_TRUE(IsOk(decoded));
  const auto& back = std::get<RewriteOperation>(decoded->operation);
  EXPECT_TRUE(back.fragment_ids_reserved);
  EXPECT_EQ(back.groups.at(0).new_fragments.at(0).id, 9u);
  ASSERT_EQ(back.rewritten_segments.size(), 2u);
  EXPECT_EQ(back.rewritten_segments[0].index_name, "i");
  EXPECT_EQ(back.rewritten_segments[0].old_segment_uuid, "seg-old");
  EXPECT_EQ(back.rewritten_segments[0].new_segment.uuid, "seg-new");
  EXPECT_EQ(back.rewritten_segments[0].new_segment.fragment_ids, (std::vector<FragmentId>{7, 9}));
  EXPECT_EQ(back.rewritten_segments[0].new_segment.details, "details");
  EXPECT_TRUE(back.rewritten_segments[1].new_segment.uuid.empty());
  EXPECT_EQ(std::get<ReserveFragmentsOperation>(
                DecodeTransaction(
                    EncodeTransaction(MakeTransaction(3, ReserveFragmentsOperation{3})), "t")
                    ->operation)
                .num_fragments,
            3u);
  EXPECT_TRUE(HasCode(DecodeTransaction("\xff\xff\xff", "t"), StatusCode::kCorruption));
  EXPECT_TRUE(HasCode(DecodeTransaction("", "t"), StatusCode::kCorruption));  // no operation
}

TEST(ManifestFormatTest, EveryFlippedByteIsCorruption) {
  const std::string bytes = EncodeManifestFile(SampleManifest());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] ^= 0x5a;
    auto decoded = DecodeManifestFile(damaged, "manifest 'x'");
    ASSERT_TRUE(HasCode(decoded, StatusCode::kCorruption)) << "byte " << i;
    EXPECT_NE(decoded.status().message().find("manifest 'x'"), std::string::npos);
  }
}

TEST(ManifestFormatTest, EveryTruncationIsCorruption) {
  const std::string bytes = EncodeManifestFile(SampleManifest());
  for (size_t size = 0; size < bytes.size(); ++size) {
    ASSERT_TRUE(HasCode(DecodeManifestFile(bytes.substr(0, size), "m"), StatusCode::kCorruption))
        << size;
  }
  ASSERT_TRUE(HasCode(DecodeManifestFile(bytes + "x", "m"), StatusCode::kCorruption));
}

TEST(ManifestFormatTest, NewerFormatVersionIsNotImplemented) {
  pb::Manifest proto;
  ManifestToProto(SampleManifest(), &proto);
  const std::string bytes = EncodeFrame(kManifestMagic, 99, proto.SerializeAsString());
  EXPECT_TRUE(HasCode(DecodeManifestFile(bytes, "m"), StatusCode::kNotImplemented));
}

// Well-framed payloads that break the manifest's invariants.
TEST(ManifestFormatTest, InvalidContentsAreCorruption) {
  auto check = [](const std::function<void(pb::Manifest&)>& damage, const char* name) {
    pb::Manifest proto;
    ManifestToProto(SampleManifest(), &proto);
    damage(proto);
    const std::string bytes =
        EncodeFrame(kManifestMagic, kManifestFormatVersion, proto.SerializeAsString());
    EXPECT_TRUE(HasCode(DecodeManifestFile(bytes, "m"), StatusCode::kCorruption)) << name;
  };
  check([](pb::Manifest& m) { m.set_version(0); }, "version 0");
  check([](pb::Manifest& m) { m.mutable_fragments(1)->set_id(0); }, "repeated fragment id");
  check([](pb::Manifest& m) { m.set_next_fragment_id(2); }, "fragment id past next");
  check([](pb::Manifest& m) { m.mutable_fragments(0)->mutable_files(0)->set_path("../x"); },
        "escaping path");
  check([](pb::Manifest& m) { m.mutable_fragments(0)->mutable_files(0)->set_num_rows(3); },
        "row count mismatch");
  check([](pb::Manifest& m) { m.mutable_fragments(0)->clear_files(); }, "no data file");
  check([](pb::Manifest& m) { m.mutable_fragments(0)->mutable_files(0)->add_field_ids(999); },
        "unknown field id");
  check(
      [](pb::Manifest& m) {
        m.mutable_fragments(1)->mutable_deletion_file()->set_num_deleted_rows(51);
      },
      "too many deletions");
  check([](pb::Manifest& m) { m.mutable_schema()->mutable_fields(1)->set_id(0); },
        "repeated field id");
  check([](pb::Manifest& m) { m.mutable_schema()->mutable_fields(1)->set_name("c0"); },
        "repeated name");
  check(
      [](pb::Manifest& m) {
        m.mutable_schema()->mutable_fields(0)->mutable_type()->set_id(static_cast<pb::TypeId>(77));
      },
      "unknown type");
  check(
      [](pb::Manifest& m) {
        auto* type = m.mutable_schema()->mutable_fields(0)->mutable_type();
        type->set_id(pb::TYPE_LIST);
        type->mutable_value_field()->mutable_type()->set_id(pb::TYPE_LIST);
        type->mutable_value_field()->mutable_type()->mutable_value_field()->mutable_type()->set_id(
            pb::TYPE_INT8);
      },
      "nested list");
  check(
      [](pb::Manifest& m) {
        m.mutable_schema()->mutable_fields(0)->mutable_type()->set_id(pb::TYPE_FIXED_SIZE_LIST);
      },
      "fixed_size_list without size");
  check([](pb::Manifest& m) { m.set_max_field_id(0); }, "max field id too small");
  check(
      [](pb::Manifest& m) { m.mutable_indices(0)->mutable_segments(0)->set_fragment_bitmap("x"); },
      "bad fragment bitmap");
  check([](pb::Manifest& m) { m.mutable_indices(0)->mutable_segments(0)->set_uuid("../a"); },
        "bad segment uuid");
  check([](pb::Manifest& m) { *m.add_indices() = m.indices(0); }, "repeated index name");
  check([](pb::Manifest& m) { m.mutable_transaction()->clear_operation(); }, "no operation");
  check([](pb::Manifest& m) { m.clear_transaction(); }, "no transaction");
}

// ---- Deletion vectors --------------------------------------------------------

TEST(DeletionVectorTest, Basics) {
  DeletionVector dv;
  EXPECT_TRUE(dv.empty());
  dv.Add(5);
  dv.AddMany(std::vector<uint32_t>{1, 9, 5});
  dv.AddRange(100, 200);
  EXPECT_EQ(dv.cardinality(), 103u);
  EXPECT_TRUE(dv.Contains(5));
  EXPECT_FALSE(dv.Contains(6));
  EXPECT_TRUE(dv.Contains(199));
  EXPECT_FALSE(dv.Contains(200));
  EXPECT_EQ(dv.Rank(9), 3u);
  EXPECT_EQ(dv.Maximum(), 199u);
  DeletionVector other;
  other.Add(7);
  other.Add(5);
  DeletionVector copy = dv;
  copy.UnionWith(other);
  EXPECT_EQ(copy.cardinality(), 104u);
  EXPECT_EQ(dv.cardinality(), 103u);
  DeletionVector moved = std::move(copy);
  EXPECT_EQ(moved.cardinality(), 104u);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
}

TEST(DeletionVectorTest, FileRoundTrip) {
  DeletionVector dv;
  dv.AddRange(0, 70000);                                    // a run container
  for (uint32_t i = 100000; i < 200000; i += 3) dv.Add(i);  // a bitmap container
  dv.Add(UINT32_MAX);
  auto decoded = DeletionVector::DecodeFile(dv.EncodeFile(), "d");
  ASSERT_TRUE(IsOk(decoded));
  EXPECT_TRUE(decoded->Equals(dv));
  auto empty = DeletionVector::DecodeFile(DeletionVector().EncodeFile(), "d");
  ASSERT_TRUE(IsOk(empty));
  EXPECT_TRUE(empty->empty());
}

// Our strict decoder reads whatever CRoaring writes: arrays, bitsets and
// runs, with and without the offset header.
TEST(DeletionVectorTest, DecodesEveryContainerKind) {
  std::mt19937_64 random(42);
  for (int round = 0; round < 40; ++round) {
    DeletionVector dv;
    const int containers = 1 + round % 7;
    for (int c = 0; c < containers; ++c) {
      const uint32_t base = static_cast<uint32_t>(random() % 65536) << 16;
      switch ((round + c) % 3) {
        case 0:  // sparse: an array
          for (int i = 0; i < 50; ++i) dv.Add(base + static_cast<uint32_t>(random() % 65536));
          break;
        case 1:  // dense and scattered: a bitset
          for (int i = 0; i < 20000; ++i) dv.Add(base + static_cast<uint32_t>(random() % 65536));
          break;
        default:  // ranges: runs
          dv.AddRange(base + 10, base + 30000);
          dv.AddRange(base + 40000, base + 65536);
      }
    }
    auto decoded = DeletionVector::DecodeFile(dv.EncodeFile(), "d");
    ASSERT_TRUE(IsOk(decoded)) << round;
    EXPECT_TRUE(decoded->Equals(dv)) << round;
  }
}

TEST(DeletionVectorTest, DamageIsCorruption) {
  DeletionVector dv;
  dv.AddMany(std::vector<uint32_t>{1, 2, 3, 1000, 100000});
  const std::string bytes = dv.EncodeFile();
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] ^= 0x01;
    auto decoded = DeletionVector::DecodeFile(damaged, "deletion file 'x'");
    ASSERT_TRUE(HasCode(decoded, StatusCode::kCorruption)) << i;
    EXPECT_NE(decoded.status().message().find("deletion file 'x'"), std::string::npos);
  }
  for (size_t size = 0; size < bytes.size(); ++size) {
    ASSERT_TRUE(
        HasCode(DeletionVector::DecodeFile(bytes.substr(0, size), "d"), StatusCode::kCorruption));
  }
  // A manifest is not a deletion file.
  EXPECT_TRUE(HasCode(DeletionVector::DecodeFile(EncodeManifestFile(SampleManifest()), "d"),
                      StatusCode::kCorruption));
}

// Payloads with a valid frame but a malformed bitmap.
TEST(DeletionVectorTest, MalformedBitmapIsCorruption) {
  DeletionVector dv;
  dv.AddMany(std::vector<uint32_t>{1, 2, 3});
  std::string payload = dv.SerializePortable();
  for (size_t i = 0; i < payload.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      std::string damaged = payload;
      damaged[i] ^= static_cast<char>(flip);
      auto decoded = DeletionVector::DecodeFile(
          EncodeFrame(kDeletionFileMagic, kDeletionFileFormatVersion, damaged), "d");
      // Either rejected, or a consistent bitmap.
      if (decoded.ok()) {
        const auto values = decoded->ToVector();
        EXPECT_TRUE(std::is_sorted(values.begin(), values.end()));
        EXPECT_EQ(values.size(), decoded->cardinality());
      } else {
        EXPECT_EQ(decoded.status().code(), StatusCode::kCorruption);
      }
    }
  }
  EXPECT_TRUE(HasCode(DeletionVector::DecodeFile(
                          EncodeFrame(kDeletionFileMagic, kDeletionFileFormatVersion, ""), "d"),
                      StatusCode::kCorruption));
}

}  // namespace
}  // namespace ixray::dataset
