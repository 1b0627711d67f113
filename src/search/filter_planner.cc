#include "search/filter_planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "index/scalar_segment.h"
#include "query/filter_parser.h"

namespace ixray::search {

namespace {

// Index types in the order the planner asks them: exact answers first.
int Preference(std::string_view type) {
  static constexpr std::string_view kOrder[] = {"BTREE", "BITMAP", "LABEL_LIST", "NGRAM",
                                                "ZONEMAP", "INVERTED"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (kOrder[i] == type) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kOrder));
}

// The scalar indices with segments on field `field_id`, best first.
std::vector<const dataset::IndexMetadata*> IndicesOn(const dataset::DatasetImpl& ds,
                                                     int32_t field_id) {
  std::vector<const dataset::IndexMetadata*> out;
  for (const auto& index : ds.manifest().indices) {
    if (index.field_ids.size() == 1 && index.field_ids[0] == field_id &&
        !index.segments.empty() && index::IsScalarIndexType(index.index_type)) {
      out.push_back(&index);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return Preference(a->index_type) < Preference(b->index_type);
  });
  return out;
}

// What the indices know about one filter term, per fragment they answered.
struct FragmentAnswer {
  std::vector<uint32_t> rows;  // row offsets, ascending
  bool exact = true;
};
using TermAnswer = std::unordered_map<FragmentId, FragmentAnswer>;

std::vector<uint32_t> Intersect(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<uint32_t> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<uint32_t> Union(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<uint32_t> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

class TermPlanner {
 public:
  explicit TermPlanner(const dataset::DatasetImpl& ds) : ds_(ds) {}

  // The fragments where the indices answer `expr`: a single-column test
  // (the first index on the column that answers), an OR whose every branch
  // is answered (union), or an AND with an answered branch (intersection;
  // exact only where every branch is).
  Result<TermAnswer> Answer(const query::Expr& expr) {
    if (auto predicate = query::AsColumnPredicate(expr)) return AnswerPredicate(expr, *predicate);
    if (expr.kind() == query::ExprKind::kOr) {
      std::optional<TermAnswer> out;
      for (const auto& branch : expr.args()) {
        IXRAY_ASSIGN_OR_RAISE(auto answer, Answer(*branch));
        if (!out) {
          out = std::move(answer);
          continue;
        }
        for (auto entry = out->begin(); entry != out->end();) {
          auto it = answer.find(entry->first);
          if (it == answer.end()) {
            entry = out->erase(entry);  // a branch this fragment has no answer for
            continue;
          }
          entry->second.rows = Union(entry->second.rows, it->second.rows);
          entry->second.exact = entry->second.exact && it->second.exact;
          ++entry;
        }
      }
      return out ? std::move(*out) : TermAnswer{};
    }
    if (expr.kind() == query::ExprKind::kAnd) {
      std::vector<TermAnswer> answers;
      for (const auto& branch : expr.args()) {
        IXRAY_ASSIGN_OR_RAISE(auto answer, Answer(*branch));
        answers.push_back(std::move(answer));
      }
      TermAnswer out;
      for (const auto& answer : answers) {
        for (const auto& [fragment, part] : answer) {
          auto [it, fresh] = out.try_emplace(fragment, part);
          if (!fresh) {
            it->second.rows = Intersect(it->second.rows, part.rows);
            it->second.exact = it->second.exact && part.exact;
          }
        }
      }
      for (auto& [fragment, part] : out) {
        for (const auto& answer : answers) {
          if (!answer.count(fragment)) part.exact = false;  // a branch to recheck
        }
      }
      return out;
    }
    return TermAnswer{};
  }

  std::vector<std::string>& explain() { return explain_; }

 private:
  Result<TermAnswer> AnswerPredicate(const query::Expr& expr,
                                     const query::ColumnPredicate& predicate) {
    TermAnswer out;
    auto field = ds_.schema()->GetField(predicate.column);
    if (!field.ok()) return out;
    for (const auto* index : IndicesOn(ds_, (*field)->id)) {
      int64_t candidates = 0;
      bool all_exact = true;
      for (const auto& segment : index->segments) {
        IXRAY_ASSIGN_OR_RAISE(auto opened, index::OpenScalarSegment(ds_, *index, segment));
        IXRAY_ASSIGN_OR_RAISE(auto answer, opened->segment->Search(predicate));
        if (!answer) continue;
        all_exact = all_exact && answer->exact;
        // The answer, split by fragment (addresses ascend, so each list does).
        std::unordered_map<FragmentId, std::vector<uint32_t>> by_fragment;
        for (FragmentId f : segment.fragment_ids) {
          if (ds_.manifest().FindFragment(f) != nullptr) by_fragment[f];
        }
        for (auto it = answer->rows.begin(); it != answer->rows.end(); ++it) {
          const RowAddress address = *it;
          auto bucket = by_fragment.find(AddressFragment(address));
          if (bucket != by_fragment.end()) bucket->second.push_back(AddressOffset(address));
        }
        for (auto& [fragment, rows] : by_fragment) {
          out[fragment] = FragmentAnswer{std::move(rows), answer->exact};
        }
        candidates += static_cast<int64_t>(answer->rows.cardinality());
      }
      if (out.empty()) continue;
      explain_.push_back(fmt::format(
          "index '{}' ({}) answers {} {} for {} fragment(s): {} candidate row(s)", index->name,
          index->index_type, expr.ToString(), all_exact ? "exactly" : "(rechecked)", out.size(),
          candidates));
      return out;  // one index per test
    }
    return out;
  }

  const dataset::DatasetImpl& ds_;
  std::vector<std::string> explain_;
};

struct FragmentState {
  std::vector<uint32_t> rows;  // candidates so far (ascending)
  std::vector<bool> exact;     // per AND term: answered exactly here
};

}  // namespace

bool HasScalarIndices(const dataset::DatasetImpl& ds) {
  for (const auto& index : ds.manifest().indices) {
    if (!index.segments.empty() && index::IsScalarIndexType(index.index_type)) return true;
  }
  return false;
}

Result<std::shared_ptr<const dataset::IndexedScan>> PlanIndexedFilter(
    const dataset::DatasetImpl& ds, const query::ExprPtr& filter) {
  const std::vector<query::ExprPtr> terms = query::SplitConjunction(filter);
  std::unordered_map<FragmentId, FragmentState> states;
  TermPlanner planner(ds);
  for (size_t t = 0; t < terms.size(); ++t) {
    IXRAY_ASSIGN_OR_RAISE(auto answer, planner.Answer(*terms[t]));
    for (auto& [fragment, part] : answer) {
      auto [state, fresh] = states.try_emplace(fragment);
      if (fresh) {
        state->second.rows = std::move(part.rows);
        state->second.exact.assign(terms.size(), false);
      } else {
        state->second.rows = Intersect(state->second.rows, part.rows);
      }
      state->second.exact[t] = part.exact;
    }
  }
  if (states.empty()) return std::shared_ptr<const dataset::IndexedScan>();

  auto plan = std::make_shared<dataset::IndexedScan>();
  plan->explain = std::move(planner.explain());
  for (auto& [fragment, state] : states) {
    std::vector<query::ExprPtr> residual;
    for (size_t t = 0; t < terms.size(); ++t) {
      if (!state.exact[t]) residual.push_back(terms[t]);
    }
    dataset::FragmentSelection selection;
    selection.rows = std::move(state.rows);
    if (residual.size() == 1) {
      selection.filter = residual[0];
    } else if (residual.size() > 1) {
      IXRAY_ASSIGN_OR_RAISE(selection.filter, query::MakeAnd(std::move(residual)));
    }
    plan->fragments.emplace(fragment, std::move(selection));
  }
  return std::shared_ptr<const dataset::IndexedScan>(std::move(plan));
}

Result<std::unique_ptr<Scanner>> MakeIndexedScanner(
    std::shared_ptr<const dataset::DatasetImpl> dataset, ScanOptions options) {
  std::shared_ptr<const dataset::IndexedScan> indexed;
  if (!options.filter.empty() && HasScalarIndices(*dataset)) {
    IXRAY_ASSIGN_OR_RAISE(auto filter, query::ParseFilter(options.filter, *dataset->schema()));
    IXRAY_ASSIGN_OR_RAISE(indexed, PlanIndexedFilter(*dataset, filter));
  }
  return dataset::MakeScanner(std::move(dataset), std::move(options), std::move(indexed));
}

}  // namespace ixray::search
