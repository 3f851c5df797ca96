// ops::dot, the attention scores' q·k (§7.4): within float rounding of the sum in double for
// every length around its 8-lane blocks, and the same bits wherever the vectors sit in memory
// (so a score does not depend on how a prompt was chunked or where its buffers were placed).
// ops::scaled_dots, scaled_dots_pair, add_scaled_rows and add_scaled_rows_multi, the blocked forms
// attention runs: the same bits.
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

// The attention's blocked forms must give exactly the bits of the per-head calls they replace,
// or a token's scores would depend on how many heads a pool task took.
TEST_CASE("ops::scaled_dots and scaled_dots_pair give each row and key ops::dot's bits, scaled",
          "[kernels][ops]") {
  std::mt19937 rng(29);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t keys : {1, 2}) {
    for (size_t count : {0, 1, 7, 8, 9, 64, 255, 256, 257}) {
      for (size_t rows = 1; rows <= 11; ++rows) {
        CAPTURE(keys, count, rows);
        const size_t a_stride = count + 3, out_stride = 5;
        std::vector<float> a(rows * a_stride), k0(count), k1(count);
        for (float& v : a) v = normal(rng);
        for (float& v : k0) v = normal(rng);
        for (float& v : k1) v = normal(rng);
        const float* key_rows[2] = {k0.data(), k1.data()};
        const float scale = 0.0625f + std::abs(normal(rng));
        std::vector<float> out(rows * out_stride, -1.0f);
        if (keys == 1) {
          ops::scaled_dots(count, rows, a.data(), a_stride, k0.data(), scale, out.data(),
                           out_stride);
        } else {
          ops::scaled_dots_pair(count, rows, a.data(), a_stride, key_rows, scale, out.data(),
                                out_stride);
        }
        for (size_t r = 0; r < rows; ++r) {
          for (size_t c = 0; c < keys; ++c) {
            const float want = ops::dot(count, a.data() + r * a_stride, key_rows[c]) * scale;
            CHECK(std::memcmp(&out[r * out_stride + c], &want, sizeof(float)) == 0);
          }
          // Only the row's own slots are written.
          for (size_t i = keys; i < out_stride; ++i) CHECK(out[r * out_stride + i] == -1.0f);
        }
      }
    }
  }
}

TEST_CASE("ops::add_scaled_rows gives the bits of ops::add_scaled row after row",
          "[kernels][ops]") {
  std::mt19937 rng(31);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t count : {1, 7, 8, 9, 255, 256, 257}) {
    for (size_t rows = 1; rows <= 4; ++rows) {
      CAPTURE(count, rows);
      std::vector<std::vector<float>> x(rows, std::vector<float>(count));
      std::vector<const float*> pointers;
      std::vector<float> scales;
      for (auto& row : x) {
        for (float& v : row) v = normal(rng);
        pointers.push_back(row.data());
        scales.push_back(normal(rng));
      }
      std::vector<float> y(count);
      for (float& v : y) v = normal(rng);
      std::vector<float> want = y;
      for (size_t j = 0; j < rows; ++j) ops::add_scaled(count, scales[j], x[j].data(), want.data());
      ops::add_scaled_rows(count, rows, pointers.data(), scales.data(), y.data());
      CHECK(std::memcmp(y.data(), want.data(), count * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("ops::add_scaled_rows_multi gives each output ops::add_scaled_rows' bits",
          "[kernels][ops]") {
  std::mt19937 rng(41);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t count : {1, 7, 8, 9, 256, 257}) {
    for (size_t rows = 1; rows <= 4; ++rows) {
      for (size_t outputs = 1; outputs <= 5; ++outputs) {
        CAPTURE(count, rows, outputs);
        std::vector<std::vector<float>> x(rows, std::vector<float>(count));
        std::vector<const float*> pointers;
        for (auto& row : x) {
          for (float& v : row) v = normal(rng);
          pointers.push_back(row.data());
        }
        const size_t scales_stride = 6, y_stride = count + 2;
        std::vector<float> scales(outputs * scales_stride), y(outputs * y_stride);
        for (float& v : scales) v = normal(rng);
        for (float& v : y) v = normal(rng);
        std::vector<float> want = y;
        for (size_t o = 0; o < outputs; ++o) {
          ops::add_scaled_rows(count, rows, pointers.data(), scales.data() + o * scales_stride,
                               want.data() + o * y_stride);
        }
        ops::add_scaled_rows_multi(count, rows, pointers.data(), outputs, scales.data(),
                                   scales_stride, y.data(), y_stride);
        // Every output's bits, and the gaps between outputs untouched.
        CHECK(std::memcmp(y.data(), want.data(), y.size() * sizeof(float)) == 0);
      }
    }
  }
}

#if defined(__x86_64__)
namespace {

// The orders ops::dot and ops::add_scaled promise, one rounding at a time (volatile keeps the
// compiler from fusing or reordering): on x86 the functions run a clone built for the CPU
// (GCC's target_clones), none of them with FMA enabled, and every clone must give these bits.
// (On aarch64 GCC fuses the multiply-adds, as it always did there: no clones, no such check.)
float dot_in_order(size_t count, const float* a, const float* b) {
  float partial[8] = {};
  size_t d = 0;
  for (; d + 8 <= count; d += 8) {
    for (size_t l = 0; l < 8; ++l) {
      volatile float product = a[d + l] * b[d + l];
      partial[l] = partial[l] + product;
    }
  }
  float sum = ((partial[0] + partial[4]) + (partial[2] + partial[6])) +
              ((partial[1] + partial[5]) + (partial[3] + partial[7]));
  for (; d < count; ++d) {
    volatile float product = a[d] * b[d];
    sum = sum + product;
  }
  return sum;
}

}  // namespace

TEST_CASE("ops::dot and ops::add_scaled keep their order on this CPU's clone", "[kernels][ops]") {
  std::mt19937 rng(23);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t count : {1, 7, 8, 9, 31, 255, 256, 257, 1000}) {
    for (int round = 0; round < 20; ++round) {
      CAPTURE(count, round);
      std::vector<float> a(count), b(count), y(count);
      for (float& v : a) v = normal(rng);
      for (float& v : b) v = normal(rng);
      for (float& v : y) v = normal(rng);
      const float sum = ops::dot(count, a.data(), b.data());
      const float expected = dot_in_order(count, a.data(), b.data());
      CHECK(std::memcmp(&sum, &expected, sizeof(float)) == 0);
      const float scale = normal(rng);
      std::vector<float> want = y;
      for (size_t i = 0; i < count; ++i) {
        volatile float product = scale * a[i];
        want[i] = want[i] + product;
      }
      ops::add_scaled(count, scale, a.data(), y.data());
      CHECK(std::memcmp(y.data(), want.data(), count * sizeof(float)) == 0);
    }
  }
}
#endif  // __x86_64__
