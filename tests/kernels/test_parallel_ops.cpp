// The tanh loops (kernels/f32-tanh): every variant the CPU runs computes the §6 GELU gate and the
// §8 soft cap within a few float roundings of the formulas in double, and computes an element
// the same way wherever it sits in the array (a one-element call equals its place in a long one:
// prefill chunking depends on it). Split over the thread pool (kernels/parallel-ops.h), a
// variant gives the bits of one call over the whole array for every split: counts below, at and
// around the minimum tile, pools of 1-3 threads and no pool, in place and out of place.
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

const size_t kCounts[] = {0, 1, 7, 2047, 2048, 2049, 4096 + 3, 30001};

std::vector<TanhVariant> runnable_variants() {
  std::vector<TanhVariant> variants;
  for (const TanhVariant& variant : tanh_variants()) {
    if (cpu_supports(variant.isa)) variants.push_back(variant);
  }
  return variants;
}

// The §6 formula in double, and how far a float evaluation may be from it: tanh within a few
// ulp of 1 near ±1 (where 1 + tanh cancels) is ~2.4e-7 of 0.5·|u|, on top of a relative 1e-6.
double gelu_gate_in_double(double u, double other) {
  return 0.5 * u * (1.0 + std::tanh(0.7978845608028654 * (u + 0.044715 * u * u * u))) * other;
}
double gelu_gate_tolerance(double u, double other, double expected) {
  return 3e-7 * std::abs(u * other) + 1e-6 * std::abs(expected) + 1e-30;
}

}  // namespace

TEST_CASE("Every tanh variant computes the GELU gate and the soft cap of §6 and §8",
          "[kernels][parallel-ops]") {
  const size_t count = 20000;
  const std::vector<float> gate = normal_values(count, 3.0f, 5);
  const std::vector<float> other = normal_values(count, 1.0f, 6);
  const std::vector<float> logits = normal_values(count, 40.0f, 7);
  for (const TanhVariant& variant : runnable_variants()) {
    CAPTURE(isa_name(variant.isa));
    std::vector<float> out(count);
    variant.gelu_gate(count, gate.data(), other.data(), out.data());
    size_t bad = 0;
    for (size_t i = 0; i < count; ++i) {
      const double expected = gelu_gate_in_double(gate[i], other[i]);
      if (std::abs(out[i] - expected) > gelu_gate_tolerance(gate[i], other[i], expected)) {
        if (bad++ < 5)
          WARN("gelu_gate[" << i << "] u=" << gate[i] << ": " << out[i] << " vs " << expected);
      }
    }
    CHECK(bad == 0);
    std::vector<float> capped = logits;
    variant.soft_cap(count, 30.0f, capped.data());
    bad = 0;
    for (size_t i = 0; i < count; ++i) {
      const double expected = 30.0 * std::tanh(static_cast<double>(logits[i]) / 30.0);
      if (std::abs(capped[i]) > 30.0f || std::abs(capped[i] - expected) > 3e-6 * 30.0) {
        if (bad++ < 5)
          WARN("soft_cap[" << i << "] x=" << logits[i] << ": " << capped[i] << " vs " << expected);
      }
    }
    CHECK(bad == 0);
    // Where an element sits does not matter: each alone (a vector tail) equals the long call.
    for (size_t i = 0; i < 64; ++i) {
      float alone = 0.0f;
      variant.gelu_gate(1, &gate[i], &other[i], &alone);
      CHECK(std::memcmp(&alone, &out[i], sizeof(float)) == 0);
      float logit = logits[i];
      variant.soft_cap(1, 30.0f, &logit);
      CHECK(std::memcmp(&logit, &capped[i], sizeof(float)) == 0);
    }
    // Saturation and zero.
    float edges[] = {0.0f, -0.0f, 1e30f, -1e30f, INFINITY, -INFINITY};
    variant.soft_cap(6, 30.0f, edges);
    CHECK(edges[0] == 0.0f);
    CHECK(edges[1] == 0.0f);
    CHECK(edges[2] == 30.0f);
    CHECK(edges[3] == -30.0f);
    CHECK(edges[4] == 30.0f);
    CHECK(edges[5] == -30.0f);
  }
}

TEST_CASE("The vector tanh variant stays within a few roundings of the scalar one",
          "[kernels][parallel-ops]") {
  const std::vector<TanhVariant> variants = runnable_variants();
  if (variants.front().isa == Isa::kScalar) {
    WARN("only the scalar tanh variant runs here: nothing to compare");
    return;
  }
  const TanhVariant& vector = variants.front();
  const TanhVariant& scalar = variants.back();
  REQUIRE(scalar.isa == Isa::kScalar);
  const size_t count = 4099;
  const std::vector<float> gate = normal_values(count, 4.0f, 8);
  const std::vector<float> other = normal_values(count, 1.0f, 9);
  std::vector<float> fast(count), plain(count);
  vector.gelu_gate(count, gate.data(), other.data(), fast.data());
  scalar.gelu_gate(count, gate.data(), other.data(), plain.data());
  size_t differ = 0;
  for (size_t i = 0; i < count; ++i) {
    CHECK(std::abs(fast[i] - plain[i]) <= 2.0 * gelu_gate_tolerance(gate[i], other[i], plain[i]));
    differ += fast[i] != plain[i];
  }
  WARN(differ << " of " << count << " GELU gates differ from the scalar variant in the last bits");
}

TEST_CASE("parallel_gelu_gate equals one call of the variant bit for bit",
          "[kernels][parallel-ops]") {
  for (const TanhVariant& variant : runnable_variants()) {
    for (size_t threads : {0, 1, 2, 3}) {
      Pool pool(threads ? pthreadpool_create(threads) : nullptr, pthreadpool_destroy);
      if (threads) REQUIRE(pool);
      for (size_t count : kCounts) {
        CAPTURE(isa_name(variant.isa), threads, count);
        const std::vector<float> gate = normal_values(count, 3.0f, 1 + count);
        const std::vector<float> other = normal_values(count, 1.0f, 2 + count);
        std::vector<float> expected(count), out(count);
        variant.gelu_gate(count, gate.data(), other.data(), expected.data());
        ops::parallel_gelu_gate(pool.get(), variant.gelu_gate, count, gate.data(), other.data(),
                                out.data());
        CHECK(same_bits(out, expected));
        std::vector<float> in_place = gate;  // out aliases gate, as the MLP calls it
        ops::parallel_gelu_gate(pool.get(), variant.gelu_gate, count, in_place.data(), other.data(),
                                in_place.data());
        CHECK(same_bits(in_place, expected));
        if (count > 0) {  // and the op is the tanh GELU of §6, not a copy
          const double want = gelu_gate_in_double(gate[0], other[0]);
          CHECK(std::abs(out[0] - want) <= gelu_gate_tolerance(gate[0], other[0], want));
        }
      }
    }
  }
}

TEST_CASE("parallel_soft_cap equals one call of the variant bit for bit",
          "[kernels][parallel-ops]") {
  for (const TanhVariant& variant : runnable_variants()) {
    for (size_t threads : {0, 2, 3}) {
      Pool pool(threads ? pthreadpool_create(threads) : nullptr, pthreadpool_destroy);
      for (size_t count : kCounts) {
        CAPTURE(isa_name(variant.isa), threads, count);
        const std::vector<float> logits = normal_values(count, 40.0f, 3 + count);
        std::vector<float> expected = logits, out = logits;
        variant.soft_cap(count, 30.0f, expected.data());
        ops::parallel_soft_cap(pool.get(), variant.soft_cap, count, 30.0f, out.data());
        CHECK(same_bits(out, expected));
        for (size_t i = 0; i < count; ++i) {
          if (std::abs(out[i]) > 30.0f) FAIL("soft cap exceeded at " << i << ": " << out[i]);
        }
        if (count > 0) CHECK(out[0] == Approx(30.0 * std::tanh(logits[0] / 30.0)).epsilon(1e-6));
        std::vector<float> uncapped = logits;
        ops::parallel_soft_cap(pool.get(), variant.soft_cap, count, 0.0f, uncapped.data());
        CHECK(same_bits(uncapped, logits));  // cap 0: unchanged
      }
    }
  }
}
