// griffin-score from the command line: perplexity of the reference fixture against a value
// computed independently from the reference logits, chunking invariance, the .npy logits
// output, and errors (bad ids leave no file behind).
#include <catch2/catch.hpp>

#include <cmath>
#include <nlohmann/json.hpp>

#include "tests/cli/tools/tool_runner.h"
#include "tests/support/npy.h"
#include "tests/support/test_files.h"

namespace griffin::test {
namespace {

// Computed once from the reference logits with numpy, not with griffin-rt:
//   /usr/bin/python3 -c "import json, numpy as np;
//     t = json.load(open('tests/data/fixtures/griffin/tokens.json'))['tokens'];
//     x = np.load('tests/data/fixtures/griffin/logits.npy').astype(np.float64)[:-1];
//     m = x.max(1, keepdims=True); ls = x - m - np.log(np.exp(x - m).sum(1, keepdims=True));
//     nll = -ls[np.arange(len(t) - 1), t[1:]].mean(); print(repr(nll), repr(np.exp(nll)))"
// i.e. log-softmax of row t-1 at token t, mean NLL over t = 1..T-1, perplexity exp(NLL).
constexpr double kFixtureNll = 11.579292183811448;
constexpr double kFixturePerplexity = 106861.8527867665;

nlohmann::json score_json(const std::string& args) {
  const ToolRun run = run_tool("griffin-score", args + " --json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return nlohmann::json::parse(run.out);
}

std::string fixture_args() {
  return "-m " + quote(fixture_model()) + " --tokens " + fixture_token_list() + " --threads 1";
}

TEST_CASE("griffin-score matches the perplexity of the reference logits", "[tools]") {
  const nlohmann::json out = score_json(fixture_args());
  const size_t count = fixture_tokens().size();
  CHECK(out.at("token_count").get<size_t>() == count);
  CHECK(out.at("scored_tokens").get<size_t>() == count - 1);
  CHECK(out.at("tokens").get<std::vector<int>>() == fixture_tokens());
  REQUIRE(out.at("logprobs").size() == count);
  CHECK(out.at("logprobs")[0].is_null());
  CHECK(out.at("perplexity").get<double>() == Approx(kFixturePerplexity).epsilon(1e-4));
  CHECK(out.at("nll").get<double>() == Approx(kFixtureNll).epsilon(1e-4));
}

TEST_CASE("griffin-score gives the same numbers token by token and in any chunk", "[tools]") {
  const nlohmann::json whole = score_json(fixture_args());
  for (const char* chunk : {"1", "5", "7"}) {
    INFO("--chunk " << chunk);
    const nlohmann::json chunked = score_json(fixture_args() + " --chunk " + chunk);
    CHECK(chunked.at("perplexity").get<double>() ==
          Approx(whole.at("perplexity").get<double>()).epsilon(1e-6));
    for (size_t t = 1; t < whole.at("logprobs").size(); ++t) {
      CHECK(chunked.at("logprobs")[t].get<double>() ==
            Approx(whole.at("logprobs")[t].get<double>()).margin(1e-5));
    }
  }
}

TEST_CASE("griffin-score --logits-out writes every logit as a [T, V] .npy", "[tools]") {
  TempDir dir;
  const std::string path = dir.file("logits.npy");
  for (const char* chunk : {"0", "1"}) {
    INFO("--chunk " << chunk);
    score_json(fixture_args() + " --chunk " + chunk + " --logits-out " + quote(path));
    const NpyArray written = read_npy_f32(path);
    const NpyArray reference =
        read_npy_f32(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin/logits.npy");
    REQUIRE(written.shape == std::vector<int64_t>{24, 80});
    REQUIRE(written.values.size() == reference.values.size());
    for (size_t i = 0; i < written.values.size(); ++i) {
      REQUIRE(written.values[i] == Approx(reference.values[i]).margin(1e-4));
    }
    CHECK(dir.list() == std::vector<std::string>{"logits.npy"});  // no temporary left
  }
}

TEST_CASE("griffin-score scores text and prints a table", "[tools]") {
  const std::string args =
      "-m " + quote(tiny_model_with_tokenizer()) + " --text 'In the beginning'";
  const ToolRun run = run_tool("griffin-score", args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("piece") != std::string::npos);
  CHECK(run.out.find("\"the\"") != std::string::npos);
  CHECK(run.out.find("perplexity: ") != std::string::npos);
  const nlohmann::json out = score_json(args);
  CHECK(out.at("tokens")[0].get<int>() == 2);  // BOS prepended
  CHECK(out.at("pieces").size() == out.at("token_count").get<size_t>());
  CHECK(out.at("perplexity").get<double>() > 1.0);
}

TEST_CASE("griffin-score reports bad input and leaves no partial file", "[tools]") {
  TempDir dir;
  SECTION("an id outside the vocabulary, named in the message") {
    for (const char* chunk : {"0", "1"}) {
      const ToolRun run =
          run_tool("griffin-score", "-m " + quote(fixture_model()) + " --tokens 2,5,80,3 --chunk " +
                                        chunk + " --logits-out " + quote(dir.file("x.npy")));
      CHECK(run.exit_code == 1);
      CHECK(run.err.find("token id 80") != std::string::npos);
      CHECK(dir.list().empty());
    }
  }
  SECTION("a token list with junk") {
    const ToolRun run =
        run_tool("griffin-score", "-m " + quote(fixture_model()) + " --tokens 2,3x");
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("'3x' is not an integer") != std::string::npos);
  }
  SECTION("a single token") {
    const ToolRun run = run_tool("griffin-score", "-m " + quote(fixture_model()) + " --tokens 2");
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("at least 2 tokens") != std::string::npos);
  }
  SECTION("text for a model without a tokenizer") {
    const ToolRun run = run_tool("griffin-score", "-m " + quote(fixture_model()) + " --text hi");
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("no tokenizer") != std::string::npos);
  }
}

}  // namespace
}  // namespace griffin::test
