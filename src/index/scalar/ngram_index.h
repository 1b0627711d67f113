// NGRAM: a trigram index over string-like columns for substring filters
// (contains(col, 'x'), col LIKE '%abc%def%'), one posting bitmap per
// distinct trigram (three consecutive bytes) of the rows holding it
// (bitmap_postings.h).
//
// Trigrams are of bytes, with case kept: contains() and LIKE compare bytes
// (string_kernels.cc), and a literal run of a LIKE pattern always matches
// the same bytes of the value, so a matching row holds every trigram of
// every literal run of three bytes or more. The intersection of their
// postings is thus a superset of the answer (exact = false; the planner
// rechecks). Exact answers: IS [NOT] NULL, contains(col, ''), LIKE '%',
// and "no row" when a needed trigram occurs nowhere. A predicate without a
// run of three bytes gets nullopt. Also narrows = and IN on strings.
#pragma once

#include <string_view>
#include <vector>

namespace ixray::scalar {

// The literal runs of a LIKE pattern: the maximal pieces without % or _
// (LIKE has no escape character), in order, empty ones left out.
std::vector<std::string_view> LikeLiteralRuns(std::string_view pattern);

}  // namespace ixray::scalar
