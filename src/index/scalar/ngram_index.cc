#include "index/scalar/ngram_index.h"

#include <fmt/format.h>

#include <algorithm>

#include "index/scalar/bitmap_postings.h"

namespace ixray::scalar {

namespace {

constexpr std::string_view kName = "NGRAM";
constexpr size_t kGram = 3;

uint32_t Pack(std::string_view s, size_t i) {
  return uint32_t{static_cast<uint8_t>(s[i])} << 16 |
         uint32_t{static_cast<uint8_t>(s[i + 1])} << 8 | uint32_t{static_cast<uint8_t>(s[i + 2])};
}

std::string Unpack(uint32_t gram) {
  return {static_cast<char>(gram >> 16), static_cast<char>(gram >> 8), static_cast<char>(gram)};
}

// The distinct trigrams of `s`, ascending.
std::vector<uint32_t> Trigrams(std::string_view s) {
  std::vector<uint32_t> grams;
  if (s.size() < kGram) return grams;
  grams.reserve(s.size() - kGram + 1);
  for (size_t i = 0; i + kGram <= s.size(); ++i) grams.push_back(Pack(s, i));
  std::sort(grams.begin(), grams.end());
  grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
  return grams;
}

class NGramBuilder : public ScalarSegmentBuilder {
 public:
  explicit NGramBuilder(Field field) : field_(std::move(field)) {}

  Status Add(const Array& values, std::span<const RowAddress> addresses) override {
    if (!values.type()->Equals(*field_.type)) {
      return Status::TypeError(
          fmt::format("NGRAM index on column '{}' of type {} got values of type {}", field_.name,
                      field_.type->ToString(), values.type()->ToString()));
    }
    if (static_cast<int64_t>(addresses.size()) != values.length()) {
      return Status::InvalidArgument("NGRAM index build: values and addresses differ in length");
    }
    for (int64_t i = 0; i < values.length(); ++i) {
      IXRAY_RETURN_NOT_OK(postings_.AddRow(addresses[i]));
      if (values.IsNull(i)) {
        postings_.AddNull(addresses[i]);
        continue;
      }
      for (uint32_t gram : Trigrams(values.StringValue(i))) {
        postings_.AddKey(Unpack(gram), addresses[i]);
      }
    }
    return Status::OK();
  }

  Status Finish(index::SegmentFileWriter& out) override { return postings_.Finish(out, kName); }

 private:
  Field field_;
  KeyedPostingsBuilder postings_;
};

class NGramSegment : public ScalarIndexSegment {
 public:
  NGramSegment(Field field, std::unique_ptr<KeyedPostings> postings)
      : field_(std::move(field)), postings_(std::move(postings)) {}

  int64_t num_rows() const override { return postings_->num_rows(); }

  Result<std::optional<IndexAnswer>> Search(const query::ColumnPredicate& p) const override {
    using Op = query::PredicateOp;
    if (p.type == nullptr || !p.type->Equals(*field_.type)) {
      return Status::InvalidArgument(fmt::format(
          "NGRAM index on column '{}' of type {} asked about a predicate on type {}", field_.name,
          field_.type->ToString(), p.type ? p.type->ToString() : "(none)"));
    }
    IndexAnswer answer;
    if (p.op == Op::kIsNull) {
      IXRAY_ASSIGN_OR_RAISE(answer.rows,
                            p.negated ? postings_->NonNullRows() : postings_->NullRows());
      return Answer(std::move(answer));
    }
    const bool single = p.op == Op::kEq || p.op == Op::kContains || p.op == Op::kLike;
    if ((!single && p.op != Op::kIn) || p.negated || p.values.empty() ||
        (single && p.values.size() != 1)) {
      return NoAnswer();
    }
    for (const auto& v : p.values) {
      if (!v.is_null() && v.kind() != query::LiteralKind::kString) return NoAnswer();
    }
    if (p.op == Op::kIn) return SearchIn(p.values);
    const query::Literal& literal = p.values[0];
    if (literal.is_null())
      return Answer(std::move(answer));  // = NULL, LIKE NULL, contains NULL: never TRUE
    const std::string_view text = literal.string_value();
    std::vector<std::string_view> runs{text};
    if (p.op == Op::kContains && text.empty()) {
      IXRAY_ASSIGN_OR_RAISE(answer.rows, postings_->NonNullRows());  // every value holds ''
      return Answer(std::move(answer));
    }
    if (p.op == Op::kLike) {
      if (!text.empty() && text.find_first_not_of('%') == std::string_view::npos) {
        IXRAY_ASSIGN_OR_RAISE(answer.rows, postings_->NonNullRows());  // % matches anything
        return Answer(std::move(answer));
      }
      runs = LikeLiteralRuns(text);
    }
    return Narrow(runs);
  }

 private:
  // The rows holding every trigram of every run; nullopt if no run has one.
  Result<std::optional<IndexAnswer>> Narrow(const std::vector<std::string_view>& runs) const {
    std::vector<uint32_t> grams;
    for (std::string_view run : runs) {
      const std::vector<uint32_t> more = Trigrams(run);
      grams.insert(grams.end(), more.begin(), more.end());
    }
    if (grams.empty()) return NoAnswer();
    std::sort(grams.begin(), grams.end());
    grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
    std::vector<uint32_t> ids;
    IndexAnswer answer;
    for (uint32_t gram : grams) {
      const auto id = postings_->Find(Unpack(gram));
      if (!id)
        return Answer(std::move(answer));  // no row holds this trigram: exactly no row matches
      ids.push_back(*id);
    }
    IXRAY_ASSIGN_OR_RAISE(answer.rows, postings_->IntersectionOfKeys(ids));
    answer.exact = answer.rows.isEmpty();
    return Answer(std::move(answer));
  }

  // col IN (...): the union of the values' answers, if each value narrows.
  Result<std::optional<IndexAnswer>> SearchIn(const std::vector<query::Literal>& values) const {
    IndexAnswer answer;
    for (const auto& v : values) {
      if (v.is_null()) continue;  // matches no row
      IXRAY_ASSIGN_OR_RAISE(auto one, Narrow({v.string_value()}));
      if (!one) return NoAnswer();
      answer.rows |= one->rows;
    }
    answer.exact = answer.rows.isEmpty();
    return Answer(std::move(answer));
  }

  Field field_;
  std::unique_ptr<KeyedPostings> postings_;
};

class NGramPlugin : public ScalarIndexPlugin {
 public:
  std::string_view name() const override { return kName; }

  Status CheckColumn(const Field& field) const override {
    if (field.type->is_string_like()) return Status::OK();
    return UnsupportedColumn(kName, field, "string, large_string or binary");
  }

  Result<ScalarIndexConfig> NormalizeConfig(const IndexParams& params) const override {
    return ConfigWithoutParams(kName, params);
  }

  Result<std::unique_ptr<ScalarSegmentBuilder>> MakeBuilder(const ScalarIndexConfig& config,
                                                            const Field& field,
                                                            const BuildContext&) const override {
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    IXRAY_RETURN_NOT_OK(ConfigWithoutParams(kName, config.params).status());
    return std::unique_ptr<ScalarSegmentBuilder>(new NGramBuilder(field));
  }

  Result<std::unique_ptr<ScalarIndexSegment>> Open(std::shared_ptr<index::SegmentFileReader> file,
                                                   const ScalarIndexConfig&,
                                                   const Field& field) const override {
    IXRAY_RETURN_NOT_OK(CheckColumn(field));
    IXRAY_ASSIGN_OR_RAISE(auto postings, KeyedPostings::Open(std::move(file), kName));
    return std::unique_ptr<ScalarIndexSegment>(new NGramSegment(field, std::move(postings)));
  }
};

}  // namespace

std::vector<std::string_view> LikeLiteralRuns(std::string_view pattern) {
  std::vector<std::string_view> runs;
  size_t begin = 0;
  while (begin <= pattern.size()) {
    size_t end = pattern.find_first_of("%_", begin);
    if (end == std::string_view::npos) end = pattern.size();
    if (end > begin) runs.push_back(pattern.substr(begin, end - begin));
    begin = end + 1;
  }
  return runs;
}

std::unique_ptr<ScalarIndexPlugin> MakeNGramPlugin() { return std::make_unique<NGramPlugin>(); }

}  // namespace ixray::scalar
