// Replays every file of the fuzz corpora (tests/fuzz/corpus/<target>/: seeds and the inputs
// that once crashed a target) through the fuzz targets' own functions in the normal build, so
// a regression fails here, and under ASan in scripts/sanitize.sh, without clang or libFuzzer.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"
#include "tests/support/test_files.h"

namespace {

std::vector<std::string> corpus_files(const std::string& target) {
  const std::string dir = std::string(GRIFFIN_FUZZ_CORPUS_DIR) + "/" + target;
  std::vector<std::string> files;
  if (DIR* handle = opendir(dir.c_str())) {
    while (const dirent* entry = readdir(handle)) {
      if (entry->d_name[0] != '.') files.push_back(dir + "/" + entry->d_name);
    }
    closedir(handle);
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const std::string& target, int (*run)(const uint8_t*, size_t)) {
  const std::vector<std::string> files = corpus_files(target);
  REQUIRE(!files.empty());  // an empty or missing corpus would make this test pass vacuously
  for (const std::string& file : files) {
    INFO(file);
    const std::string bytes = griffin::test::read_file(file);
    CHECK(run(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) == 0);
  }
}

}  // namespace

TEST_CASE("fuzz corpus: model_buffer inputs open or are refused", "[fuzz]") {
  replay("model_buffer", griffin_fuzz_model_buffer);
}

TEST_CASE("fuzz corpus: safetensors inputs", "[fuzz]") {
  replay("safetensors", griffin_fuzz_safetensors);
}

TEST_CASE("fuzz corpus: config.json inputs", "[fuzz]") {
  replay("hf_config", griffin_fuzz_hf_config);
}

TEST_CASE("fuzz corpus: tokenizer, detokenizer and UTF-8 stream inputs", "[fuzz]") {
  replay("text", griffin_fuzz_text);
}

TEST_CASE("fuzz corpus: snapshot inputs", "[fuzz]") {
  replay("session_load", griffin_fuzz_session_load);
}
