// griffin-generate from the command line: streamed text and speed lines, reproducible sampling,
// chat formatting, token-id mode on a model without a tokenizer, argument errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>

#include "tests/cli/tools/tool_runner.h"
#include "tests/support/npy.h"

namespace griffin::test {
namespace {

bool has_visible_text(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c != ' ' && c != '\n'; });
}

TEST_CASE("griffin-generate streams text and prints the speed lines", "[tools]") {
  const ToolRun run =
      run_tool("griffin-generate", "-m " + quote(tiny_model_with_tokenizer()) +
                                       " -p 'In the beginning' -n 24 --seed 42 --threads 1");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(has_visible_text(run.out));
  CHECK(std::regex_search(run.err, std::regex("prompt tokens: [0-9]+\n")));
  CHECK(std::regex_search(run.err, std::regex("prefill: [0-9]+ tokens in [0-9.]+ ms, [0-9.]+ "
                                              "tokens/s")));
  CHECK(std::regex_search(run.err, std::regex("generated tokens: [0-9]+")));
  CHECK(std::regex_search(run.err, std::regex("decode: [0-9]+ tokens in [0-9.]+ ms, [0-9.]+ "
                                              "tokens/s, [0-9.]+ ms/token")));
  CHECK(run.err.find("seed: 42") != std::string::npos);
}

TEST_CASE("griffin-generate is reproducible: same seed, and greedy", "[tools]") {
  const std::string base =
      "-m " + quote(tiny_model_with_tokenizer()) + " -p 'In the beginning' -n 32";
  SECTION("same seed twice") {
    const ToolRun a = run_tool("griffin-generate", base + " --seed 1234 --temp 1.0 --top-k 0");
    const ToolRun b = run_tool("griffin-generate", base + " --seed 1234 --temp 1.0 --top-k 0");
    REQUIRE(a.exit_code == 0);
    REQUIRE(b.exit_code == 0);
    CHECK(has_visible_text(a.out));
    CHECK(a.out == b.out);
  }
  SECTION("greedy twice, whatever the seed") {
    const ToolRun a = run_tool("griffin-generate", base + " --temp 0 --seed 1");
    const ToolRun b = run_tool("griffin-generate", base + " --temp 0 --seed 2");
    REQUIRE(a.exit_code == 0);
    REQUIRE(b.exit_code == 0);
    CHECK(has_visible_text(a.out));
    CHECK(a.out == b.out);
  }
}

TEST_CASE("griffin-generate --chat wraps the prompt in the turn markers", "[tools]") {
  const ToolRun run =
      run_tool("griffin-generate", "-m " + quote(tiny_model_with_tokenizer()) +
                                       " -p 'Hello' --chat --verbose -n 8 --seed 3");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  // tiny_tokenizer.model: bos 2, <start_of_turn> 4, <end_of_turn> 5 (user-defined pieces).
  std::smatch ids;
  REQUIRE(std::regex_search(run.err, ids, std::regex("prompt ids \\([0-9]+\\):([ 0-9]*)\n")));
  const std::string list = ids[1].str() + " ";
  CHECK(list.rfind(" 2 ", 0) == 0);
  CHECK(list.find(" 4 ") != std::string::npos);
  CHECK(list.find(" 5 ") != std::string::npos);
  CHECK(run.err.find("<end_of_turn>") != std::string::npos);
}

TEST_CASE("griffin-generate prints ids for a model without a tokenizer", "[tools]") {
  const ToolRun run = run_tool("griffin-generate", "-m " + quote(fixture_model()) + " --tokens " +
                                                       fixture_token_list() + " -n 6 --temp 0");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::smatch first;
  REQUIRE(std::regex_match(run.out, first, std::regex("([0-9]+)( [0-9]+){0,5}\n")));
  // The first greedy token is the argmax of the reference logits after the whole prompt.
  const NpyArray reference =
      read_npy_f32(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin/logits.npy");
  const int64_t vocab = reference.shape[1];
  const auto last_row = reference.values.end() - vocab;
  const long expected = std::max_element(last_row, reference.values.end()) - last_row;
  CHECK(std::stol(first[1].str()) == expected);
}

TEST_CASE("griffin-generate rejects bad arguments with a message", "[tools]") {
  const std::string tiny = "-m " + quote(tiny_model_with_tokenizer());
  SECTION("text prompt on a model without a tokenizer") {
    const ToolRun run = run_tool("griffin-generate", "-m " + quote(fixture_model()) + " -p hi");
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("no tokenizer") != std::string::npos);
  }
  SECTION("a token list with junk") {
    const ToolRun run = run_tool("griffin-generate", tiny + " --tokens 2,3x,4");
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("'3x' is not an integer") != std::string::npos);
  }
  SECTION("negative token count") {
    const ToolRun run = run_tool("griffin-generate", tiny + " -p hi -n -1");
    CHECK(run.exit_code > 0);
    CHECK(run.err.find("must be >= 0") != std::string::npos);
  }
  SECTION("top-p of 0") {
    const ToolRun run = run_tool("griffin-generate", tiny + " -p hi --top-p 0");
    CHECK(run.exit_code > 0);
    CHECK(run.err.find("--top-p") != std::string::npos);
  }
  SECTION("no prompt") {
    const ToolRun run = run_tool("griffin-generate", tiny);
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("-p TEXT or --tokens IDS") != std::string::npos);
  }
}

}  // namespace
}  // namespace griffin::test
