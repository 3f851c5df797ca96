// log softmax(row)[target] in double, the way the tests score logits (written apart from
// griffin-score's own copy, so a test does not judge the tool with the tool's code).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace griffin::test {

inline double log_softmax_at(const float* row, size_t vocab, int32_t target) {
  double max = row[0];
  for (size_t i = 1; i < vocab; ++i) max = std::max(max, static_cast<double>(row[i]));
  double sum = 0.0;
  for (size_t i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(row[i]) - max);
  return static_cast<double>(row[target]) - max - std::log(sum);
}

}  // namespace griffin::test
