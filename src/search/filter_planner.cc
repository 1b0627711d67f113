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
    if (auto predicate = query::AsColumnPredicate(expr)) {
      return AnswerPredicate(expr.ToString(), *predicate);
    }
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

  // The first index on the predicate's column that answers it (`text`
  // names it in the explanation; `superset`: the predicate only bounds the
  // term, which is rechecked whatever the index says).
  Result<TermAnswer> AnswerPredicate(const std::string& text,
                                     const query::ColumnPredicate& predicate,
                                     bool superset = false) {
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
          index->index_type, text, all_exact && !superset ? "exactly" : "(rechecked)", out.size(),
          candidates));
      return out;  // one index per test
    }
    return out;
  }

  std::vector<std::string>& explain() { return explain_; }

 private:
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
  // Narrows the candidates by `answer`, which settles the terms `covers`
  // where it is exact and `exact` holds.
  auto merge = [&](TermAnswer answer, const std::vector<size_t>& covers, bool exact) {
    for (auto& [fragment, part] : answer) {
      auto [state, fresh] = states.try_emplace(fragment);
      if (fresh) {
        state->second.rows = std::move(part.rows);
        state->second.exact.assign(terms.size(), false);
      } else {
        state->second.rows = Intersect(state->second.rows, part.rows);
      }
      for (size_t t : covers) state->second.exact[t] = part.exact && exact;
    }
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
          auto answer,
          planner.AnswerPredicate(terms[lo]->ToString() + " AND " + terms[hi]->ToString(), range,
                                  !inclusive));
      if (!answer.empty()) {
        merge(std::move(answer), {lo, hi}, inclusive);
        done[lo] = done[hi] = true;
      }
      break;
    }
  }
  for (size_t t = 0; t < terms.size(); ++t) {
    if (done[t]) continue;
    IXRAY_ASSIGN_OR_RAISE(auto answer, planner.Answer(*terms[t]));
    merge(std::move(answer), {t}, true);  // an unanswered term is left to the scan
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
