// Every reader, fed mutated versions of valid files (bytes flipped,
// inserted, deleted, truncated), returns batches or an error and never
// crashes. A deterministic, in-process cousin of ingest_reader_fuzz.cc.

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "ingest/ingest_test_util.h"
#include "ixray/ingest.h"

namespace ixray {
namespace {

using ingest::testing::WriteFile;

std::string ValidNpy() {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
  while ((10 + dict.size() + 1) % 64 != 0) dict.push_back(' ');
  dict.push_back('\n');
  std::string file = std::string("\x93NUMPY\x01\x00", 8);
  file.push_back(static_cast<char>(dict.size()));
  file.push_back('\0');
  file += dict;
  for (int i = 0; i < 6; ++i) {
    const float value = static_cast<float>(i);
    file.append(reinterpret_cast<const char*>(&value), 4);
  }
  return file;
}

std::string ValidFvecs() {
  std::string file;
  for (int row = 0; row < 4; ++row) {
    const int32_t dimension = 3;
    file.append(reinterpret_cast<const char*>(&dimension), 4);
    for (int k = 0; k < 3; ++k) {
      const float value = static_cast<float>(row + k);
      file.append(reinterpret_cast<const char*>(&value), 4);
    }
  }
  return file;
}

std::string Mutate(std::string bytes, std::mt19937& random) {
  static constexpr char kInteresting[] = {'"', ',',  '\n', '\r',   '{',    '}', '[', ']',
                                          ':', '\\', '\0', '\x93', '\xff', '1', '-', 'e'};
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int e = 0; e < edits && !bytes.empty(); ++e) {
    const size_t at = random() % bytes.size();
    const char value =
        random() % 2 ? kInteresting[random() % sizeof(kInteresting)] : static_cast<char>(random());
    switch (random() % 4) {
      case 0:
        bytes[at] = value;
        break;
      case 1:
        bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), value);
        break;
      case 2:
        bytes.erase(at, 1);
        break;
      case 3:
        bytes.resize(at);
        break;
    }
  }
  return bytes;
}

TEST(IngestMutationTest, ReadersSurviveMutatedInputs) {
  struct Seed {
    IngestFormat format;
    std::string bytes;
  };
  const std::vector<Seed> seeds = {
      {IngestFormat::kCsv, "id,name,when\n1,\"a, \"\"b\"\"\",2024-01-01\r\n2,,2024-01-02T10:00Z\n"},
      {IngestFormat::kJsonLines,
       "{\"a\": 1, \"v\": [1, 2], \"t\": [\"x\"], \"o\": {\"k\": null}}\n{\"a\": 2.5, \"v\": [3, "
       "4]}\n"},
      {IngestFormat::kNpy, ValidNpy()},
      {IngestFormat::kFvecs, ValidFvecs()},
      {IngestFormat::kBvecs, ValidFvecs()},
  };
  std::shared_ptr<FileSystem> fs = MakeMemoryFileSystem();
  std::mt19937 random(20240131);
  int64_t readable = 0;
  for (const Seed& seed : seeds) {
    for (int round = 0; round < 400; ++round) {
      const std::string input = Mutate(seed.bytes, random);
      WriteFile(*fs, "input", input);
      IngestOptions options;
      options.format = seed.format;
      options.chunk_size = 1 + round % 5;
      options.batch_size = 1 + round % 3;
      options.inference_rows = 1 + round % 2;
      Result<std::unique_ptr<IngestReader>> reader = OpenIngestReader(*fs, "input", options);
      if (!reader.ok()) continue;
      while (true) {
        Result<RecordBatchPtr> batch = (*reader)->Next();
        if (!batch.ok() || *batch == nullptr) break;
        for (const ArrayPtr& column : (*batch)->columns()) {
          ASSERT_TRUE(column->Validate().ok()) << column->Validate().ToString();
        }
        ++readable;
      }
    }
  }
  EXPECT_GT(readable, 0);
}

}  // namespace
}  // namespace ixray
