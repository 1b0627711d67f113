// Stop words: frequent function words dropped by the tokenizer when
// remove_stop_words is set.
//
// Only English has a list (common articles, pronouns, auxiliaries,
// prepositions and conjunctions, lower case, unstemmed); for every other
// language remove_stop_words drops nothing. Tokens are compared after lower
// casing and before stemming.
//
// Thread safety: the sets are immutable after first use.
#pragma once

#include <string_view>

namespace ixray::scalar::inverted {

// True if `token` is a stop word of `language` (a canonical Snowball name).
bool IsStopWord(std::string_view language, std::string_view token);

}  // namespace ixray::scalar::inverted
