// griffin-bench and griffin-minimal from the command line, and what every tool does with
// --help and with a model file that does not exist.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/cli/tools/tool_runner.h"

namespace griffin::test {
namespace {

TEST_CASE("griffin-bench --json reports speeds and memory", "[tools]") {
  const ToolRun run =
      run_tool("griffin-bench", "-m " + quote(tiny_model_with_tokenizer()) +
                                    " --prompt-tokens 16 --decode-tokens 16 --threads 1 --json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json out = nlohmann::json::parse(run.out);
  for (const char* key :
       {"prefill_tokens_per_s", "decode_tokens_per_s", "decode_ms_per_token", "peak_rss_bytes"}) {
    INFO(key);
    REQUIRE(out.contains(key));
    CHECK(out.at(key).get<double>() > 0.0);
  }
  CHECK(out.at("prompt_tokens").get<int>() == 16);
  CHECK(out.at("decode_tokens").get<int>() == 16);
  CHECK(out.at("threads").get<int>() == 1);
  CHECK(out.at("model_file_bytes").get<uint64_t>() > 0);
  CHECK(out.at("session_bytes").get<uint64_t>() == out.at("planned_session_bytes").get<uint64_t>());
  // The timed decode loop, runtime included, must not allocate.
  CHECK(out.at("decode_heap_allocations").get<uint64_t>() == 0);
}

TEST_CASE("griffin-bench prints a human summary", "[tools]") {
  const ToolRun run = run_tool(
      "griffin-bench", "-m " + quote(fixture_model()) + " --prompt-tokens 8 --decode-tokens 8");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("prefill: 8 tokens") != std::string::npos);
  CHECK(run.out.find("p90") != std::string::npos);
  CHECK(run.out.find("peak RSS") != std::string::npos);
}

TEST_CASE("griffin-minimal generates text", "[tools]") {
  const ToolRun run = run_tool("griffin-minimal", quote(tiny_model_with_tokenizer()));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find_first_not_of(" \n") != std::string::npos);
  SECTION("and explains a model without a tokenizer") {
    const ToolRun ids_only = run_tool("griffin-minimal", quote(fixture_model()) + " hello");
    CHECK(ids_only.exit_code == 1);
    CHECK(ids_only.err.find("no tokenizer") != std::string::npos);
  }
}

TEST_CASE("every tool fails cleanly on a missing model file", "[tools]") {
  const std::string missing = quote(scratch_dir() + "/no-such-model.griffin");
  const std::pair<const char*, std::string> runs[] = {
      {"griffin-generate", "-m " + missing + " -p hi"},
      {"griffin-score", "-m " + missing + " --tokens 2,3"},
      {"griffin-bench", "-m " + missing},
      {"griffin-minimal", missing},
  };
  for (const auto& [tool, args] : runs) {
    INFO(tool);
    const ToolRun run = run_tool(tool, args);
    CHECK(run.exit_code == 1);
    CHECK(run.out.empty());
    CHECK(run.err.find("no-such-model.griffin") != std::string::npos);
    CHECK(run.err.find("not found") != std::string::npos);
  }
}

TEST_CASE("every C++ tool has --help", "[tools]") {
  for (const char* tool : {"griffin-generate", "griffin-score", "griffin-bench"}) {
    INFO(tool);
    const ToolRun run = run_tool(tool, "--help");
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("--model") != std::string::npos);
  }
}

}  // namespace
}  // namespace griffin::test
