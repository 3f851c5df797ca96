// f32-f32w-gemm (the RG-LRU gate blocks, weights as [K, N] rows): the scalar definition against
// sums in double, and every SIMD variant against the scalar one bit for bit, split anywhere and
// with any number of tokens, with the strided rows the gate blocks use (a block of a wider
// activation row, written into a block of a wider output row; weight rows padded apart).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "runtime/src/kernels/dispatch.h"

using namespace griffin;

namespace {

struct F32Problem {
  size_t m, n, k, a_stride, y_stride, w_stride;
  std::vector<float> a, w, bias;
};

F32Problem make_f32_problem(size_t m, size_t n, size_t k, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  F32Problem p{m, n, k, k + 5, n + 3, n + 2, {}, {}, {}};
  p.a.resize(m * p.a_stride);
  p.w.resize(k * p.w_stride);
  p.bias.resize(n);
  for (float& x : p.a) x = uniform(rng);
  for (float& x : p.w) x = uniform(rng);
  for (float& x : p.bias) x = uniform(rng);
  return p;
}

GemmArgs f32_args(const F32Problem& p, std::vector<float>& y) {
  GemmArgs args;
  args.m = p.m;
  args.k = p.k;
  args.a = p.a.data();
  args.a_stride = p.a_stride;
  args.w = reinterpret_cast<const uint8_t*>(p.w.data());
  args.w_row_bytes = p.w_stride * sizeof(float);
  args.bias = p.bias.data();
  y.assign(p.m * p.y_stride, -7.0f);  // the gaps between strided rows must stay untouched
  args.y = y.data();
  args.y_stride = p.y_stride;
  return args;
}

}  // namespace

TEST_CASE("f32-f32w-gemm variants match the scalar definition", "[kernels]") {
  const std::vector<GemmVariant>& variants = f32_gemm_variants();
  REQUIRE(variants.back().isa == Isa::kScalar);
  std::mt19937 rng(4321);
  const size_t shapes[][3] = {{1, 1, 1},     {1, 7, 31},    {1, 16, 32},  {2, 33, 64}, {3, 17, 100},
                              {4, 64, 256},  {5, 9, 257},   {8, 40, 256}, {7, 3, 48},  {9, 11, 130},
                              {1, 300, 256}, {13, 272, 64}, {6, 64, 16}};
  for (const auto& shape : shapes) {
    const F32Problem p = make_f32_problem(shape[0], shape[1], shape[2], rng);
    std::vector<float> reference;
    variants.back().kernel(f32_args(p, reference), 0, p.n);
    for (size_t r = 0; r < p.m; ++r) {
      for (size_t c = 0; c < p.n; ++c) {
        double sum = p.bias[c], magnitude = std::fabs(p.bias[c]);
        for (size_t k = 0; k < p.k; ++k) {
          sum += double{p.a[r * p.a_stride + k]} * p.w[k * p.w_stride + c];
          magnitude += std::fabs(p.a[r * p.a_stride + k]);
        }
        INFO("scalar m " << p.m << " n " << p.n << " k " << p.k << " at " << r << "," << c);
        REQUIRE(std::fabs(reference[r * p.y_stride + c] - sum) <= 1e-5 * magnitude + 1e-6);
      }
      for (size_t c = p.n; c < p.y_stride; ++c) REQUIRE(reference[r * p.y_stride + c] == -7.0f);
    }
    for (const GemmVariant& variant : variants) {
      if (!cpu_supports(variant.isa)) {
        WARN("skipped " << variant.name << ": this CPU has no " << isa_name(variant.isa));
        continue;
      }
      std::vector<float> y;
      const GemmArgs args = f32_args(p, y);
      variant.kernel(args, 0, p.n / 2);  // kernels must honour n_begin / n_end
      variant.kernel(args, p.n / 2, p.n);
      INFO(variant.name << " m " << p.m << " n " << p.n << " k " << p.k);
      REQUIRE(y == reference);  // the same steps in every lane: the same bits
      // Each token alone (a decode step) and the outputs in odd pieces: the same bits again.
      std::vector<float> alone;
      GemmArgs one = f32_args(p, alone);
      one.m = 1;
      for (size_t r = 0; r < p.m; ++r) {
        one.a = p.a.data() + r * p.a_stride;
        one.y = alone.data() + r * p.y_stride;
        for (size_t begin = 0; begin < p.n; begin += 7) {
          variant.kernel(one, begin, std::min(p.n, begin + 7));
        }
      }
      REQUIRE(alone == reference);
    }
  }
}
