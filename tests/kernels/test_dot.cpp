// ops::dot, the attention scores' q·k (§7.4): within float rounding of the sum in double for
// every length around its 8-lane blocks, and the same bits wherever the vectors sit in memory
// (so a score does not depend on how a prompt was chunked or where its buffers were placed).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "runtime/src/kernels/ops.h"

using namespace griffin;

TEST_CASE("ops::dot sums the products within float rounding, for every length", "[kernels][ops]") {
  std::mt19937 rng(17);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t count = 0; count <= 300; ++count) {
    CAPTURE(count);
    std::vector<float> a(count + 1), b(count + 1);
    for (size_t i = 0; i < count; ++i) {
      a[i] = normal(rng);
      b[i] = normal(rng);
    }
    double exact = 0.0, magnitude = 0.0;
    for (size_t i = 0; i < count; ++i) {
      exact += static_cast<double>(a[i]) * b[i];
      magnitude += std::abs(static_cast<double>(a[i]) * b[i]);
    }
    const float sum = ops::dot(count, a.data(), b.data());
    // Each product and add rounds once; at most count + 3 roundings reach any term.
    CHECK(std::abs(sum - exact) <= (count + 3) * 6e-8 * magnitude + 1e-30);
    // Shifted by one float in memory (other alignment): the same bits.
    std::vector<float> a_moved(count + 1), b_moved(count + 1);
    if (count > 0) {
      std::memcpy(a_moved.data() + 1, a.data(), count * sizeof(float));
      std::memcpy(b_moved.data() + 1, b.data(), count * sizeof(float));
    }
    const float moved = ops::dot(count, a_moved.data() + 1, b_moved.data() + 1);
    CHECK(std::memcmp(&moved, &sum, sizeof(float)) == 0);
  }
}

TEST_CASE("ops::dot of known vectors", "[kernels][ops]") {
  const float ones[20] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  float ramp[20];
  for (int i = 0; i < 20; ++i) ramp[i] = static_cast<float>(i + 1);
  CHECK(ops::dot(20, ones, ramp) == 210.0f);   // 1 + 2 + ... + 20
  CHECK(ops::dot(20, ramp, ramp) == 2870.0f);  // Σ i², exact in float
  CHECK(ops::dot(0, ones, ramp) == 0.0f);
}
