// griffin-generate --save-state / --load-state across processes: a run that saves after 20
// tokens and a run that loads and generates 20 more print exactly what one 40-token run prints
// (greedy and sampled); a state from another model is refused with a message.
#include <catch2/catch.hpp>

#include <string>

#include "tests/cli/tools/tool_runner.h"
#include "tests/support/test_files.h"

namespace griffin::test {
namespace {

std::string bundled_model() {
  return std::string(GRIFFIN_TEST_DATA_DIR) +
         "/../../examples/models/kjv-griffin/kjv-griffin.griffin";
}

// The text of a run without the final newline the tool adds.
std::string text_of(const ToolRun& run) {
  std::string text = run.out;
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

TEST_CASE("griffin-generate continues a saved session exactly", "[tools][snapshot]") {
  const std::string sampling =
      GENERATE(std::string("--temp 0"), std::string("--temp 0.9 --seed 5"));
  INFO(sampling);
  const std::string model = "-m " + quote(bundled_model()) + " ";
  const std::string state = scratch_dir() + "/kjv.grfs";
  const ToolRun whole =
      run_tool("griffin-generate", model + "-p 'In the beginning' -n 40 " + sampling);
  const ToolRun first =
      run_tool("griffin-generate",
               model + "-p 'In the beginning' -n 20 " + sampling + " --save-state " + quote(state));
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.err.find("state: saved") != std::string::npos);
  // The sampler's state comes from the file, whatever --seed the second run gets.
  const std::string reseeded = sampling == "--temp 0" ? sampling : "--temp 0.9 --seed 999";
  const ToolRun second =
      run_tool("griffin-generate", model + "-n 20 --load-state " + quote(state) + " " + reseeded);
  INFO(second.err);
  REQUIRE(whole.exit_code == 0);
  REQUIRE(second.exit_code == 0);
  CHECK(text_of(first).size() > 40);
  CHECK(text_of(first) + text_of(second) == text_of(whole));
}

TEST_CASE("griffin-generate --load-state appends the prompt without BOS", "[tools][snapshot]") {
  // Independent expectation: the whole token sequence fed in one process, as ids. Saved after
  // "In the beginning" (BOS first) and 3 generated tokens, then " And" appended without BOS.
  const std::string model = "-m " + quote(bundled_model()) + " --temp 0 ";
  const std::string state = scratch_dir() + "/kjv-prompt.grfs";
  const ToolRun first = run_tool("griffin-generate", model + "-p 'In the beginning' -n 3 -v " +
                                                         "--save-state " + quote(state));
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const ToolRun loaded =
      run_tool("griffin-generate", model + "--load-state " + quote(state) + " -p ' And' -n 8 -v");
  INFO(loaded.err);
  REQUIRE(loaded.exit_code == 0);
  // The appended prompt is the tokenization of " And" alone: no BOS (id 2) in front.
  const auto ids_line = [](const std::string& err) {
    const size_t at = err.find("prompt ids (");
    return err.substr(at, err.find('\n', at) - at);
  };
  CHECK(ids_line(first.err).find(": 2 ") != std::string::npos);
  CHECK(ids_line(loaded.err).find(": 2 ") == std::string::npos);
  // One run over the same text: prompt "In the beginning" + the 3 tokens' text + " And".
  const ToolRun whole =
      run_tool("griffin-generate",
               model + "-p " + quote("In the beginning" + text_of(first) + " And") + " -n 8");
  REQUIRE(whole.exit_code == 0);
  CHECK(text_of(loaded) == text_of(whole));
}

TEST_CASE("griffin-generate refuses a state saved with another model", "[tools][snapshot]") {
  const std::string state = scratch_dir() + "/tiny.grfs";
  const ToolRun save = run_tool(
      "griffin-generate", "-m " + quote(tiny_model_with_tokenizer()) +
                              " -p 'In the beginning' -n 3 --temp 0 --save-state " + quote(state));
  REQUIRE(save.exit_code == 0);
  const ToolRun load =
      run_tool("griffin-generate",
               "-m " + quote(bundled_model()) + " -n 3 --temp 0 --load-state " + quote(state));
  CHECK(load.exit_code == 1);
  CHECK(load.err.find("cannot restore the session from") != std::string::npos);
  CHECK(load.err.find("another model file") != std::string::npos);
  CHECK(load.out.empty());
  const ToolRun missing = run_tool(
      "griffin-generate", "-m " + quote(bundled_model()) + " -n 3 --load-state /nonexistent.grfs");
  CHECK(missing.exit_code != 0);
}

}  // namespace
}  // namespace griffin::test
