// griffin-bench: prefill and decode speed, latency percentiles and peak memory of a .griffin
// model. Prefills N synthetic prompt tokens, then decodes M tokens greedily, timing each step in
// a loop that allocates nothing. Flags and output: examples/README.md, or griffin-bench --help.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "examples/bench/alloc_counter.h"
#include "examples/bench/greedy_session.h"
#include "examples/bench/model_macs.h"
#include "examples/bench/multi_session.h"
#include "examples/bench/roofline.h"
#include "examples/common/cli_checks.h"
#include "examples/common/model_flags.h"
#include "examples/common/tool_common.h"

namespace {

using namespace griffin_tools;

struct Options {
  std::string model_path;
  int32_t prompt_tokens = 128;
  int32_t decode_tokens = 128;
  ModelFlags model;  // --threads, --int8-activations, --prefault, --lock-weights, --huge-pages
  int32_t chunk = 0;
  bool json = false;
  bool roofline = false;
  int32_t batch = 0;               // --batch N: also decode N sessions with griffin_batch_decode
  int32_t sessions = 0;            // --sessions N: also decode N sessions on N threads
  std::vector<int64_t> positions;  // --positions: decode speed at each of these positions
  std::string versus_path;         // --versus: a second model decoding in turns with this one
};

struct Result {
  double prefill_seconds = 0.0, decode_seconds = 0.0;
  std::vector<double> step_ms;  // one entry per decoded token
  uint64_t decode_allocations = 0;
  std::vector<double> probe_gbs;       // --roofline: read bandwidth passes among the decode steps
  std::vector<double> model_file_gbs;  // --roofline: passes over the model file, at the same times
};

// Peak resident set size (VmHWM in /proc/self/status), in bytes; 0 if unavailable.
uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.compare(0, 6, "VmHWM:") == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Nearest-rank percentile of sorted values.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

// One greedy step of `stream`; a failed decode ends the tool with the session's error.
void step(GreedySession& stream) {
  check(stream.step(), "decode failed", stream.session);
}

// Read bandwidth requests to the probe during a decode: before the first step, then after
// every (steps / kProbePasses, rounded up) steps and after the last.
constexpr size_t kProbePasses = 8;
// The untimed steps that follow probe passes: one after each but the last (time_greedy_decode).
constexpr size_t kMaxSettleSteps = kProbePasses + 1;

// Decodes step_ms.size() tokens greedily from the session's current logits, writing each
// step's milliseconds into step_ms; returns the seconds of all steps. A step is one decode
// plus picking the next token. With a probe (--roofline), it measures the read bandwidth between
// steps, untimed, into `probe_gbs` (reserved beforehand: the decode's allocations are counted).
// Each bandwidth request is followed by a pass over the model file, into `model_file_gbs`, and,
// unless it is the last, by one untimed decode step: on a 2-vCPU Zen 4 VM the first step after a
// probe took half as long again as the others (2B int4: p90 53-58 ms against a p50 of 34-36 with
// the probe, 35-39 against 33-35 without it), which held decode 12 % below its own speed. The
// settling steps continue the greedy sequence; the session's context has room for them
// (kMaxSettleSteps).
double time_greedy_decode(griffin_session* session, size_t vocab, std::vector<double>& step_ms,
                          BandwidthProbe* probe, std::vector<double>& probe_gbs,
                          std::vector<double>& model_file_gbs) {
  GreedySession stream(session, vocab);
  const size_t every = std::max<size_t>(1, (step_ms.size() + kProbePasses - 1) / kProbePasses);
  const auto measure = [&](bool last) {
    probe_gbs.push_back(probe->measure());
    model_file_gbs.push_back(probe->measure_model_file());
    if (!last) step(stream);
  };
  if (probe != nullptr) measure(step_ms.empty());
  double seconds = 0.0;
  for (size_t i = 0; i < step_ms.size(); ++i) {
    const Clock::time_point step_start = Clock::now();
    step(stream);
    step_ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - step_start).count();
    seconds += step_ms[i] / 1e3;
    if (probe != nullptr && ((i + 1) % every == 0 || i + 1 == step_ms.size())) {
      measure(i + 1 == step_ms.size());
    }
  }
  return seconds;
}

// As time_greedy_decode, for two sessions taking turns step by step: a slow drift of the
// machine's speed (a VM's can reach ±20 % within minutes) then affects both alike, and their
// ratio is measured more precisely than either.
void time_interleaved_decode(griffin_session* a, griffin_session* b, size_t vocab,
                             std::vector<double>& a_ms, std::vector<double>& b_ms) {
  GreedySession stream_a(a, vocab), stream_b(b, vocab);
  for (size_t i = 0; i < a_ms.size(); ++i) {
    const Clock::time_point start = Clock::now();
    step(stream_a);
    const Clock::time_point middle = Clock::now();
    step(stream_b);
    a_ms[i] = std::chrono::duration<double, std::milli>(middle - start).count();
    b_ms[i] = std::chrono::duration<double, std::milli>(Clock::now() - middle).count();
  }
}

double mean_of(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return values.empty() ? 0.0 : sum / static_cast<double>(values.size());
}

// Tokens per second of steps that took `ms` milliseconds each.
double tokens_per_s(const std::vector<double>& ms) {
  const double mean = mean_of(ms);
  return mean > 0 ? 1e3 / mean : 0.0;
}

// --versus: this model and a second one (e.g. the same weights in int4 against int8), opened
// with the same flags, each prefill the prompt, then decode greedily in turns, one token each,
// so that both rates come from the same minutes of a drifting machine.
struct Versus {
  double main_tokens_per_s = 0.0, versus_tokens_per_s = 0.0;
};

Versus run_versus(griffin_model* model, const griffin_session_options& session_options,
                  const Options& o, const std::vector<int32_t>& prompt, size_t vocab) {
  ModelFlags flags = o.model;
  flags.max_batch = 0;
  ModelPtr other = open_model(o.versus_path, flags);
  const size_t other_vocab = static_cast<size_t>(model_info(other.get()).vocab_size);
  if (other_vocab != vocab) {
    throw ToolError("--versus: " + o.versus_path + " has a vocabulary of " +
                    std::to_string(other_vocab) + " tokens and " + o.model_path + " of " +
                    std::to_string(vocab) + ": the same prompt cannot run on both");
  }
  SessionPtr mine = create_session(model, session_options);
  SessionPtr theirs = create_session(other.get(), session_options);
  for (griffin_session* session : {mine.get(), theirs.get()}) {
    check(griffin_session_prefill(session, prompt.data(), prompt.size(), nullptr, 0),
          "prefill failed", session);
  }
  std::vector<double> mine_ms(static_cast<size_t>(o.decode_tokens));
  std::vector<double> theirs_ms(mine_ms.size());
  time_interleaved_decode(mine.get(), theirs.get(), vocab, mine_ms, theirs_ms);
  return {tokens_per_s(mine_ms), tokens_per_s(theirs_ms)};
}

// The measured run: prefill `prompt`, then `decode_tokens` greedy steps.
Result run(griffin_session* session, const std::vector<int32_t>& prompt, int32_t decode_tokens,
           size_t vocab, BandwidthProbe* probe) {
  Result result;
  result.step_ms.assign(static_cast<size_t>(decode_tokens), 0.0);  // allocated before timing
  result.probe_gbs.reserve(kProbePasses + 2);
  result.model_file_gbs.reserve(kProbePasses + 2);
  const Clock::time_point prefill_start = Clock::now();
  check(griffin_session_prefill(session, prompt.data(), prompt.size(), nullptr, 0),
        "prefill failed", session);
  result.prefill_seconds = seconds_between(prefill_start, Clock::now());

  const uint64_t allocations_before = operator_new_calls();
  result.decode_seconds = time_greedy_decode(session, vocab, result.step_ms, probe,
                                             result.probe_gbs, result.model_file_gbs);
  result.decode_allocations = operator_new_calls() - allocations_before;
  return result;
}

// --positions: decode time per token at growing positions of one session. The session is
// prefilled up to each position (ids cycling through the vocabulary, as the prompt), then
// decodes `decode_tokens` greedily; the next position continues from there, so a sweep to
// 16k prefills 16k tokens once, not once per position. A fork of the session made at the
// first position (the reference) decodes in turns with it at every position, so each point
// also has its time relative to the first position's, measured side by side.
struct PositionPoint {
  int64_t position = 0;
  double ms_per_token = 0.0, ms_p50 = 0.0;
  double reference_ms_per_token = 0.0;  // the fork near the first position, interleaved
  uint64_t planned_session_bytes = 0;   // the plan at max_context = position + decode_tokens
};

std::vector<PositionPoint> run_positions(griffin_model* model,
                                         griffin_session_options session_options, const Options& o,
                                         size_t vocab, int32_t bos_id) {
  const int64_t last = o.positions.back();
  session_options.max_context = static_cast<int32_t>(last + o.decode_tokens);
  SessionPtr session = create_session(model, session_options);
  SessionPtr reference;
  std::vector<PositionPoint> points;
  std::vector<int32_t> tokens;
  std::vector<double> step_ms(static_cast<size_t>(o.decode_tokens));
  std::vector<double> reference_ms(step_ms.size());
  int64_t position = 0;
  for (int64_t target : o.positions) {
    tokens.clear();
    for (int64_t i = position; i < target; ++i) {
      tokens.push_back(i == 0 && bos_id >= 0 ? bos_id : static_cast<int32_t>(i % vocab));
    }
    const Clock::time_point prefill_start = Clock::now();
    check(griffin_session_prefill(session.get(), tokens.data(), tokens.size(), nullptr, 0),
          "prefill failed", session.get());
    const double prefill_seconds = seconds_between(prefill_start, Clock::now());
    std::fprintf(stderr,
                 "griffin-bench: position %lld reached (%zu tokens prefilled, %.1f tokens/s)\n",
                 static_cast<long long>(target), tokens.size(),
                 prefill_seconds > 0 ? tokens.size() / prefill_seconds : 0.0);
    if (!reference) {
      griffin_session* copy = nullptr;
      check(griffin_session_fork(session.get(), &copy), "griffin_session_fork", session.get());
      reference.reset(copy);
    }
    time_interleaved_decode(session.get(), reference.get(), vocab, step_ms, reference_ms);
    PositionPoint point;
    point.position = target;
    point.ms_per_token = mean_of(step_ms);
    point.reference_ms_per_token = mean_of(reference_ms);
    std::vector<double> sorted = step_ms;
    std::sort(sorted.begin(), sorted.end());
    point.ms_p50 = percentile(sorted, 0.5);
    griffin_session_options at_position = session_options;
    at_position.max_context = static_cast<int32_t>(target + o.decode_tokens);
    griffin_memory_plan plan;
    plan.struct_size = sizeof plan;
    check(griffin_model_memory_plan(model, &at_position, &plan), "griffin_model_memory_plan");
    point.planned_session_bytes = plan.session_bytes;
    points.push_back(point);
    position = target + o.decode_tokens;
  }
  return points;
}

// --roofline's compute peaks, each the best of a few runs on the bench's threads.
struct ComputePeaks {
  PeakSequence f32_sequence, int8_sequence, int16_sequence;  // int16: none (no loop) off x86
  PeakSequence int4_sequence;  // its own loop on AVX2 only; elsewhere int8_sequence's
  double f32 = 0.0, int8 = 0.0, int16 = 0.0, int4 = 0.0;
  bool int4_own_sequence() const { return int4_sequence.loop != int8_sequence.loop; }
};

ComputePeaks measure_compute_peaks(const griffin_model* model, int threads) {
  const char* kernels = "";
  griffin_model_kernels(model, &kernels);
  ComputePeaks peaks;
  peaks.f32_sequence = f32_fma_sequence(family_isa(kernels, "f32-bf16w-gemm"));
  peaks.int8_sequence = int8_dot_sequence(family_isa(kernels, "qd8-qs4w-gemm"));
  peaks.int16_sequence = int16_dot_sequence(family_isa(kernels, "f32-qs8w-gemm"));
  peaks.int4_sequence = int4_dot_sequence(family_isa(kernels, "qd8-qs4w-gemm"));
  peaks.f32 = measure_peak_gmacs_per_s(peaks.f32_sequence, threads);
  peaks.int8 = measure_peak_gmacs_per_s(peaks.int8_sequence, threads);
  peaks.int4 = peaks.int4_own_sequence() ? measure_peak_gmacs_per_s(peaks.int4_sequence, threads)
                                         : peaks.int8;
  if (peaks.int16_sequence.loop != nullptr) {
    peaks.int16 = measure_peak_gmacs_per_s(peaks.int16_sequence, threads);
  }
  return peaks;
}

// --roofline: the machine's roofs on as many threads as the model, and the run as fractions of
// them. The compute peaks are measured twice, just before the model's run and after it, and
// each roof is the higher of the two: a shared host's cores drift (on one 2-vCPU VM the int8
// dot peak of two threads read 270 or 460 GMAC/s from one minute to the next), and a roof
// caught in a slow moment made a run look closer to it than it was. The read bandwidth that
// decode is held against is measured among the decode steps (BandwidthProbe: the median of its
// passes), so both come from the same seconds; a best of five passes after the run is reported
// beside it (the only one when nothing is decoded). Beside those, decode is also held against
// one pass over the model file's own pages at each probe point (their median): as many bytes as
// a token reads, where the probe's buffer is 512 MiB (BandwidthProbe).
struct Roofline {
  double read_bandwidth_gbs = 0.0;         // what decode_bandwidth_fraction divides by
  const char* read_bandwidth_source = "";  // "during_decode" or "after_run"
  std::vector<double> during_decode_gbs;   // the probe's passes, in order
  std::vector<double> model_file_gbs;      // its passes over the model file, in order
  double model_file_read_gbs = 0.0;        // their median (0: none, or the file unmapped)
  double decode_model_file_fraction = 0.0;
  double after_run_gbs = 0.0;
  double after_run_fraction = 0.0;
  bool read_huge_pages = false;  // the bandwidth buffer advised for 2 MB pages (--huge-pages)
  double decode_bandwidth_fraction = 0.0;
  double prefill_macs_per_token = 0.0;
  double prefill_gmacs = 0.0;
  ComputePeaks before_run, after_run;  // the two measurements
  ComputePeaks peaks;                  // each the higher of the two: the roofs
  // "f32_fma", "int16_dot", "int8_dot" or "int4_dot": the roof of the matrices' kernels
  const char* prefill_roof = "";
  double prefill_roof_gmacs = 0.0;
  double prefill_roof_fraction = 0.0;
};

Roofline measure_roofline(const griffin_model* model, const griffin_model_info& info,
                          const griffin_memory_plan& plan, const ComputePeaks& before_run,
                          int32_t prompt_tokens, double prefill_rate, double decode_rate,
                          const std::vector<double>& during_decode_gbs,
                          const std::vector<double>& model_file_gbs, bool huge_pages) {
  const char* kernels = "";
  const char* recipe = "";
  griffin_model_kernels(model, &kernels);
  griffin_model_dtype_recipe(model, &recipe);
  Roofline r;
  const auto fraction_of = [&](double gbs) {
    return gbs > 0 ? plan.weights_streamed_bytes * decode_rate / (gbs * 1e9) : 0.0;
  };
  r.after_run_gbs = measure_read_bandwidth_gb_per_s(info.num_threads, huge_pages);
  r.after_run_fraction = fraction_of(r.after_run_gbs);
  r.during_decode_gbs = during_decode_gbs;
  r.model_file_gbs = model_file_gbs;
  const auto median = [](std::vector<double> sorted) {
    std::sort(sorted.begin(), sorted.end());
    const size_t n = sorted.size();
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  };
  if (decode_rate > 0 && !model_file_gbs.empty()) {
    r.model_file_read_gbs = median(model_file_gbs);
    r.decode_model_file_fraction = fraction_of(r.model_file_read_gbs);
  }
  if (decode_rate > 0 && !during_decode_gbs.empty()) {
    r.read_bandwidth_gbs = median(during_decode_gbs);
    r.read_bandwidth_source = "during_decode";
  } else {
    r.read_bandwidth_gbs = r.after_run_gbs;
    r.read_bandwidth_source = "after_run";
  }
  r.read_huge_pages = huge_pages;
  r.decode_bandwidth_fraction = fraction_of(r.read_bandwidth_gbs);
  r.prefill_macs_per_token = prefill_macs_per_token(info, prompt_tokens);
  r.prefill_gmacs = r.prefill_macs_per_token * prefill_rate / 1e9;
  r.before_run = before_run;
  r.after_run = measure_compute_peaks(model, info.num_threads);
  r.peaks = r.after_run;
  r.peaks.f32 = std::max(before_run.f32, r.after_run.f32);
  r.peaks.int8 = std::max(before_run.int8, r.after_run.int8);
  r.peaks.int16 = std::max(before_run.int16, r.after_run.int16);
  r.peaks.int4 = std::max(before_run.int4, r.after_run.int4);
  // The matrices run on int8 dot products when they are int4, or int8 with int8 activations
  // (qd8-* kernels); on int16 dot products when they are int8 with f32 activations on x86
  // (f32-qs8w rounds them to int16); otherwise on f32 FMAs. int4 on AVX2 runs a dot of its own
  // (int4_dot_sequence), and is held against that.
  const std::string matrices = recipe;
  const bool int8_matrices = matrices.find("matrices=int8") != std::string::npos;
  const bool int4_matrices = matrices.find("matrices=int4") != std::string::npos;
  const bool integer =
      int4_matrices ||
      (int8_matrices && std::string(kernels).find("qd8-qs8w-gemm") != std::string::npos);
  const bool int16 = !integer && int8_matrices && r.peaks.int16_sequence.loop != nullptr;
  const bool int4 = int4_matrices && r.peaks.int4_own_sequence();
  r.prefill_roof = int4 ? "int4_dot" : integer ? "int8_dot" : int16 ? "int16_dot" : "f32_fma";
  r.prefill_roof_gmacs = int4      ? r.peaks.int4
                         : integer ? r.peaks.int8
                         : int16   ? r.peaks.int16
                                   : r.peaks.f32;
  r.prefill_roof_fraction = r.prefill_roof_gmacs > 0 ? r.prefill_gmacs / r.prefill_roof_gmacs : 0.0;
  return r;
}

void add_roofline(const Roofline& r, nlohmann::json& out) {
  out["read_bandwidth_gb_per_s"] = r.read_bandwidth_gbs;
  out["read_bandwidth_source"] = r.read_bandwidth_source;
  out["read_bandwidth_during_decode_gb_per_s"] = r.during_decode_gbs;
  out["read_bandwidth_after_run_gb_per_s"] = r.after_run_gbs;
  out["read_bandwidth_huge_pages"] = r.read_huge_pages;
  out["decode_bandwidth_fraction"] = r.decode_bandwidth_fraction;
  out["decode_bandwidth_fraction_after_run"] = r.after_run_fraction;
  out["model_file_read_during_decode_gb_per_s"] = r.model_file_gbs;
  out["model_file_read_gb_per_s"] = r.model_file_read_gbs;
  out["decode_model_file_read_fraction"] = r.decode_model_file_fraction;
  out["prefill_macs_per_token"] = r.prefill_macs_per_token;
  out["prefill_gmacs_per_s"] = r.prefill_gmacs;
  out["peak_f32_fma_gmacs_per_s"] = r.peaks.f32;
  out["peak_f32_fma_sequence"] = r.peaks.f32_sequence.name;
  out["peak_int8_dot_gmacs_per_s"] = r.peaks.int8;
  out["peak_int8_dot_sequence"] = r.peaks.int8_sequence.name;
  out["peak_int16_dot_gmacs_per_s"] = r.peaks.int16;  // 0 and "" where no kernel has it
  out["peak_int16_dot_sequence"] = r.peaks.int16_sequence.name;
  out["peak_int4_dot_gmacs_per_s"] = r.peaks.int4;  // the int8 dot's where int4 runs that
  out["peak_int4_dot_sequence"] = r.peaks.int4_sequence.name;
  // The two measurements each peak above is the higher of.
  for (const auto& [key, peaks] :
       {std::pair<const char*, const ComputePeaks&>{"before_run", r.before_run},
        {"after_run", r.after_run}}) {
    out["peak_passes"][key] = {{"peak_f32_fma_gmacs_per_s", peaks.f32},
                               {"peak_int8_dot_gmacs_per_s", peaks.int8},
                               {"peak_int16_dot_gmacs_per_s", peaks.int16},
                               {"peak_int4_dot_gmacs_per_s", peaks.int4}};
  }
  out["prefill_roof"] = r.prefill_roof;
  out["prefill_roof_gmacs_per_s"] = r.prefill_roof_gmacs;
  out["prefill_roof_fraction"] = r.prefill_roof_fraction;
  out["prefill_int8_roof_fraction"] = r.peaks.int8 > 0 ? r.prefill_gmacs / r.peaks.int8 : 0.0;
}

void print_roofline(const Roofline& r) {
  std::printf("roofline: read bandwidth %.2f GB/s (%s pages, %s); decode at %.2f of it\n",
              r.read_bandwidth_gbs, r.read_huge_pages ? "2 MB" : "4 KB",
              std::string(r.read_bandwidth_source) == "during_decode"
                  ? "median of passes among the decode steps"
                  : "best pass after the run",
              r.decode_bandwidth_fraction);
  if (!r.during_decode_gbs.empty()) {
    std::printf("roofline: read bandwidth passes among the decode steps:");
    for (double gbs : r.during_decode_gbs) std::printf(" %.1f", gbs);
    std::printf(" GB/s; after the run %.2f GB/s (decode at %.2f of it)\n", r.after_run_gbs,
                r.after_run_fraction);
  }
  if (r.model_file_read_gbs > 0) {
    std::printf(
        "roofline: the model file's own pages read %.2f GB/s (median of a whole pass at each "
        "probe point); decode at %.2f of it\n",
        r.model_file_read_gbs, r.decode_model_file_fraction);
  }
  std::printf("roofline: peak %.1f GMAC/s f32 FMA (%s), %.1f GMAC/s int8 dot (%s)", r.peaks.f32,
              r.peaks.f32_sequence.name, r.peaks.int8, r.peaks.int8_sequence.name);
  if (r.peaks.int16_sequence.loop != nullptr) {
    std::printf(", %.1f GMAC/s int16 dot (%s)", r.peaks.int16, r.peaks.int16_sequence.name);
  }
  if (r.peaks.int4_own_sequence()) {
    std::printf(", %.1f GMAC/s int4 dot (%s)", r.peaks.int4, r.peaks.int4_sequence.name);
  }
  std::printf("\n");
  std::printf(
      "roofline: each peak the higher of two passes, before the run / after it: f32 FMA "
      "%.1f / %.1f, int8 dot %.1f / %.1f",
      r.before_run.f32, r.after_run.f32, r.before_run.int8, r.after_run.int8);
  if (r.peaks.int16_sequence.loop != nullptr) {
    std::printf(", int16 dot %.1f / %.1f", r.before_run.int16, r.after_run.int16);
  }
  if (r.peaks.int4_own_sequence()) {
    std::printf(", int4 dot %.1f / %.1f", r.before_run.int4, r.after_run.int4);
  }
  std::printf(" GMAC/s\n");
  std::printf("roofline: prefill %.1f GMAC/s (%.3g MAC/token): %.2f of the %s roof\n",
              r.prefill_gmacs, r.prefill_macs_per_token, r.prefill_roof_fraction, r.prefill_roof);
}

int bench(int argc, char** argv) {
  Options o;
  CLI::App app{"griffin-bench: prefill/decode speed and peak memory of a .griffin model",
               "griffin-bench"};
  app.add_option("-m,--model", o.model_path, ".griffin model file")->required();
  app.add_option("--prompt-tokens", o.prompt_tokens,
                 "prompt length: BOS, then ids cycling through the vocabulary")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 24));
  app.add_option("--decode-tokens", o.decode_tokens, "tokens decoded greedily after the prompt")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 24));
  add_model_flags(app, o.model);
  app.add_option("--chunk", o.chunk, "prompt tokens per prefill step; 0 = 64")
      ->capture_default_str()
      ->check(CLI::Range(0, 65536));
  app.add_flag("--json", o.json, "print one JSON object");
  app.add_flag("--roofline", o.roofline,
               "also measure this machine's read bandwidth and peak MAC rates on the same "
               "threads, and report the runs as fractions of them");
  app.add_option("--batch", o.batch,
                 "also decode this many sessions together with griffin_batch_decode and report "
                 "their tokens/s (batch_*)")
      ->check(CLI::Range(0, 4096));
  app.add_option("--sessions", o.sessions,
                 "also decode this many sessions on as many threads and report their tokens/s "
                 "against the single session's (sessions_*)")
      ->check(CLI::Range(0, 256));
  app.add_option("--positions", o.positions,
                 "also time --decode-tokens decode steps at each of these positions of one "
                 "session (comma-separated, increasing, at least --decode-tokens apart; "
                 "positions_* in --json)")
      ->delimiter(',')
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 24));
  app.add_option("--versus", o.versus_path,
                 "also open this second .griffin model with the same flags and decode the two in "
                 "turns, a token each, after the same prompt; report both rates and their ratio "
                 "(versus_*). Implies --sleep-between-steps for both models");
  CLI11_PARSE(app, argc, argv);
  for (size_t i = 1; i < o.positions.size(); ++i) {
    if (o.positions[i] < o.positions[i - 1] + o.decode_tokens) {
      throw ToolError("--positions must increase by at least --decode-tokens (" +
                      std::to_string(o.decode_tokens) + "): " + std::to_string(o.positions[i - 1]) +
                      " then " + std::to_string(o.positions[i]));
    }
  }
  if (!o.positions.empty() && o.decode_tokens == 0) {
    throw ToolError("--positions needs --decode-tokens of at least 1");
  }
  if (!o.versus_path.empty() && o.decode_tokens == 0) {
    throw ToolError("--versus needs --decode-tokens of at least 1");
  }

  o.model.max_batch = o.batch;
  // Two models decoding in turns: each one's threads must not spin while the other decodes.
  if (!o.versus_path.empty()) o.model.sleep_between_steps = true;
  // --roofline: the bandwidth probe forks now, before the model's threads exist.
  const std::unique_ptr<BandwidthProbe> probe =
      o.roofline ? BandwidthProbe::start(o.model.threads, o.model.huge_pages, o.model_path)
                 : nullptr;
  const Clock::time_point open_start = Clock::now();
  ModelPtr model = open_model(o.model_path, o.model);
  const double open_seconds = seconds_between(open_start, Clock::now());
  const griffin_model_info info = model_info(model.get());
  const size_t vocab = static_cast<size_t>(info.vocab_size);
  std::error_code error;
  const uintmax_t file_bytes = std::filesystem::file_size(o.model_path, error);

  std::vector<int32_t> prompt(static_cast<size_t>(o.prompt_tokens));
  for (size_t i = 0; i < prompt.size(); ++i) prompt[i] = static_cast<int32_t>(i % vocab);
  if (info.bos_id >= 0 && static_cast<size_t>(info.bos_id) < vocab) prompt[0] = info.bos_id;

  griffin_session_options session_options = griffin_session_default_options();
  session_options.prefill_chunk = o.chunk;
  // Warm-up (first touch of weights and buffers): a few prompt tokens and one decode, then
  // back to position 0. The context must hold it on a global-attention model.
  const std::vector<int32_t> warmup(prompt.begin(),
                                    prompt.begin() + std::min<size_t>(8, prompt.size()));
  // --roofline adds up to kMaxSettleSteps untimed decode steps.
  const int64_t settle_steps = o.roofline ? static_cast<int64_t>(kMaxSettleSteps) : 0;
  const int64_t context =
      std::max<int64_t>(int64_t{o.prompt_tokens} + o.decode_tokens + settle_steps,
                        static_cast<int64_t>(warmup.size()) + 1);
  session_options.max_context = static_cast<int32_t>(std::min<int64_t>(context, 1 << 24));
  SessionPtr session = create_session(model.get(), session_options);

  check(griffin_session_prefill(session.get(), warmup.data(), warmup.size(), nullptr, 0),
        "warm-up prefill failed", session.get());
  check(griffin_session_decode(session.get(), prompt[0], nullptr), "warm-up decode failed",
        session.get());
  check(griffin_session_reset(session.get()), "griffin_session_reset", session.get());

  // What the runtime planned and what it reports using, next to the measured peak RSS.
  griffin_memory_plan plan;
  plan.struct_size = sizeof plan;
  check(griffin_model_memory_plan(model.get(), &session_options, &plan),
        "griffin_model_memory_plan");
  griffin_memory_usage usage;
  usage.struct_size = sizeof usage;
  check(griffin_memory_usage_get(model.get(), session.get(), &usage), "griffin_memory_usage_get");

  // --roofline: the compute peaks just before the run too (measure_roofline takes the higher).
  if (probe != nullptr) probe->wait_ready();
  const ComputePeaks peaks_before_run =
      o.roofline ? measure_compute_peaks(model.get(), info.num_threads) : ComputePeaks{};
  Result r = run(session.get(), prompt, o.decode_tokens, vocab, probe.get());
  std::vector<double> sorted = r.step_ms;
  std::sort(sorted.begin(), sorted.end());
  const double n_prompt = o.prompt_tokens, n_decode = o.decode_tokens;
  const double prefill_rate = r.prefill_seconds > 0 ? n_prompt / r.prefill_seconds : 0.0;
  const double decode_rate = r.decode_seconds > 0 ? n_decode / r.decode_seconds : 0.0;
  const double ms_per_token = n_decode > 0 ? r.decode_seconds * 1e3 / n_decode : 0.0;
  const double p50 = percentile(sorted, 0.5), p90 = percentile(sorted, 0.9);
  const uint64_t peak_rss = peak_rss_bytes();
  const char* kernels = "";
  const char* recipe = "";
  griffin_model_kernels(model.get(), &kernels);
  griffin_model_dtype_recipe(model.get(), &recipe);
  // Decode reads every weight once per token: bytes read / time per token is the achieved
  // weight-read bandwidth, to compare with the device's memory bandwidth (the speed floor).
  const double bandwidth_gbs =
      r.decode_seconds > 0 ? plan.weights_streamed_bytes * n_decode / r.decode_seconds / 1e9 : 0.0;

  const Roofline roof = o.roofline
                            ? measure_roofline(model.get(), info, plan, peaks_before_run,
                                               o.prompt_tokens, prefill_rate, decode_rate,
                                               r.probe_gbs, r.model_file_gbs, o.model.huge_pages)
                            : Roofline{};

  // The multi-session modes, after the single session's run (same prompt, same steps).
  MultiResult batched, threaded, in_turns;
  if (o.batch > 0) {
    batched = run_batched(model.get(), session_options, prompt, o.decode_tokens,
                          static_cast<size_t>(o.batch));
  }
  if (o.sessions > 0) {
    if (info.num_threads > 1) {
      std::fprintf(stderr,
                   "griffin-bench: --sessions with %d matrix threads: the sessions take turns on "
                   "the model's one pool of %d threads; --threads 1 gives each session its own "
                   "thread\n",
                   info.num_threads, info.num_threads);
    }
    threaded = run_threads(model.get(), session_options, prompt, o.decode_tokens,
                           static_cast<size_t>(o.sessions));
    in_turns = run_threads_in_turns(model.get(), session_options, prompt, o.decode_tokens,
                                    static_cast<size_t>(o.sessions));
  }
  const std::vector<PositionPoint> points =
      o.positions.empty() ? std::vector<PositionPoint>{}
                          : run_positions(model.get(), session_options, o, vocab, info.bos_id);
  const Versus versus =
      o.versus_path.empty() ? Versus{} : run_versus(model.get(), session_options, o, prompt, vocab);
  const double versus_ratio =
      versus.main_tokens_per_s > 0 ? versus.versus_tokens_per_s / versus.main_tokens_per_s : 0.0;

  if (o.json) {
    nlohmann::json out;
    out["model"] = o.model_path;
    out["model_file_bytes"] = file_bytes;
    out["threads"] = info.num_threads;
    out["prefill_chunk"] = o.chunk == 0 ? 64 : o.chunk;
    out["layers"] = info.depth;
    out["vocab_size"] = info.vocab_size;
    out["prompt_tokens"] = o.prompt_tokens;
    out["prefill_seconds"] = r.prefill_seconds;
    out["open_seconds"] = open_seconds;
    out["prefill_tokens_per_s"] = prefill_rate;
    out["decode_tokens"] = o.decode_tokens;
    out["decode_seconds"] = r.decode_seconds;
    out["decode_tokens_per_s"] = decode_rate;
    out["decode_ms_per_token"] = ms_per_token;
    out["decode_ms_p50"] = p50;
    out["decode_ms_p90"] = p90;
    out["decode_heap_allocations"] = r.decode_allocations;
    out["peak_rss_bytes"] = peak_rss;
    out["planned_model_bytes"] = plan.model_bytes;
    out["planned_session_bytes"] = plan.session_bytes;
    out["planned_total_bytes"] = plan.total_bytes;
    out["weights_mapped_bytes"] = plan.weights_mapped_bytes;
    out["huge_pages"] = o.model.huge_pages;
    out["sleep_between_steps"] = o.model.sleep_between_steps;
    out["activation_scale"] = o.model.per_token_activation_scales      ? "per_token"
                              : o.model.power_of_two_activation_scales ? "power_of_two"
                                                                       : "per_group";
    out["weights_huge_page_bytes"] = info.weights_huge_page_bytes;
    out["repack_weights"] = o.model.repack_weights;
    out["weights_repacked_bytes"] = info.weights_repacked_bytes;
    out["xnnpack_bytes"] = usage.xnnpack_bytes;
    out["weights_streamed_bytes"] = plan.weights_streamed_bytes;
    out["weight_read_gb_per_s"] = bandwidth_gbs;
    out["dtype_recipe"] = recipe;
    out["kernels"] = kernels;
    out["session_bytes"] = usage.session_bytes;
    if (o.roofline) add_roofline(roof, out);
    if (o.batch > 0) {
      out["batch"] = o.batch;
      out["batch_decode_tokens_per_s"] = batched.tokens_per_s;
      out["batch_ms_per_step"] = batched.ms_per_step;
      out["batch_speedup"] = decode_rate > 0 ? batched.tokens_per_s / decode_rate : 0.0;
      out["batch_lone_tokens_per_s"] = batched.lone_tokens_per_s;
      out["batch_interleaved_speedup"] =
          batched.lone_tokens_per_s > 0 ? batched.tokens_per_s / batched.lone_tokens_per_s : 0.0;
    }
    if (o.sessions > 0) {
      out["sessions"] = o.sessions;
      out["sessions_decode_tokens_per_s"] = threaded.tokens_per_s;
      out["sessions_speedup"] = decode_rate > 0 ? threaded.tokens_per_s / decode_rate : 0.0;
      out["sessions_in_turns_tokens_per_s"] = in_turns.tokens_per_s;
      out["sessions_lone_tokens_per_s"] = in_turns.lone_tokens_per_s;
      out["sessions_interleaved_speedup"] =
          in_turns.lone_tokens_per_s > 0 ? in_turns.tokens_per_s / in_turns.lone_tokens_per_s : 0.0;
    }
    if (!o.versus_path.empty()) {
      out["versus_model"] = o.versus_path;
      out["versus_tokens_per_s"] = versus.versus_tokens_per_s;
      out["versus_main_tokens_per_s"] = versus.main_tokens_per_s;
      out["versus_speedup"] = versus_ratio;
    }
    if (!points.empty()) {
      nlohmann::json sweep = nlohmann::json::array();
      for (const PositionPoint& point : points) {
        sweep.push_back(
            {{"position", point.position},
             {"decode_ms_per_token", point.ms_per_token},
             {"decode_ms_p50", point.ms_p50},
             {"reference_ms_per_token", point.reference_ms_per_token},
             {"relative_to_first", point.reference_ms_per_token > 0
                                       ? point.ms_per_token / point.reference_ms_per_token
                                       : 0.0},
             {"planned_session_bytes", point.planned_session_bytes}});
      }
      out["positions"] = sweep;
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("model: %s (%.1f MB), %d layers, width %d, vocab %d, %d thread%s, opened in %.2f s\n",
              o.model_path.c_str(), static_cast<double>(file_bytes) / 1e6, info.depth, info.width,
              info.vocab_size, info.num_threads, info.num_threads == 1 ? "" : "s", open_seconds);
  std::printf("prefill: %d tokens in %.2f ms: %.1f tokens/s (chunk %d)\n", o.prompt_tokens,
              r.prefill_seconds * 1e3, prefill_rate, o.chunk == 0 ? 64 : o.chunk);
  std::printf(
      "decode: %d tokens in %.2f ms: %.1f tokens/s; ms/token mean %.3f, p50 %.3f, p90 "
      "%.3f\n",
      o.decode_tokens, r.decode_seconds * 1e3, decode_rate, ms_per_token, p50, p90);
  std::printf("weights: %s; %.1f MB read per token: %.2f GB/s achieved\n", recipe,
              plan.weights_streamed_bytes / 1e6, bandwidth_gbs);
  std::printf("kernels: %s\n", kernels);
  std::printf("decode heap allocations: %llu\n",
              static_cast<unsigned long long>(r.decode_allocations));
  if (o.roofline) print_roofline(roof);
  if (o.batch > 0) {
    std::printf("batch decode: %d sessions, %.1f tokens/s (%.2f ms/step): %.2fx one session\n",
                o.batch, batched.tokens_per_s, batched.ms_per_step,
                decode_rate > 0 ? batched.tokens_per_s / decode_rate : 0.0);
    std::printf(
        "batch decode against one session decoding in turns with it: one session %.1f "
        "tokens/s, the batch %.2fx\n",
        batched.lone_tokens_per_s,
        batched.lone_tokens_per_s > 0 ? batched.tokens_per_s / batched.lone_tokens_per_s : 0.0);
  }
  if (o.sessions > 0) {
    std::printf("sessions on threads: %d, %.1f tokens/s together: %.2fx one session\n", o.sessions,
                threaded.tokens_per_s, decode_rate > 0 ? threaded.tokens_per_s / decode_rate : 0.0);
    std::printf(
        "sessions on threads against one session decoding in turns with them: one session %.1f "
        "tokens/s, together %.1f tokens/s: %.2fx\n",
        in_turns.lone_tokens_per_s, in_turns.tokens_per_s,
        in_turns.lone_tokens_per_s > 0 ? in_turns.tokens_per_s / in_turns.lone_tokens_per_s : 0.0);
  }
  for (const PositionPoint& point : points) {
    std::printf(
        "at position %lld: %.2f ms/token (p50 %.2f), %.3fx the first position's (interleaved), "
        "session plan %.1f MB\n",
        static_cast<long long>(point.position), point.ms_per_token, point.ms_p50,
        point.reference_ms_per_token > 0 ? point.ms_per_token / point.reference_ms_per_token : 0.0,
        static_cast<double>(point.planned_session_bytes) / 1e6);
  }
  if (!o.versus_path.empty()) {
    std::printf(
        "versus %s, decoding in turns with this model: %.2f tokens/s against this model's %.2f: "
        "%.2fx\n",
        o.versus_path.c_str(), versus.versus_tokens_per_s, versus.main_tokens_per_s, versus_ratio);
  }
  std::printf("peak RSS: %.1f MB (%llu bytes)\n", static_cast<double>(peak_rss) / 1e6,
              static_cast<unsigned long long>(peak_rss));
  std::printf(
      "memory plan: %.1f MB (model %.1f MB of which %.1f MB %s, session %.1f MB); "
      "XNNPACK allocated %.1f MB\n",
      plan.total_bytes / 1e6, plan.model_bytes / 1e6, plan.weights_mapped_bytes / 1e6,
      o.model.huge_pages ? "copied" : "mapped", plan.session_bytes / 1e6,
      usage.xnnpack_bytes / 1e6);
  if (o.model.repack_weights) {
    std::printf("repacked weights: %.1f MB of matrices%s\n", info.weights_repacked_bytes / 1e6,
                info.weights_repacked_bytes == 0
                    ? " (none: needs AVX-512 VNNI and int4 matrices, or int8 ones with "
                      "--int8-activations)"
                    : "");
  }
  if (o.model.huge_pages) {
    std::printf("huge pages: %.1f MB of the %.1f MB copy in 2 MB pages%s\n",
                info.weights_huge_page_bytes / 1e6, file_bytes / 1e6,
                info.weights_huge_page_bytes == 0
                    ? " (none granted: see /sys/kernel/mm/transparent_hugepage/enabled)"
                    : "");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return run_tool("griffin-bench", bench, argc, argv);
}
