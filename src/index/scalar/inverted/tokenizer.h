// Tokenizer: turns text into the terms of the full-text index.
//
// The pipeline (inverted_config.h has the options):
//   1. the base tokenizer splits the text into raw tokens, each with a
//      position (its ordinal among the raw tokens):
//        simple      maximal runs of letters, marks and digits (Unicode
//                    categories L*, M*, N*); everything else separates;
//        whitespace  maximal runs of non-whitespace;
//        raw         the whole text is one token;
//        ngram       every run of min..max_ngram_length code points of the
//                    text (position = index of its first code point);
//   2. tokens longer than max_token_length code points are dropped;
//   3. lower_case maps each code point to lower case;
//   4. remove_stop_words drops stop words (stop_words.h);
//   5. stem applies the Snowball stemmer of `language`;
//   6. ascii_folding strips diacritics and compatibility forms ("café" ->
//      "cafe", "ﬁ" -> "fi", "ß" -> "ss").
// Dropped tokens keep their position, so a phrase's gaps are preserved.
// Invalid UTF-8 bytes never reach a token.
//
// Thread safety: a Tokenizer holds a Snowball stemmer, which is not
// thread-safe: use one Tokenizer per thread (they are cheap to make).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/scalar/inverted/inverted_config.h"
#include "ixray/status.h"

struct sb_stemmer;

namespace ixray::scalar::inverted {

// Tokens packed into one string: token i is bytes [end(i - 1), end(i)).
struct TokenBuffer {
  std::string bytes;
  std::vector<uint32_t> ends;
  std::vector<uint32_t> positions;

  size_t size() const { return ends.size(); }
  std::string_view token(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(bytes).substr(begin, ends[i] - begin);
  }
  void clear() {
    bytes.clear();
    ends.clear();
    positions.clear();
  }
};

class Tokenizer {
 public:
  // REQUIRES: `options` came from ParseInvertedConfig (a valid language).
  static Result<std::unique_ptr<Tokenizer>> Make(const TokenizerOptions& options);
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Appends the tokens of `text` to `out`, numbering raw tokens from
  // `first_position`. Returns the position after the last raw token (where
  // the next value of a list<string> document continues).
  // REQUIRES: out->bytes stays below 4 GiB.
  uint32_t Tokenize(std::string_view text, uint32_t first_position, TokenBuffer* out);

  // The two halves of Tokenize, for callers that cache step 4..6 per
  // distinct raw token: Split runs steps 1..3, appending the lower-cased raw
  // tokens to `out`; Refine runs steps 4..6 on one of them, returning the
  // term (valid until the next call) or nullopt if it is dropped.
  uint32_t Split(std::string_view text, uint32_t first_position, TokenBuffer* out);
  std::optional<std::string_view> Refine(std::string_view token);

  // Convenience for tests and queries: the tokens of `text` as strings.
  std::vector<std::string> TokenStrings(std::string_view text);

  const TokenizerOptions& options() const { return options_; }

 private:
  explicit Tokenizer(TokenizerOptions options) : options_(std::move(options)) {}
  // Runs steps 2..3 on one raw token and appends the result to `out`.
  void Emit(std::string_view raw, uint32_t position, TokenBuffer* out);

  TokenizerOptions options_;
  sb_stemmer* stemmer_ = nullptr;
  TokenBuffer split_;
  std::string folded_;
};

}  // namespace ixray::scalar::inverted
