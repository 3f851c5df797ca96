// Every SIMD variant of every GEMM family against the scalar definition, on random shapes with
// odd sizes and tails, and the scalar definitions against sums computed here in double.
// Variants the CPU lacks are skipped with a visible warning.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "format/dtype.h"
#include "format/quant.h"
#include "runtime/src/kernels/dispatch.h"

using namespace griffin;

namespace {

struct Problem {
  size_t m, n, k, kp;
  std::vector<float> a;                   // [m, k] f32 activations
  std::vector<int8_t> aq;                 // [m, kp]
  std::vector<float> aq_scales;           // [m, kp/32]
  std::vector<int32_t> aq_group_offsets;  // [m, kp/32]
  std::vector<uint8_t> weights;           // rows of the family's format
  std::vector<uint8_t> w_scales;
  size_t w_row_bytes = 0;
  std::vector<float> bias;
  bool no_bias = false;  // the kernels get a null bias (and `bias` holds zeros for the references)
  // The activations have one scale per token (GemmArgs::aq_token_scales), from the _token
  // quantizer, or power-of-two group scales (GemmArgs::aq_power_of_two_scales), from the _pow2 one.
  bool token_scales = false;
  bool power_of_two_scales = false;
};

// How a problem's activations are scaled (the quantizer variant, and the GemmArgs flag that says
// so).
enum class Scales { kPerGroup, kPerToken, kPowerOfTwo };

// kInt8F32: int8 weights with f32 activations (f32-qs8w); kInt8: with int8 activations (qd8-qs8w).
enum class Format { kBf16, kInt8F32, kInt8, kInt4 };

Problem make_problem(Format format, size_t m, size_t n, size_t k, std::mt19937& rng,
                     Scales scales = Scales::kPerGroup) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  Problem p{m,  n,  k,  static_cast<size_t>(padded_columns(static_cast<int64_t>(k))),
            {}, {}, {}, {},
            {}, {}, 0,  {}};
  p.a.resize(m * k);
  for (float& x : p.a) x = uniform(rng);
  p.aq.resize(m * p.kp);
  p.aq_scales.resize(m * p.kp / 32);
  p.aq_group_offsets.resize(m * p.kp / 32);
  p.token_scales = scales == Scales::kPerToken;
  p.power_of_two_scales = scales == Scales::kPowerOfTwo;
  const QuantizeKernel quantize = p.token_scales ? grf_f32_qd8_quantize_token_ukernel__scalar
                                  : p.power_of_two_scales
                                      ? grf_f32_qd8_quantize_pow2_ukernel__scalar
                                      : grf_f32_qd8_quantize_ukernel__scalar;
  quantize(m, k, p.kp, p.a.data(), k, p.aq.data(), p.aq_scales.data(),
           format == Format::kInt4 ? 8 : 128, p.aq_group_offsets.data());
  p.bias.resize(n);
  for (float& b : p.bias) b = uniform(rng);
  std::vector<float> row(k);
  const DType dtype = format == Format::kInt4 ? DType::kInt4 : DType::kInt8;
  if (format == Format::kBf16) {
    p.w_row_bytes = k * 2;
    p.weights.resize(n * p.w_row_bytes);
    for (size_t i = 0; i < n * k; ++i) {
      const uint16_t bits = bf16_from_f32(uniform(rng));
      std::memcpy(p.weights.data() + 2 * i, &bits, 2);
    }
    return p;
  }
  const QuantLayout layout = quant_layout(dtype, static_cast<int64_t>(n), static_cast<int64_t>(k));
  p.w_row_bytes = layout.row_bytes;
  p.weights.resize(layout.data_bytes);
  p.w_scales.resize(layout.scales_bytes);
  const size_t scale_bytes = layout.scales_bytes / n;
  for (size_t r = 0; r < n; ++r) {
    for (float& x : row) x = uniform(rng);
    if (dtype == DType::kInt8) {
      quantize_row_int8(row.data(), static_cast<int64_t>(k),
                        reinterpret_cast<int8_t*>(p.weights.data() + r * p.w_row_bytes),
                        reinterpret_cast<float*>(p.w_scales.data() + r * scale_bytes));
    } else {
      quantize_row_int4(row.data(), static_cast<int64_t>(k), p.weights.data() + r * p.w_row_bytes,
                        reinterpret_cast<uint16_t*>(p.w_scales.data() + r * scale_bytes));
    }
  }
  return p;
}

GemmArgs args_for(const Problem& p, std::vector<float>& y) {
  GemmArgs args;
  args.m = p.m;
  args.k = p.k;
  args.kp = p.kp;
  args.a = p.a.data();
  args.a_stride = p.k;
  args.aq = p.aq.data();
  args.aq_scales = p.aq_scales.data();
  args.aq_group_offsets = p.aq_group_offsets.data();
  args.aq_token_scales = p.token_scales;
  args.aq_power_of_two_scales = p.power_of_two_scales;
  args.w = p.weights.data();
  args.w_row_bytes = p.w_row_bytes;
  args.w_scales = p.w_scales.data();
  args.bias = p.no_bias ? nullptr : p.bias.data();
  y.assign(p.m * p.n, 0.0f);
  args.y = y.data();
  args.y_stride = p.n;
  return args;
}

// Row `col` of a quantized problem's weights as f32, through the format's own dequantizer.
std::vector<float> dequantized_row(const Problem& p, DType dtype, size_t col) {
  const QuantLayout layout =
      quant_layout(dtype, static_cast<int64_t>(p.n), static_cast<int64_t>(p.k));
  std::vector<uint8_t> tensor(layout.total_bytes);
  std::memcpy(tensor.data(), p.weights.data(), p.weights.size());
  std::memcpy(tensor.data() + layout.scales_offset, p.w_scales.data(), p.w_scales.size());
  std::vector<float> w(p.k);
  dequantize_row(dtype, tensor.data(), layout, static_cast<int64_t>(col), w.data());
  return w;
}

// The value the format defines, in double: dequantized weights times (dequantized) activations.
double expected(const Problem& p, Format format, size_t row, size_t col) {
  double sum = p.bias[col];
  if (format == Format::kBf16) {
    for (size_t k = 0; k < p.k; ++k) {
      uint16_t bits;
      std::memcpy(&bits, p.weights.data() + 2 * (col * p.k + k), 2);
      sum += double{p.a[row * p.k + k]} * f32_from_bf16(bits);
    }
    return sum;
  }
  const DType dtype = format == Format::kInt4 ? DType::kInt4 : DType::kInt8;
  const std::vector<float> w = dequantized_row(p, dtype, col);
  for (size_t k = 0; k < p.k; ++k) {
    const double a = format == Format::kInt8F32 ? double{p.a[row * p.k + k]}
                                                : static_cast<double>(p.aq[row * p.kp + k]) *
                                                      p.aq_scales[row * (p.kp / 32) + k / 32];
    sum += a * w[k];
  }
  return sum;
}

// Scales::kPerToken: activations with one scale per token, which the AVX-512 VNNI prefill applies
// once per row (the scalar definition reads the per-group copies); kPowerOfTwo: power-of-two
// group scales, which it applies on the integer side. The same bounds hold.
void check_family(Format format, const std::vector<GemmVariant>& variants,
                  Scales scales = Scales::kPerGroup) {
  std::mt19937 rng(1234);
  // AVX2 int4 prefill (qd8-qs4w-avx2-prefill.h): {25, 5, 12288} runs five steps of five
  // tokens over five spans of columns; {12, 70, 2900} two steps of six over two spans, a last
  // part-block of three groups and two chunks of rows; {2, 3, 65600} is too wide for its stack
  // and takes the tiles, with integer offsets (too many groups for their offset buffer too).
  // A lone token with rows wider than kWideRowColumns (weight-rows.h) takes the AVX-512 bf16
  // panels: {1, 37, 7680} three whole panels, in blocks that end short (the rows are split 18 +
  // 19 below); {1, 19, 12317} five panels, the last ending in a step of one vector and a scalar
  // tail of 13.
  const size_t shapes[][3] = {{1, 1, 1},      {1, 7, 31},    {1, 16, 32},   {2, 33, 64},
                              {3, 17, 100},   {4, 64, 256},  {5, 9, 257},   {1, 40, 2560},
                              {7, 3, 48},     {6, 5, 15},    {9, 11, 130},  {25, 5, 12288},
                              {12, 70, 2900}, {2, 3, 65600}, {1, 37, 7680}, {1, 19, 12317}};
  for (const auto& shape : shapes) {
    const Problem p = make_problem(format, shape[0], shape[1], shape[2], rng, scales);
    std::vector<float> reference;
    const GemmArgs ref_args = args_for(p, reference);
    variants.back().kernel(ref_args, 0, p.n);  // scalar
    // The scalar definition against the double-precision value of the format.
    for (size_t r = 0; r < p.m; ++r) {
      for (size_t c = 0; c < p.n; ++c) {
        double magnitude = std::fabs(p.bias[c]);
        for (size_t k = 0; k < p.k; ++k) magnitude += std::fabs(p.a[r * p.k + k]);
        INFO("scalar m " << p.m << " n " << p.n << " k " << p.k << " at " << r << "," << c);
        REQUIRE(std::fabs(reference[r * p.n + c] - expected(p, format, r, c)) <=
                1e-5 * magnitude + 1e-6);
      }
    }
    for (const GemmVariant& variant : variants) {
      if (!cpu_supports(variant.isa)) {
        WARN("skipped " << variant.name << ": this CPU has no " << isa_name(variant.isa));
        continue;
      }
      std::vector<float> y;
      const GemmArgs args = args_for(p, y);
      // Two calls over a split range: kernels must honour n_begin / n_end.
      variant.kernel(args, 0, p.n / 2);
      variant.kernel(args, p.n / 2, p.n);
      for (size_t i = 0; i < y.size(); ++i) {
        double magnitude = 1.0;
        for (size_t k = 0; k < p.k; ++k) magnitude += std::fabs(p.a[(i / p.n) * p.k + k]);
        INFO(variant.name << " m " << p.m << " n " << p.n << " k " << p.k << " index " << i);
        REQUIRE(std::fabs(y[i] - reference[i]) <= 2e-6 * magnitude);
      }
    }
  }
}

}  // namespace

TEST_CASE("f32-bf16w-gemm variants match the scalar definition", "[kernels]") {
  check_family(Format::kBf16, bf16_gemm_variants());
}

TEST_CASE("f32-qs8w-gemm variants match the scalar definition", "[kernels]") {
  check_family(Format::kInt8F32, f32_qs8_gemm_variants());
}

TEST_CASE("qd8-qs8w-gemm variants match the scalar definition", "[kernels]") {
  check_family(Format::kInt8, qs8_gemm_variants());
}

TEST_CASE("qd8-qs4w-gemm variants match the scalar definition", "[kernels]") {
  check_family(Format::kInt4, qs4_gemm_variants());
}

TEST_CASE("qd8-qs8w-gemm variants match the scalar definition with per-token scales", "[kernels]") {
  check_family(Format::kInt8, qs8_gemm_variants(), Scales::kPerToken);
}

TEST_CASE("qd8-qs8w-gemm variants match the scalar definition with power-of-two scales",
          "[kernels]") {
  check_family(Format::kInt8, qs8_gemm_variants(), Scales::kPowerOfTwo);
}

TEST_CASE("qd8-qs4w-gemm variants match the scalar definition with per-token scales", "[kernels]") {
  check_family(Format::kInt4, qs4_gemm_variants(), Scales::kPerToken);
}

TEST_CASE("qd8-qs4w-gemm variants match the scalar definition with power-of-two scales",
          "[kernels]") {
  check_family(Format::kInt4, qs4_gemm_variants(), Scales::kPowerOfTwo);
}

TEST_CASE("Activation quantization keeps every value within half a step", "[kernels]") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
  const size_t m = 3, k = 70, kp = 96;
  std::vector<float> a(m * k);
  for (float& x : a) x = uniform(rng);
  a[5] = 0.0f;
  std::vector<int8_t> q(m * kp, 99);
  std::vector<float> scales(m * kp / 32);
  std::vector<int32_t> offsets(m * kp / 32, 12345);
  grf_f32_qd8_quantize_ukernel__scalar(m, k, kp, a.data(), k, q.data(), scales.data(), 8,
                                       offsets.data());
  for (size_t r = 0; r < m; ++r) {
    for (size_t g = 0; g < kp / 32; ++g) {
      int32_t sum = 0;
      for (size_t i = 0; i < 32; ++i) sum += q[r * kp + g * 32 + i];
      REQUIRE(offsets[r * (kp / 32) + g] == 8 * sum);  // the offset of int4 weights, bias 8
    }
    for (size_t i = 0; i < kp; ++i) {
      const float scale = scales[r * 3 + i / 32];
      if (i >= k) {
        REQUIRE(q[r * kp + i] == 0);  // padding
        continue;
      }
      REQUIRE(std::abs(int{q[r * kp + i]}) <= 127);
      REQUIRE(std::fabs(q[r * kp + i] * scale - a[r * k + i]) <= 0.5f * scale + 1e-7f);
    }
  }
}

TEST_CASE("Per-token activation quantization scales every group by the row's largest value",
          "[kernels]") {
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
  const size_t m = 3, k = 70, kp = 96, groups = 3;
  std::vector<float> a(m * k);
  for (float& x : a) x = uniform(rng);
  a[k + 40] = 9.0f;       // row 1's largest value, in its second group
  a[2 * k + 69] = -7.5f;  // row 2's, in its last (part) group
  std::vector<int8_t> q(m * kp, 99);
  std::vector<float> scales(m * groups);
  std::vector<int32_t> offsets(m * groups, 12345);
  grf_f32_qd8_quantize_token_ukernel__scalar(m, k, kp, a.data(), k, q.data(), scales.data(), 128,
                                             offsets.data());
  for (size_t r = 0; r < m; ++r) {
    float amax = 0.0f;
    for (size_t i = 0; i < k; ++i) amax = std::max(amax, std::fabs(a[r * k + i]));
    if (r == 1) REQUIRE(amax == 9.0f);
    for (size_t g = 0; g < groups; ++g) {
      REQUIRE(scales[r * groups + g] == amax / 127.0f);
      int32_t sum = 0;
      for (size_t i = 0; i < 32; ++i) sum += q[r * kp + g * 32 + i];
      REQUIRE(offsets[r * groups + g] == 128 * sum);
    }
    const float scale = amax / 127.0f;
    for (size_t i = 0; i < kp; ++i) {
      if (i >= k) {
        REQUIRE(q[r * kp + i] == 0);
        continue;
      }
      REQUIRE(std::fabs(q[r * kp + i] * scale - a[r * k + i]) <= 0.5f * scale + 1e-6f);
    }
  }
  CHECK(q[kp + 40] == 127);
  CHECK(q[2 * kp + 69] == -127);
}

TEST_CASE("Power-of-two activation quantization rounds each group's scale up to a power of two",
          "[kernels]") {
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
  const size_t m = 2, k = 200, kp = 224, groups = 7;
  std::vector<float> a(m * k);
  for (float& x : a) x = uniform(rng);
  for (size_t i = 32; i < 64; ++i) a[i] = 1e-3f * uniform(rng);  // a small group beside large ones
  for (size_t i = 64; i < 96; ++i) a[i] = 0.5f * uniform(rng);
  a[64] = 127.0f / 64.0f;  // a group whose scale is exactly 2^-6
  a[k + 100] = 1e35f;      // above 127 · 2^104: the scale stops there and the value saturates
  a[k + 101] = -1e35f;
  std::vector<int8_t> q(m * kp, 99);
  std::vector<float> scales(m * groups);
  std::vector<int32_t> offsets(m * groups, 12345);
  grf_f32_qd8_quantize_pow2_ukernel__scalar(m, k, kp, a.data(), k, q.data(), scales.data(), 8,
                                            offsets.data());
  for (size_t r = 0; r < m; ++r) {
    for (size_t g = 0; g < groups; ++g) {
      float amax = 0.0f;
      for (size_t i = g * 32; i < std::min(k, g * 32 + 32); ++i) {
        amax = std::max(amax, std::fabs(a[r * k + i]));
      }
      const float scale = scales[r * groups + g];
      INFO("row " << r << " group " << g << " amax " << amax << " scale " << scale);
      int exponent = 0;
      REQUIRE(std::frexp(scale, &exponent) == 0.5f);  // a power of two
      if (amax <= 127.0f * 0x1p104f) {
        REQUIRE(scale >= amax / 127.0f);
        REQUIRE(scale < 2.0f * amax / 127.0f);
      } else {
        REQUIRE(scale == 0x1p104f);
      }
      int32_t sum = 0;
      for (size_t i = g * 32; i < g * 32 + 32; ++i) {
        const float x = i < k ? a[r * k + i] : 0.0f;
        const int8_t value = q[r * kp + i];
        sum += value;
        if (std::fabs(x) <= 127.0f * scale) {
          REQUIRE(std::fabs(value * scale - x) <= 0.5f * scale);
        } else {
          REQUIRE(value == (x > 0 ? 127 : -128));
        }
      }
      REQUIRE(offsets[r * groups + g] == 8 * sum);
    }
  }
  CHECK(scales[1] < scales[0] / 64.0f);  // the small group keeps its own scale
  CHECK(scales[2] == 0x1p-6f);
  CHECK(q[64] == 127);
}

#if defined(__x86_64__)
namespace {

// Runs a quantizer variant and its scalar definition on the same rows and checks they give the
// same bytes, scales and offsets; returns the scales.
std::vector<float> check_same_quantization(QuantizeKernel definition, QuantizeKernel variant,
                                           size_t m, size_t k, size_t kp,
                                           const std::vector<float>& a, size_t stride,
                                           int32_t offset_bias) {
  std::vector<int8_t> expected(m * kp, 99), actual(m * kp, 77);
  std::vector<float> expected_scales(m * kp / 32), actual_scales(m * kp / 32);
  std::vector<int32_t> expected_offsets(m * kp / 32), actual_offsets(m * kp / 32, 12345);
  definition(m, k, kp, a.data(), stride, expected.data(), expected_scales.data(), offset_bias,
             expected_offsets.data());
  variant(m, k, kp, a.data(), stride, actual.data(), actual_scales.data(), offset_bias,
          actual_offsets.data());
  CHECK(actual == expected);
  CHECK(actual_scales == expected_scales);
  CHECK(actual_offsets == expected_offsets);
  return expected_scales;
}

}  // namespace

// The _token and _pow2 variants: rows of ordinary values, of values all too tiny to count, and
// with a huge first and last value (past 127 · 2^104, where power-of-two scales stop and saturate).
TEST_CASE("Per-token and power-of-two activation quantization with AVX2 give the scalar bits",
          "[kernels]") {
  if (!cpu_supports(Isa::kAvx2)) {
    WARN("skipped: this CPU has no avx2");
    return;
  }
  const std::pair<QuantizeKernel, QuantizeKernel> variants[] = {
      {grf_f32_qd8_quantize_token_ukernel__scalar, grf_f32_qd8_quantize_token_ukernel__avx2},
      {grf_f32_qd8_quantize_pow2_ukernel__scalar, grf_f32_qd8_quantize_pow2_ukernel__avx2}};
  std::mt19937 rng(12);
  std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
  for (const auto& [definition, variant] : variants) {
    for (size_t k : {1, 31, 70, 2560, 7681}) {
      const size_t m = 3, kp = (k + 31) / 32 * 32, stride = k + 3;
      std::vector<float> a(m * stride);
      for (float& x : a) x = uniform(rng);
      for (size_t i = 0; i < k; ++i) a[stride + i] = 1e-40f * static_cast<float>(i);  // all tiny
      a[2 * stride + k - 1] = 1e36f;
      if (k > 1) a[2 * stride] = -1e36f;
      INFO((definition == grf_f32_qd8_quantize_token_ukernel__scalar ? "per token" : "pow2")
           << " k " << k);
      const std::vector<float> scales =
          check_same_quantization(definition, variant, m, k, kp, a, stride, 8);
      CHECK(scales[kp / 32] == 0.0f);  // the all-tiny row counts as zero
    }
  }
}

TEST_CASE("Activation quantization with AVX2 gives the scalar definition's bits", "[kernels]") {
  if (!cpu_supports(Isa::kAvx2)) {
    WARN("skipped: this CPU has no avx2");
    return;
  }
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> uniform(-3.0f, 3.0f);
  for (size_t k : {1, 31, 32, 70, 2560, 7681}) {
    const size_t m = 3, kp = (k + 31) / 32 * 32, stride = k + 5;
    std::vector<float> a(m * stride);
    for (float& x : a) x = uniform(rng);
    for (size_t i = 0; i < std::min<size_t>(k, 32); ++i) a[stride + i] = 0.0f;  // an all-zero group
    a[2] = 1e30f;                                                               // a huge value
    a[2 * stride] = 1e-38f;  // a tiny group: 127 / 1e-38 overflows, so it counts as zero
    for (size_t i = 1; i < std::min<size_t>(k, 32); ++i) a[2 * stride + i] = 1e-40f * i;
    // Values on rounding ties: 0.5 steps of the group's scale round to even either way.
    if (k >= 64) {
      a[32] = 127.0f;
      a[33] = 0.5f;
      a[34] = -2.5f;
    }
    INFO("k " << k);
    check_same_quantization(grf_f32_qd8_quantize_ukernel__scalar,
                            grf_f32_qd8_quantize_ukernel__avx2, m, k, kp, a, stride, 128);
  }
}
#endif

// A corrupt model can feed NaN or infinite activations: each variant must still give every value
// an int8 (no undefined conversion) and offsets that are the bias times the sum of its own bytes
// (fuzz_model_buffer once found the AVX2 offsets summed from the unsaturated conversions).
TEST_CASE("Activation quantization of NaN and infinite values stays defined", "[kernels]") {
  const size_t m = 2, k = 96, kp = 96, groups = 3;
  std::vector<float> a(m * k, 0.25f);
  a[5] = std::numeric_limits<float>::quiet_NaN();
  a[40] = std::numeric_limits<float>::infinity();
  a[k + 70] = -std::numeric_limits<float>::infinity();
  a[k + 71] = std::numeric_limits<float>::quiet_NaN();
  struct Variant {
    const char* name;
    QuantizeKernel quantize;
    Scales scales;
  };
  std::vector<Variant> variants = {
      {"scalar", grf_f32_qd8_quantize_ukernel__scalar, Scales::kPerGroup},
      {"scalar per token", grf_f32_qd8_quantize_token_ukernel__scalar, Scales::kPerToken},
      {"scalar power of two", grf_f32_qd8_quantize_pow2_ukernel__scalar, Scales::kPowerOfTwo}};
#if defined(__x86_64__)
  if (cpu_supports(Isa::kAvx2)) {
    variants.push_back({"avx2", grf_f32_qd8_quantize_ukernel__avx2, Scales::kPerGroup});
    variants.push_back(
        {"avx2 per token", grf_f32_qd8_quantize_token_ukernel__avx2, Scales::kPerToken});
    variants.push_back(
        {"avx2 power of two", grf_f32_qd8_quantize_pow2_ukernel__avx2, Scales::kPowerOfTwo});
  }
#endif
  for (const Variant& variant : variants) {
    std::vector<int8_t> q(m * kp, 99);
    std::vector<float> scales(m * groups);
    std::vector<int32_t> offsets(m * groups, 12345);
    variant.quantize(m, k, kp, a.data(), k, q.data(), scales.data(), 128, offsets.data());
    INFO(variant.name);
    for (size_t g = 0; g < m * groups; ++g) {
      int32_t sum = 0;
      for (size_t i = 0; i < 32; ++i) sum += q[g * 32 + i];
      CHECK(offsets[g] == 128 * sum);
    }
    CHECK(q[40] == -128);      // infinity: scale infinite, infinity · 0 is NaN (power of two: the
                               // scale stops at 2^104, and infinity · 2^-104 is out of range)
    CHECK(q[41] == 0);         // the infinite group's finite values: x · 0 (or x · 2^-104)
    CHECK(q[k + 70] == -128);  // -infinity likewise
    CHECK(q[k + 72] == 0);
    // A finite group is untouched per group (0.25 is its largest value; as a power of two its
    // scale is 2^-8, and 0.25 / 2^-8 = 64); per token, the infinite value makes the whole row's
    // scale infinite, and 0.25 · 0 = 0.
    CHECK(q[32 * 2 + 1] == (variant.scales == Scales::kPerToken     ? 0
                            : variant.scales == Scales::kPowerOfTwo ? 64
                                                                    : 127));
  }
}

TEST_CASE("Weight quantization round trips within half a step", "[kernels][format]") {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  const int64_t k = 75;
  std::vector<float> row(k);
  for (float& x : row) x = uniform(rng);
  for (DType dtype : {DType::kInt8, DType::kInt4}) {
    const QuantLayout layout = quant_layout(dtype, 1, k);
    CHECK(layout.padded_columns == 96);
    std::vector<uint8_t> tensor(layout.total_bytes);
    if (dtype == DType::kInt8) {
      quantize_row_int8(row.data(), k, reinterpret_cast<int8_t*>(tensor.data()),
                        reinterpret_cast<float*>(tensor.data() + layout.scales_offset));
    } else {
      quantize_row_int4(row.data(), k, tensor.data(),
                        reinterpret_cast<uint16_t*>(tensor.data() + layout.scales_offset));
    }
    std::vector<float> back(k);
    dequantize_row(dtype, tensor.data(), layout, 0, back.data());
    for (int64_t i = 0; i < k; ++i) {
      // int8: step = max|row| / 127, levels -127..127: within half a step.
      // int4: the group's extreme value x maps to -8, step = |x| / 8 (f16-rounded); levels run
      // -8..7 in units of -x/8, so a value of the other sign than x beyond 7.5 steps is clamped
      // to 7 steps; everything else is within half a step.
      float bound;
      if (dtype == DType::kInt8) {
        float amax = 0;
        for (float x : row) amax = std::fmax(amax, std::fabs(x));
        bound = 0.5f * amax / 127.0f;
      } else {
        float extreme = 0;
        for (int64_t j = i / 32 * 32; j < std::min<int64_t>(k, i / 32 * 32 + 32); ++j) {
          extreme = std::fabs(row[j]) > std::fabs(extreme) ? row[j] : extreme;
        }
        const float step = std::fabs(f32_from_f16(f16_from_f32(extreme / -8.0f)));
        const bool clamped = row[i] * extreme < 0 && std::fabs(row[i]) > 7.5f * step;
        bound = clamped ? std::fabs(row[i]) - 7.0f * step : 0.5f * step * 1.001f;
      }
      INFO(dtype_name(dtype) << " element " << i);
      REQUIRE(std::fabs(back[i] - row[i]) <= bound + 1e-6f);
    }
  }
}

namespace {

// Each token of a tile must get the bits it gets alone and in a tile of any other size: tokens
// 0..m-1 run as one call, then each alone (the decode path), then as calls of 3 tokens.
void check_token_invariance(Format format, const std::vector<GemmVariant>& variants,
                            Scales scales = Scales::kPerGroup) {
  std::mt19937 rng(99);
  // 29 rows: a 16-row and an 8-row repacked block, a 1×4 tile and one row (avx512vnni); more
  // than 8 tokens take 32-row blocks first, in passes of up to 6 of nearly equal size: 70 rows of
  // 12 tokens (6 + 6 over 2 blocks, and the tiles), 41 rows of 20 tokens (5 + 5 + 5 + 5 over a
  // 32-row and an 8-row block, a row).
  // Calls of 1 and 3 tokens take the tiles and the 16-row blocks, with the same bits.
  // AVX2 int4 prefill steps: 7; 5 + 4; 7 + 6 + 6 + 6 at its widest rows for eight (12,288
  // columns); 6 + 6; 8 + 8 with a part-block.
  const size_t shapes[][3] = {{7, 13, 300}, {9, 6, 2560},   {5, 33, 64},   {25, 4, 12288},
                              {6, 29, 96},  {12, 70, 2900}, {16, 9, 2600}, {20, 41, 300}};
  for (const auto& shape : shapes) {
    const Problem p = make_problem(format, shape[0], shape[1], shape[2], rng, scales);
    for (const GemmVariant& variant : variants) {
      if (!cpu_supports(variant.isa)) {
        WARN("skipped " << variant.name << ": this CPU has no " << isa_name(variant.isa));
        continue;
      }
      std::vector<float> whole;
      variant.kernel(args_for(p, whole), 0, p.n);
      for (size_t step : {size_t{1}, size_t{3}}) {
        std::vector<float> parts(p.m * p.n), y;
        for (size_t m0 = 0; m0 < p.m; m0 += step) {
          GemmArgs args = args_for(p, y);
          args.m = std::min(step, p.m - m0);
          args.a += m0 * args.a_stride;
          args.aq += m0 * p.kp;
          args.aq_scales += m0 * (p.kp / 32);
          args.aq_group_offsets += m0 * (p.kp / 32);
          variant.kernel(args, 0, p.n);
          std::copy(y.begin(), y.begin() + args.m * p.n, parts.begin() + m0 * p.n);
        }
        INFO(variant.name << " m " << p.m << " n " << p.n << " k " << p.k << " in calls of "
                          << step);
        CHECK(parts == whole);
      }
    }
  }
}

}  // namespace

TEST_CASE("qd8-qs8w-gemm variants give a token the same bits alone and in any tile", "[kernels]") {
  check_token_invariance(Format::kInt8, qs8_gemm_variants());
}

TEST_CASE("qd8-qs4w-gemm variants give a token the same bits alone and in any tile", "[kernels]") {
  check_token_invariance(Format::kInt4, qs4_gemm_variants());
}

TEST_CASE("qd8-qs8w-gemm with per-token scales gives a token the same bits in any tile",
          "[kernels]") {
  check_token_invariance(Format::kInt8, qs8_gemm_variants(), Scales::kPerToken);
}

TEST_CASE("qd8-qs4w-gemm with per-token scales gives a token the same bits in any tile",
          "[kernels]") {
  check_token_invariance(Format::kInt4, qs4_gemm_variants(), Scales::kPerToken);
}

TEST_CASE("qd8 families with power-of-two scales give a token the same bits in any tile",
          "[kernels]") {
  check_token_invariance(Format::kInt8, qs8_gemm_variants(), Scales::kPowerOfTwo);
  check_token_invariance(Format::kInt4, qs4_gemm_variants(), Scales::kPowerOfTwo);
}

#if defined(__x86_64__)
// The AVX-512 VNNI prefill applies power-of-two scales on the integer side (qd8-vnni-rows.h):
// its outputs must be the very bits of its per-group path, which multiplies by them. 70 tokens
// of 7,680 columns run as two slabs of chain starts (64 + 6); 65,600 columns are too wide for
// them and take the per-group path itself.
TEST_CASE("AVX-512 VNNI prefill with power-of-two scales gives the per-group path's bits",
          "[kernels]") {
  if (!cpu_supports(Isa::kAvx512vnni)) {
    WARN("skipped: this CPU has no avx512vnni");
    return;
  }
  std::mt19937 rng(21);
  const size_t shapes[][3] = {{64, 35, 2560}, {70, 9, 7680}, {13, 29, 300}, {9, 5, 65600}};
  const std::pair<Format, GemmKernel> kernels[] = {
      {Format::kInt8, grf_qd8_qs8w_gemm_ukernel__avx512vnni},
      {Format::kInt4, grf_qd8_qs4w_gemm_ukernel__avx512vnni},
      {Format::kInt4, grf_qd8_qs4w_gemm_ukernel__avx512vnni_eight_tokens}};
  for (const auto& [format, kernel] : kernels) {
    for (const auto& shape : shapes) {
      const Problem p =
          make_problem(format, shape[0], shape[1], shape[2], rng, Scales::kPowerOfTwo);
      std::vector<float> integer_side, multiplied;
      kernel(args_for(p, integer_side), 0, p.n);
      GemmArgs per_group = args_for(p, multiplied);
      per_group.aq_power_of_two_scales = false;
      kernel(per_group, 0, p.n);
      INFO((format == Format::kInt8 ? "int8" : "int4")
           << " m " << p.m << " n " << p.n << " k " << p.k);
      CHECK(integer_side == multiplied);
    }
  }
}

// A model opened with repack_weights reads its int8 and int4 rows repacked once at load
// (GemmArgs::w_packed): every call, prefill or decode, of any number of tokens and any 16-row cut
// of the rows, must give the bits the kernel's prefill gives on the rows as stored. 70 rows: two
// packed blocks and 6 rows past them, as stored; 48: a block and 16 rows as stored; 2,560
// columns: a 64- and a 16-group block of groups in a 32-row block (a 16-row one takes 128).
TEST_CASE("AVX-512 VNNI integer rows repacked at load give the bits of the stored rows' prefill",
          "[kernels]") {
  if (!cpu_supports(Isa::kAvx512vnni)) {
    WARN("skipped: this CPU has no avx512vnni");
    return;
  }
  // Every AVX-512 VNNI variant: int4 has two (8- and 6-token passes), reading one layout.
  std::vector<std::pair<Format, const GemmVariant*>> variants;
  for (Format format : {Format::kInt8, Format::kInt4}) {
    for (const GemmVariant& v :
         format == Format::kInt8 ? qs8_gemm_variants() : qs4_gemm_variants()) {
      if (v.isa == Isa::kAvx512vnni) variants.emplace_back(format, &v);
    }
  }
  REQUIRE(variants.size() == 3);
  for (const auto& entry : variants) {
    const Format format = entry.first;
    const GemmVariant* variant = entry.second;
    REQUIRE(variant->repack != nullptr);
    INFO(variant->name);
    std::mt19937 rng(31);
    const size_t shapes[][3] = {{64, 70, 2560}, {13, 48, 300}, {3, 70, 7680}, {1, 96, 64}};
    for (Scales scales : {Scales::kPerGroup, Scales::kPerToken, Scales::kPowerOfTwo}) {
      for (const auto& shape : shapes) {
        const Problem p = make_problem(format, shape[0], shape[1], shape[2], rng, scales);
        std::vector<float> stored;
        variant->kernel(args_for(p, stored), 0, p.n);
        const size_t packed_rows = p.n / kRepackRows * kRepackRows, groups = p.kp / 32;
        const size_t block_bytes =
            groups * (format == Format::kInt8 ? kRepackGroupBytes : kRepackInt4GroupBytes);
        std::vector<uint8_t> storage(packed_rows / kRepackRows * block_bytes + 64);
        uint8_t* packed = storage.data() + (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64);
        for (size_t b = 0; b < packed_rows / kRepackRows; ++b) {
          const uint8_t* scales_of_block =
              format == Format::kInt4 ? p.w_scales.data() + b * kRepackRows * groups * 2 : nullptr;
          variant->repack(p.weights.data() + b * kRepackRows * p.w_row_bytes, p.w_row_bytes,
                          scales_of_block, groups, packed + b * block_bytes);
        }
        const auto run = [&](bool decode, size_t step, std::vector<size_t> cuts) {
          std::vector<float> out(p.m * p.n), y;
          for (size_t m0 = 0; m0 < p.m; m0 += step) {
            GemmArgs args = args_for(p, y);
            args.m = std::min(step, p.m - m0);
            args.aq += m0 * p.kp;
            args.aq_scales += m0 * groups;
            args.aq_group_offsets += m0 * groups;
            args.w_packed = packed;
            args.w_packed_rows = packed_rows;
            args.decode = decode;
            cuts.push_back(p.n);
            for (size_t c = 0, begin = 0; c < cuts.size(); begin = cuts[c++]) {
              variant->kernel(args, begin, cuts[c]);
            }
            cuts.pop_back();
            std::copy(y.begin(), y.begin() + args.m * p.n, out.begin() + m0 * p.n);
          }
          return out;
        };
        INFO((format == Format::kInt8 ? "int8" : "int4")
             << " m " << p.m << " n " << p.n << " k " << p.k << " scales "
             << static_cast<int>(scales));
        CHECK(run(false, p.m, {}) == stored);
        CHECK(run(false, 5, {16, 48}) == stored);
        CHECK(run(true, 1, {}) == stored);
        CHECK(run(true, 4, {16}) == stored);
        CHECK(run(true, 8, {32}) == stored);
      }
    }
  }
}

// The int4 kernel's two AVX-512 VNNI variants (32-row blocks 8 tokens a pass through the assembly
// loop, chosen on Intel, or 6 through the intrinsics) keep the same steps, so a prefill gets the
// same bits from both, with every kind of activation scale: passes of 8 and of 6 tokens, whole
// and ragged, 32-row blocks of one and of several groups' blocks (7,680 columns), and 16- and
// 8-row blocks after them (40 rows). With the test above (each variant's repacked rows give its
// stored rows' bits), a model's output does not depend on the CPU's vendor.
TEST_CASE("The int4 AVX-512 VNNI variants give the same bits", "[kernels]") {
  if (!cpu_supports(Isa::kAvx512vnni)) {
    WARN("skipped: this CPU has no avx512vnni");
    return;
  }
  std::mt19937 rng(41);
  const size_t shapes[][3] = {{64, 70, 2560}, {70, 40, 7680}, {17, 64, 300}, {9, 96, 2048}};
  for (Scales scales : {Scales::kPerGroup, Scales::kPerToken, Scales::kPowerOfTwo}) {
    for (const auto& shape : shapes) {
      const Problem p = make_problem(Format::kInt4, shape[0], shape[1], shape[2], rng, scales);
      std::vector<float> six, eight;
      grf_qd8_qs4w_gemm_ukernel__avx512vnni(args_for(p, six), 0, p.n);
      grf_qd8_qs4w_gemm_ukernel__avx512vnni_eight_tokens(args_for(p, eight), 0, p.n);
      INFO("m " << p.m << " n " << p.n << " k " << p.k << " scales " << static_cast<int>(scales));
      CHECK(six == eight);
    }
  }
}
#endif

namespace {

// With GemmArgs::decode a variant may sum in another order (avx512vnni: the stored rows' tiles
// instead of the repacked blocks of prefill). A decoded token must stay within float rounding
// of its prefilled value, and up to four decoded tokens must each get their lone bits; a larger
// batch (avx512vnni: repacked, as prefill) within float rounding of them. AVX2 int4 sums a token
// the same way everywhere: batches and prefill in the lanes of qd8-qs4w-avx2-prefill.h, a lone
// token on the stored rows with the lanes' sums (qd8-qs4w-avx2-decode.h), rows past 16,384
// columns in tiles; there every token gets its prefilled bits alone and in any batch.
constexpr size_t kBatchWithLoneBits = 4;

bool same_bits_everywhere(Format format, Isa isa) {
  return format == Format::kInt4 && isa == Isa::kAvx2;
}

void check_decode_against_prefill(Format format, const std::vector<GemmVariant>& variants,
                                  Scales scales = Scales::kPerGroup) {
  std::mt19937 rng(5);
  // AVX2 int4: batches of 2 to 6 and 8 take the prefill steps in one step, 13 as 7 + 6 and 16
  // as 8 + 8. Eight tokens of 12,288 columns fill its 120 KB buffer exactly; at 12,320 they
  // do not, and run as 4 + 4. AVX-512 VNNI int8 decode (qd8-avx512-decode.h) prepares the tokens
  // of a call in 64 KB: four of 12,000 columns do not fit and run as 2 + 2; one of 45,000
  // columns does not fit alone and takes the prefill path. With per-token scales, int8 batches of
  // five or more sum each row whole in int32 up to 65,536 columns (kMaxTokenScaleKp); 65,600
  // take the per-group steps; 70 tokens are two chunks of their tiles (64 + 6).
  const size_t shapes[][3] = {{4, 13, 300},  {3, 9, 2560},   {2, 21, 7680}, {8, 19, 2560},
                              {5, 8, 300},   {4, 7, 200},    {1, 5, 20},    {6, 11, 2600},
                              {13, 9, 520},  {16, 10, 2600}, {8, 5, 12288}, {8, 5, 12320},
                              {4, 7, 12000}, {2, 5, 45000},  {6, 3, 65600}, {70, 6, 300}};
  for (const auto& shape : shapes) {
    const Problem p = make_problem(format, shape[0], shape[1], shape[2], rng, scales);
    for (const GemmVariant& variant : variants) {
      if (!cpu_supports(variant.isa)) continue;
      std::vector<float> prefilled, decoded;
      variant.kernel(args_for(p, prefilled), 0, p.n);
      GemmArgs batch = args_for(p, decoded);
      batch.decode = true;
      variant.kernel(batch, 0, p.n);
      for (size_t m = 0; m < p.m; ++m) {
        std::vector<float> y;
        GemmArgs lone = args_for(p, y);
        lone.decode = true;
        lone.m = 1;
        lone.aq += m * p.kp;
        lone.aq_scales += m * (p.kp / 32);
        lone.aq_group_offsets += m * (p.kp / 32);
        variant.kernel(lone, 0, p.n);
        for (size_t c = 0; c < p.n; ++c) {
          double magnitude = 1.0;
          for (size_t k = 0; k < p.k; ++k) magnitude += std::fabs(p.a[m * p.k + k]);
          INFO(variant.name << " m " << p.m << " n " << p.n << " k " << p.k << " token " << m
                            << " row " << c);
          // int8 with per-token scales on AVX-512 VNNI sums each row whole in int32 in prefill
          // and in decode batches of five or more: those get their prefill's bits.
          if (scales == Scales::kPerToken && format == Format::kInt8 &&
              variant.isa == Isa::kAvx512vnni && p.m > 4) {
            REQUIRE(decoded[m * p.n + c] == prefilled[m * p.n + c]);
          }
          if (same_bits_everywhere(format, variant.isa)) {
            REQUIRE(y[c] == decoded[m * p.n + c]);
            REQUIRE(y[c] == prefilled[m * p.n + c]);
          }
          if (p.m <= kBatchWithLoneBits) {
            REQUIRE(y[c] == decoded[m * p.n + c]);
          } else {
            REQUIRE(std::fabs(y[c] - decoded[m * p.n + c]) <= 2e-6 * magnitude);
          }
          REQUIRE(std::fabs(y[c] - prefilled[m * p.n + c]) <= 2e-6 * magnitude);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("qd8-qs8w-gemm decodes as it prefills, to float rounding, and a batch as alone",
          "[kernels]") {
  check_decode_against_prefill(Format::kInt8, qs8_gemm_variants());
}

TEST_CASE("qd8-qs4w-gemm decodes as it prefills, to float rounding, and a batch as alone",
          "[kernels]") {
  check_decode_against_prefill(Format::kInt4, qs4_gemm_variants());
}

TEST_CASE("qd8 families with per-token scales decode as they prefill, to float rounding",
          "[kernels]") {
  check_decode_against_prefill(Format::kInt8, qs8_gemm_variants(), Scales::kPerToken);
  check_decode_against_prefill(Format::kInt4, qs4_gemm_variants(), Scales::kPerToken);
}

TEST_CASE("qd8 families with power-of-two scales decode as they prefill, to float rounding",
          "[kernels]") {
  check_decode_against_prefill(Format::kInt8, qs8_gemm_variants(), Scales::kPowerOfTwo);
  check_decode_against_prefill(Format::kInt4, qs4_gemm_variants(), Scales::kPowerOfTwo);
}

TEST_CASE("f32-bf16w-gemm variants give a token the same bits in any prefill chunking",
          "[kernels]") {
  // Chunks of 3 and 2 against one call (a lone token may run a GEMV that sums in another
  // order on some variants; tiling.h).
  std::mt19937 rng(5);
  const Problem p = make_problem(Format::kBf16, 8, 11, 200, rng);
  for (const GemmVariant& variant : bf16_gemm_variants()) {
    if (!cpu_supports(variant.isa)) continue;
    std::vector<float> whole;
    variant.kernel(args_for(p, whole), 0, p.n);
    for (size_t step : {size_t{2}, size_t{3}}) {
      std::vector<float> parts(p.m * p.n), y;
      for (size_t m0 = 0; m0 < p.m; m0 += step) {
        GemmArgs args = args_for(p, y);
        args.m = std::min(step, p.m - m0);
        args.a += m0 * args.a_stride;
        variant.kernel(args, 0, p.n);
        std::copy(y.begin(), y.begin() + args.m * p.n, parts.begin() + m0 * p.n);
      }
      INFO(variant.name << " in calls of " << step);
      CHECK(parts == whole);
    }
  }
}

namespace {

// Which int16 group column c rounds in: every x86 int16 decode (x86-int16-decode.h on AVX2 and
// AVX-512F, x86-int16-vnni-decode.h on AVX-512 VNNI) takes blocks of 1,024 consecutive columns.
using Int16Grouping = size_t (*)(size_t c);
size_t consecutive_blocks(size_t c) {
  return c / 1024;
}

// What an x86 int16 decode computes, rebuilt here in scalar code: each group of activations
// rounded to int16 with scale max|x| / 32767.
std::vector<double> int16_rounded(const std::vector<float>& a, size_t kp, Int16Grouping group_of) {
  const size_t groups = group_of(kp - 1) + 1;
  std::vector<float> max_abs(groups, 0.0f);
  for (size_t i = 0; i < a.size(); ++i) {
    max_abs[group_of(i)] = std::max(max_abs[group_of(i)], std::fabs(a[i]));
  }
  std::vector<double> rounded(kp, 0.0);
  for (size_t i = 0; i < a.size(); ++i) {
    const float largest = max_abs[group_of(i)];
    if (largest < 1e-30f) continue;
    const float inverse = 32767.0f / largest;
    const double scale = largest / 32767.0f;
    rounded[i] = std::nearbyint(a[i] * inverse) * scale;
  }
  return rounded;
}

// `variant` on p with int16 decode allowed, its rows in two calls split at `split` (as two
// thread-pool tasks would run them).
std::vector<float> decode_rows(const GemmVariant& variant, const Problem& p, size_t split) {
  std::vector<float> y;
  GemmArgs args = args_for(p, y);
  args.int16_decode = true;
  variant.kernel(args, 0, split);
  variant.kernel(args, split, p.n);
  return y;
}

// The f32-qs8w variants that decode with int16 activations, their groups, the most tokens and
// tokens × padded columns they decode that way (all: any number, in blocks that fit the stack),
// the widest padded row (past it, f32: AVX2 and AVX-512F 16,384, VNNI what fits its stack),
// and whether they prefill that way too.
struct Int16Decode {
  bool used = false;
  Int16Grouping group_of = consecutive_blocks;
  size_t max_tokens = 0;
  size_t max_values = 0;
  size_t max_columns = 0;
  bool prefill = false;
  bool takes(size_t m, size_t kp) const {
    return used && m <= max_tokens && m * kp <= max_values && kp <= max_columns;
  }
};
Int16Decode int16_decode_of(const GemmVariant& variant) {
  constexpr size_t kAny = std::numeric_limits<size_t>::max() / 2;
  if (variant.isa == Isa::kAvx2 || variant.isa == Isa::kAvx512f) {
    return {true, consecutive_blocks, kAny, kAny, 16384, true};
  }
  if (variant.isa == Isa::kAvx512vnni) return {true, consecutive_blocks, kAny, kAny, 65536, true};
  return {};
}

// Each token i of `together` (p's tokens in one call) against `variant` decoding it alone: with
// int16, the lone decode's bits and within the int16 bound of the sum rebuilt here; else the f32
// sum to float rounding (the lone token may have run int16).
void check_each_token_as_alone(const GemmVariant& variant, const Problem& p,
                               const std::vector<float>& together, bool uses_int16,
                               Int16Grouping group_of) {
  for (size_t i = 0; i < p.m; ++i) {
    Problem lone = p;
    lone.m = 1;
    lone.a.assign(p.a.begin() + i * p.k, p.a.begin() + (i + 1) * p.k);
    const std::vector<float> alone = decode_rows(variant, lone, p.n);
    const std::vector<double> rounded = int16_rounded(lone.a, p.kp, group_of);
    for (size_t c = 0; c < p.n; ++c) {
      const std::vector<float> w = dequantized_row(p, DType::kInt8, c);
      double exact = p.bias[c], with_int16 = p.bias[c], magnitude = 1.0;
      for (size_t x = 0; x < p.k; ++x) {
        exact += double{lone.a[x]} * w[x];
        with_int16 += rounded[x] * w[x];
        magnitude += std::fabs(lone.a[x]);
      }
      const float y = together[i * p.n + c];
      INFO("token " << i << " row " << c);
      if (uses_int16) {
        CHECK(y == alone[c]);
        REQUIRE(std::fabs(y - with_int16) <= 2e-6 * magnitude);
      } else {
        REQUIRE(std::fabs(y - exact) <= 2e-6 * magnitude);
      }
    }
  }
}

}  // namespace

TEST_CASE("f32-qs8w-gemm decodes a lone token with int16 activations within their rounding",
          "[kernels]") {
  std::mt19937 rng(99);
  // Widths with tails, 2B's widest (7680) and one past the on-stack limit (f32 path).
  // (16,416 is past the AVX2 and AVX-512F widest row, 65,568 past the AVX-512 VNNI stack.)
  for (size_t k : {1, 31, 100, 257, 2560, 7680, 16416, 65568}) {
    Problem p = make_problem(Format::kInt8F32, 1, 13, k, rng);
    // Per-group scales matter: one group with a large value, one all zero, and one whose 31
    // small values int16 rounds to zero next to its maximum of 100 (half a step is 0.00153).
    if (k >= 100) {
      p.a[3] = 40.0f;
      for (size_t i = 32; i < 64; ++i) p.a[i] = 0.0f;
      p.a[64] = 100.0f;
      for (size_t i = 65; i < 96; ++i) p.a[i] = 0.0015f;
    }
    for (const GemmVariant& variant : f32_qs8_gemm_variants()) {
      if (!cpu_supports(variant.isa)) continue;
      const Int16Decode int16 = int16_decode_of(variant);
      const std::vector<double> rounded = int16_rounded(p.a, p.kp, int16.group_of);
      const std::vector<float> y = decode_rows(variant, p, 5);
      const bool uses_int16 = int16.takes(1, p.kp);
      size_t distinguishable = 0;  // rows where the f32 and int16 sums differ beyond rounding
      for (size_t c = 0; c < p.n; ++c) {
        const std::vector<float> w = dequantized_row(p, DType::kInt8, c);
        double exact = p.bias[c], with_int16 = p.bias[c], magnitude = 1.0, rounding = 0.0;
        for (size_t i = 0; i < k; ++i) {
          exact += double{p.a[i]} * w[i];
          with_int16 += rounded[i] * w[i];
          magnitude += std::fabs(p.a[i]);
          rounding += std::fabs(double{p.a[i]} - rounded[i]) * std::fabs(w[i]);
        }
        INFO(variant.name << " k " << k << " row " << c);
        // Every variant stays within the int16 rounding of the f32 definition...
        REQUIRE(std::fabs(y[c] - exact) <= rounding + 2e-6 * magnitude);
        // ...and the x86 ones compute exactly the int16 sum, to float rounding.
        if (uses_int16) REQUIRE(std::fabs(y[c] - with_int16) <= 2e-6 * magnitude);
        distinguishable += std::fabs(exact - with_int16) > 4e-6 * magnitude;
      }
      // In the narrow rows the dropped values make the two sums differ beyond the tolerance, so
      // the check above saw the int16 path run.
      INFO(variant.name << " k " << k);
      if (uses_int16 && k >= 100 && k <= 257) CHECK(distinguishable > 0);
    }
  }
}

TEST_CASE("f32-qs8w-gemm decodes a small batch as it decodes each token alone", "[kernels]") {
  // A batch of sessions (griffin_batch_decode) takes the int16 path on x86 too: each token must
  // come out with the bits of its lone decode and within the int16 bound (AVX2 and AVX-512F: any
  // batch, eights and a last six in steps on one row up to 8,192 columns (x86-int16-prefill.h:
  // 11 = 8 + 3 in tiles, 14 = 8 + 6, 16 = 8 + 8), else tiles: eight tokens of 8,224 in blocks of
  // seven and one; VNNI: blocks of up to eight tokens). The other variants, and batches
  // past those limits or rows too wide for AVX2 and AVX-512F (16,416), run f32 tiles for the
  // batch: the f32 sum to float rounding.
  std::mt19937 rng(7);
  for (size_t m : {2, 3, 4, 5, 6, 8, 11, 14, 16}) {
    for (size_t k : {100, 257, 2560, 8200, 16416}) {
      // 37 rows: on VNNI two spans of 16 (their sums reduced 16 rows at once) and one of 5.
      Problem p = make_problem(Format::kInt8F32, m, k <= 2560 ? 37 : 11, k, rng);
      p.a[k + 3] = 40.0f;  // the second token's first group has another scale than the first's
      if (k == 257) {      // a map without a bias (attention's projections)
        std::fill(p.bias.begin(), p.bias.end(), 0.0f);
        p.no_bias = true;
      }
      for (const GemmVariant& variant : f32_qs8_gemm_variants()) {
        if (!cpu_supports(variant.isa)) continue;
        const std::vector<float> together = decode_rows(variant, p, 6);
        const Int16Decode int16 = int16_decode_of(variant);
        INFO(variant.name << " m " << m << " k " << k);
        check_each_token_as_alone(variant, p, together, int16.takes(m, p.kp), int16.group_of);
      }
    }
  }
}

TEST_CASE("f32-qs8w-gemm prefills with int16 activations as it decodes each token alone",
          "[kernels]") {
  // With GemmArgs::int16_prefill the AVX2 and AVX-512F variants prefill in blocks of tokens
  // rounded to int16, each token as alone: the chunking never changes a bit, each token gets its
  // lone decode's bits, and each is within the int16 bound of the definition. Up to 10,922
  // columns they take six tokens at a time on one row (x86-int16-prefill.h; 257 ends in a
  // block of one group), the rest in the decode's tiles (13 = 6 + 6 + 1, 64 = 10 · 6 + 4; at
  // 12,000 columns all in the decode's tiles); VNNI in blocks of eight tokens, 16,416 columns
  // too (x86-int16-vnni-decode.h). The others (NEON, scalar), and rows wider than 16,384 on
  // AVX2 and AVX-512F, keep f32 activations: the f32 sum.
  std::mt19937 rng(11);
  for (size_t m : {13, 64}) {
    for (size_t k : {257, 2560, 7680, 12000, 16416}) {
      // 37 rows (k <= 2560): split at row 3, the VNNI spans take 3 rows, then 16, 16 and 2.
      Problem p = make_problem(Format::kInt8F32, m, k <= 2560 ? 37 : 7, k, rng);
      p.a[3] = 40.0f;  // the first token's first group has another scale than the others'
      for (const GemmVariant& variant : f32_qs8_gemm_variants()) {
        if (!cpu_supports(variant.isa)) continue;
        const Int16Decode int16 = int16_decode_of(variant);
        const bool uses_int16 = int16.prefill && p.kp <= int16.max_columns;
        // Whole, rows split over two calls, and in chunks of 5 and m - 5 tokens.
        std::vector<float> whole, first, rest;
        GemmArgs args = args_for(p, whole);
        args.int16_prefill = true;
        variant.kernel(args, 0, 3);
        variant.kernel(args, 3, p.n);
        Problem head = p, tail = p;
        head.m = 5;
        head.a.assign(p.a.begin(), p.a.begin() + 5 * k);
        tail.m = m - 5;
        tail.a.assign(p.a.begin() + 5 * k, p.a.end());
        GemmArgs head_args = args_for(head, first), tail_args = args_for(tail, rest);
        head_args.int16_prefill = tail_args.int16_prefill = true;
        variant.kernel(head_args, 0, p.n);
        variant.kernel(tail_args, 0, p.n);
        first.insert(first.end(), rest.begin(), rest.end());
        INFO(variant.name << " m " << m << " k " << k);
        CHECK(first == whole);
        check_each_token_as_alone(variant, p, whole, uses_int16, int16.group_of);
      }
    }
  }
}
