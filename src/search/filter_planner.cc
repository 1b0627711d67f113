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
  static constexpr std::string_view kOrder[] = {"BTREE", "BITMAP",  "LABEL_LIST",
                                                "NGRAM", "ZONEMAP", "INVERTED"};
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
    if (index.field_ids.size() == 1 && index.field_ids[0] == field_id && !index.segments.empty() &&
        index::IsScalarIndexType(index.index_type)) {
      out.push_back(&index);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return Preference(a->index_type) < Preference(b->index_type);
  });
  return out;
}

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
  auto plan = std::make_shared<dataset::IndexedScan>();

  // Asks the indices on `predicate`'s column (best first; the first that
  // answers wins) and narrows the candidates. The answer settles the terms
  // `covers` exactly if it is exact and `exact` holds. True if answered.
  auto ask = [&](const query::ColumnPredicate& predicate, const std::string& text,
                 const std::vector<size_t>& covers, bool exact) -> Result<bool> {
    auto field = ds.schema()->GetField(predicate.column);
    if (!field.ok()) return false;
    for (const auto* index : IndicesOn(ds, (*field)->id)) {
      int64_t fragments_answered = 0, candidates = 0;
      bool all_exact = true;
      for (const auto& segment : index->segments) {
        IXRAY_ASSIGN_OR_RAISE(auto opened, index::OpenScalarSegment(ds, *index, segment));
        IXRAY_ASSIGN_OR_RAISE(auto answer, opened->segment->Search(predicate));
        if (!answer) continue;
        all_exact = all_exact && answer->exact;
        // The answer, split by fragment (addresses ascend, so each list does).
        std::unordered_map<FragmentId, std::vector<uint32_t>> by_fragment;
        for (FragmentId f : segment.fragment_ids) by_fragment[f];
        for (auto it = answer->rows.begin(); it != answer->rows.end(); ++it) {
          const RowAddress address = *it;
          auto bucket = by_fragment.find(AddressFragment(address));
          if (bucket != by_fragment.end()) bucket->second.push_back(AddressOffset(address));
        }
        for (auto& [fragment, rows] : by_fragment) {
          if (ds.manifest().FindFragment(fragment) == nullptr) continue;
          auto [state, fresh] = states.try_emplace(fragment);
          if (fresh) {
            state->second.rows = std::move(rows);
            state->second.exact.assign(terms.size(), false);
          } else {
            std::vector<uint32_t> both;
            std::set_intersection(state->second.rows.begin(), state->second.rows.end(),
                                  rows.begin(), rows.end(), std::back_inserter(both));
            state->second.rows = std::move(both);
          }
          for (size_t t : covers) state->second.exact[t] = answer->exact && exact;
          ++fragments_answered;
        }
        candidates += static_cast<int64_t>(answer->rows.cardinality());
      }
      if (fragments_answered == 0) continue;
      plan->explain.push_back(fmt::format(
          "index '{}' ({}) answers {} {} for {} fragment(s): {} candidate row(s)", index->name,
          index->index_type, text, all_exact && exact ? "exactly" : "(rechecked)",
          fragments_answered, candidates));
      return true;  // one index per term
    }
    return false;
  };

  std::vector<std::optional<query::ColumnPredicate>> predicates;
  for (const auto& term : terms) predicates.push_back(query::AsColumnPredicate(*term));
  std::vector<bool> done(terms.size(), false);
  // A lower and an upper bound on one column are asked as one range
  // (BETWEEN, inclusive): both alone may match most rows while the range
  // matches few. An exclusive bound is made inclusive on integer columns;
  // otherwise the range is a superset and the scan rechecks the two terms
  // on its candidates.
  auto bound = [&](size_t t, bool lower) {
    const auto& p = predicates[t];
    if (!p || p->negated || p->values.size() != 1) return false;
    return lower ? p->op == query::PredicateOp::kGt || p->op == query::PredicateOp::kGe
                 : p->op == query::PredicateOp::kLt || p->op == query::PredicateOp::kLe;
  };
  for (size_t lo = 0; lo < terms.size(); ++lo) {
    if (done[lo] || !bound(lo, true)) continue;
    for (size_t hi = 0; hi < terms.size(); ++hi) {
      if (done[hi] || !bound(hi, false) || predicates[hi]->column != predicates[lo]->column) {
        continue;
      }
      query::ColumnPredicate range = *predicates[lo];
      range.op = query::PredicateOp::kBetween;
      bool inclusive = true;
      for (size_t t : {lo, hi}) {
        const auto& p = *predicates[t];
        query::Literal value = p.values[0];
        if (p.op == query::PredicateOp::kGt || p.op == query::PredicateOp::kLt) {
          // On an integer column, x > v is x >= v + 1 and x < v is
          // x <= v - 1: the range stays exact.
          const bool up = p.op == query::PredicateOp::kGt;
          const bool integral = p.type != nullptr && p.type->is_integer() &&
                                value.kind() == query::LiteralKind::kInt64 &&
                                value.int_value() != (up ? INT64_MAX : INT64_MIN);
          if (integral) {
            value = query::Literal::Int64(value.int_value() + (up ? 1 : -1));
          } else {
            inclusive = false;
          }
        }
        range.values.push_back(value);
      }
      range.values.erase(range.values.begin());  // the copied lower bound
      IXRAY_ASSIGN_OR_RAISE(
          bool answered,
          ask(range, terms[lo]->ToString() + " AND " + terms[hi]->ToString(), {lo, hi}, inclusive));
      if (answered) done[lo] = done[hi] = true;
      break;
    }
  }
  for (size_t t = 0; t < terms.size(); ++t) {
    if (done[t] || !predicates[t]) continue;
    IXRAY_ASSIGN_OR_RAISE(bool answered, ask(*predicates[t], terms[t]->ToString(), {t}, true));
    (void)answered;  // an unanswered term is left to the scan
  }
  if (states.empty()) return std::shared_ptr<const dataset::IndexedScan>();

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
