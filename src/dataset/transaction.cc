#include "dataset/transaction.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "dataset/dataset_format.h"

namespace ixray::dataset {

namespace {

// ---- What an operation touches -------------------------------------------------

// Fragments whose rows the operation changes (deletes or rewrites).
std::set<FragmentId> TouchedFragments(const Operation& op) {
  std::set<FragmentId> ids;
  if (const auto* del = std::get_if<DeleteOperation>(&op)) {
    for (const Fragment& f : del->updated_fragments) ids.insert(f.id);
    ids.insert(del->removed_fragment_ids.begin(), del->removed_fragment_ids.end());
  } else if (const auto* rewrite = std::get_if<RewriteOperation>(&op)) {
    for (const RewriteGroup& g : rewrite->groups) {
      ids.insert(g.old_fragment_ids.begin(), g.old_fragment_ids.end());
    }
  }
  return ids;
}

// Fragments covered by the index segments the operation adds.
std::set<FragmentId> IndexedFragments(const Operation& op) {
  std::set<FragmentId> ids;
  if (const auto* create = std::get_if<CreateIndexOperation>(&op)) {
    for (const IndexMetadata& index : create->new_indices) {
      for (const IndexSegment& s : index.segments) {
        ids.insert(s.fragment_ids.begin(), s.fragment_ids.end());
      }
    }
  }
  return ids;
}

// Index names the operation creates, replaces or drops.
std::set<std::string> TouchedIndexNames(const Operation& op) {
  std::set<std::string> names;
  if (const auto* create = std::get_if<CreateIndexOperation>(&op)) {
    for (const IndexMetadata& index : create->new_indices) names.insert(index.name);
    names.insert(create->removed_indices.begin(), create->removed_indices.end());
  } else if (const auto* drop = std::get_if<DropIndexOperation>(&op)) {
    names.insert(drop->name);
  }
  return names;
}

template <typename T>
std::optional<T> FirstCommon(const std::set<T>& a, const std::set<T>& b) {
  for (const T& value : a) {
    if (b.count(value) > 0) return value;
  }
  return std::nullopt;
}

bool Is(const Operation& op, size_t index) { return op.index() == index; }

constexpr size_t kAppend = 0, kOverwrite = 1, kDelete = 2, kCreateIndex = 3, kDropIndex = 4,
                 kRewrite = 5, kReserveFragments = 6;
static_assert(std::is_same_v<std::variant_alternative_t<kRewrite, Operation>, RewriteOperation>);
static_assert(std::is_same_v<std::variant_alternative_t<kReserveFragments, Operation>,
                             ReserveFragmentsOperation>);

// The reason `ours` cannot follow `theirs`, or empty when it can.
std::string ConflictReason(const Operation& ours, const Operation& theirs) {
  // Reserving ids changes nothing another transaction relies on.
  if (Is(ours, kReserveFragments) || Is(theirs, kReserveFragments)) return {};
  if (Is(ours, kOverwrite) || (Is(ours, kAppend) && !Is(theirs, kOverwrite))) return {};
  if (Is(theirs, kOverwrite)) return "the dataset was overwritten";
  const bool ours_changes_rows = Is(ours, kDelete) || Is(ours, kRewrite);
  const bool theirs_changes_rows = Is(theirs, kDelete) || Is(theirs, kRewrite);
  if (ours_changes_rows && theirs_changes_rows) {
    if (auto id = FirstCommon(TouchedFragments(ours), TouchedFragments(theirs))) {
      return fmt::format("both change the rows of fragment {}", *id);
    }
  }
  // A rewrite moves rows to new addresses, which new index segments over
  // the old fragments would not know about.
  if (Is(ours, kRewrite) || Is(theirs, kRewrite)) {
    const std::set<FragmentId> rewritten = TouchedFragments(Is(ours, kRewrite) ? ours : theirs);
    const std::set<FragmentId> indexed = IndexedFragments(Is(ours, kRewrite) ? theirs : ours);
    if (auto id = FirstCommon(rewritten, indexed)) {
      return fmt::format("fragment {} is both rewritten and indexed", *id);
    }
  }
  if (auto name = FirstCommon(TouchedIndexNames(ours), TouchedIndexNames(theirs))) {
    return fmt::format("both change index '{}'", *name);
  }
  return {};
}

// ---- Applying ----------------------------------------------------------------

Status CheckFieldIds(const Schema& schema, const std::vector<int32_t>& ids, std::string_view what) {
  for (int32_t id : ids) {
    if (schema.FieldIndexById(id) < 0) {
      return Status::InvalidArgument(fmt::format("{} refers to unknown field id {}", what, id));
    }
  }
  return Status::OK();
}

// Gives `fragments` the ids next_fragment_id, next_fragment_id + 1, ...
Status AssignFragmentIds(std::vector<Fragment>& fragments, const Schema& schema,
                         uint64_t* next_fragment_id) {
  if (*next_fragment_id + fragments.size() > (uint64_t{1} << 32)) {
    return Status::InvalidArgument("the dataset has used up its 2^32 fragment ids");
  }
  for (Fragment& f : fragments) {
    if (f.files.empty()) return Status::InvalidArgument("a new fragment has no data file");
    for (const DataFile& file : f.files) {
      IXRAY_RETURN_NOT_OK(CheckFieldIds(schema, file.field_ids, "data file " + file.path));
    }
    f.id = static_cast<FragmentId>((*next_fragment_id)++);
  }
  return Status::OK();
}

Status ApplyDelete(DeleteOperation& op, Manifest& m) {
  for (const Fragment& updated : op.updated_fragments) {
    auto it = std::find_if(m.fragments.begin(), m.fragments.end(),
                           [&](const Fragment& f) { return f.id == updated.id; });
    if (it == m.fragments.end()) {
      return Status::Conflict(fmt::format("fragment {} no longer exists", updated.id));
    }
    if (!updated.deletion_file || updated.deletion_file->num_deleted_rows > it->physical_rows) {
      return Status::InvalidArgument(fmt::format("bad deletion file for fragment {}", updated.id));
    }
    it->deletion_file = updated.deletion_file;
  }
  for (FragmentId id : op.removed_fragment_ids) {
    auto it = std::find_if(m.fragments.begin(), m.fragments.end(),
                           [&](const Fragment& f) { return f.id == id; });
    if (it == m.fragments.end()) {
      return Status::Conflict(fmt::format("fragment {} no longer exists", id));
    }
    m.fragments.erase(it);
  }
  return Status::OK();
}

Status ApplyCreateIndex(const CreateIndexOperation& op, Manifest& m) {
  for (const std::string& name : op.removed_indices) {
    std::erase_if(m.indices, [&](const IndexMetadata& i) { return i.name == name; });
  }
  for (const IndexMetadata& index : op.new_indices) {
    if (index.name.empty()) return Status::InvalidArgument("an index needs a name");
    if (m.FindIndex(index.name) != nullptr) {
      return Status::AlreadyExists(fmt::format("index '{}' already exists", index.name));
    }
    IXRAY_RETURN_NOT_OK(CheckFieldIds(*m.schema, index.field_ids, "index " + index.name));
    for (const IndexSegment& s : index.segments) {
      if (s.uuid.find('/') != std::string::npos || !IsSafeRelativePath(s.uuid)) {
        return Status::InvalidArgument(fmt::format("bad segment uuid '{}'", s.uuid));
      }
    }
    m.indices.push_back(index);
  }
  return Status::OK();
}

Result<Fragment*> FindMutableFragment(Manifest& m, FragmentId id) {
  auto it = std::lower_bound(m.fragments.begin(), m.fragments.end(), id,
                             [](const Fragment& f, FragmentId value) { return f.id < value; });
  if (it == m.fragments.end() || it->id != id) {
    return Status::Conflict(fmt::format("fragment {} no longer exists", id));
  }
  return &*it;
}

Status ApplyRewrite(RewriteOperation& op, Manifest& m) {
  std::set<FragmentId> removed;
  for (const RewriteGroup& group : op.groups) {
    for (FragmentId id : group.old_fragment_ids) {
      IXRAY_RETURN_NOT_OK(FindMutableFragment(m, id).status());
      if (!removed.insert(id).second) {
        return Status::InvalidArgument(fmt::format("fragment {} is rewritten twice", id));
      }
    }
  }
  std::erase_if(m.fragments, [&](const Fragment& f) { return removed.count(f.id) > 0; });
  std::set<FragmentId> added;
  for (RewriteGroup& group : op.groups) {
    if (!op.fragment_ids_reserved) {
      IXRAY_RETURN_NOT_OK(AssignFragmentIds(group.new_fragments, *m.schema, &m.next_fragment_id));
    }
    for (const Fragment& f : group.new_fragments) {
      if (f.files.empty()) return Status::InvalidArgument("a new fragment has no data file");
      // Reserved ids lie below next_fragment_id and were never used, so no
      // fragment of the base has them (and none of the removed ones did).
      if (f.id >= m.next_fragment_id || m.FindFragment(f.id) != nullptr ||
          removed.count(f.id) > 0 || !added.insert(f.id).second) {
        return Status::InvalidArgument(
            fmt::format("rewritten fragment id {} was not reserved", f.id));
      }
      m.fragments.push_back(f);
    }
  }
  std::sort(m.fragments.begin(), m.fragments.end(),
            [](const Fragment& a, const Fragment& b) { return a.id < b.id; });

  for (const RewrittenSegment& r : op.rewritten_segments) {
    auto index = std::find_if(m.indices.begin(), m.indices.end(),
                              [&](const IndexMetadata& i) { return i.name == r.index_name; });
    if (index == m.indices.end()) continue;  // dropped or replaced meanwhile
    auto segment =
        std::find_if(index->segments.begin(), index->segments.end(),
                     [&](const IndexSegment& s) { return s.uuid == r.old_segment_uuid; });
    if (segment == index->segments.end()) continue;
    if (r.new_segment.uuid.empty()) {
      index->segments.erase(segment);
      continue;
    }
    if (r.new_segment.uuid.find('/') != std::string::npos ||
        !IsSafeRelativePath(r.new_segment.uuid)) {
      return Status::InvalidArgument(fmt::format("bad segment uuid '{}'", r.new_segment.uuid));
    }
    *segment = r.new_segment;
  }
  // Whatever still covers a removed fragment stops covering it: the rows
  // moved to new addresses that segment does not know, so they are scanned
  // (searched without the index) until re-indexed.
  for (IndexMetadata& index : m.indices) {
    for (IndexSegment& segment : index.segments) {
      std::erase_if(segment.fragment_ids, [&](FragmentId id) { return removed.count(id) > 0; });
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckConflict(const Transaction& ours, const Transaction& theirs, uint64_t their_version) {
  const std::string reason = ConflictReason(ours.operation, theirs.operation);
  if (reason.empty()) return Status::OK();
  return Status::Conflict(fmt::format(
      "{} computed from version {} conflicts with {} committed as version {}: {}",
      OperationName(ours), ours.read_version, OperationName(theirs), their_version, reason));
}

Result<ManifestPtr> ApplyTransaction(const Manifest* base, const Transaction& transaction) {
  auto next = std::make_shared<Manifest>();
  if (base != nullptr) *next = *base;
  next->version = base != nullptr ? base->version + 1 : 1;
  next->timestamp_us = NowMicros();
  next->writer = WriterString();
  next->transaction = transaction;
  Operation& op = next->transaction.operation;

  if (auto* overwrite = std::get_if<OverwriteOperation>(&op)) {
    if (overwrite->create && base != nullptr) {
      return Status::AlreadyExists("a dataset exists there (version " +
                                   std::to_string(base->version) + ")");
    }
    if (overwrite->schema == nullptr) return Status::InvalidArgument("overwrite without schema");
    next->schema = overwrite->schema;
    next->max_field_id = overwrite->schema->MaxFieldId();
    next->indices.clear();
    IXRAY_RETURN_NOT_OK(
        AssignFragmentIds(overwrite->fragments, *next->schema, &next->next_fragment_id));
    next->fragments = overwrite->fragments;
    return ManifestPtr(std::move(next));
  }
  if (base == nullptr) {
    return Status::NotFound(
        fmt::format("{} on a dataset with no version", OperationName(transaction)));
  }
  if (auto* append = std::get_if<AppendOperation>(&op)) {
    IXRAY_RETURN_NOT_OK(
        AssignFragmentIds(append->fragments, *next->schema, &next->next_fragment_id));
    next->fragments.insert(next->fragments.end(), append->fragments.begin(),
                           append->fragments.end());
  } else if (auto* del = std::get_if<DeleteOperation>(&op)) {
    IXRAY_RETURN_NOT_OK(ApplyDelete(*del, *next));
  } else if (auto* create = std::get_if<CreateIndexOperation>(&op)) {
    IXRAY_RETURN_NOT_OK(ApplyCreateIndex(*create, *next));
  } else if (auto* drop = std::get_if<DropIndexOperation>(&op)) {
    if (std::erase_if(next->indices,
                      [&](const IndexMetadata& i) { return i.name == drop->name; }) == 0) {
      return Status::NotFound(fmt::format("no index named '{}'", drop->name));
    }
  } else if (auto* rewrite = std::get_if<RewriteOperation>(&op)) {
    IXRAY_RETURN_NOT_OK(ApplyRewrite(*rewrite, *next));
  } else if (const auto* reserve = std::get_if<ReserveFragmentsOperation>(&op)) {
    if (next->next_fragment_id + reserve->num_fragments > (uint64_t{1} << 32)) {
      return Status::InvalidArgument("the dataset has used up its 2^32 fragment ids");
    }
    next->next_fragment_id += reserve->num_fragments;
  }
  return ManifestPtr(std::move(next));
}

TransactionFiles NewFilesOf(const Transaction& transaction, const Manifest* read) {
  TransactionFiles out;
  auto add_fragment = [&](const Fragment& f) {
    for (const DataFile& file : f.files) out.files.push_back(file.path);
    if (f.deletion_file) out.files.push_back(f.deletion_file->path);
  };
  std::set<std::string> existing;
  if (read != nullptr) {
    for (const IndexMetadata& index : read->indices) {
      for (const IndexSegment& s : index.segments) existing.insert(s.uuid);
    }
  }
  auto add_segment = [&](const IndexSegment& s) {
    if (existing.count(s.uuid) == 0 && IsSafeRelativePath(s.uuid) &&
        s.uuid.find('/') == std::string::npos) {
      out.dirs.push_back(IndexSegmentDir(s.uuid));
    }
  };
  const Operation& op = transaction.operation;
  if (const auto* append = std::get_if<AppendOperation>(&op)) {
    for (const Fragment& f : append->fragments) add_fragment(f);
  } else if (const auto* overwrite = std::get_if<OverwriteOperation>(&op)) {
    for (const Fragment& f : overwrite->fragments) add_fragment(f);
  } else if (const auto* del = std::get_if<DeleteOperation>(&op)) {
    for (const Fragment& f : del->updated_fragments) {
      if (f.deletion_file) out.files.push_back(f.deletion_file->path);
    }
  } else if (const auto* rewrite = std::get_if<RewriteOperation>(&op)) {
    for (const RewriteGroup& g : rewrite->groups) {
      for (const Fragment& f : g.new_fragments) add_fragment(f);
    }
    for (const RewrittenSegment& r : rewrite->rewritten_segments) {
      if (!r.new_segment.uuid.empty()) add_segment(r.new_segment);
    }
  } else if (const auto* create = std::get_if<CreateIndexOperation>(&op)) {
    for (const IndexMetadata& index : create->new_indices) {
      for (const IndexSegment& s : index.segments) add_segment(s);
    }
  }
  return out;
}

}  // namespace ixray::dataset
