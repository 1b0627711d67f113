// LIKE and contains() over string-like columns.
//
// LIKE is case-sensitive, has no escape character, and matches the whole
// value: % matches any run of characters (also none), _ exactly one. For
// string and large_string columns a character is a UTF-8 code point; for
// binary columns it is a byte. Common shapes ('abc', 'abc%', '%abc',
// '%abc%') take a fast path; other patterns use a backtracking matcher that
// is linear in practice and O(value * pattern) at worst.
#include <algorithm>

#include "query/filter_kernels.h"

namespace ixray::query {

namespace {

// The length in bytes of the UTF-8 sequence starting at s[i] (1 for a
// stray byte), never past the end.
size_t CodePointLength(std::string_view s, size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  size_t length = 1;
  if (lead >= 0xf0 && lead <= 0xf7) {
    length = 4;
  } else if (lead >= 0xe0) {
    length = lead <= 0xef ? 3 : 1;
  } else if (lead >= 0xc0) {
    length = 2;
  }
  return std::min(length, s.size() - i);
}

class LikeMatcher {
 public:
  LikeMatcher(std::string_view pattern, bool utf8) : pattern_(pattern), utf8_(utf8) {
    const size_t first_wild = pattern.find_first_of("%_");
    if (first_wild == std::string_view::npos) {
      shape_ = Shape::kEquals;
      literal_ = pattern;
      return;
    }
    if (pattern.find('_') != std::string_view::npos) return;  // general
    // Only %: look for one literal run with % on one or both sides.
    const size_t begin = pattern.find_first_not_of('%');
    if (begin == std::string_view::npos) {
      shape_ = Shape::kAnything;
      return;
    }
    const size_t end = pattern.find_last_not_of('%') + 1;
    literal_ = pattern.substr(begin, end - begin);
    if (literal_.find('%') != std::string_view::npos) return;  // general
    const bool leading = begin > 0;
    const bool trailing = end < pattern.size();
    shape_ = leading && trailing ? Shape::kContains : leading ? Shape::kSuffix : Shape::kPrefix;
  }

  bool Matches(std::string_view s) const {
    switch (shape_) {
      case Shape::kEquals:
        return s == literal_;
      case Shape::kAnything:
        return true;
      case Shape::kPrefix:
        return s.starts_with(literal_);
      case Shape::kSuffix:
        return s.ends_with(literal_);
      case Shape::kContains:
        return s.find(literal_) != std::string_view::npos;
      case Shape::kGeneral:
        return MatchGeneral(s);
    }
    return false;
  }

 private:
  enum class Shape { kEquals, kAnything, kPrefix, kSuffix, kContains, kGeneral };

  size_t CharLength(std::string_view s, size_t i) const {
    return utf8_ ? CodePointLength(s, i) : 1;
  }

  // Greedy matching that, on a mismatch, retries from the last % with the
  // % absorbing one more character. Revisiting only the last % suffices:
  // an earlier % could only absorb text the last one can absorb as well.
  bool MatchGeneral(std::string_view s) const {
    const std::string_view p = pattern_;
    size_t si = 0, pi = 0;
    size_t star_pi = std::string_view::npos, star_si = 0;
    while (si < s.size()) {
      if (pi < p.size() && p[pi] == '%') {
        star_pi = pi++;
        star_si = si;
      } else if (pi < p.size() && p[pi] == '_') {
        si += CharLength(s, si);
        ++pi;
      } else if (pi < p.size() && p[pi] == s[si]) {
        ++si;
        ++pi;
      } else if (star_pi != std::string_view::npos) {
        pi = star_pi + 1;
        star_si += CharLength(s, star_si);
        si = star_si;
      } else {
        return false;
      }
    }
    while (pi < p.size() && p[pi] == '%') ++pi;
    return pi == p.size();
  }

  std::string_view pattern_;
  bool utf8_;
  Shape shape_ = Shape::kGeneral;
  std::string_view literal_;
};

}  // namespace

void EvaluateLike(const Array& column, const Literal& pattern, TriMask* out) {
  if (pattern.is_null()) return;  // x LIKE NULL is UNKNOWN
  const LikeMatcher matcher(pattern.string_value(), column.type()->id() != TypeId::kBinary);
  uint8_t* t = out->is_true.data();
  ForEachString(column, [&](int64_t i, std::string_view s) { t[i] = matcher.Matches(s); });
  FinishComparison(column, out);
}

void EvaluateContains(const Array& column, const Literal& substring, TriMask* out) {
  if (substring.is_null()) return;
  const std::string_view needle = substring.string_value();
  uint8_t* t = out->is_true.data();
  ForEachString(column, [&](int64_t i, std::string_view s) {
    t[i] = s.find(needle) != std::string_view::npos;
  });
  FinishComparison(column, out);
}

}  // namespace ixray::query
