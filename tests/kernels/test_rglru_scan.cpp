// The RG-LRU scan (kernels/f32-rglru): every variant the CPU runs computes §7.3 within a few
// float roundings of the recurrence in double, resets at position 0, and computes a channel the
// same way wherever it sits and however the steps are split into calls (prefill chunking depends
// on it). Split over the thread pool by channels (kernels/parallel-ops.h), a variant gives the
// bits of one call for every split, in place (out aliasing gate_i, as the recurrent block calls
// it) and out of place.
#include <pthreadpool.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "runtime/src/kernels/dispatch.h"
#include "runtime/src/kernels/parallel-ops.h"
#include "tests/support/float_vectors.h"

using namespace griffin;
using griffin::test::normal_values;
using griffin::test::Pool;
using griffin::test::same_bits;

namespace {

// One scan problem: `rows` steps of `channels` channels, rows `stride` floats apart.
struct Scan {
  size_t rows, channels, stride;
  std::vector<float> gate_r, gate_i, v, neg_c_softplus, h;
  std::vector<int64_t> positions;

  Scan(size_t rows_, size_t channels_, size_t stride_, uint32_t seed)
      : rows(rows_), channels(channels_), stride(stride_) {
    gate_r = normal_values(rows * stride, 2.0f, seed);
    gate_i = normal_values(rows * stride, 2.0f, seed + 1);
    v = normal_values(rows * stride, 1.0f, seed + 2);
    h = normal_values(channels, 1.0f, seed + 3);
    // -8·softplus(Λ') for Λ' spread as in trained models: decays from ~0.3 to ~0.9999.
    std::mt19937 rng(seed + 4);
    std::uniform_real_distribution<float> uniform(-9.0f, 1.0f);
    for (size_t c = 0; c < channels; ++c) {
      const float x = uniform(rng);
      neg_c_softplus.push_back(-8.0f * std::log1p(std::exp(x)));
    }
    for (size_t t = 0; t < rows; ++t) positions.push_back(t == 2 ? 0 : 10 + t);  // reset at 2
  }

  // h and out after the scan by `kernel` over channels [c0, c1) in one call.
  void run(RglruScanKernel kernel, size_t c0, size_t c1, std::vector<float>& state,
           std::vector<float>& out) const {
    kernel(rows, c1 - c0, stride, gate_r.data() + c0, gate_i.data() + c0, v.data() + c0,
           neg_c_softplus.data() + c0, positions.data(), state.data() + c0, out.data() + c0);
  }
};

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

std::vector<RglruVariant> runnable_variants() {
  std::vector<RglruVariant> variants;
  for (const RglruVariant& variant : rglru_variants()) {
    if (cpu_supports(variant.isa)) variants.push_back(variant);
  }
  return variants;
}

}  // namespace

TEST_CASE("Every RG-LRU scan variant computes §7.3", "[kernels][rglru]") {
  const Scan p(9, 39, 41, 11);  // a vector tail of 7, rows wider than the channels scanned
  for (const RglruVariant& variant : runnable_variants()) {
    CAPTURE(isa_name(variant.isa));
    std::vector<float> state = p.h, out(p.rows * p.stride, -7.0f);
    p.run(variant.scan, 0, p.channels, state, out);
    for (size_t c = 0; c < p.channels; ++c) {
      double h = p.h[c];
      for (size_t t = 0; t < p.rows; ++t) {
        const size_t at = t * p.stride + c;
        const double r = sigmoid(p.gate_r[at]), i = sigmoid(p.gate_i[at]);
        if (p.positions[t] == 0) {
          h = i * p.v[at];
        } else {
          const double a = std::exp(double{p.neg_c_softplus[c]} * r);
          h = a * h + std::sqrt(1.0 - a * a) * i * p.v[at];
        }
        CAPTURE(c, t);
        // sqrt(1 - a²) amplifies a's rounding where a is near 1; 2e-6 of the magnitudes
        // involved covers a few float roundings of each step and their sum over 9 steps.
        REQUIRE(std::abs(out[at] - h) <= 2e-6 * (std::abs(h) + 1.0));
      }
      CHECK(std::abs(state[c] - h) <= 2e-6 * (std::abs(h) + 1.0));
    }
    // The columns between `channels` and `stride` are not written.
    for (size_t t = 0; t < p.rows; ++t) {
      for (size_t c = p.channels; c < p.stride; ++c) CHECK(out[t * p.stride + c] == -7.0f);
    }
  }
}

TEST_CASE("An RG-LRU channel's bits do not depend on where it sits or on the calls' steps",
          "[kernels][rglru]") {
  const Scan p(7, 29, 29, 21);
  for (const RglruVariant& variant : runnable_variants()) {
    CAPTURE(isa_name(variant.isa));
    std::vector<float> whole_state = p.h, whole(p.rows * p.stride);
    p.run(variant.scan, 0, p.channels, whole_state, whole);
    // Each channel alone (a lone vector tail) and channel ranges starting off a multiple of 8.
    for (size_t c0 : {0, 1, 5, 9, 28}) {
      for (size_t c1 : {c0 + 1, std::min<size_t>(c0 + 11, p.channels), p.channels}) {
        if (c1 <= c0 || c1 > p.channels) continue;
        CAPTURE(c0, c1);
        std::vector<float> state = p.h, out(p.rows * p.stride);
        p.run(variant.scan, c0, c1, state, out);
        for (size_t c = c0; c < c1; ++c) {
          CHECK(std::memcmp(&state[c], &whole_state[c], sizeof(float)) == 0);
          for (size_t t = 0; t < p.rows; ++t) {
            CHECK(std::memcmp(&out[t * p.stride + c], &whole[t * p.stride + c], 4) == 0);
          }
        }
      }
    }
    // Steps in two calls (a prefill in chunks), the state carried between them.
    for (size_t first : {1, 3, 6}) {
      std::vector<float> state = p.h, out(p.rows * p.stride);
      variant.scan(first, p.channels, p.stride, p.gate_r.data(), p.gate_i.data(), p.v.data(),
                   p.neg_c_softplus.data(), p.positions.data(), state.data(), out.data());
      const size_t at = first * p.stride;
      variant.scan(p.rows - first, p.channels, p.stride, p.gate_r.data() + at, p.gate_i.data() + at,
                   p.v.data() + at, p.neg_c_softplus.data(), p.positions.data() + first,
                   state.data(), out.data() + at);
      CAPTURE(first);
      CHECK(same_bits(state, whole_state));
      CHECK(same_bits(out, whole));
    }
  }
}

TEST_CASE("parallel_rglru_scan equals one call of the variant bit for bit", "[kernels][rglru]") {
  for (const RglruVariant& variant : runnable_variants()) {
    for (size_t threads : {0, 1, 2, 3}) {
      Pool pool(threads ? pthreadpool_create(threads) : nullptr, pthreadpool_destroy);
      if (threads) REQUIRE(pool);
      for (size_t rows : {1, 3, 64}) {
        for (size_t width : {1, 8, 9, 2563}) {
          CAPTURE(isa_name(variant.isa), threads, rows, width);
          const Scan p(rows, width, width, static_cast<uint32_t>(rows * 7 + width));
          std::vector<float> expected_state = p.h, expected(rows * width);
          p.run(variant.scan, 0, width, expected_state, expected);
          std::vector<float> state = p.h, out(rows * width);
          ops::parallel_rglru_scan(pool.get(), variant.scan, rows, width, p.gate_r.data(),
                                   p.gate_i.data(), p.v.data(), p.neg_c_softplus.data(),
                                   p.positions.data(), state.data(), out.data());
          CHECK(same_bits(state, expected_state));
          CHECK(same_bits(out, expected));
          // In place, the output over gate_i, as the recurrent block runs it.
          std::vector<float> in_place = p.gate_i;
          state = p.h;
          ops::parallel_rglru_scan(pool.get(), variant.scan, rows, width, p.gate_r.data(),
                                   in_place.data(), p.v.data(), p.neg_c_softplus.data(),
                                   p.positions.data(), state.data(), in_place.data());
          CHECK(same_bits(state, expected_state));
          CHECK(same_bits(in_place, expected));
        }
      }
    }
  }
}

TEST_CASE("The vector RG-LRU scan stays within a few roundings of the scalar one",
          "[kernels][rglru]") {
  const std::vector<RglruVariant> variants = runnable_variants();
  if (variants.front().isa == Isa::kScalar) {
    WARN("only the scalar RG-LRU scan runs here: nothing to compare");
    return;
  }
  REQUIRE(variants.back().isa == Isa::kScalar);
  const Scan p(64, 2560, 2560, 31);
  std::vector<float> fast_state = p.h, fast(p.rows * p.stride);
  std::vector<float> plain_state = p.h, plain(p.rows * p.stride);
  p.run(variants.front().scan, 0, p.channels, fast_state, fast);
  p.run(variants.back().scan, 0, p.channels, plain_state, plain);
  size_t differ = 0;
  for (size_t i = 0; i < fast.size(); ++i) {
    REQUIRE(std::abs(fast[i] - plain[i]) <= 4e-6 * (std::abs(plain[i]) + 1.0));
    differ += fast[i] != plain[i];
  }
  CHECK(differ > 0);  // the two really are different code
  WARN(differ << " of " << fast.size() << " scan outputs differ from the scalar variant's bits");
}
