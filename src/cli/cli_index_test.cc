// End-to-end tests of `ixray index` and `ixray search`: each test runs the
// real binary (IXRAY_CLI_PATH) through popen in a fresh temporary directory
// and checks its stdout, stderr and exit code (as cli_test.cc does).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace ixray {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int kRows = 600;
constexpr int kDim = 8;

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream stream(out);
    for (std::string line; std::getline(stream, line);) result.push_back(line);
    return result;
  }
};

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted.push_back(c);
    }
  }
  return quoted + "'";
}

// Parses `text` as JSON, or fails the test.
simdjson::dom::element ParseJson(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element element;
  EXPECT_EQ(parser.parse(text).get(element), simdjson::SUCCESS) << text;
  return element;
}

class CliIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(IXRAY_CLI_PATH).empty()) GTEST_SKIP() << "the CLI is not built";
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("ixray_cli_index_test_" + std::to_string(::getpid()) + "_" + std::to_string(random()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  void WriteFile(const std::string& name, std::string_view contents) const {
    std::ofstream file(Path(name), std::ios::binary);
    file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  }

  // Runs `ixray <args>` in the test directory. Arguments are passed to the
  // shell as written, so quote those with spaces.
  CommandResult Run(const std::string& args) const {
    const std::string err_path = Path("stderr.txt");
    const std::string command = "cd " + Quote(dir_.string()) + " && " + Quote(IXRAY_CLI_PATH) +
                                " " + args + " 2>" + Quote(err_path);
    CommandResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    char buffer[4096];
    size_t got;
    while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.out.append(buffer, got);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(err_path);
    result.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    return result;
  }

  // kRows clustered vectors of kDim values with exact decimal forms (multiples
  // of 1/64), so the text a query is written in is the stored value. Imported
  // from JSON lines as columns id (int64), category (id % 4) and vector.
  void ImportVectors() {
    std::mt19937 random(7);
    std::uniform_int_distribution<int> center(0, 9), jitter(-64, 64);
    std::string jsonl;
    vectors_.clear();
    for (int row = 0; row < kRows; ++row) {
      std::vector<float> v(kDim);
      const int c = center(random);
      for (int j = 0; j < kDim; ++j) v[j] = ((c * 37 + j * 11) % 16) + jitter(random) / 64.0f;
      jsonl += "{\"id\": " + std::to_string(row) + ", \"category\": " + std::to_string(row % 4) +
               ", \"vector\": [" + Join(v) + "]}\n";
      vectors_.push_back(std::move(v));
    }
    WriteFile("items.jsonl", jsonl);
    CommandResult imported = Run("import items.jsonl ds --max-rows-per-file 250");
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  static std::string Join(const std::vector<float>& v) {
    std::string out;
    for (size_t j = 0; j < v.size(); ++j) {
      char number[32];
      std::snprintf(number, sizeof(number), "%.9g", v[j]);
      out += (j > 0 ? "," : "") + std::string(number);
    }
    return out;
  }

  // `vectors` as a .fvecs file.
  void WriteFvecs(const std::string& name, const std::vector<std::vector<float>>& vectors) const {
    std::string bytes;
    for (const auto& v : vectors) {
      const int32_t dim = static_cast<int32_t>(v.size());
      bytes.append(reinterpret_cast<const char*>(&dim), 4);
      bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
    }
    WriteFile(name, bytes);
  }

  // One vector as a 1-D float32 .npy file (format 1.0).
  void WriteNpy(const std::string& name, const std::vector<float>& v) const {
    std::string header =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(v.size()) + ",), }";
    while ((10 + header.size() + 1) % 64 != 0) header.push_back(' ');
    header.push_back('\n');
    std::string bytes = "\x93NUMPY\x01";
    bytes.push_back('\0');
    const uint16_t length = static_cast<uint16_t>(header.size());
    bytes.append(reinterpret_cast<const char*>(&length), 2);
    bytes += header;
    bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
    WriteFile(name, bytes);
  }

  std::filesystem::path dir_;
  std::vector<std::vector<float>> vectors_;
};

TEST_F(CliIndexTest, IndexIvfFlatThenEveryStoredVectorFindsItself) {
  ASSERT_NO_FATAL_FAILURE(ImportVectors());
  CommandResult indexed =
      Run("index ds --column vector --type IVF_FLAT --num-partitions 8 --threads 2 --json");
  ASSERT_EQ(indexed.exit_code, 0) << indexed.err;
  EXPECT_THAT(indexed.err, AllOf(HasSubstr("training IVF_FLAT on 'vector'… "),
                                 HasSubstr("building… "), HasSubstr("committing… ")));
  simdjson::dom::parser parser;
  simdjson::dom::element result = ParseJson(parser, indexed.out);
  EXPECT_EQ(result["version"].get_uint64().value(), 2u);
  simdjson::dom::element index = result["index"];
  EXPECT_EQ(index["name"].get_string().value(), "vector_idx");
  EXPECT_EQ(index["index_type"].get_string().value(), "IVF_FLAT");
  EXPECT_EQ(index["columns"].get_array().at(0).get_string().value(), "vector");
  int64_t indexed_rows = 0;
  for (simdjson::dom::element segment : index["segments"].get_array()) {
    indexed_rows += segment["num_rows"].get_int64().value();
  }
  EXPECT_EQ(indexed_rows, kRows);

  for (int row : {0, 17, 333, kRows - 1}) {
    CommandResult found =
        Run("search ds --column vector --k 3 --nprobes 1 --json --columns id --q " +
            Quote(Join(vectors_[row])));
    ASSERT_EQ(found.exit_code, 0) << found.err;
    ASSERT_EQ(found.lines().size(), 3u) << found.out;
    simdjson::dom::element nearest = ParseJson(parser, found.lines()[0]);
    // Several stored vectors may coincide; the query's own row is among the
    // ones at distance 0, and the nearest is at distance 0.
    EXPECT_EQ(nearest["_distance"].get_double().value(), 0.0) << found.out;
    EXPECT_THAT(found.out, HasSubstr("{\"id\":" + std::to_string(row) + ",")) << found.out;
  }

  // The same query from a file, as an aligned table.
  WriteFvecs("queries.fvecs", {vectors_[5], vectors_[42]});
  CommandResult table =
      Run("search ds --column vector --q-file queries.fvecs --q-row 1 --k 1 "
          "--columns id,category");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  ASSERT_EQ(table.lines().size(), 4u) << table.out;
  EXPECT_THAT(table.lines()[0],
              AllOf(StartsWith("id"), HasSubstr("category"), HasSubstr("_distance")));
  EXPECT_THAT(table.lines()[2], HasSubstr("42"));
  EXPECT_EQ(table.lines()[3], "(1 row)");

  WriteNpy("query.npy", vectors_[99]);
  CommandResult npy =
      Run("search ds --column vector --q-file query.npy --k 1 --json "
          "--columns id --no-index");
  ASSERT_EQ(npy.exit_code, 0) << npy.err;
  EXPECT_EQ(npy.out, "{\"id\":99,\"_distance\":0}\n");
}

TEST_F(CliIndexTest, SearchFiltersAndTunesEveryIndexType) {
  ASSERT_NO_FATAL_FAILURE(ImportVectors());
  const std::string query = Quote(Join(vectors_[10]));
  for (const char* type : {"IVF_SQ", "IVF_PQ", "IVF_HNSW_FLAT"}) {
    CommandResult indexed = Run(std::string("index ds --column vector --name v --num-partitions 2 "
                                            "--num-sub-vectors 4 --type ") +
                                type);
    ASSERT_EQ(indexed.exit_code, 0) << type << ": " << indexed.err;
    EXPECT_THAT(indexed.out, HasSubstr(std::string("index 'v' (") + type + " on vector)"));
    EXPECT_THAT(indexed.out, HasSubstr("600 rows indexed"));
    CommandResult found =
        Run("search ds --column vector --k 5 --nprobes 2 --refine-factor 10 "
            "--ef 64 --json --columns id --q " +
            query);
    ASSERT_EQ(found.exit_code, 0) << type << ": " << found.err;
    EXPECT_THAT(found.lines()[0], StartsWith("{\"id\":")) << type;
    EXPECT_THAT(found.lines()[0], HasSubstr("\"_distance\":0}")) << type;
  }

  CommandResult filtered =
      Run("search ds --column vector --k 20 --nprobes 2 --prefilter "
          "--filter \"category = 3\" --json --columns category --q " +
          query);
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_EQ(filtered.lines().size(), 20u);
  EXPECT_THAT(filtered.lines(), Each(StartsWith("{\"category\":3,")));
}

TEST_F(CliIndexTest, ScalarAndFullTextIndices) {
  std::string jsonl;
  const char* words[] = {"red fox", "lazy dog", "quick red fox jumps", "sleepy cat", "dog and fox"};
  for (int row = 0; row < 200; ++row) {
    jsonl += "{\"id\": " + std::to_string(row) + ", \"text\": \"" + words[row % 5] + "\"}\n";
  }
  WriteFile("docs.jsonl", jsonl);
  ASSERT_EQ(Run("import docs.jsonl docs --max-rows-per-file 64").exit_code, 0);
  CommandResult btree = Run("index docs --column id --type btree --param batch_size=32 --json");
  ASSERT_EQ(btree.exit_code, 0) << btree.err;
  EXPECT_THAT(btree.out, HasSubstr("\"index_type\":\"BTREE\""));
  CommandResult fts =
      Run("index docs --column text --type INVERTED --param with_position=true --json");
  ASSERT_EQ(fts.exit_code, 0) << fts.err;
  EXPECT_THAT(fts.out, HasSubstr("\"index_type\":\"INVERTED\""));

  CommandResult count = Run("count docs --filter 'id < 50'");
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_THAT(count.out, HasSubstr("50"));

  CommandResult match = Run("search docs --fts 'foxes' --k 5 --json --columns id,text");
  ASSERT_EQ(match.exit_code, 0) << match.err;
  ASSERT_EQ(match.lines().size(), 5u) << match.out;
  EXPECT_THAT(match.lines(), Each(AllOf(HasSubstr("fox"), HasSubstr("_score"))));
  CommandResult phrase =
      Run("search docs --fts 'red fox' --phrase --column text --k 100 --json --columns id,text");
  ASSERT_EQ(phrase.exit_code, 0) << phrase.err;
  EXPECT_EQ(phrase.lines().size(), 80u);  // "red fox" and "quick red fox jumps"
  EXPECT_THAT(phrase.lines(), Each(HasSubstr("red fox")));

  CommandResult bad_param = Run("index docs --column text --type INVERTED --param nope=1");
  EXPECT_EQ(bad_param.exit_code, 1);
  EXPECT_THAT(bad_param.err, HasSubstr("nope"));
  CommandResult not_text = Run("index docs --column id --type INVERTED");
  EXPECT_EQ(not_text.exit_code, 1);
  CommandResult vector_param = Run("search docs --fts fox --phrase --q 1,2");
  EXPECT_EQ(vector_param.exit_code, 1);
}

TEST_F(CliIndexTest, ErrorsExitWithOneAndAMessage) {
  ASSERT_NO_FATAL_FAILURE(ImportVectors());
  CommandResult unknown_type = Run("index ds --column vector --type IVF_NOPE");
  EXPECT_EQ(unknown_type.exit_code, 1);
  EXPECT_THAT(unknown_type.err, StartsWith("ixray: "));
  EXPECT_THAT(unknown_type.err, HasSubstr("IVF_NOPE"));

  CommandResult wrong_dimension = Run("search ds --column vector --q 1,2,3");
  EXPECT_EQ(wrong_dimension.exit_code, 1);
  EXPECT_THAT(wrong_dimension.err, StartsWith("ixray: "));
  EXPECT_THAT(wrong_dimension.err, ContainsRegex("dimension|3 values"));

  ASSERT_EQ(Run("index ds --column vector --type ivf_flat --num-partitions 4").exit_code, 0);
  CommandResult indexed_wrong_dimension = Run("search ds --column vector --q 1,2,3 --nprobes 2");
  EXPECT_EQ(indexed_wrong_dimension.exit_code, 1);
  EXPECT_THAT(indexed_wrong_dimension.err, ContainsRegex("dimension|3 values"));

  CommandResult exists =
      Run("index ds --column vector --type IVF_FLAT --num-partitions 4 --no-replace");
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_THAT(exists.err, HasSubstr("already exists"));

  CommandResult not_a_vector = Run("index ds --column id --type IVF_FLAT");
  EXPECT_EQ(not_a_vector.exit_code, 1);
  EXPECT_THAT(not_a_vector.err, HasSubstr("failed\nixray: "));

  CommandResult bad_sub_vectors = Run("index ds --column vector --type IVF_PQ --num-sub-vectors 3");
  EXPECT_EQ(bad_sub_vectors.exit_code, 1);
  EXPECT_THAT(bad_sub_vectors.err, HasSubstr("num_sub_vectors"));

  EXPECT_EQ(Run("index ds --column vector --type IVF_FLAT --metric manhattan").exit_code, 1);
  EXPECT_EQ(Run("index ds --column vector --type IVF_PQ --num-bits 6").exit_code, 1);
  EXPECT_EQ(Run("index ds --type IVF_FLAT").exit_code, 1);
  EXPECT_EQ(Run("index no_such_dataset --column vector --type IVF_FLAT").exit_code, 1);

  CommandResult no_query = Run("search ds --column vector");
  EXPECT_EQ(no_query.exit_code, 1);
  EXPECT_THAT(no_query.err, HasSubstr("--q"));
  CommandResult bad_number = Run("search ds --column vector --q 1,x,3");
  EXPECT_EQ(bad_number.exit_code, 1);
  EXPECT_THAT(bad_number.err, HasSubstr("'x' is not a finite number"));
  WriteFvecs("one.fvecs", {vectors_[0]});
  CommandResult bad_row = Run("search ds --column vector --q-file one.fvecs --q-row 1");
  EXPECT_EQ(bad_row.exit_code, 1);
  EXPECT_THAT(bad_row.err, HasSubstr("holds 1 vectors"));
  EXPECT_EQ(Run("search ds --column vector --q 1 --q-file one.fvecs").exit_code, 1);
  EXPECT_EQ(Run("search ds --column vector --q-file items.jsonl").exit_code, 1);
  EXPECT_EQ(Run("search ds --column vector --q-file missing.fvecs").exit_code, 1);
  EXPECT_EQ(Run("search ds --column nope --q-file one.fvecs").exit_code, 1);
  EXPECT_EQ(Run("search ds --column vector --q-file one.fvecs --k 0").exit_code, 1);
}

TEST_F(CliIndexTest, IndexAndSearchHaveHelp) {
  CommandResult index_help = Run("index --help");
  EXPECT_EQ(index_help.exit_code, 0);
  EXPECT_THAT(index_help.out,
              AllOf(HasSubstr("Usage"), HasSubstr("--type"), HasSubstr("IVF_HNSW_PQ"),
                    HasSubstr("--num-partitions"), HasSubstr("--threads"), HasSubstr("--json")));
  CommandResult search_help = Run("search --help");
  EXPECT_EQ(search_help.exit_code, 0);
  EXPECT_THAT(search_help.out,
              AllOf(HasSubstr("Usage"), HasSubstr("--q-file"), HasSubstr("--nprobes"),
                    HasSubstr("--refine-factor"), HasSubstr("--ef"), HasSubstr("--prefilter"),
                    HasSubstr("--json")));
}

}  // namespace
}  // namespace ixray
