#include "index/scalar/inverted/tokenizer.h"

#include <gtest/gtest.h>

#include "index/scalar/inverted/inverted_config.h"
#include "index/scalar/inverted/inverted_test_util.h"

namespace ixray::scalar::inverted {
namespace {

using Tokens = std::vector<std::string>;

// Tokens of `text` under the defaults overridden by `params`.
Tokens Tokenize(std::string_view text, const IndexParams& params = {}) {
  auto config = ParseInvertedConfig(testing::MakeConfig(params));
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  auto tokenizer = Tokenizer::Make(config->tokenizer);
  EXPECT_TRUE(tokenizer.ok());
  return (*tokenizer)->TokenStrings(text);
}

const IndexParams kPlain = {{"stem", "false"}, {"remove_stop_words", "false"}};

TEST(InvertedTokenizerTest, SimpleSplitsOnNonAlphanumerics) {
  EXPECT_EQ(Tokenize("Hello, World! foo-bar_baz 42x", kPlain),
            (Tokens{"hello", "world", "foo", "bar", "baz", "42x"}));
  EXPECT_EQ(Tokenize("", kPlain), Tokens{});
  EXPECT_EQ(Tokenize(" ,;! ", kPlain), Tokens{});
  // Unicode letters stay together; an em dash and ideographic space split.
  EXPECT_EQ(Tokenize("naïve\u2014日本語\u3000Ωmega", kPlain), (Tokens{"naive", "日本語", "ωmega"}));
  // Invalid UTF-8 bytes separate and never reach a token.
  EXPECT_EQ(Tokenize("ab\xff"
                     "cd \xc3",
                     kPlain),
            (Tokens{"ab", "cd"}));
}

TEST(InvertedTokenizerTest, WhitespaceRawAndNGram) {
  IndexParams whitespace = kPlain;
  whitespace["base_tokenizer"] = "whitespace";
  EXPECT_EQ(Tokenize("foo-bar  Baz,\tqux\n", whitespace), (Tokens{"foo-bar", "baz,", "qux"}));

  IndexParams raw = kPlain;
  raw["base_tokenizer"] = "raw";
  EXPECT_EQ(Tokenize("Hello World", raw), Tokens{"hello world"});

  IndexParams ngram = kPlain;
  ngram["base_tokenizer"] = "ngram";
  ngram["min_ngram_length"] = "2";
  ngram["max_ngram_length"] = "3";
  EXPECT_EQ(Tokenize("abCd", ngram), (Tokens{"ab", "abc", "bc", "bcd", "cd"}));
  ngram["min_ngram_length"] = "3";
  EXPECT_EQ(Tokenize("ab", ngram), Tokens{});
  EXPECT_EQ(Tokenize("éab", ngram), Tokens{"eab"});  // code points, not bytes
}

TEST(InvertedTokenizerTest, LowerCaseIsOptional) {
  IndexParams params = kPlain;
  EXPECT_EQ(Tokenize("ÀB Cd", params), (Tokens{"ab", "cd"}));
  params["lower_case"] = "false";
  params["ascii_folding"] = "false";
  EXPECT_EQ(Tokenize("ÀB Cd", params), (Tokens{"ÀB", "Cd"}));
}

TEST(InvertedTokenizerTest, StemsAndDropsStopWords) {
  EXPECT_EQ(Tokenize("The runners were running quickly"), (Tokens{"runner", "run", "quick"}));
  EXPECT_EQ(Tokenize("running", {{"stem", "true"}}), Tokens{"run"});
  EXPECT_EQ(Tokenize("running", {{"stem", "false"}}), Tokens{"running"});
  EXPECT_EQ(Tokenize("the cat and the hat", {{"stem", "false"}}), (Tokens{"cat", "hat"}));
  EXPECT_EQ(Tokenize("the cat", kPlain), (Tokens{"the", "cat"}));
  // Other languages stem in their own way and have no stop word list.
  EXPECT_EQ(Tokenize("the chanteuses", {{"language", "french"}}), (Tokens{"the", "chanteux"}));
}

TEST(InvertedTokenizerTest, FoldsDiacritics) {
  EXPECT_EQ(Tokenize("café Straße ﬁne Ærø", kPlain), (Tokens{"cafe", "strasse", "fine", "aero"}));
  IndexParams keep = kPlain;
  keep["ascii_folding"] = "false";
  EXPECT_EQ(Tokenize("café", keep), Tokens{"café"});
}

TEST(InvertedTokenizerTest, DropsLongTokensKeepingPositions) {
  IndexParams params = kPlain;
  params["max_token_length"] = "5";
  EXPECT_EQ(Tokenize("abcdef ab ééééé", params), (Tokens{"ab", "eeeee"}));
  EXPECT_EQ(Tokenize(std::string(41, 'a') + " b", kPlain), Tokens{"b"});

  auto config = ParseInvertedConfig(testing::MakeConfig(params));
  auto tokenizer = *Tokenizer::Make(config->tokenizer);
  TokenBuffer buffer;
  EXPECT_EQ(tokenizer->Tokenize("abcdef ab ééééé", 10, &buffer), 13u);
  EXPECT_EQ(buffer.positions, (std::vector<uint32_t>{11, 12}));
}

TEST(InvertedConfigTest, FillsDefaultsAndCanonicalizes) {
  auto config = NormalizeInvertedConfig({});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->index_type, "INVERTED");
  EXPECT_EQ(config->params.at("base_tokenizer"), "simple");
  EXPECT_EQ(config->params.at("language"), "English");
  EXPECT_EQ(config->params.at("max_token_length"), "40");
  EXPECT_EQ(config->params.at("with_position"), "false");
  auto spelled = NormalizeInvertedConfig(
      {{"language", "english"}, {"stem", "TRUE"}, {"base_tokenizer", "Simple"}});
  ASSERT_TRUE(spelled.ok());
  EXPECT_EQ(spelled->Digest(), config->Digest());

  auto round_trip = ScalarIndexConfig::Deserialize(config->Serialize());
  ASSERT_TRUE(round_trip.ok());
  EXPECT_EQ(round_trip->params, config->params);
  EXPECT_EQ(round_trip->index_type, config->index_type);
  auto parsed = ParseInvertedConfig(*round_trip);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->tokenizer.base, BaseTokenizer::kSimple);
  EXPECT_TRUE(parsed->tokenizer.stem);
  EXPECT_FALSE(parsed->with_position);
}

TEST(InvertedConfigTest, RejectsBadParameters) {
  auto unknown = NormalizeInvertedConfig({{"with_positions", "true"}});
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("remove_stop_words"), std::string::npos)
      << unknown.status().message();
  auto language = NormalizeInvertedConfig({{"language", "Klingon"}});
  EXPECT_EQ(language.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(language.status().message().find("French"), std::string::npos);
  for (const IndexParams& bad :
       std::vector<IndexParams>{{{"base_tokenizer", "icu"}},
                                {{"stem", "maybe"}},
                                {{"max_token_length", "0"}},
                                {{"max_token_length", "ten"}},
                                {{"min_ngram_length", "4"}, {"max_ngram_length", "3"}},
                                {{"min_ngram_length", "0"}}}) {
    EXPECT_EQ(NormalizeInvertedConfig(bad).status().code(), StatusCode::kInvalidArgument);
  }
  ScalarIndexConfig other{"BTREE", {}};
  EXPECT_EQ(ParseInvertedConfig(other).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ixray::scalar::inverted
