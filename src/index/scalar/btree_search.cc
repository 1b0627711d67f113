// BTREE segment search: the lookup blob picks the pages a key range meets;
// pages are read on first use and cached in the segment.
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "index/scalar/btree.h"
#include "index/scalar/btree_page.h"
#include "index/scalar/row_set_codec.h"

namespace ixray::scalar::btree {

namespace {

Result<std::string_view> ReadBlob(const index::SegmentFileReader& file, std::string_view name,
                                  BufferPtr* holder) {
  if (!file.Has(name)) {
    return Status::Corruption(fmt::format("BTREE segment '{}' lacks blob '{}'", file.path(), name));
  }
  IXRAY_ASSIGN_OR_RAISE(*holder, file.Read(name));
  return std::string_view(reinterpret_cast<const char*>((*holder)->data()), (*holder)->size());
}

template <typename Keys>
class Segment final : public ScalarIndexSegment {
 public:
  using Key = typename Keys::Key;
  using Predicate = KeyPredicate<Key>;

  Segment(std::shared_ptr<index::SegmentFileReader> file, TypePtr type, Lookup<Keys> lookup,
          RowAddressSet nulls, RowAddressSet rows)
      : file_(std::move(file)),
        type_(std::move(type)),
        lookup_(std::move(lookup)),
        nulls_(std::move(nulls)),
        non_null_(std::move(rows)),
        pages_(lookup_.pages.size()) {
    num_rows_ = static_cast<int64_t>(non_null_.cardinality());
    non_null_ -= nulls_;
  }

  Result<std::optional<IndexAnswer>> Search(
      const query::ColumnPredicate& predicate) const override {
    if (predicate.type != nullptr && !predicate.type->Equals(*type_)) {
      return Status::InvalidArgument(
          fmt::format("BTREE segment over {} asked about column '{}' of type {}", type_->ToString(),
                      predicate.column, predicate.type->ToString()));
    }
    const std::optional<Predicate> keys = TranslatePredicate<Keys>(predicate, *type_);
    if (!keys) return std::optional<IndexAnswer>();
    IndexAnswer answer;
    answer.exact = keys->exact;
    switch (keys->form) {
      case Predicate::Form::kNullRows:
        answer.rows = nulls_;
        break;
      case Predicate::Form::kInSet: {
        IXRAY_ASSIGN_OR_RAISE(answer.rows, RowsIn(keys->set));
        break;
      }
      case Predicate::Form::kNonNullOutsideSet: {
        IXRAY_ASSIGN_OR_RAISE(RowAddressSet inside, RowsIn(keys->set));
        answer.rows = non_null_;
        answer.rows -= inside;
        break;
      }
    }
    return std::optional<IndexAnswer>(std::move(answer));
  }

  int64_t num_rows() const override { return num_rows_; }

 private:
  using PagePtr = std::shared_ptr<const Page<Keys>>;

  // The non-null rows whose key is in `set`.
  Result<RowAddressSet> RowsIn(const KeySet<Key>& set) const {
    if (set.all) return non_null_;
    std::vector<RowAddress> found;
    for (const auto& range : set.ranges) IXRAY_RETURN_NOT_OK(CollectRange(range, &found));
    std::sort(found.begin(), found.end());
    return RowAddressSet(found.size(), found.data());
  }

  // Appends the addresses of the keys in `range`.
  Status CollectRange(const KeyRange<Key>& range, std::vector<RowAddress>* out) const {
    const auto& pages = lookup_.pages;
    // Pages are in key order: skip those ending below the range, stop at
    // the first starting above it.
    const auto first = std::partition_point(pages.begin(), pages.end(), [&](const auto& page) {
      return !AboveLow<Keys>(range, page.last);
    });
    for (auto it = first; it != pages.end() && BelowHigh<Keys>(range, it->first); ++it) {
      IXRAY_ASSIGN_OR_RAISE(PagePtr page, LoadPage(it - pages.begin()));
      const auto& keys = page->keys;
      auto begin = keys.begin();
      auto end = keys.end();
      if (range.low) {
        begin = range.low_inclusive
                    ? std::lower_bound(keys.begin(), keys.end(), *range.low, Keys::Less)
                    : std::upper_bound(keys.begin(), keys.end(), *range.low, Keys::Less);
      }
      if (range.high) {
        end = range.high_inclusive ? std::upper_bound(begin, keys.end(), *range.high, Keys::Less)
                                   : std::lower_bound(begin, keys.end(), *range.high, Keys::Less);
      }
      if (begin < end) {
        out->insert(out->end(), page->addresses.begin() + (begin - keys.begin()),
                    page->addresses.begin() + (end - keys.begin()));
      }
    }
    return Status::OK();
  }

  // The page, read and checked on first use. Two threads may both read a
  // page that is not cached yet; the first to finish wins.
  Result<PagePtr> LoadPage(size_t index) const {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (pages_[index] != nullptr) return pages_[index];
    }
    const std::string name = PageBlobName(static_cast<int64_t>(index));
    BufferPtr holder;
    IXRAY_ASSIGN_OR_RAISE(std::string_view bytes, ReadBlob(*file_, name, &holder));
    const std::string what = fmt::format("BTREE segment '{}' blob '{}'", file_->path(), name);
    IXRAY_ASSIGN_OR_RAISE(Page<Keys> page, DecodePage<Keys>(bytes, lookup_.pages[index], what));
    auto shared = std::make_shared<const Page<Keys>>(std::move(page));
    std::lock_guard<std::mutex> lock(mutex_);
    if (pages_[index] == nullptr) pages_[index] = std::move(shared);
    return pages_[index];
  }

  const std::shared_ptr<index::SegmentFileReader> file_;
  const TypePtr type_;
  const Lookup<Keys> lookup_;
  const RowAddressSet nulls_;
  RowAddressSet non_null_;
  int64_t num_rows_ = 0;
  mutable std::mutex mutex_;
  mutable std::vector<PagePtr> pages_;  // guarded by mutex_
};

template <typename Keys>
Result<std::unique_ptr<ScalarIndexSegment>> Open(std::shared_ptr<index::SegmentFileReader> file,
                                                 const Field& field) {
  const std::string what = fmt::format("BTREE segment '{}'", file->path());
  BufferPtr holder;
  IXRAY_ASSIGN_OR_RAISE(std::string_view bytes, ReadBlob(*file, kLookupBlob, &holder));
  IXRAY_ASSIGN_OR_RAISE(Lookup<Keys> lookup, DecodeLookup<Keys>(bytes, what + " lookup"));
  IXRAY_ASSIGN_OR_RAISE(bytes, ReadBlob(*file, kNullsBlob, &holder));
  IXRAY_ASSIGN_OR_RAISE(RowAddressSet nulls, DecodeRowSet(bytes, what + " nulls"));
  IXRAY_ASSIGN_OR_RAISE(bytes, ReadBlob(*file, kRowsBlob, &holder));
  IXRAY_ASSIGN_OR_RAISE(RowAddressSet rows, DecodeRowSet(bytes, what + " rows"));
  uint64_t entries = 0;
  for (size_t i = 0; i < lookup.pages.size(); ++i) {
    entries += lookup.pages[i].count;
    if (!file->Has(PageBlobName(static_cast<int64_t>(i)))) {
      return Status::Corruption(fmt::format("{} lacks page {}", what, i));
    }
  }
  if (!nulls.isSubset(rows) || entries + nulls.cardinality() != rows.cardinality()) {
    return Status::Corruption(fmt::format("{}: {} values and {} nulls do not add up to {} rows",
                                          what, entries, nulls.cardinality(), rows.cardinality()));
  }
  return std::unique_ptr<ScalarIndexSegment>(std::make_unique<Segment<Keys>>(
      std::move(file), field.type, std::move(lookup), std::move(nulls), std::move(rows)));
}

}  // namespace

Result<std::unique_ptr<ScalarIndexSegment>> OpenSegment(
    std::shared_ptr<index::SegmentFileReader> file, const Field& field) {
  switch (*KeyKindOf(*field.type)) {
    case KeyKind::kUInt64:
      return Open<UInt64Keys>(std::move(file), field);
    case KeyKind::kDouble:
      return Open<DoubleKeys>(std::move(file), field);
    case KeyKind::kString:
      return Open<StringKeys>(std::move(file), field);
  }
  return Status::Internal("unreachable");
}

}  // namespace ixray::scalar::btree
