// The x86 integer kernels (qd8-qs8w, qd8-qs4w; AVX2 and AVX-512 VNNI) share one shape on
// 256-bit vectors: per group of 32, the weights' signs move onto the activations so that one
// operand is unsigned (|w| · sign(w)·a), an exact 32-bit dot product is taken, converted, and
// added with the group's scale. They differ in how a weight group is loaded (`Format`) and
// which instruction takes the dot product (`Dot`: vpmaddubsw + vpmaddwd on AVX2, vpdpbusd with
// VNNI). Prefill tiles cover up to 4 tokens of one row (tiling.h), so a group is loaded and
// expanded once per tile; each token's arithmetic is the same as alone.
// Included only by files compiled with AVX2 (or wider) enabled.
#pragma once

#include <immintrin.h>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/x86-reduce.h"

namespace griffin {

struct WeightGroup {
  __m256i values;  // 32 signed weights
  float scale;     // the group's weight scale folded into each step (1 when per row)
};

// int8 rows: 32 bytes per group, one f32 scale per row applied at the end.
struct Qs8Rows {
  static WeightGroup load(const GemmArgs& p, size_t n, size_t g) {
    const uint8_t* w = weight_row<uint8_t>(p, n);
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + g * 32)), 1.0f};
  }
  static float step_scale(float a_scale, const WeightGroup&) { return a_scale; }
  static float finish(const GemmArgs& p, size_t n, float sum) {
    return sum * weight_row_scale(p, n) + bias_of(p, n);
  }
};

// int4 groups: 16 bytes (low nibbles = values 0..15, high nibbles = 16..31, stored + 8) and an
// f16 scale per group, converted with F16C.
struct Qs4Groups {
  static WeightGroup load(const GemmArgs& p, size_t n, size_t g) {
    const uint8_t* w = weight_row<uint8_t>(p, n);
    const uint16_t* scales = reinterpret_cast<const uint16_t*>(p.w_scales) + n * (p.kp / 32);
    const __m128i low_mask = _mm_set1_epi8(0x0f);
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + g * 16));
    const __m128i low = _mm_and_si128(bytes, low_mask);
    const __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), low_mask);
    return {_mm256_sub_epi8(_mm256_set_m128i(high, low), _mm256_set1_epi8(8)),
            _cvtsh_ss(scales[g])};
  }
  static float step_scale(float a_scale, const WeightGroup& group) { return a_scale * group.scale; }
  static float finish(const GemmArgs& p, size_t n, float sum) { return sum + bias_of(p, n); }
};

// AVX2: u8·s8 pairs into 16-bit lanes (no saturation: |w|, |a| <= 127), then pairs of those
// into 32-bit lanes.
struct MaddubsDot {
  static __m256i dot(__m256i w_abs, __m256i a_signed) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(w_abs, a_signed), _mm256_set1_epi16(1));
  }
};

template <typename Format, typename Dot>
struct Qd8Tile {
  template <size_t MR, size_t NR>
  static void tile(const GemmArgs& p, size_t m0, size_t n) {
    static_assert(NR == 1, "tiles cover one row");
    const size_t groups = p.kp / 32;
    __m256 acc[MR];
    for (size_t i = 0; i < MR; ++i) acc[i] = _mm256_setzero_ps();
    for (size_t g = 0; g < groups; ++g) {
      const WeightGroup group = Format::load(p, n, g);
      const __m256i w_abs = _mm256_sign_epi8(group.values, group.values);
      for (size_t i = 0; i < MR; ++i) {
        const size_t m = m0 + i;
        const __m256i av =
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.aq + m * p.kp + g * 32));
        const __m256i dot = Dot::dot(w_abs, _mm256_sign_epi8(av, group.values));
        const float scale = Format::step_scale(p.aq_scales[m * groups + g], group);
        acc[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(scale), acc[i]);
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      p.y[(m0 + i) * p.y_stride + n] = Format::finish(p, n, horizontal_sum(acc[i]));
    }
  }

  static void gemv(const GemmArgs& p, size_t n) { tile<1, 1>(p, 0, n); }
};

}  // namespace griffin
