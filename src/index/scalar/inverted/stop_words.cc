#include "index/scalar/inverted/stop_words.h"

#include <string>
#include <unordered_set>

namespace ixray::scalar::inverted {

namespace {

// Function words that carry little meaning for ranking; kept short on
// purpose (negations such as "not" and "no" stay searchable).
constexpr std::string_view kEnglish[] = {
    "a",    "about", "after",  "again",  "all",   "am",   "an",    "and",   "any",    "are",
    "as",   "at",    "be",     "been",   "being", "but",  "by",    "can",   "could",  "did",
    "do",   "does",  "doing",  "for",    "from",  "had",  "has",   "have",  "having", "he",
    "her",  "here",  "hers",   "him",    "his",   "how",  "i",     "if",    "in",     "into",
    "is",   "it",    "its",    "itself", "me",    "my",   "of",    "on",    "or",     "our",
    "ours", "she",   "should", "so",     "such",  "than", "that",  "the",   "their",  "theirs",
    "them", "then",  "there",  "these",  "they",  "this", "those", "to",    "too",    "us",
    "very", "was",   "we",     "were",   "what",  "when", "where", "which", "while",  "who",
    "whom", "why",   "will",   "with",   "would", "you",  "your",  "yours",
};

struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

const std::unordered_set<std::string_view, StringViewHash, std::equal_to<>>& EnglishSet() {
  static const auto* set =
      new std::unordered_set<std::string_view, StringViewHash, std::equal_to<>>(
          std::begin(kEnglish), std::end(kEnglish));
  return *set;
}

}  // namespace

bool IsStopWord(std::string_view language, std::string_view token) {
  if (language != "English") return false;
  return EnglishSet().count(token) > 0;
}

}  // namespace ixray::scalar::inverted
