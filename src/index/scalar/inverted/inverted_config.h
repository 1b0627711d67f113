// The parameters of an INVERTED (full-text) index, parsed from its
// ScalarIndexConfig.
//
// Parameters (Lance's names and defaults; all strings in IndexParams):
//   base_tokenizer     "simple"     simple | whitespace | raw | ngram
//   language           "English"    a Snowball stemmer language (case-insensitive)
//   lower_case         true
//   stem               true         Snowball stemming in `language`
//   remove_stop_words  true         English only; other languages have no list
//   ascii_folding      true         strip diacritics ("café" -> "cafe")
//   max_token_length   40           longer tokens (in code points) are dropped
//   min_ngram_length   3            ngram tokenizer only
//   max_ngram_length   3            ngram tokenizer only
//   with_position      false        store token positions (phrase queries)
//
// Thread safety: plain values.
#pragma once

#include <string>
#include <vector>

#include "index/scalar/scalar_index.h"

namespace ixray::scalar::inverted {

enum class BaseTokenizer { kSimple, kWhitespace, kRaw, kNGram };

// How text becomes tokens (tokenizer.h).
struct TokenizerOptions {
  BaseTokenizer base = BaseTokenizer::kSimple;
  std::string language = "English";  // canonical Snowball name, capitalized
  bool lower_case = true;
  bool stem = true;
  bool remove_stop_words = true;
  bool ascii_folding = true;
  int64_t max_token_length = 40;
  int64_t min_ngram_length = 3;
  int64_t max_ngram_length = 3;
};

struct InvertedConfig {
  TokenizerOptions tokenizer;
  bool with_position = false;
};

// The canonical type name.
inline constexpr std::string_view kInvertedIndexType = "INVERTED";

// Validates user parameters and fills in the defaults: InvalidArgument for an
// unknown name (listing the accepted ones), a bad value or an unknown
// language (listing the supported ones).
Result<ScalarIndexConfig> NormalizeInvertedConfig(const IndexParams& params);

// Parses a config made by NormalizeInvertedConfig (InvalidArgument if it is
// not one).
Result<InvertedConfig> ParseInvertedConfig(const ScalarIndexConfig& config);

// The Snowball languages, capitalized ("English", "French", ...).
std::vector<std::string> SupportedLanguages();

}  // namespace ixray::scalar::inverted
