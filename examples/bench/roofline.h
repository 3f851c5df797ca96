// griffin-bench --roofline: the machine's own roofs, measured in the same run as the model
// (examples/README.md, "griffin-bench"): the read bandwidth of `threads` threads streaming a
// buffer much larger than the last-level cache, and the peak multiply-accumulate rate of the
// inner instruction sequence of the kernel families the model runs (f32 FMA; int8 dot).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "examples/bench/peak_loops.h"

namespace griffin_tools {

// One peak loop: `iterations` rounds of independent chains of the instruction sequence on
// one thread; returns the multiply-accumulates done and the sum of its lanes (peak_loops.h).
using PeakLoop = PeakRun (*)(uint64_t iterations);

struct PeakSequence {
  const char* name = "";  // e.g. "vfmadd213ps ymm (avx2)", "vpmaddubsw+vpmaddwd+vpaddd ymm (avx2)"
  PeakLoop loop = nullptr;
};

// The sequences for the ISA a kernel family runs ("avx2", "avx512f", "avx512vnni", "neon",
// "neondot", "scalar"; the names griffin_model_kernels reports).
PeakSequence f32_fma_sequence(const std::string& isa);
PeakSequence int8_dot_sequence(const std::string& isa);
// The int8 dot of qd8-qs4w's own prefill loop: on AVX2 a group's products summed in 16 bits
// before one vpmaddwd (int4 weights are small enough), nearly half the multiplies per MAC of the
// int8 dot; on every other ISA the int8 dot itself (the same loop as int8).
PeakSequence int4_dot_sequence(const std::string& isa);
// The int16 dot of f32-qs8w's x86 variants, which round the activations of int8 weights to int16
// ("avx2", "avx512f", "avx512vnni"); elsewhere an empty name and no loop (no such kernel).
PeakSequence int16_dot_sequence(const std::string& isa);

// The ISA of `family` in a griffin_model_kernels description ("f32-bf16w-gemm avx2, ..."; of
// "qd8-qs4w-gemm avx512vnni_eight_tokens", "avx512vnni"), or "scalar" when the family is not
// listed.
std::string family_isa(const std::string& kernels, const std::string& family);

// Best of a few passes of `threads` threads (a pthreadpool, as in the runtime) reading a
// buffer of at least 512 MiB and 8 × the last-level cache, filled with distinct random words
// (a host that merges identical pages would otherwise serve it from a few physical pages).
// With `huge_pages` the buffer is advised for 2 MB pages, as the weights of a model opened with
// huge_pages are, so that decode is held against reads of the same kind.
double measure_read_bandwidth_gb_per_s(int threads, bool huge_pages);

// The read bandwidth at the decode's own moments. A shared host's bandwidth drifts (one 2-vCPU
// VM read 31-58 GB/s within minutes), so a measurement after the run can meet another moment than
// the decode's: the probe is a child process, forked before the model opens (it then has one
// thread, and its buffer, that of measure_read_bandwidth_gb_per_s, stays out of the bench's peak
// RSS), which reads its buffer on request while the bench's threads wait between decode steps.
//
// It also maps the model file (shared, read-only, populated) and reads it whole on request: the
// same bytes as a decoded token, from the pages the model reads (unless it copied its weights,
// --huge-pages), against the buffer's 512 MiB. On a 2-vCPU Zen 4 VM a 2B file's pages read as
// fast as the buffer or faster (56-67 against 44-62 GB/s at the host's fast level; docs/
// benchmarks.md, thirteenth Zen 4 session).
class BandwidthProbe {
 public:
  // Forks the child, which fills its buffer and maps `model_path` meanwhile; throws ToolError
  // when it cannot fork.
  static std::unique_ptr<BandwidthProbe> start(int threads, bool huge_pages,
                                               const std::string& model_path);
  ~BandwidthProbe();
  BandwidthProbe(const BandwidthProbe&) = delete;
  BandwidthProbe& operator=(const BandwidthProbe&) = delete;

  // Blocks until the child has filled its buffer (call it before timing anything: the fill
  // takes the cores).
  void wait_ready();
  // One request: the better of two passes over the buffer, in GB/s (the first can meet the
  // bench's threads still spinning after a step).
  double measure();
  // One pass over the model file, in GB/s; 0 when the probe could not map it.
  double measure_model_file();

 private:
  double ask(char request);
  BandwidthProbe(pid_t pid, int socket) : pid_(pid), socket_(socket) {}
  pid_t pid_;
  int socket_;  // a socket pair's end: requests out, replies in
  bool ready_ = false;
};

// Best of a few runs of `sequence` on `threads` threads at once, in GMAC/s.
double measure_peak_gmacs_per_s(const PeakSequence& sequence, int threads);

}  // namespace griffin_tools
