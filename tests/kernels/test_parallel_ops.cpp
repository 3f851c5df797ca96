// The tanh loops split over the thread pool (kernels/parallel-ops.h) give the same bits as the
// scalar ops on one thread, for every split: counts below, at and around the minimum tile,
// pools of 1-3 threads and no pool, in place and out of place.
#include <pthreadpool.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "runtime/src/kernels/ops.h"
#include "runtime/src/kernels/parallel-ops.h"

using namespace griffin;

namespace {

using Pool = std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)>;

std::vector<float> random_values(size_t count, float spread, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, spread);
  std::vector<float> values(count);
  for (float& v : values) v = normal(rng);
  return values;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  // An empty vector's data() may be null, which memcmp must not get (UBSan says so).
  return a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

const size_t kCounts[] = {0, 1, 7, 2047, 2048, 2049, 4096 + 3, 30001};

}  // namespace

TEST_CASE("parallel_gelu_gate equals gelu_gate bit for bit", "[kernels][parallel-ops]") {
  for (size_t threads : {0, 1, 2, 3}) {
    Pool pool(threads ? pthreadpool_create(threads) : nullptr, pthreadpool_destroy);
    if (threads) REQUIRE(pool);
    for (size_t count : kCounts) {
      CAPTURE(threads, count);
      const std::vector<float> gate = random_values(count, 3.0f, 1 + count);
      const std::vector<float> other = random_values(count, 1.0f, 2 + count);
      std::vector<float> expected(count), out(count);
      ops::gelu_gate(count, gate.data(), other.data(), expected.data());
      ops::parallel_gelu_gate(pool.get(), count, gate.data(), other.data(), out.data());
      CHECK(same_bits(out, expected));
      std::vector<float> in_place = gate;  // out aliases gate, as the MLP calls it
      ops::parallel_gelu_gate(pool.get(), count, in_place.data(), other.data(), in_place.data());
      CHECK(same_bits(in_place, expected));
      if (count > 0) {  // and the op is the tanh GELU of §6, not a copy
        const double u = gate[0];
        const double gelu =
            0.5 * u * (1.0 + std::tanh(0.7978845608028654 * (u + 0.044715 * u * u * u)));
        CHECK(out[0] == Approx(gelu * other[0]).epsilon(1e-5).margin(1e-6));
      }
    }
  }
}

TEST_CASE("parallel_soft_cap equals soft_cap bit for bit", "[kernels][parallel-ops]") {
  for (size_t threads : {0, 2, 3}) {
    Pool pool(threads ? pthreadpool_create(threads) : nullptr, pthreadpool_destroy);
    for (size_t count : kCounts) {
      CAPTURE(threads, count);
      const std::vector<float> logits = random_values(count, 40.0f, 3 + count);
      std::vector<float> expected = logits, out = logits;
      ops::soft_cap(count, 30.0f, expected.data());
      ops::parallel_soft_cap(pool.get(), count, 30.0f, out.data());
      CHECK(same_bits(out, expected));
      for (size_t i = 0; i < count; ++i) {
        if (std::abs(out[i]) > 30.0f) FAIL("soft cap exceeded at " << i << ": " << out[i]);
      }
      if (count > 0) CHECK(out[0] == Approx(30.0 * std::tanh(logits[0] / 30.0)).epsilon(1e-6));
      std::vector<float> uncapped = logits;
      ops::parallel_soft_cap(pool.get(), count, 0.0f, uncapped.data());  // cap 0: unchanged
      CHECK(same_bits(uncapped, logits));
    }
  }
}
