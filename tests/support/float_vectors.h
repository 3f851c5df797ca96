// Small helpers the kernel tests share: normally distributed float vectors from a seed, bitwise
// equality of float vectors, and an owning handle for a pthreadpool.
#pragma once

#include <pthreadpool.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace griffin::test {

using Pool = std::unique_ptr<pthreadpool, decltype(&pthreadpool_destroy)>;

inline std::vector<float> normal_values(size_t count, float spread, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, spread);
  std::vector<float> values(count);
  for (float& v : values) v = normal(rng);
  return values;
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  // An empty vector's data() may be null, which memcmp must not get (UBSan says so).
  return a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace griffin::test
