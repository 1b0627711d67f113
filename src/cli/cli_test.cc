// End-to-end tests of the ixray command-line tool: each test runs the real
// binary (IXRAY_CLI_PATH) through popen in a fresh temporary directory and
// checks its stdout, stderr and exit code.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace ixray {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

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

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(IXRAY_CLI_PATH).empty()) GTEST_SKIP() << "the CLI is not built";
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("ixray_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(random()));
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

  std::filesystem::path dir_;
};

// Parses `text` as JSON, or fails the test.
simdjson::dom::element ParseJson(simdjson::dom::parser& parser, const std::string& text) {
  simdjson::dom::element element;
  EXPECT_EQ(parser.parse(text).get(element), simdjson::SUCCESS) << text;
  return element;
}

constexpr std::string_view kCsv =
    "id,name,price,day\n"
    "1,apple,1.5,2024-01-01\n"
    "2,\"banana, ripe\",,2024-01-02\n"
    "3,cherry,3.25,2024-01-03\n";

TEST_F(CliTest, ImportCsvThenInfoVersionsScanCount) {
  WriteFile("fruit.csv", kCsv);
  CommandResult imported = Run("import fruit.csv ds --json");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.out, "{\"uri\":\"ds\",\"version\":1,\"rows_imported\":3,\"num_rows\":3}\n");
  // stderr is not a terminal here: a summary line instead of a progress bar.
  EXPECT_THAT(imported.err, HasSubstr("imported 3 rows"));

  simdjson::dom::parser parser;
  CommandResult info = Run("info ds --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  simdjson::dom::element summary = ParseJson(parser, info.out);
  EXPECT_EQ(summary["version"].get_uint64().value(), 1u);
  EXPECT_EQ(summary["num_rows"].get_int64().value(), 3);
  EXPECT_EQ(summary["num_deleted_rows"].get_int64().value(), 0);
  EXPECT_EQ(summary["num_fragments"].get_int64().value(), 1);
  EXPECT_GT(summary["data_size_bytes"].get_int64().value(), 0);
  std::vector<std::string> fields;
  for (simdjson::dom::element f : summary["schema"].get_array()) {
    fields.push_back(std::to_string(f["id"].get_int64().value()) + " " +
                     std::string(f["name"].get_string().value()) + " " +
                     std::string(f["type"].get_string().value()));
  }
  EXPECT_THAT(fields,
              ElementsAre("0 id int64", "1 name string", "2 price float64", "3 day date32"));

  CommandResult versions = Run("versions ds --json");
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  simdjson::dom::array list = ParseJson(parser, versions.out).get_array();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list.at(0)["version"].get_int64().value(), 1);
  EXPECT_EQ(list.at(0)["operation"].get_string().value(), "Create");
  EXPECT_THAT(std::string(list.at(0)["timestamp"].get_string().value()), ::testing::EndsWith("Z"));

  CommandResult scan = Run("scan ds --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_THAT(scan.lines(),
              ElementsAre(R"({"id":1,"name":"apple","price":1.5,"day":"2024-01-01"})",
                          R"({"id":2,"name":"banana, ripe","price":null,"day":"2024-01-02"})",
                          R"({"id":3,"name":"cherry","price":3.25,"day":"2024-01-03"})"));

  scan = Run("scan ds --json --columns name,id --filter \"id >= 2\" --limit 1 --with-row-id");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_THAT(scan.lines(), ElementsAre(R"({"name":"banana, ripe","id":2,"_rowid":1})"));

  scan = Run("scan ds --offset 1");
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_THAT(scan.lines(),
              ElementsAre("id  name          price  day", "--  ------------  -----  ----------",
                          " 2  banana, ripe   null  2024-01-02",
                          " 3  cherry         3.25  2024-01-03", "(2 rows)"));

  CommandResult count = Run("count ds --filter \"price IS NOT NULL\"");
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_EQ(count.out, "2\n");

  imported = Run("import fruit.csv ds --mode append");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("version 2"));
  EXPECT_EQ(Run("count ds --json").out, "{\"count\":6}\n");
  EXPECT_EQ(Run("count ds --version 1").out, "3\n");
}

TEST_F(CliTest, ImportsVectorsAndJsonLines) {
  std::string fvecs;
  for (int row = 0; row < 3; ++row) {
    const int32_t dimension = 2;
    fvecs.append(reinterpret_cast<const char*>(&dimension), 4);
    for (float value : {row * 1.0f, row + 0.5f}) {
      fvecs.append(reinterpret_cast<const char*>(&value), 4);
    }
  }
  WriteFile("base.fvecs", fvecs);
  CommandResult imported = Run("import base.fvecs vectors --column emb --max-rows-per-file 2");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(Run("scan vectors --json").lines(),
              ElementsAre(R"({"emb":[0,0.5]})", R"({"emb":[1,1.5]})", R"({"emb":[2,2.5]})"));
  simdjson::dom::parser parser;
  EXPECT_EQ(ParseJson(parser, Run("info vectors --json").out)["num_fragments"].get_int64().value(),
            2);

  WriteFile("events.jsonl",
            "{\"user\": \"ann\", \"at\": 1, \"tags\": [\"a\", \"b\"]}\n"
            "{\"user\": \"bob\", \"tags\": []}\n");
  imported = Run("import events.jsonl events --format jsonl");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(Run("scan events --json").lines(),
              ElementsAre(R"({"user":"ann","at":1,"tags":["a","b"]})",
                          R"({"user":"bob","at":null,"tags":[]})"));
}

TEST_F(CliTest, ErrorsExitWithOneAndAMessage) {
  CommandResult missing = Run("info no_such_dataset");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, StartsWith("ixray: "));
  EXPECT_THAT(missing.err, HasSubstr("no_such_dataset"));
  EXPECT_EQ(Run("scan no_such_dataset --json").exit_code, 1);
  EXPECT_EQ(Run("versions no_such_dataset").exit_code, 1);
  EXPECT_EQ(Run("count no_such_dataset").exit_code, 1);

  WriteFile("fruit.csv", kCsv);
  ASSERT_EQ(Run("import fruit.csv ds").exit_code, 0);
  CommandResult bad_filter = Run("scan ds --filter \"id >\"");
  EXPECT_EQ(bad_filter.exit_code, 1);
  EXPECT_THAT(bad_filter.err, StartsWith("ixray: "));
  EXPECT_EQ(Run("count ds --filter \"nope = 1\"").exit_code, 1);
  EXPECT_EQ(Run("scan ds --columns nope").exit_code, 1);

  CommandResult exists = Run("import fruit.csv ds");
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_THAT(exists.err, StartsWith("ixray: "));

  WriteFile("bad.csv", "a,b\n1,2\nx,3\n");
  CommandResult bad_csv = Run("import bad.csv bad --infer-rows 1");
  EXPECT_EQ(bad_csv.exit_code, 1);
  EXPECT_THAT(bad_csv.err, HasSubstr("line 3, column 'a'"));

  WriteFile("empty.jsonl", "");
  CommandResult empty = Run("import empty.jsonl other");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.err, HasSubstr("has no columns"));
  EXPECT_EQ(Run("import missing.csv other").exit_code, 1);
  EXPECT_EQ(Run("import fruit.csv other --format xml").exit_code, 1);
  EXPECT_EQ(Run("import fruit.csv other --mode sideways").exit_code, 1);
  EXPECT_EQ(Run("import fruit.csv other --delimiter ab").exit_code, 1);
  EXPECT_EQ(Run("scan ds --limit abc").exit_code, 1);
  EXPECT_EQ(Run("").exit_code, 1);
  EXPECT_EQ(Run("no-such-command").exit_code, 1);
}

TEST_F(CliTest, EveryCommandHasHelp) {
  for (const char* command : {"import", "info", "versions", "scan", "count", "version"}) {
    CommandResult help = Run(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_THAT(help.out, HasSubstr("Usage")) << command;
  }
  CommandResult scan_help = Run("scan --help");
  EXPECT_THAT(scan_help.out, HasSubstr("--json"));
  EXPECT_THAT(scan_help.out, HasSubstr("--filter"));
}

}  // namespace
}  // namespace ixray
