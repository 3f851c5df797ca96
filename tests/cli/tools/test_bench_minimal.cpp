// griffin-bench and griffin-minimal from the command line, and what every tool does with
// --help and with a model file that does not exist.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/cli/tools/tool_runner.h"
#include "tests/support/scoped_env.h"

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

TEST_CASE("griffin-bench runs the kernels GRIFFIN_MAX_ISA allows and refuses an unknown ISA",
          "[tools]") {
  const auto bench_under = [](const char* max_isa, const std::string& args) {
    const ScopedEnv ceiling("GRIFFIN_MAX_ISA", max_isa);
    return run_tool("griffin-bench", "-m " + quote(fixture_model()) + args);
  };
  const ToolRun capped =
      bench_under("scalar", " --prompt-tokens 4 --decode-tokens 2 --threads 1 --json");
  const ToolRun unknown = bench_under("sse9", " --prompt-tokens 4 --decode-tokens 2");
  INFO(capped.err);
  REQUIRE(capped.exit_code == 0);
  const std::string kernels = nlohmann::json::parse(capped.out).at("kernels").get<std::string>();
  INFO(kernels);
  CHECK(kernels.find("f32-bf16w-gemm scalar") != std::string::npos);
  CHECK(kernels.find("f32-f32w-gemm scalar") != std::string::npos);
  for (const char* simd : {"avx", "neon"}) CHECK(kernels.find(simd) == std::string::npos);
  INFO(unknown.err);
  CHECK(unknown.exit_code != 0);
  CHECK(unknown.out.empty());
  CHECK(unknown.err.find("GRIFFIN_MAX_ISA=sse9 is not an ISA of this build") != std::string::npos);
  CHECK(unknown.err.find("scalar") != std::string::npos);
}

// Multiply-accumulates per prompt token of tests/data/fixtures/griffin, read from its safetensors
// header: every weight matrix and gate block once, plus one unembedding (vocab × width) per
// prefill of `prompt_tokens`.
double fixture_macs_per_token(int prompt_tokens) {
  std::ifstream file(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/griffin/model.safetensors",
                     std::ios::binary);
  uint64_t header_bytes = 0;
  file.read(reinterpret_cast<char*>(&header_bytes), sizeof header_bytes);
  std::string header(header_bytes, '\0');
  file.read(header.data(), static_cast<std::streamsize>(header_bytes));
  const nlohmann::json tensors = nlohmann::json::parse(header);
  double macs = 0.0;
  for (const auto& [name, tensor] : tensors.items()) {
    // Biases (the gates' are [heads, width]) and conv taps are not multiply-accumulates of a
    // matrix.
    if (name == "__metadata__" || name.find("conv_1d") != std::string::npos ||
        name.find("bias") != std::string::npos) {
      continue;
    }
    const std::vector<double> shape = tensor.at("shape").get<std::vector<double>>();
    if (shape.size() < 2) continue;
    double elements = 1.0;
    for (double dim : shape) elements *= dim;
    macs += name == "model.embed_tokens.weight" ? elements / prompt_tokens : elements;
  }
  return macs;
}

TEST_CASE("griffin-bench --roofline --json measures the machine's roofs", "[tools]") {
  const ToolRun run = run_tool(
      "griffin-bench", "-m " + quote(fixture_model()) +
                           " --prompt-tokens 8 --decode-tokens 4 --threads 1 --roofline --json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json out = nlohmann::json::parse(run.out);
  for (const char* key :
       {"read_bandwidth_gb_per_s", "decode_bandwidth_fraction", "prefill_macs_per_token",
        "prefill_gmacs_per_s", "peak_f32_fma_gmacs_per_s", "peak_int8_dot_gmacs_per_s",
        "prefill_roof_gmacs_per_s", "prefill_roof_fraction", "prefill_int8_roof_fraction"}) {
    INFO(key);
    REQUIRE(out.contains(key));
    const double value = out.at(key).get<double>();
    CHECK(std::isfinite(value));
    CHECK(value > 0.0);
  }
  // No speed floor is asserted: under QEMU or on a loaded CI machine the rates can be anything
  // above zero (speed is for griffin-bench runs, not tests). The ceiling catches unit mistakes:
  // no machine reads 10 TB/s or does 10 TMAC/s on one thread.
  CHECK(out.at("read_bandwidth_gb_per_s").get<double>() < 1e4);
  for (const char* peak : {"peak_f32_fma_gmacs_per_s", "peak_int8_dot_gmacs_per_s"}) {
    INFO(peak);
    CHECK(out.at(peak).get<double>() < 1e4);
  }
  CHECK_FALSE(out.at("peak_f32_fma_sequence").get<std::string>().empty());
  CHECK_FALSE(out.at("peak_int8_dot_sequence").get<std::string>().empty());
  // The int8 dot roof is that of the int4 kernel's ISA, whatever shape of it runs
  // ("qd8-qs4w-gemm avx512vnni_eight_tokens" on Intel CPUs: "vpdpbusd zmm (avx512vnni)").
  // From the sequence's "(isa)" to the list: the int4 family's label is that ISA, alone or with
  // a shape after it.
  const std::string kernels = out.at("kernels").get<std::string>() + ",";
  const std::string sequence = out.at("peak_int8_dot_sequence").get<std::string>();
  const size_t open = sequence.rfind('(');
  REQUIRE(open != std::string::npos);
  const std::string isa = sequence.substr(open + 1, sequence.size() - open - 2);
  INFO("kernels: " << kernels << " sequence: " << sequence);
  CHECK((kernels.find("qd8-qs4w-gemm " + isa + ",") != std::string::npos ||
         kernels.find("qd8-qs4w-gemm " + isa + "_") != std::string::npos));
  CHECK(out.contains("peak_int16_dot_gmacs_per_s"));
  CHECK(out.contains("peak_int16_dot_sequence"));
  // Each peak is the higher of a pass before the run and one after it, both reported.
  for (const char* peak :
       {"peak_f32_fma_gmacs_per_s", "peak_int8_dot_gmacs_per_s", "peak_int16_dot_gmacs_per_s"}) {
    INFO(peak);
    const double before = out.at("peak_passes").at("before_run").at(peak).get<double>();
    const double after = out.at("peak_passes").at("after_run").at(peak).get<double>();
    CHECK(out.at(peak).get<double>() == std::max(before, after));
  }
  CHECK(out.at("peak_passes").at("before_run").at("peak_f32_fma_gmacs_per_s").get<double>() > 0);
  CHECK(out.at("peak_passes").at("after_run").at("peak_f32_fma_gmacs_per_s").get<double>() > 0);
  // The fixture is f32: its matrices run on f32 FMAs.
  CHECK(out.at("prefill_roof").get<std::string>() == "f32_fma");
  CHECK(out.at("prefill_roof_gmacs_per_s").get<double>() ==
        out.at("peak_f32_fma_gmacs_per_s").get<double>());
  CHECK(out.at("prefill_macs_per_token").get<double>() ==
        Approx(fixture_macs_per_token(8)).epsilon(1e-12));
  // The derived numbers follow from the measured ones.
  const double bandwidth = out.at("read_bandwidth_gb_per_s").get<double>() * 1e9;
  CHECK(out.at("decode_bandwidth_fraction").get<double>() ==
        Approx(out.at("weights_streamed_bytes").get<double>() *
               out.at("decode_tokens_per_s").get<double>() / bandwidth));
  // The bandwidth decode is held against: the median of the passes among its 4 steps (one
  // before the first, one after each step), beside the best pass after the run.
  CHECK(out.at("read_bandwidth_source").get<std::string>() == "during_decode");
  std::vector<double> passes =
      out.at("read_bandwidth_during_decode_gb_per_s").get<std::vector<double>>();
  REQUIRE(passes.size() == 5);
  for (double gbs : passes) CHECK(gbs > 0.0);
  std::sort(passes.begin(), passes.end());
  CHECK(out.at("read_bandwidth_gb_per_s").get<double>() == passes[2]);
  const double after_run = out.at("read_bandwidth_after_run_gb_per_s").get<double>() * 1e9;
  CHECK(after_run > 0.0);
  CHECK(out.at("decode_bandwidth_fraction_after_run").get<double>() ==
        Approx(out.at("weights_streamed_bytes").get<double>() *
               out.at("decode_tokens_per_s").get<double>() / after_run));
  // Beside each of those passes, one over the model file's own pages (as many bytes as a
  // token reads); decode is also held against their median.
  std::vector<double> file_passes =
      out.at("model_file_read_during_decode_gb_per_s").get<std::vector<double>>();
  REQUIRE(file_passes.size() == 5);
  for (double gbs : file_passes) CHECK(gbs > 0.0);
  std::sort(file_passes.begin(), file_passes.end());
  const double file_read = out.at("model_file_read_gb_per_s").get<double>();
  CHECK(file_read == file_passes[2]);
  CHECK(out.at("decode_model_file_read_fraction").get<double>() ==
        Approx(out.at("weights_streamed_bytes").get<double>() *
               out.at("decode_tokens_per_s").get<double>() / (file_read * 1e9)));
  const double gmacs = out.at("prefill_gmacs_per_s").get<double>();
  CHECK(gmacs == Approx(out.at("prefill_macs_per_token").get<double>() *
                        out.at("prefill_tokens_per_s").get<double>() / 1e9));
  CHECK(out.at("prefill_roof_fraction").get<double>() ==
        Approx(gmacs / out.at("peak_f32_fma_gmacs_per_s").get<double>()));
  CHECK(out.at("prefill_int8_roof_fraction").get<double>() ==
        Approx(gmacs / out.at("peak_int8_dot_gmacs_per_s").get<double>()));
}

TEST_CASE("griffin-bench --roofline holds int4 prefill against its own loop's roof", "[tools]") {
  // On AVX2 the int4 prefill sums a group's products in 16 bits, a loop with nearly half the
  // multiplies per MAC of the int8 dot; on every other ISA it runs the int8 dot itself. Native
  // kernels, and on x86 also the AVX2 ones (GRIFFIN_MAX_ISA=avx2, when the CPU has AVX2).
  const std::string int4_model = fixture_model_as("int4");
  const std::string args = "-m " + quote(int4_model) +
                           " --prompt-tokens 8 --decode-tokens 2 --threads 1 --roofline --json";
  std::vector<const char*> ceilings = {""};
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ceilings.push_back("avx2");
#endif
  for (const char* ceiling : ceilings) {
    const ScopedEnv max_isa("GRIFFIN_MAX_ISA", ceiling);
    const ToolRun run = run_tool("griffin-bench", args);
    INFO("GRIFFIN_MAX_ISA=" << ceiling << ": " << run.err);
    REQUIRE(run.exit_code == 0);
    const nlohmann::json out = nlohmann::json::parse(run.out);
    const std::string kernels = out.at("kernels").get<std::string>() + ",";
    INFO(kernels);
    const double int4_peak = out.at("peak_int4_dot_gmacs_per_s").get<double>();
    const double int8_peak = out.at("peak_int8_dot_gmacs_per_s").get<double>();
    const std::string int4_sequence = out.at("peak_int4_dot_sequence").get<std::string>();
    CHECK(int4_peak > 0.0);
    CHECK(int4_peak < 1e4);
    for (const char* pass : {"before_run", "after_run"}) {
      CHECK(out.at("peak_passes").at(pass).at("peak_int4_dot_gmacs_per_s").get<double>() > 0.0);
    }
    if (kernels.find("qd8-qs4w-gemm avx2,") != std::string::npos) {
      CHECK(out.at("prefill_roof").get<std::string>() == "int4_dot");
      CHECK(int4_sequence.find("vpaddw") != std::string::npos);
      CHECK(out.at("prefill_roof_gmacs_per_s").get<double>() == int4_peak);
    } else {
      CHECK(out.at("prefill_roof").get<std::string>() == "int8_dot");
      CHECK(int4_sequence == out.at("peak_int8_dot_sequence").get<std::string>());
      CHECK(int4_peak == int8_peak);
    }
    const double gmacs = out.at("prefill_gmacs_per_s").get<double>();
    CHECK(out.at("prefill_roof_fraction").get<double>() ==
          Approx(gmacs / out.at("prefill_roof_gmacs_per_s").get<double>()));
    // The target stays against the int8 dot, whatever the loop.
    CHECK(out.at("prefill_int8_roof_fraction").get<double>() == Approx(gmacs / int8_peak));
  }
}

TEST_CASE("griffin-bench --roofline holds int8 prefill against the roof of its kernels",
          "[tools]") {
  // The fixture's checkpoint as int8: with f32 activations x86 rounds them to int16 (f32-qs8w:
  // the int16 dot roof), elsewhere the weights are widened to f32; with --int8-activations the
  // int8 dot products run everywhere.
  const std::string int8_model = fixture_model_as("int8");
  const std::string args = "-m " + quote(int8_model) +
                           " --prompt-tokens 8 --decode-tokens 2 --threads 1 --roofline --json";
  const ToolRun plain = run_tool("griffin-bench", args);
  INFO(plain.err);
  REQUIRE(plain.exit_code == 0);
  const nlohmann::json out = nlohmann::json::parse(plain.out);
#if defined(__x86_64__)
  CHECK(out.at("prefill_roof").get<std::string>() == "int16_dot");
  CHECK_FALSE(out.at("peak_int16_dot_sequence").get<std::string>().empty());
  const double int16_peak = out.at("peak_int16_dot_gmacs_per_s").get<double>();
  CHECK(int16_peak > 0.0);
  CHECK(int16_peak < 1e4);
  CHECK(out.at("prefill_roof_gmacs_per_s").get<double>() == int16_peak);
  CHECK(out.at("prefill_roof_fraction").get<double>() ==
        Approx(out.at("prefill_gmacs_per_s").get<double>() / int16_peak));
  CHECK(run_tool("griffin-bench", "-m " + quote(int8_model) +
                                      " --prompt-tokens 4 --decode-tokens 2 --threads 1 --roofline")
            .out.find("GMAC/s int16 dot") != std::string::npos);
#else
  CHECK(out.at("prefill_roof").get<std::string>() == "f32_fma");
  CHECK(out.at("peak_int16_dot_sequence").get<std::string>().empty());
  CHECK(out.at("peak_int16_dot_gmacs_per_s").get<double>() == 0.0);
#endif
  const ToolRun int8_activations = run_tool("griffin-bench", args + " --int8-activations");
  INFO(int8_activations.err);
  REQUIRE(int8_activations.exit_code == 0);
  const nlohmann::json integer = nlohmann::json::parse(int8_activations.out);
  CHECK(integer.at("prefill_roof").get<std::string>() == "int8_dot");
  CHECK(integer.at("prefill_roof_gmacs_per_s").get<double>() ==
        integer.at("peak_int8_dot_gmacs_per_s").get<double>());
  CHECK(integer.at("activation_scale").get<std::string>() == "per_group");
  // Each activation scale mode says its name in the JSON and in the kernels' description.
  const std::pair<const char*, const char*> modes[] = {{"per-token", "per_token"},
                                                       {"power-of-two", "power_of_two"}};
  for (const auto& [flag, name] : modes) {
    const ToolRun run = run_tool("griffin-bench", args + " --int8-activations --" +
                                                      std::string(flag) + "-activation-scales");
    INFO(flag << ": " << run.err);
    REQUIRE(run.exit_code == 0);
    const nlohmann::json json = nlohmann::json::parse(run.out);
    CHECK(json.at("activation_scale").get<std::string>() == name);
    CHECK(json.at("kernels").get<std::string>().find(std::string(flag) + " activation scales") !=
          std::string::npos);
  }
  // One scale mode at a time.
  const ToolRun both = run_tool("griffin-bench", args +
                                                     " --per-token-activation-scales"
                                                     " --power-of-two-activation-scales");
  CHECK(both.exit_code != 0);
  CHECK(both.err.find("excludes") != std::string::npos);
}

TEST_CASE("griffin-bench --roofline prints the roofs", "[tools]") {
  const ToolRun run =
      run_tool("griffin-bench",
               "-m " + quote(fixture_model()) + " --prompt-tokens 4 --decode-tokens 2 --roofline");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("roofline: read bandwidth") != std::string::npos);
  CHECK(run.out.find("GMAC/s int8 dot") != std::string::npos);
  CHECK(run.out.find("of the f32_fma roof") != std::string::npos);
  CHECK(run.out.find("median of passes among the decode steps") != std::string::npos);
}

TEST_CASE("griffin-bench --roofline without decode steps holds nothing against the bandwidth",
          "[tools]") {
  const ToolRun run = run_tool(
      "griffin-bench", "-m " + quote(fixture_model()) +
                           " --prompt-tokens 4 --decode-tokens 0 --threads 1 --roofline --json");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json out = nlohmann::json::parse(run.out);
  // Only the pass before the (absent) first step was taken; the bandwidth is the after-run one.
  CHECK(out.at("read_bandwidth_source").get<std::string>() == "after_run");
  CHECK(out.at("read_bandwidth_during_decode_gb_per_s").size() == 1);
  CHECK(out.at("read_bandwidth_gb_per_s").get<double>() ==
        out.at("read_bandwidth_after_run_gb_per_s").get<double>());
  CHECK(out.at("decode_bandwidth_fraction").get<double>() == 0.0);
  CHECK(out.at("model_file_read_during_decode_gb_per_s").size() == 1);
  CHECK(out.at("model_file_read_gb_per_s").get<double>() == 0.0);
  CHECK(out.at("decode_model_file_read_fraction").get<double>() == 0.0);
}

// The MQA fixture (global attention: its session holds exactly its context) converted to
// `name` in the scratch directory; its path.
std::string converted_mqa_fixture(const std::string& name) {
  const std::string path = scratch_dir() + "/" + name;
  REQUIRE(std::system((tool_command("griffin-convert") + " " +
                       quote(std::string(GRIFFIN_TEST_DATA_DIR) + "/fixtures/mqa") + " -q -o " +
                       quote(path))
                          .c_str()) == 0);
  return path;
}

// griffin-bench on `model` with `args`: the run, which must have succeeded.
ToolRun bench_model(const std::string& model, const std::string& args) {
  ToolRun run = run_tool("griffin-bench", "-m " + quote(model) + " " + args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return run;
}

TEST_CASE("griffin-bench --roofline leaves room for its untimed steps on a global-attention model",
          "[tools]") {
  // After each probe pass but the last, one untimed decode step lets the machine settle; the
  // MQA fixture's session holds exactly its context, so the bench must plan for those steps.
  const nlohmann::json out = nlohmann::json::parse(
      bench_model(converted_mqa_fixture("bench-roofline-mqa.griffin"),
                  "--prompt-tokens 8 --decode-tokens 4 --threads 1 --roofline --json")
          .out);
  CHECK(out.at("decode_tokens").get<int>() == 4);
  CHECK(out.at("read_bandwidth_during_decode_gb_per_s").size() == 5);
  CHECK(out.at("decode_bandwidth_fraction").get<double>() > 0.0);
}

TEST_CASE("griffin-bench --positions times decode at each position of one session", "[tools]") {
  // The MQA fixture attends globally, so its planned session grows with the context.
  const std::string mqa = converted_mqa_fixture("bench-mqa.griffin");
  const ToolRun run = bench_model(
      mqa, "--prompt-tokens 8 --decode-tokens 4 --threads 1 --json --positions 8,16,40");
  const nlohmann::json out = nlohmann::json::parse(run.out);
  const nlohmann::json& points = out.at("positions");
  REQUIRE(points.size() == 3);
  const int64_t expected[] = {8, 16, 40};
  for (size_t i = 0; i < 3; ++i) {
    INFO(i);
    CHECK(points[i].at("position").get<int64_t>() == expected[i]);
    CHECK(points[i].at("decode_ms_per_token").get<double>() > 0.0);
    CHECK(points[i].at("decode_ms_p50").get<double>() > 0.0);
    // The ratio to the reference fork, which decodes in turns with the session.
    const double reference = points[i].at("reference_ms_per_token").get<double>();
    CHECK(reference > 0.0);
    CHECK(points[i].at("relative_to_first").get<double>() ==
          Approx(points[i].at("decode_ms_per_token").get<double>() / reference));
    if (i > 0) {
      CHECK(points[i].at("planned_session_bytes").get<uint64_t>() >
            points[i - 1].at("planned_session_bytes").get<uint64_t>());
    }
  }
  // Position 8 with 4 decode steps is planned for a context of 12, as is the main run of an
  // 8-token prompt and 4 decode steps.
  CHECK(points[0].at("planned_session_bytes").get<uint64_t>() ==
        out.at("planned_session_bytes").get<uint64_t>());
  CHECK(run.err.find("position 40 reached (20 tokens prefilled") != std::string::npos);

  SECTION("positions closer than the decode steps are refused") {
    const ToolRun bad =
        run_tool("griffin-bench", "-m " + quote(mqa) + " --decode-tokens 4 --positions 8,10");
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find("--positions must increase by at least --decode-tokens (4): 8 then 10") !=
          std::string::npos);
  }
}

// griffin-bench on the fixture model with `args`: the run, which must have succeeded.
ToolRun bench_fixture(const std::string& args) {
  return bench_model(fixture_model(), args);
}

TEST_CASE("griffin-bench --batch times the batch against one session decoding in turns",
          "[tools]") {
  const nlohmann::json out = nlohmann::json::parse(
      bench_fixture("--prompt-tokens 8 --decode-tokens 6 --threads 1 --batch 3 --json").out);
  CHECK(out.at("batch").get<int>() == 3);
  const double batch_rate = out.at("batch_decode_tokens_per_s").get<double>();
  const double lone_rate = out.at("batch_lone_tokens_per_s").get<double>();
  REQUIRE(batch_rate > 0.0);
  REQUIRE(lone_rate > 0.0);
  // Three sessions a step: ms per step is the batch's time per call.
  CHECK(out.at("batch_ms_per_step").get<double>() == Approx(3 * 1e3 / batch_rate));
  CHECK(out.at("batch_interleaved_speedup").get<double>() == Approx(batch_rate / lone_rate));
  CHECK(out.at("batch_speedup").get<double>() ==
        Approx(batch_rate / out.at("decode_tokens_per_s").get<double>()));

  const ToolRun text = bench_fixture("--prompt-tokens 4 --decode-tokens 2 --threads 1 --batch 2");
  CHECK(text.out.find("batch decode against one session decoding in turns with it: one session") !=
        std::string::npos);
}

TEST_CASE("griffin-bench --sessions times sessions on threads, free and in turns with one",
          "[tools]") {
  const nlohmann::json out = nlohmann::json::parse(
      bench_fixture("--prompt-tokens 8 --decode-tokens 5 --threads 1 --sessions 2 --json").out);
  CHECK(out.at("sessions").get<int>() == 2);
  const double free_rate = out.at("sessions_decode_tokens_per_s").get<double>();
  const double in_turns = out.at("sessions_in_turns_tokens_per_s").get<double>();
  const double lone = out.at("sessions_lone_tokens_per_s").get<double>();
  REQUIRE(free_rate > 0.0);
  REQUIRE(in_turns > 0.0);
  REQUIRE(lone > 0.0);
  CHECK(out.at("sessions_speedup").get<double>() ==
        Approx(free_rate / out.at("decode_tokens_per_s").get<double>()));
  CHECK(out.at("sessions_interleaved_speedup").get<double>() == Approx(in_turns / lone));

  const ToolRun text =
      bench_fixture("--prompt-tokens 4 --decode-tokens 2 --threads 1 --sessions 3");
  CHECK(text.out.find("sessions on threads: 3,") != std::string::npos);
  CHECK(text.out.find("sessions on threads against one session decoding in turns with them") !=
        std::string::npos);
  CHECK(text.err.find("--sessions with") == std::string::npos);

  // Sessions on a model of two matrix threads share its one pool: the tool says so.
  const ToolRun shared =
      bench_fixture("--prompt-tokens 4 --decode-tokens 2 --threads 2 --sessions 2");
  CHECK(shared.err.find("--sessions with 2 matrix threads: the sessions take turns on the model's "
                        "one pool of 2 threads; --threads 1 gives each session its own thread") !=
        std::string::npos);
}

TEST_CASE("griffin-bench --versus decodes a second model in turns with the first", "[tools]") {
  const std::string other = quote(fixture_model());
  const nlohmann::json out = nlohmann::json::parse(
      bench_fixture("--prompt-tokens 8 --decode-tokens 6 --threads 2 --json --versus " + other)
          .out);
  CHECK(out.at("versus_model").get<std::string>() == fixture_model());
  const double theirs = out.at("versus_tokens_per_s").get<double>();
  const double mine = out.at("versus_main_tokens_per_s").get<double>();
  REQUIRE(theirs > 0.0);
  REQUIRE(mine > 0.0);
  CHECK(out.at("versus_speedup").get<double>() == Approx(theirs / mine));
  // Each model's threads sleep while the other decodes.
  CHECK(out.at("sleep_between_steps").get<bool>());
  const nlohmann::json plain =
      nlohmann::json::parse(bench_fixture("--prompt-tokens 4 --decode-tokens 2 --json").out);
  CHECK_FALSE(plain.at("sleep_between_steps").get<bool>());
  CHECK_FALSE(plain.contains("versus_speedup"));
  CHECK(nlohmann::json::parse(
            bench_fixture("--prompt-tokens 4 --decode-tokens 2 --json --sleep-between-steps").out)
            .at("sleep_between_steps")
            .get<bool>());

  const ToolRun text =
      bench_fixture("--prompt-tokens 4 --decode-tokens 2 --threads 1 --versus " + other);
  CHECK(text.out.find("versus " + fixture_model() + ", decoding in turns with this model: ") !=
        std::string::npos);

  SECTION("models of different vocabularies, or nothing to decode, are refused") {
    const ToolRun vocab = run_tool("griffin-bench", "-m " + other + " --decode-tokens 2 --versus " +
                                                        quote(tiny_model_with_tokenizer()));
    CHECK(vocab.exit_code == 1);
    CHECK(vocab.err.find("has a vocabulary of 512 tokens and " + fixture_model() +
                         " of 80: the same prompt cannot run on both") != std::string::npos);
    const ToolRun none =
        run_tool("griffin-bench", "-m " + other + " --decode-tokens 0 --versus " + other);
    CHECK(none.exit_code == 1);
    CHECK(none.err.find("--versus needs --decode-tokens of at least 1") != std::string::npos);
  }
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
