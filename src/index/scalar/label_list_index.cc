// LABEL_LIST: for list<string> columns (tags), one posting bitmap per
// distinct label of the rows whose list holds it (bitmap_postings.h).
//
// Answers exactly, with list_kernels.cc's semantics: a null list is UNKNOWN
// (in no answer), null items never match, so
//   array_has_any(c, [a, b]) = rows(a) | rows(b)   (of [] : no row)
//   array_has_all(c, [a, b]) = rows(a) & rows(b)   (of [] : every non-null list)
// and IS [NOT] NULL from the null-list bitmap. Other predicates: nullopt.
#include <fmt/format.h>

#include <algorithm>

#include "index/scalar/bitmap_postings.h"

namespace ixray::scalar {

namespace {

constexpr std::string_view kName = "LABEL_LIST";

bool Supported(const DataType& type) {
  return type.id() == TypeId::kList && type.value_type()->is_string_like();
}

class LabelListBuilder : public ScalarSegmentBuilder {
 public:
  explicit LabelListBuilder(Field field) : field_(std::move(field)) {}

  Status Add(const Array& values, std::span<const RowAddress> addresses) override {
    if (!values.type()->Equals(*field_.type)) {
      return Status::TypeError(
          fmt::format("LABEL_LIST index on column '{}' of type {} got values of type {}",
                      field_.name, field_.type->ToString(), values.type()->ToString()));
    }
    if (static_cast<int64_t>(addresses.size()) != values.length()) {
      return Status::InvalidArgument(
          "LABEL_LIST index build: values and addresses differ in length");
    }
    const Array& items = *values.values();
    for (int64_t row = 0; row < values.length(); ++row) {
      IXRAY_RETURN_NOT_OK(postings_.AddRow(addresses[row]));
      if (values.IsNull(row)) {
        postings_.AddNull(addresses[row]);
        continue;
      }
      const int64_t end = values.ValueOffset(row + 1);
      for (int64_t j = values.ValueOffset(row); j < end; ++j) {
        if (!items.IsNull(j)) postings_.AddKey(items.StringValue(j), addresses[row]);
      }
    }
    return Status::OK();
  }

  Status Finish(index::SegmentFileWriter& out) override { return postings_.Finish(out, kName); }

 private:
  Field field_;
  KeyedPostingsBuilder postings_;
};

class LabelListSegment : public ScalarIndexSegment {
 public:
  LabelListSegment(Field field, std::unique_ptr<KeyedPostings> postings)
      : field_(std::move(field)), postings_(std::move(postings)) {}

  int64_t num_rows() const override { return postings_->num_rows(); }

  Result<std::optional<IndexAnswer>> Search(const query::ColumnPredicate& p) const override {
    if (p.type == nullptr || !p.type->Equals(*field_.type)) {
      return Status::InvalidArgument(fmt::format(
          "LABEL_LIST index on column '{}' of type {} asked about a predicate on type {}",
          field_.name, field_.type->ToString(), p.type ? p.type->ToString() : "(none)"));
    }
    IndexAnswer answer;
    if (p.op == query::PredicateOp::kIsNull) {
      IXRAY_ASSIGN_OR_RAISE(answer.rows,
                            p.negated ? postings_->NonNullRows() : postings_->NullRows());
      return Answer(std::move(answer));
    }
    if (p.op != query::PredicateOp::kArrayHasAny && p.op != query::PredicateOp::kArrayHasAll) {
      return NoAnswer();
    }
    const bool all = p.op == query::PredicateOp::kArrayHasAll;
    std::vector<uint32_t> ids;
    bool missing = false;
    for (const auto& v : p.values) {
      if (v.kind() != query::LiteralKind::kString) {
        return Status::InvalidArgument(
            fmt::format("array_has_{} on column '{}' with a non-string value {}",
                        all ? "all" : "any", p.column, v.ToString()));
      }
      const auto id = postings_->Find(v.string_value());
      if (id) {
        ids.push_back(*id);
      } else {
        missing = true;
      }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (!all) {
      IXRAY_ASSIGN_OR_RAISE(answer.rows, postings_->UnionOfKeys(ids));
    } else if (p.values.empty()) {
      IXRAY_ASSIGN_OR_RAISE(answer.rows, postings_->NonNullRows());
    } else if (!missing) {  // a label no row holds: no row has them all
      IXRAY_ASSIGN_OR_RAISE(answer.rows, postings_->IntersectionOfKeys(ids));
    }
    return Answer(std::move(answer));
  }

 private:
  Field field_;
  std::unique_ptr<KeyedPostings> postings_;
};

class LabelListPlugin : public ScalarIndexPlugin {
 public:
  std::string_view name() const override { return kName; }

  Status CheckColumn(const Field& field) const override {
    if (Supported(*field.type)) return Status::OK();
    return UnsupportedColumn(kName, field, "a list of string, large_string or binary");
  }

  Result<ScalarIndexConfig> NormalizeConfig(const IndexParams& params) const override {
    return ConfigWithoutParams(kName, params);
  }

  Result<std::unique_ptr<ScalarSegmentBuilder>> MakeBuilder(const ScalarIndexConfig& config,
                                                            const Field& field,
                                                            const BuildContext&) const override {
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    IXRAY_RETURN_NOT_OK(ConfigWithoutParams(kName, config.params).status());
    return std::unique_ptr<ScalarSegmentBuilder>(new LabelListBuilder(field));
  }

  Result<std::unique_ptr<ScalarIndexSegment>> Open(std::shared_ptr<index::SegmentFileReader> file,
                                                   const ScalarIndexConfig&,
                                                   const Field& field) const override {
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    IXRAY_ASSIGN_OR_RAISE(auto postings, KeyedPostings::Open(std::move(file), kName));
    return std::unique_ptr<ScalarIndexSegment>(new LabelListSegment(field, std::move(postings)));
  }
};

}  // namespace

std::unique_ptr<ScalarIndexPlugin> MakeLabelListPlugin() {
  return std::make_unique<LabelListPlugin>();
}

}  // namespace ixray::scalar
