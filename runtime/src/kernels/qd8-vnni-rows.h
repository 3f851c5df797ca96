// The AVX-512 VNNI prefill of the integer families (qd8-qs4w and qd8-qs8w avx512vnni), also run
// for decode batches of five or more. Each (token, row, group) dot product is computed exactly
// in int32, and a row sums its groups in f32 in group order: acc = fma(float(dot_g), scale_g,
// acc), then the row's end step (Int4Rows, Int8Rows). Any code that keeps those steps gives the
// same bits, so:
//   - blocks of 32 rows (two 512-bit vectors, Lanes32), then of 16 (one), then of 8 (256-bit),
//     are repacked row-interleaved (4 weights of each row per 32 bits, the layout llama.cpp
//     repacks its Q4_0 into at load): one vpdpbusd then sums four products for each of 16 rows,
//     and the conversion, scale and FMA of a group are paid once per vector instead of once per
//     row. The repack is paid once per block for all the call's tokens, which go through it in
//     passes of up to 6 (32 rows; 8 for int8 with per-token scales, and for int4 in the
//     kernel's Intel variant, see Lanes32) or 8, of nearly equal size, and the block (at most 64
//     KB) stays in L2. A 16-row block (and each half of a 32-row one) is one 16 × 4 transpose of
//     dwords per 16 bytes of the rows (Rows::repack16), the nibbles of int4 split after it; the two
//     8-row halves it replaced took twice the operations, and a 2B-shaped product of 8 tokens ran
//     12-16 % faster without them (64 tokens: 1-3 %);
//   - a call of one token, and the last rows of a call, run 1×4 tiles on the rows as stored,
//     reducing each row's 8 lanes in int32 (exact, so the order does not matter).
// So prefill chunking changes no bit. int8 rows repacked once at load (GemmArgs::w_packed, a model
// opened with repack_weights) skip that repack: their 32-row blocks are read where repack_rows32
// put them, by every call, decode included (so a decoded token gets its prefill's bits), with a
// 16-row half where a task's rows start or end mid-block. Repacked per call, a 64-token chunk
// spent about 12 % of an int8 product on it on an Intel Xeon; there 2B int8 prefill with int8
// activations ran 4-37 % faster repacked at load, in turns (docs/quantization.md "Repacked
// weights"). int4 rows repacked at load keep their nibbles packed, with their scales after each
// group (Int4Rows::repack32_at_load: the bytes as stored, one stream), and each call splits them
// into its block from there (unpack_at_load) instead of gathering 32 rows and their scales. The
// 256-bit tiles of qd8-x86-tile.h paid a conversion and an FMA per (token, row,
// group); on Zen 4 that held 2B int4 prefill to ~65 GMAC/s against llama.cpp's ~100 with its
// repacked Q4_0 (now ~150). Decode of up to four tokens (GemmArgs::decode) runs 512-bit vectors
// over the stored rows instead (qd8-avx512-decode.h; rows repacked at load excepted): for a
// single token that streams faster than the per-group int32 reduction here.
// vpdpbusd multiplies unsigned bytes by signed ones, so the weights go in as unsigned values
// u = q + bias (int4: the stored nibbles, bias 8; int8: q xor 0x80, bias 128) and each group
// takes off bias · Σa (its dot chain starts from minus it), exact in int32, as the activations'
// quantizer wrote it (GemmArgs::aq_group_offsets; every row task of a product used to sum the
// groups again, ~3 % of a 2B int4 prefill).
// With one activation scale per token (GemmArgs::aq_token_scales) a row's groups are summed
// unscaled and the token's scale applied once at the row's end: int4 then spends an FMA a group
// (w_scale_g), not a multiply and an FMA; int8, whose weight scale is per row too, sums the whole
// row exactly in int32 (no per-group float work at all; rows of up to kMaxTokenScaleKp). The
// steps are again fixed, so chunking still changes no bit.
// With power-of-two group scales (GemmArgs::aq_power_of_two_scales, a_scale_g = 2^e) the group's
// float(dot) · a_scale_g is made on the integer side, exactly: the even chain starts from
// bits(1.5 · 2^(23+e)) - offset, so the two chains add up to the bits of the float
// 1.5 · 2^(23+e) + dot · 2^e (exact while |dot| < 2^22; int4 and int8 groups stay under 2^20),
// and subtracting 1.5 · 2^(23+e) leaves dot · 2^e. That subtraction runs on the FP add pipes,
// while the multiply it replaces (int4: a_scale_g · w_scale_g; int8: the FMA, now an add) ran on
// the two pipes vpdpbusd needs. The result is the same float as a_scale_g · w_scale_g rounded and
// then fused (both products are exact, unless that one falls below 2^-126: groups whose values
// all lie below about 1e-27), so the bits are those of the other kernels. Included only by files
// compiled with AVX-512 VNNI (+VL, BW).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/qd8-vnni-int8-eight-tokens.h"
#include "runtime/src/kernels/qd8-vnni-scaled-groups-eight-tokens.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "runtime/src/kernels/weight-rows.h"

namespace griffin {
namespace {

constexpr size_t kBlockGroups = 256;  // groups repacked at once: 256 · 256 bytes = 64 KB
constexpr size_t kTokensPerPass = 8;

// Rows repacked at load and read in one pass (a decode step, a batch of up to 6 tokens): each
// group prefetches the one this many groups on, one stream of lines whatever the blocks (int8:
// 16 KB ahead). 2B int8 decode with per-token int8 activations on an Intel Xeon, in turns
// (tokens/s): the next block spread over this one's groups as in prefill 8.1-9.5, 16 groups
// ahead 8.8-10.8, 8 ahead 8.9-9.7, 32 ahead 7.6-9.4, the stored rows' decode kernel 8.6-10.2.
constexpr size_t kStreamAheadGroups = 16;

// How the activations' scales enter a row's sum (GemmArgs::aq_token_scales,
// GemmArgs::aq_power_of_two_scales): per group, once per row, or per group as a power of two.
enum class ActivationScales { kPerGroup, kPerToken, kPowerOfTwo };

// bits(1.5 · 2^(23+e)) - bits(2^e): a power-of-two scale's bits plus this are the bits of the
// float whose unit in the last place is that scale (the header comment's 1.5 · 2^(23+e)).
constexpr uint32_t kUnitToBiasBits = 0x0BC00000u;

// Power-of-two scales: per token and group [m, kp / 32], the even chain's start
// bits(bias) - offset and the float bias 1.5 · 2^(23+e) (power_of_two_rows fills them once per
// call: made per pass of 8 tokens, they cost the int4 product 4 %).
struct PowerOfTwoStarts {
  const int32_t* starts = nullptr;
  const float* biases = nullptr;
};

// The sum of count int32 values (a token's group offsets over a block).
inline int32_t sum_int32(const int32_t* values, size_t count) {
  __m512i sum = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 16 <= count; i += 16) sum = _mm512_add_epi32(sum, _mm512_loadu_si512(values + i));
  const __mmask16 tail = static_cast<__mmask16>((1u << (count - i)) - 1);
  sum = _mm512_add_epi32(sum, _mm512_maskz_loadu_epi32(tail, values + i));
  return _mm512_reduce_add_epi32(sum);
}

// Bytes [0, 16) of 16 rows, `stride` bytes apart from `rows`, as four vectors, d[c] holding dword
// c of row r in its lane r: a 16 × 4 transpose of dwords, four rows to a vector (row q + 4L in
// 128-bit lane L) and then a 4 × 4 transpose within the lanes. A 16-row block's repack, where two
// 8-row halves, each an 8 × 8 transpose of 256-bit vectors, took twice the operations (a 2B int4
// step of 8 tokens: +12-16 %). The rows are addressed from four bases and the stride: with a
// pointer per row, GCC kept them in vector registers and moved each to a general one per load.
inline void dwords_of_rows16(const uint8_t* rows, size_t stride, __m512i d[4]) {
  const uint8_t* base[4] = {rows, rows + 4 * stride, rows + 8 * stride, rows + 12 * stride};
  __m512i z[4];
  for (size_t q = 0; q < 4; ++q) {
    const auto row = [&](size_t lane) {
      return _mm_loadu_si128(reinterpret_cast<const __m128i*>(base[lane] + q * stride));
    };
    __m512i v = _mm512_castsi128_si512(row(0));
    v = _mm512_inserti32x4(v, row(1), 1);
    v = _mm512_inserti32x4(v, row(2), 2);
    z[q] = _mm512_inserti32x4(v, row(3), 3);
  }
  const __m512i t0 = _mm512_unpacklo_epi32(z[0], z[1]), t1 = _mm512_unpackhi_epi32(z[0], z[1]);
  const __m512i t2 = _mm512_unpacklo_epi32(z[2], z[3]), t3 = _mm512_unpackhi_epi32(z[2], z[3]);
  d[0] = _mm512_unpacklo_epi64(t0, t2);
  d[1] = _mm512_unpackhi_epi64(t0, t2);
  d[2] = _mm512_unpacklo_epi64(t1, t3);
  d[3] = _mm512_unpackhi_epi64(t1, t3);
}

// int4 rows (format/quant.h): 16 bytes per group, value j in the low nibble of byte j and value
// j + 16 in its high nibble, stored as u = q + 8; an f16 scale per group, so a group's scale is
// w_scale_g · a_scale_g and the row ends with + bias.
struct Int4Rows {
  static constexpr bool kGroupScales = true;
  // 32-row blocks 8 tokens a pass through the assembly loop (Int4RowsEightTokens), or 6 through
  // Lanes32's intrinsics (packed_rows).
  static constexpr bool kEightTokenPasses = false;
  static constexpr size_t kGroupBytes = 16;
  static constexpr size_t kPackedGroupBytes = kRepackInt4GroupBytes;  // a 32-row group at load
  static __m256i values(const uint8_t* group) { return VnniDot::unpack(group); }
  static float finish(const GemmArgs& p, size_t n, float acc) { return acc + bias_of(p, n); }
  // Groups g0..g0+count-1 of the 16 rows from w (stride bytes apart), packed[g] as 8 vectors of
  // 512 bits: dword c of a row's group holds chunk c (values 4c..4c+3) in its low nibbles and
  // chunk c + 4 in its high ones. Vector c of group g goes to packed[(g · 8 + c) · halves]: a
  // 32-row block (halves 2) interleaves its two 16-row halves vector by vector.
  static void repack16(const uint8_t* w, size_t stride, size_t g0, size_t count, __m512i* packed,
                       size_t halves = 1) {
    const __m512i nibble = _mm512_set1_epi8(0x0f);
    for (size_t g = 0; g < count; ++g) {
      __m512i d[4];
      dwords_of_rows16(w + (g0 + g) * kGroupBytes, stride, d);
      for (size_t c = 0; c < 4; ++c) {
        _mm512_store_si512(packed + (g * 8 + c) * halves, _mm512_and_si512(d[c], nibble));
        _mm512_store_si512(packed + (g * 8 + c + 4) * halves,
                           _mm512_and_si512(_mm512_srli_epi16(d[c], 4), nibble));
      }
    }
  }
  // Once at load (repack_weights): groups [0, groups) of 32 rows from w (row_bytes apart) and
  // their f16 scales (row r's at scales + r · groups) into `out`, kPackedGroupBytes a group: the
  // dwords repack16 makes, before it splits their nibbles (vector c · 2 + half of the group),
  // then the 32 rows' scales in row order. As many bytes as stored, but one stream of lines where
  // a call's repack read 32 rows far apart and their scales apart again.
  static void repack32_at_load(const uint8_t* w, size_t row_bytes, const uint16_t* scales,
                               size_t groups, uint8_t* out) {
    for (size_t g = 0; g < groups; ++g) {
      uint8_t* group = out + g * kPackedGroupBytes;
      for (size_t half = 0; half < 2; ++half) {
        __m512i d[4];
        dwords_of_rows16(w + half * 16 * row_bytes + g * kGroupBytes, row_bytes, d);
        for (size_t c = 0; c < 4; ++c) _mm512_store_si512(group + (c * 2 + half) * 64, d[c]);
      }
      uint16_t* group_scales = reinterpret_cast<uint16_t*>(group + 8 * 64);
      for (size_t r = 0; r < 32; ++r) group_scales[r] = scales[r * groups + g];
    }
  }
  // Per call, groups [0, count) of a 32-row block repacked at load, from `src` (its first group
  // here): the nibbles split into `packed` as repack16 writes them (kRows 32: the halves
  // interleaved; kRows 16: half `half` alone) and the scales as f32 into w_scales [g][row]. A
  // sequential read and a few operations a line; with `stream` (one pass over the block) each
  // group prefetches the one kStreamAheadGroups on.
  template <size_t kRows>
  static void unpack_at_load(const uint8_t* src, size_t count, size_t half, bool stream,
                             __m512i* packed, float* w_scales) {
    constexpr size_t kHalves = kRows / 16;
    const __m512i nibble = _mm512_set1_epi8(0x0f);
    for (size_t g = 0; g < count; ++g) {
      const uint8_t* group = src + g * kPackedGroupBytes;
      if (stream) prefetch_lines(group + kStreamAheadGroups * kPackedGroupBytes, kPackedGroupBytes);
      for (size_t h = 0; h < kHalves; ++h) {
        const size_t from = kHalves == 2 ? h : half;
        for (size_t c = 0; c < 4; ++c) {
          const __m512i d = _mm512_load_si512(group + (c * 2 + from) * 64);
          _mm512_store_si512(packed + (g * 8 + c) * kHalves + h, _mm512_and_si512(d, nibble));
          _mm512_store_si512(packed + (g * 8 + c + 4) * kHalves + h,
                             _mm512_and_si512(_mm512_srli_epi16(d, 4), nibble));
        }
        const __m256i scales =
            _mm256_load_si256(reinterpret_cast<const __m256i*>(group + 8 * 64 + from * 32));
        _mm512_store_ps(w_scales + g * kRows + h * 16, _mm512_cvtph_ps(scales));
      }
    }
  }
};

// int8 rows: 32 bytes of q per group and one f32 scale per row, so a group's scale is a_scale_g
// and the row ends with one fused acc · w_scale + bias (as qd8-x86-tile.h's Qs8Tile does).
struct Int8Rows {
  static constexpr bool kGroupScales = false;
  static constexpr bool kEightTokenPasses = true;  // with per-token scales (packed_rows)
  static constexpr size_t kGroupBytes = 32;
  static constexpr size_t kPackedGroupBytes = kRepackGroupBytes;  // a 32-row group at load
  static __m256i values(const uint8_t* group) {
    return _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(group)),
                            _mm256_set1_epi8(static_cast<char>(0x80)));
  }
  static float finish(const GemmArgs& p, size_t n, float acc) { return int8_row_output(p, n, acc); }
  // As Int4Rows::repack16: the group's two 16-byte halves give chunks 0-3 and 4-7.
  static void repack16(const uint8_t* w, size_t stride, size_t g0, size_t count, __m512i* packed,
                       size_t halves = 1) {
    const __m512i sign = _mm512_set1_epi8(static_cast<char>(0x80));
    for (size_t g = 0; g < count; ++g) {
      for (size_t half = 0; half < 2; ++half) {
        __m512i d[4];
        dwords_of_rows16(w + (g0 + g) * kGroupBytes + 16 * half, stride, d);
        for (size_t c = 0; c < 4; ++c) {
          _mm512_store_si512(packed + (g * 8 + 4 * half + c) * halves,
                             _mm512_xor_si512(d[c], sign));
        }
      }
    }
  }
};

// int4 rows whose 32-row blocks go 8 tokens a pass through the assembly loop
// (qd8-vnni-scaled-groups-eight-tokens.h): faster on an Intel Xeon, slower on Zen 4, so the
// kernel has a variant of each (qd8-qs4w-gemm-avx512vnni.cc).
struct Int4RowsEightTokens : Int4Rows {
  static constexpr bool kEightTokenPasses = true;
};

// The first two steps of an 8×8 transpose within each 128-bit lane, for elements of kBits (16 or
// 32) bits: u[0..3] hold rows 0-3 of elements (0,1), (2,3), (4,5), (6,7) of each lane (each
// pair as 4 · kBits bits, row by row), and u[4..7] the same of rows 4-7.
template <int kBits>
inline void transpose_in_lanes(const __m256i v[8], __m256i u[8]) {
  const auto low = [](__m256i a, __m256i b) {
    return kBits == 16 ? _mm256_unpacklo_epi16(a, b) : _mm256_unpacklo_epi32(a, b);
  };
  const auto high = [](__m256i a, __m256i b) {
    return kBits == 16 ? _mm256_unpackhi_epi16(a, b) : _mm256_unpackhi_epi32(a, b);
  };
  const auto low2 = [](__m256i a, __m256i b) {
    return kBits == 16 ? _mm256_unpacklo_epi32(a, b) : _mm256_unpacklo_epi64(a, b);
  };
  const auto high2 = [](__m256i a, __m256i b) {
    return kBits == 16 ? _mm256_unpackhi_epi32(a, b) : _mm256_unpackhi_epi64(a, b);
  };
  __m256i t[8];
  for (size_t r = 0; r < 8; r += 2) {
    t[r] = low(v[r], v[r + 1]);
    t[r + 1] = high(v[r], v[r + 1]);
  }
  for (size_t r = 0; r < 8; r += 4) {
    u[r] = low2(t[r], t[r + 2]);
    u[r + 1] = high2(t[r], t[r + 2]);
    u[r + 2] = low2(t[r + 1], t[r + 3]);
    u[r + 3] = high2(t[r + 1], t[r + 3]);
  }
}

// Rows n0..n0+7, groups g0..g0+count-1 -> the 4 values 4c..4c+3 of rows 0..7 (one 32-bit lane
// per row) at packed[g · 8 + c]: an 8×8 transpose of 32-bit elements per group (8-row blocks;
// 16-row blocks take Rows::repack16).
template <typename Rows>
inline void repack_rows(const GemmArgs& p, size_t n0, size_t g0, size_t count, __m256i* packed) {
  const uint8_t* w[8];
  for (size_t r = 0; r < 8; ++r) w[r] = weight_row<uint8_t>(p, n0 + r);
  for (size_t g = 0; g < count; ++g) {
    __m256i v[8];
    for (size_t r = 0; r < 8; ++r) v[r] = Rows::values(w[r] + (g0 + g) * Rows::kGroupBytes);
    __m256i u[8];
    transpose_in_lanes<32>(v, u);
    // u[0..3]: chunks (0|4), (1|5), (2|6), (3|7) of rows 0-3; u[4..7] the same of rows 4-7.
    __m256i* out = packed + g * 8;
    for (size_t c = 0; c < 4; ++c) {
      out[c] = _mm256_permute2x128_si256(u[c], u[c + 4], 0x20);
      out[c + 4] = _mm256_permute2x128_si256(u[c], u[c + 4], 0x31);
    }
  }
}

// The lanes of a repacked block: 8 rows in 256-bit vectors, or 16 in 512-bit ones (on Zen 4
// a 512-bit vpdpbusd does twice the work of a 256-bit one in two passes, so the broadcasts,
// conversions and FMAs per product halve).
struct Lanes8 {
  static constexpr size_t kRows = 8;
  static constexpr size_t kTokens = kTokensPerPass;  // per pass over the block
  static constexpr bool kOneChain = false;           // two dot chains a token (packed_tokens)
  using Int = __m256i;
  using Float = __m256;
  static Int zero() { return _mm256_setzero_si256(); }
  static Int splat(int32_t v) { return _mm256_set1_epi32(v); }
  static Int dot(Int acc, const __m256i* w, int32_t a) {
    return _mm256_dpbusd_epi32(acc, _mm256_load_si256(w), _mm256_set1_epi32(a));
  }
  static Float load(const float* x) { return _mm256_loadu_ps(x); }
  static void store(float* x, Float v) { _mm256_storeu_ps(x, v); }
  // Rows n0.. of a row sum: acc + bias (int4), fma(acc, w_scale, bias) (int8): Rows::finish.
  static Float finish(const GemmArgs& p, size_t n0, Float acc, bool row_scales) {
    const Float bias = p.bias != nullptr ? load(p.bias + n0) : _mm256_setzero_ps();
    if (!row_scales) return _mm256_add_ps(acc, bias);
    return _mm256_fmadd_ps(acc, load(reinterpret_cast<const float*>(p.w_scales) + n0), bias);
  }
  // int8 rows with per-token scales: the exact sum of two chains over a block, less the block's
  // offsets (the chains started from zero).
  static Int group_dot(Int even, Int odd, int32_t offset) {
    return _mm256_sub_epi32(_mm256_add_epi32(even, odd), _mm256_set1_epi32(offset));
  }
  // acc + float(even + odd) · scale, scale = a_scale (· w_scales), the even chain having started
  // from -offset (packed_tokens).
  static Float add_group(Float acc, Int even, Int odd, float a_scale, const float* w_scales) {
    Float scale = _mm256_set1_ps(a_scale);
    if (w_scales != nullptr) scale = _mm256_mul_ps(_mm256_loadu_ps(w_scales), scale);
    return _mm256_fmadd_ps(to_float(_mm256_add_epi32(even, odd)), scale, acc);
  }
  // Per-token scales: int4's acc + float(even + odd) · w_scales, the token's scale left for the
  // row's end.
  static Float add_unscaled_group(Float acc, Int even, Int odd, const float* w_scales) {
    return _mm256_fmadd_ps(to_float(_mm256_add_epi32(even, odd)), _mm256_loadu_ps(w_scales), acc);
  }
  // Per-token scales, int8: sums kept as int32 in float storage between blocks.
  static Int load_int(const float* x) {
    return _mm256_loadu_si256(reinterpret_cast<const Int*>(x));
  }
  static void store_int(float* x, Int v) { _mm256_storeu_si256(reinterpret_cast<Int*>(x), v); }
  static Int add_dots(Int sum, Int even, Int odd, int32_t offset) {
    return _mm256_add_epi32(sum, group_dot(even, odd, offset));
  }
  static Float to_float(Int v) { return _mm256_cvtepi32_ps(v); }
  // Power-of-two scales: acc + dot · 2^e (· w_scales), the even chain having started from
  // bits(bias) - offset (the header comment).
  static Float add_power_of_two_group(Float acc, Int even, Int odd, float bias,
                                      const float* w_scales) {
    const Float scaled_dot =
        _mm256_sub_ps(_mm256_castsi256_ps(_mm256_add_epi32(even, odd)), _mm256_set1_ps(bias));
    if (w_scales == nullptr) return _mm256_add_ps(acc, scaled_dot);
    return _mm256_fmadd_ps(scaled_dot, _mm256_loadu_ps(w_scales), acc);
  }
  static Float scaled(Float acc, float a_scale) {
    return _mm256_mul_ps(acc, _mm256_set1_ps(a_scale));
  }
};

struct Lanes16 {
  static constexpr size_t kRows = 16;
  static constexpr size_t kTokens = kTokensPerPass;
  static constexpr bool kOneChain = false;
  using Int = __m512i;
  using Float = __m512;
  static Int zero() { return _mm512_setzero_si512(); }
  static Int splat(int32_t v) { return _mm512_set1_epi32(v); }
  static Int dot(Int acc, const __m256i* w, int32_t a) {
    return _mm512_dpbusd_epi32(acc, _mm512_load_si512(w), _mm512_set1_epi32(a));
  }
  static Float load(const float* x) { return _mm512_loadu_ps(x); }
  static void store(float* x, Float v) { _mm512_storeu_ps(x, v); }
  static Float finish(const GemmArgs& p, size_t n0, Float acc, bool row_scales) {
    const Float bias = p.bias != nullptr ? load(p.bias + n0) : _mm512_setzero_ps();
    if (!row_scales) return _mm512_add_ps(acc, bias);
    return _mm512_fmadd_ps(acc, load(reinterpret_cast<const float*>(p.w_scales) + n0), bias);
  }
  static Int group_dot(Int even, Int odd, int32_t offset) {
    return _mm512_sub_epi32(_mm512_add_epi32(even, odd), _mm512_set1_epi32(offset));
  }
  static Float add_group(Float acc, Int even, Int odd, float a_scale, const float* w_scales) {
    Float scale = _mm512_set1_ps(a_scale);
    if (w_scales != nullptr) scale = _mm512_mul_ps(_mm512_loadu_ps(w_scales), scale);
    return _mm512_fmadd_ps(to_float(_mm512_add_epi32(even, odd)), scale, acc);
  }
  static Float add_unscaled_group(Float acc, Int even, Int odd, const float* w_scales) {
    return _mm512_fmadd_ps(to_float(_mm512_add_epi32(even, odd)), _mm512_loadu_ps(w_scales), acc);
  }
  static Int load_int(const float* x) { return _mm512_loadu_si512(x); }
  static void store_int(float* x, Int v) { _mm512_storeu_si512(x, v); }
  static Int add_dots(Int sum, Int even, Int odd, int32_t offset) {
    return _mm512_add_epi32(sum, group_dot(even, odd, offset));
  }
  static Float to_float(Int v) { return _mm512_cvtepi32_ps(v); }
  // Power-of-two scales: acc + dot · 2^e (· w_scales), the even chain having started from
  // bits(bias) - offset (the header comment).
  static Float add_power_of_two_group(Float acc, Int even, Int odd, float bias,
                                      const float* w_scales) {
    const Float scaled_dot =
        _mm512_sub_ps(_mm512_castsi512_ps(_mm512_add_epi32(even, odd)), _mm512_set1_ps(bias));
    if (w_scales == nullptr) return _mm512_add_ps(acc, scaled_dot);
    return _mm512_fmadd_ps(scaled_dot, _mm512_loadu_ps(w_scales), acc);
  }
  static Float scaled(Float acc, float a_scale) {
    return _mm512_mul_ps(acc, _mm512_set1_ps(a_scale));
  }
};

// 32 rows as two 512-bit halves, 6 tokens a pass, one dot chain a token: each broadcast of a
// token's activations feeds two vpdpbusd instead of one, and the chains' vpaddd goes. On an Intel
// Xeon (two 512-bit vpdpbusd a cycle) GCC's 16-row loop issued about 5 instructions per vpdpbusd
// (a broadcast each, the tokens' pointers and indices spilled, the group's float steps); this one
// about 3.9. From L2 (64 tokens, 2,560 columns, 1,024 rows, two threads, the same bits): int4 per
// group 335-345 -> 385-393 GMAC/s, per token 378-382 -> 422-428, int8 per group 356-358 ->
// 407-417, int8 per token level. 12 chains of 6 tokens keep enough vpdpbusd in flight (4 tokens:
// int8 per token 15 % slower; 7: level). The int4 per-group loop written out in assembly (2.25
// instructions per vpdpbusd) ran level: what bounds it there is the group's conversion,
// multiply and FMA on vpdpbusd's two ports (docs/benchmarks/xeon/stop58/microbenchmarks.txt).
// int8 rows with per-token scales, which have no float step, go 8 tokens a pass instead (16
// chains, qd8-vnni-int8-eight-tokens.h): 12 chains held that loop to 0.65-0.91 of the peak with
// its weights in L2 (docs/benchmarks/xeon/stop63). So do int4 rows on Intel
// (Int4RowsEightTokens, qd8-vnni-scaled-groups-eight-tokens.h), their accumulators in L1 to leave
// the 16 chains their registers: per group 12-17 % faster in the harness than 6 tokens (the
// assembly of stop 58 had kept 6; docs/benchmarks/xeon/stop64). On Zen 4 these 6-token passes
// ran 2B int4 prefill 4-23 % faster than that loop (docs/benchmarks/zen4/stop66). Both run on rows
// repacked at load and on rows repacked by the call. (The two branches in packed_tokens that call
// them each work out their loop's prefetch; one shared computation of it read 4-5 % slower for the
// default int4 prefill, in 6 of 6 pairs in turns.)
struct Lanes32 {
  static constexpr size_t kRows = 32;
  static constexpr size_t kTokens = 6;
  static constexpr bool kOneChain = true;
  using H = Lanes16;
  struct Int {
    __m512i lo, hi;
  };
  struct Float {
    __m512 lo, hi;
  };
  static Int zero() { return {H::zero(), H::zero()}; }
  static Int splat(int32_t v) {
    const __m512i s = H::splat(v);
    return {s, s};
  }
  static Int dot(Int acc, const __m256i* w, int32_t a) {
    const __m512i b = _mm512_set1_epi32(a);
    return {_mm512_dpbusd_epi32(acc.lo, _mm512_load_si512(w), b),
            _mm512_dpbusd_epi32(acc.hi, _mm512_load_si512(w + 2), b)};
  }
  static Float load(const float* x) { return {H::load(x), H::load(x + 16)}; }
  static void store(float* x, Float v) {
    H::store(x, v.lo);
    H::store(x + 16, v.hi);
  }
  static Float finish(const GemmArgs& p, size_t n0, Float acc, bool row_scales) {
    return {H::finish(p, n0, acc.lo, row_scales), H::finish(p, n0 + 16, acc.hi, row_scales)};
  }
  static Float add_group(Float acc, Int even, Int odd, float a_scale, const float* w_scales) {
    return {H::add_group(acc.lo, even.lo, odd.lo, a_scale, w_scales),
            H::add_group(acc.hi, even.hi, odd.hi, a_scale,
                         w_scales != nullptr ? w_scales + 16 : nullptr)};
  }
  static Float add_unscaled_group(Float acc, Int even, Int odd, const float* w_scales) {
    return {H::add_unscaled_group(acc.lo, even.lo, odd.lo, w_scales),
            H::add_unscaled_group(acc.hi, even.hi, odd.hi, w_scales + 16)};
  }
  static Int load_int(const float* x) { return {H::load_int(x), H::load_int(x + 16)}; }
  static void store_int(float* x, Int v) {
    H::store_int(x, v.lo);
    H::store_int(x + 16, v.hi);
  }
  static Int add_dots(Int sum, Int even, Int odd, int32_t offset) {
    return {H::add_dots(sum.lo, even.lo, odd.lo, offset),
            H::add_dots(sum.hi, even.hi, odd.hi, offset)};
  }
  static Float to_float(Int v) { return {H::to_float(v.lo), H::to_float(v.hi)}; }
  static Float add_power_of_two_group(Float acc, Int even, Int odd, float bias,
                                      const float* w_scales) {
    return {H::add_power_of_two_group(acc.lo, even.lo, odd.lo, bias, w_scales),
            H::add_power_of_two_group(acc.hi, even.hi, odd.hi, bias,
                                      w_scales != nullptr ? w_scales + 16 : nullptr)};
  }
  static Float scaled(Float acc, float a_scale) {
    return {H::scaled(acc.lo, a_scale), H::scaled(acc.hi, a_scale)};
  }
};

// The f16 scales of rows n0..n0+R-1 (R = 8 or 16), groups g0..g0+count-1, as f32 by group:
// out[g · out_stride + r] (a 32-row block takes two calls, out_stride 32). Eight groups at a time
// go through an 8×8 transpose of 16-bit values, rows r and r + 8 sharing a vector's two 128-bit
// halves, so a transposed vector holds one group's R scales in row order (a scalar conversion per
// scale was a third of the repack's time).
template <size_t R>
inline void int4_scales_by_row(const GemmArgs& p, size_t n0, size_t g0, size_t count, float* out,
                               size_t out_stride = R) {
  const size_t groups = p.kp / 32;
  const uint16_t* scales = reinterpret_cast<const uint16_t*>(p.w_scales) + n0 * groups + g0;
  size_t g = 0;
  for (; g + 8 <= count; g += 8) {
    __m256i v[8];
    for (size_t r = 0; r < 8; ++r) {
      const __m128i low =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(scales + r * groups + g));
      const __m128i high =
          R == 16 ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(scales + (r + 8) * groups + g))
                  : _mm_setzero_si128();
      v[r] = _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
    }
    __m256i u[8];
    transpose_in_lanes<16>(v, u);
    // u[0..3]: groups (0,1), (2,3), (4,5), (6,7) of rows 0-3; u[4..7] the same of rows 4-7.
    for (size_t j = 0; j < 4; ++j) {
      const __m256i even = _mm256_unpacklo_epi64(u[j], u[j + 4]);
      const __m256i odd = _mm256_unpackhi_epi64(u[j], u[j + 4]);
      float* even_out = out + (g + 2 * j) * out_stride;
      float* odd_out = even_out + out_stride;
      if constexpr (R == 16) {
        _mm512_storeu_ps(even_out, _mm512_cvtph_ps(even));
        _mm512_storeu_ps(odd_out, _mm512_cvtph_ps(odd));
      } else {
        _mm256_storeu_ps(even_out, _mm256_cvtph_ps(_mm256_castsi256_si128(even)));
        _mm256_storeu_ps(odd_out, _mm256_cvtph_ps(_mm256_castsi256_si128(odd)));
      }
    }
  }
  for (; g < count; ++g) {
    for (size_t r = 0; r < R; ++r) out[g * out_stride + r] = _cvtsh_ss(scales[r * groups + g]);
  }
}

// What the repack after this block's will read (packed_rows): its rows' groups and, for int4,
// their f16 scales, prefetched while this block computes, a share in each pass of tokens and
// spread over the pass's groups. With a few tokens (a decode batch) the memory would otherwise
// sit idle while the block computes, and the repack then wait for it. All of it in the first
// pass (an eighth of a 64-token chunk's) left lines arriving late. One thread, 64 tokens, 2,560
// columns of int4 with per-token scales: 160-166 → 163-168 GMAC/s on matrices of 10,240-81,920
// rows, against 177-186 on one small enough to stay in L3; the 2B int4 prefill gained 2-14 % in
// 12 of 14 alternating pairs.
struct NextRepack {
  const uint8_t* rows = nullptr;    // its first row at its first group; null: nothing to fetch
  const uint8_t* scales = nullptr;  // int4: that row's scale of that group; null: none
  size_t count = 0;                 // groups
  size_t pass = 0, passes = 1;      // the share of this pass of tokens
  // Weights repacked at load (GemmArgs::w_packed): the next block is `count` groups of
  // Rows::kPackedGroupBytes from `rows` on, one run of lines.
  bool contiguous = false;
  // Repacked at load and one pass over the block (a decode step, a batch of up to 6 tokens):
  // instead, each group prefetches the group kStreamAheadGroups on from `stream` (this block's
  // first line), one stream of lines whatever the blocks.
  const uint8_t* stream = nullptr;
};

// Tokens m0..m0+MR-1 of a block's L::kRows rows over groups g0..g0+count-1, from the packed
// block. `w_scales` [count][kRows] (int4 only). The accumulators start from and go back to
// `partial` [MR][kRows]. Meanwhile `next`'s share is prefetched.
// kPerToken (GemmArgs::aq_token_scales): `partial` holds the unscaled sums, for int8 rows as
// exact int32 (carried across groups in the dot chains and across blocks in `partial`).
// kPowerOfTwo: the chains start from `pow2`'s starts, and its biases come off their sums.
// kSpread 2: a 16-row half of a 32-row block repacked at load, its vectors every other one.
template <typename Rows, typename L, size_t MR, ActivationScales kScales, size_t kSpread = 1>
inline void packed_tokens(const GemmArgs& p, const int32_t* offsets, const __m256i* packed,
                          const float* w_scales, size_t m0, size_t g0, size_t count,
                          const NextRepack& next, const PowerOfTwoStarts& pow2, float* partial) {
  constexpr bool kTokenScales = kScales == ActivationScales::kPerToken;
  constexpr bool kPowerOfTwo = kScales == ActivationScales::kPowerOfTwo;
  constexpr size_t kGroupsPerLine = 64 / Rows::kGroupBytes;
  constexpr size_t kScaleGroups = 16;  // one prefetch per 32 bytes of a row's f16 scales
  constexpr size_t kHalves = L::kRows / 8 * kSpread;
  const size_t groups = p.kp / 32;
  // int8 rows with per-token scales: one exact int32 sum a row, no float step per group.
  constexpr bool kIntegerRows = kTokenScales && !Rows::kGroupScales;
  typename L::Float acc[MR];
  for (size_t i = 0; i < MR; ++i) acc[i] = L::load(partial + i * L::kRows);
  typename L::Int even[MR], odd[MR];
  for (size_t i = 0; i < MR; ++i) {
    even[i] = L::zero();
    odd[i] = L::zero();
  }
  // This pass's share of the next repack's prefetches: (line, row) pairs [unit0, unit1) of its
  // rows, then (run, row) pairs [run0, run1) of its scales.
  const size_t lines =
      next.rows != nullptr ? (next.count + kGroupsPerLine - 1) / kGroupsPerLine : 0;
  // Runs of 16 groups, and one at the last group: every line is met however the scales align.
  const size_t runs = next.scales != nullptr ? next.count / kScaleGroups + 1 : 0;
  // Repacked at load: the lines of the whole 32-row block's groups, one after another.
  const size_t units =
      next.contiguous ? next.count * Rows::kPackedGroupBytes / 64 : lines * L::kRows;
  const size_t run_units = runs * L::kRows;
  const size_t unit0 = units * next.pass / next.passes,
               unit1 = units * (next.pass + 1) / next.passes;
  const size_t run0 = run_units * next.pass / next.passes,
               run1 = run_units * (next.pass + 1) / next.passes;
  // Spread evenly, one line at a time: by the end of group g, (unit1 - unit0) · (g + 1) / count
  // are fetched, counted in credits of 1 / count (no division in the loop: two 64-bit divisions
  // a group once put 4.6 % of the product's samples just after them). A line of every row at once
  // (32 prefetches together in a 32-row block) was slower: 2B int4 prefill on an Intel Xeon,
  // 145-154 against 150-158 tokens/s in six pairs in turns (docs/benchmarks/xeon/stop59).
  size_t unit = unit0, run = run0, unit_credit = 0, run_credit = 0;
  // One group's share of the next repack's prefetches.
  const auto prefetch_next_share = [&] {
    for (unit_credit += unit1 - unit0; unit_credit >= count; unit_credit -= count, ++unit) {
      if (next.contiguous) {
        __builtin_prefetch(next.rows + unit * 64, 0, 3);
        continue;
      }
      const size_t r = unit % L::kRows, line = unit / L::kRows;
      __builtin_prefetch(next.rows + r * p.w_row_bytes + line * 64, 0, 3);
    }
    for (run_credit += run1 - run0; run_credit >= count; run_credit -= count, ++run) {
      const size_t r = run % L::kRows,
                   g_run = std::min(run / L::kRows * kScaleGroups, next.count - 1);
      __builtin_prefetch(next.scales + (r * groups + g_run) * sizeof(uint16_t), 0, 3);
    }
  };
  if constexpr (kIntegerRows && L::kRows == 32 && MR == 8 && kSpread == 1) {
    // int8 rows with per-token scales, 8 tokens: the assembly loop (qd8-vnni-int8-eight-tokens.h),
    // its 16 chains carried in `even` from call to call.
    const uint8_t* block = reinterpret_cast<const uint8_t*>(packed);
    const int8_t* a = p.aq + m0 * p.kp + g0 * 32;
    if (next.rows == nullptr || next.contiguous) {
      // Rows repacked at load: this pass's share of the next block's lines (whole lines a group,
      // rounded up) or the stream ahead, prefetched by the loop.
      const uint8_t* prefetch = nullptr;
      size_t prefetch_lines = 0;
      if (next.stream != nullptr) {
        prefetch = next.stream + kStreamAheadGroups * Rows::kPackedGroupBytes;
        prefetch_lines = Rows::kPackedGroupBytes / 64;
      } else if (next.rows != nullptr) {
        prefetch = next.rows + unit0 * 64;
        prefetch_lines = (unit1 - unit0 + count - 1) / count;
      }
      int8_rows32_eight_tokens(block, a, p.kp, count, prefetch, prefetch_lines, &even[0].lo);
    } else {
      // Rows as stored, repacked by this call: the next repack's lines lie a row apart, so they
      // are prefetched here at the intrinsics' rate, between runs of 16 groups (runs of 4: a few
      // percent slower at 64 tokens).
      constexpr size_t kRunGroups = 16;
      for (size_t g = 0; g < count; g += kRunGroups) {
        const size_t some = std::min(kRunGroups, count - g);
        for (size_t j = 0; j < some; ++j) prefetch_next_share();
        int8_rows32_eight_tokens(block + g * 8 * kHalves * sizeof(__m256i), a + g * 32, p.kp, some,
                                 nullptr, 0, &even[0].lo);
      }
    }
    for (size_t i = 0; i < MR; ++i) {
      const int32_t offset = sum_int32(offsets + (m0 + i) * groups + g0, count);
      L::store_int(partial + i * L::kRows,
                   L::add_dots(L::load_int(partial + i * L::kRows), even[i], odd[i], offset));
    }
    return;
  }
  if constexpr (Rows::kGroupScales && L::kRows == 32 && MR == 8 && kSpread == 1) {
    // int4 rows, 8 tokens: the assembly loop (qd8-vnni-scaled-groups-eight-tokens.h), its
    // accumulators in `partial`.
    constexpr GroupStep kStep = kPowerOfTwo    ? GroupStep::kPowerOfTwo
                                : kTokenScales ? GroupStep::kWeight
                                               : GroupStep::kWeightTimesActivation;
    EightTokenGroups per_group;
    for (size_t i = 0; i < MR; ++i) {
      const size_t first = (m0 + i) * groups + g0;
      if constexpr (kPowerOfTwo) {
        std::memcpy(per_group.starts[i], pow2.starts + first, count * sizeof(int32_t));
        std::memcpy(per_group.floats[i], pow2.biases + first, count * sizeof(float));
      } else {
        for (size_t g = 0; g < count; ++g) per_group.starts[i][g] = -offsets[first + g];
        if constexpr (!kTokenScales) {
          std::memcpy(per_group.floats[i], p.aq_scales + first, count * sizeof(float));
        }
      }
    }
    const uint8_t* block = reinterpret_cast<const uint8_t*>(packed);
    const int8_t* a = p.aq + m0 * p.kp + g0 * 32;
    if (next.rows == nullptr || next.contiguous) {
      // Rows repacked at load: the next block's lines are one run, prefetched by the loop.
      const uint8_t* prefetch = nullptr;
      size_t prefetch_lines = 0;
      if (next.rows != nullptr) {
        prefetch = next.rows + unit0 * 64;
        prefetch_lines = (unit1 - unit0 + count - 1) / count;
      }
      scaled_groups_rows32_eight_tokens<kStep>(block, a, p.kp, 0, count, prefetch, prefetch_lines,
                                               per_group, w_scales, partial);
      return;
    }
    // Rows as stored, repacked by this call: the next repack's lines lie a row apart, with their
    // scales, so they are prefetched here at the intrinsics' rate, between runs of groups.
    constexpr size_t kRunGroups = 4;
    for (size_t g = 0; g < count; g += kRunGroups) {
      const size_t some = std::min(kRunGroups, count - g);
      for (size_t j = 0; j < some; ++j) prefetch_next_share();
      scaled_groups_rows32_eight_tokens<kStep>(
          reinterpret_cast<const uint8_t*>(packed + g * 8 * kHalves), a + g * 32, p.kp, g, some,
          nullptr, 0, per_group, w_scales + g * L::kRows, partial);
    }
    return;
  }
  for (size_t g = 0; g < count; ++g) {
    prefetch_next_share();
    const __m256i* block = packed + g * 8 * kHalves;
    if (next.stream != nullptr) {
      prefetch_lines(next.stream + (g + kStreamAheadGroups) * Rows::kPackedGroupBytes,
                     Rows::kPackedGroupBytes);
    }
    if constexpr (!kIntegerRows) {
      // The even chain starts from -offset: the sum of the chains is then the exact group dot,
      // an integer subtraction a (token, group) fewer (2B int4 prefill, per-token scales: faster
      // in 5 of 5 alternating pairs, by 1-9 %).
      for (size_t i = 0; i < MR; ++i) {
        even[i] = kPowerOfTwo ? L::splat(pow2.starts[(m0 + i) * groups + g0 + g])
                              : L::splat(-offsets[(m0 + i) * groups + g0 + g]);
        odd[i] = L::zero();
      }
    }
    for (size_t c = 0; c < 8; c += 2) {
      for (size_t i = 0; i < MR; ++i) {
        const int8_t* a = p.aq + (m0 + i) * p.kp + (g0 + g) * 32 + c * 4;
        int32_t a0, a1;
        std::memcpy(&a0, a, 4);
        std::memcpy(&a1, a + 4, 4);
        even[i] = L::dot(even[i], block + c * kHalves, a0);
        typename L::Int& chain = L::kOneChain ? even[i] : odd[i];
        chain = L::dot(chain, block + (c + 1) * kHalves, a1);
      }
    }
    for (size_t i = 0; i < MR && !kIntegerRows; ++i) {
      if constexpr (kTokenScales) {
        acc[i] = L::add_unscaled_group(acc[i], even[i], odd[i], w_scales + g * L::kRows);
      } else if constexpr (kPowerOfTwo) {
        acc[i] = L::add_power_of_two_group(acc[i], even[i], odd[i],
                                           pow2.biases[(m0 + i) * groups + g0 + g],
                                           Rows::kGroupScales ? w_scales + g * L::kRows : nullptr);
      } else {
        acc[i] = L::add_group(acc[i], even[i], odd[i], p.aq_scales[(m0 + i) * groups + g0 + g],
                              Rows::kGroupScales ? w_scales + g * L::kRows : nullptr);
      }
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    if constexpr (kIntegerRows) {
      const int32_t offset = sum_int32(offsets + (m0 + i) * groups + g0, count);
      L::store_int(partial + i * L::kRows,
                   L::add_dots(L::load_int(partial + i * L::kRows), even[i], odd[i], offset));
    } else {
      L::store(partial + i * L::kRows, acc[i]);
    }
  }
}

// packed_tokens for a pass of `tokens` (1..MR) tokens.
template <typename Rows, typename L, ActivationScales kScales, size_t kSpread,
          size_t MR = L::kTokens>
inline void packed_token_pass(size_t tokens, const GemmArgs& p, const int32_t* offsets,
                              const __m256i* packed, const float* w_scales, size_t m0, size_t g0,
                              size_t count, const NextRepack& next, const PowerOfTwoStarts& pow2,
                              float* partial) {
  if constexpr (MR > 1) {
    if (tokens < MR) {
      packed_token_pass<Rows, L, kScales, kSpread, MR - 1>(tokens, p, offsets, packed, w_scales, m0,
                                                           g0, count, next, pow2, partial);
      return;
    }
  }
  packed_tokens<Rows, L, MR, kScales, kSpread>(p, offsets, packed, w_scales, m0, g0, count, next,
                                               pow2, partial);
}

// One token (m) through groups g0..g0+count-1 of a 32-row int4 block repacked at load, read
// where it lies: each group's nibbles are split in registers, not into the stack's block first
// (Int4Rows::unpack_at_load), with the same exact group dots and float steps as packed_tokens, so
// the same bits. A decode step reads each group once; on Zen 4 the split's 1 KB of stores a
// group, read back at once, held 2B int4 decode repacked at load to 10.8-12.6 tokens/s against
// 15.5-16.4 on the rows as stored, and this loop decodes at 15.0-22.9 (per-token scales 14.3 ->
// 22.9-24.5, power of two 11.8-13.2 -> 16.4-16.5; docs/benchmarks/zen4/stop66/pairs.txt). Not
// measured on an Intel Xeon, where the split's slices had matched the stored rows.
// The accumulators start from and go back to `partial` [32]. Each group prefetches the one
// kStreamAheadGroups on (the next block follows this one).
template <ActivationScales kScales>
inline void int4_packed_one_token(const GemmArgs& p, const int32_t* offsets,
                                  const PowerOfTwoStarts& pow2, const uint8_t* from, size_t m,
                                  size_t g0, size_t count, float* partial) {
  constexpr size_t kGroupBytes = Int4Rows::kPackedGroupBytes;
  const size_t groups = p.kp / 32;
  const __m512i nibble = _mm512_set1_epi8(0x0f);
  __m512 acc[2] = {_mm512_loadu_ps(partial), _mm512_loadu_ps(partial + 16)};
  for (size_t g = 0; g < count; ++g) {
    const uint8_t* group = from + g * kGroupBytes;
    prefetch_lines(group + kStreamAheadGroups * kGroupBytes, kGroupBytes);
    const size_t token_group = m * groups + g0 + g;
    int32_t a[8];
    std::memcpy(a, p.aq + m * p.kp + (g0 + g) * 32, sizeof a);
    for (size_t h = 0; h < 2; ++h) {
      // Chunk c (activations 4c..4c+3) in the low nibbles of dword vector c · 2 + h, chunk c + 4
      // in its high ones (Int4Rows::repack32_at_load).
      __m512i even =
          _mm512_set1_epi32(kScales == ActivationScales::kPowerOfTwo ? pow2.starts[token_group]
                                                                     : -offsets[token_group]);
      __m512i odd = _mm512_setzero_si512();
      for (size_t c = 0; c < 4; ++c) {
        const __m512i d = _mm512_load_si512(group + (c * 2 + h) * 64);
        even = _mm512_dpbusd_epi32(even, _mm512_and_si512(d, nibble), _mm512_set1_epi32(a[c]));
        odd = _mm512_dpbusd_epi32(odd, _mm512_and_si512(_mm512_srli_epi16(d, 4), nibble),
                                  _mm512_set1_epi32(a[c + 4]));
      }
      alignas(64) float w_scales[16];
      _mm512_store_ps(w_scales, _mm512_cvtph_ps(_mm256_load_si256(
                                    reinterpret_cast<const __m256i*>(group + 8 * 64 + h * 32))));
      if constexpr (kScales == ActivationScales::kPerToken) {
        acc[h] = Lanes16::add_unscaled_group(acc[h], even, odd, w_scales);
      } else if constexpr (kScales == ActivationScales::kPowerOfTwo) {
        acc[h] =
            Lanes16::add_power_of_two_group(acc[h], even, odd, pow2.biases[token_group], w_scales);
      } else {
        acc[h] = Lanes16::add_group(acc[h], even, odd, p.aq_scales[token_group], w_scales);
      }
    }
  }
  _mm512_storeu_ps(partial, acc[0]);
  _mm512_storeu_ps(partial + 16, acc[1]);
}

// Repacks groups g0..g0+count-1 of 32 rows (`row_bytes` apart from `w`) into `out` (64-byte
// aligned, count · 1 KB): a 32-row block of packed_rows<Lanes32>, for one call, or once at load
// for a model opened with repack_weights (GemmArgs::w_packed, all of a row's groups).
template <typename Rows>
inline void repack_rows32(const uint8_t* w, size_t row_bytes, size_t g0, size_t count,
                          __m512i* out) {
  Rows::repack16(w, row_bytes, g0, count, out, 2);
  Rows::repack16(w + 16 * row_bytes, row_bytes, g0, count, out + 1, 2);
}

// Prefill: rows [n0, n0 + L::kRows) for every token; the caller's rows end at n_end.
// `prepacked`: the 32-row block of these rows as repacked at load (GemmArgs::w_packed), with
// kSpread 2 its 16-row half `half`, not repacked here. int8 rows are read where they lie (a
// half's vectors every other one); int4 rows, whose nibbles stay packed there, are split into
// the stack's block first (Int4Rows::unpack_at_load). The next block follows in memory.
template <typename Rows, typename L, ActivationScales kScales, size_t kSpread = 1>
inline void packed_rows(const GemmArgs& p, const int32_t* offsets, const PowerOfTwoStarts& pow2,
                        size_t n0, size_t n_end, const uint8_t* prepacked = nullptr,
                        size_t half = 0) {
  constexpr bool kTokenScales = kScales == ActivationScales::kPerToken;
  constexpr size_t kRows = L::kRows;
  constexpr size_t kReadSpread = Rows::kGroupScales ? 1 : kSpread;  // int4: unpacked whole
  constexpr size_t kGroupsAtOnce = kBlockGroups * 8 / kRows;        // 64 KB of packed weights
  const size_t groups = p.kp / 32;
  alignas(64) __m256i packed[kBlockGroups * 8];
  alignas(64) float w_scales[Rows::kGroupScales ? kBlockGroups * 8 : 1];  // [g][row]
  // 32-row blocks go 8 tokens a pass through the assembly loops, repacked at load or by the call
  // (which prefetches the next repack between runs of groups): int8 rows with per-token scales
  // (qd8-vnni-int8-eight-tokens.h; on Zen 4 level with 6-token passes), int4 rows with any
  // activation scales where the kernel variant asks (Rows::kEightTokenPasses,
  // qd8-vnni-scaled-groups-eight-tokens.h); the rest L::kTokens. (int8 rows per group through
  // the second loop read level with their 6-token passes: 0.98-1.07 in the harness.)
  constexpr bool kEightTokens = kRows == 32 && kReadSpread == 1 && Rows::kEightTokenPasses &&
                                (kTokenScales || Rows::kGroupScales);
  static_assert(kGroupsAtOnce <= kEightTokensGroups || kRows != 32, "a block's groups fit");
  constexpr size_t kTokens = kEightTokens ? 8 : L::kTokens;
  float partial[kTokens * kRows];
  const size_t passes = (p.m + kTokens - 1) / kTokens;
  // int4 repacked at load: the groups are split a few at a time as the first pass over the block
  // reads them, so the split's loads and stores overlap the loop's work.
  //  - A lone token (a decode step) of a 32-row block skips the split: int4_packed_one_token.
  //  - One pass (a small batch, a 16-row half): each slice goes to the block's start, in L1, and
  //    the split streams the memory ahead. Split whole first, the memory sat idle meanwhile: 2B
  //    int4 decode on an Intel Xeon ran at 10-11 tokens/s against 14-16 on the rows as stored.
  //  - More passes (prefill): each slice goes to its place in the block, which the later passes
  //    read whole; the loop's prefetches of the next block are spread over the slices. The
  //    kernel alone on an Intel Xeon, 64 tokens, 24 matrices from memory, the same bits: 1-3 %
  //    faster at 2,560 columns (per group and per token, 4 runs), 6 % at 7,680, level in L2;
  //    split whole before the first pass, its stalls sat between the passes
  //    (docs/benchmarks/xeon/stop65/experiments.txt).
  // int4 rows as stored, 32 at a time (prefill): the same, each slice repacked from the rows and
  // its scales. The kernel alone, in turns, rows as stored, from memory: +3-5 % per token (12 of
  // 12 rounds), level to +3 % per group, +2 % at 7,680 columns, +16 % in L2; int8 rows the same
  // way read level.
  const bool split_as_read = Rows::kGroupScales && prepacked != nullptr;
  constexpr bool kRepackAsRead = Rows::kGroupScales && kRows == 32;
  const bool repack_as_read = kRepackAsRead && prepacked == nullptr;
  constexpr size_t kSplitGroups = 8;
  // Group `at` of the block (8 vectors of kRows rows × 4 bytes), and its rows' scales.
  const auto block_at = [&](size_t at) { return packed + at * 8 * (kRows / 8); };
  const auto scales_at = [&](size_t at) { return w_scales + at * kRows; };
  // Groups [g, g + count) of rows repacked at load, split into the block from group `at` on.
  const auto split = [&](const uint8_t* from, size_t count, size_t at, bool stream) {
    if constexpr (Rows::kGroupScales && kRows >= 16) {
      Rows::template unpack_at_load<kRows>(from, count, half, stream,
                                           reinterpret_cast<__m512i*>(block_at(at)), scales_at(at));
    }
  };
  // Groups [g, g + count) of the rows as stored, repacked into the block from group `at` on, with
  // int4's scales.
  const auto repack = [&](size_t g, size_t count, size_t at) {
    if constexpr (kRows == 32) {
      repack_rows32<Rows>(weight_row<uint8_t>(p, n0), p.w_row_bytes, g, count,
                          reinterpret_cast<__m512i*>(block_at(at)));
    } else if constexpr (kRows == 16) {
      Rows::repack16(weight_row<uint8_t>(p, n0), p.w_row_bytes, g, count,
                     reinterpret_cast<__m512i*>(block_at(at)));
    } else {
      repack_rows<Rows>(p, n0, g, count, block_at(at));
    }
    if constexpr (Rows::kGroupScales && kRows == 32) {
      int4_scales_by_row<16>(p, n0, g, count, scales_at(at), 32);
      int4_scales_by_row<16>(p, n0 + 16, g, count, scales_at(at) + 16, 32);
    } else if constexpr (Rows::kGroupScales) {
      int4_scales_by_row<kRows>(p, n0, g, count, scales_at(at));
    }
  };
  // int8 rows: blocks of nearly equal size (2,560 columns: 40 + 40 groups, not 64 + 16). A short
  // last block had to prefetch the next one's 64 KB in a quarter of a block's time, and the next
  // rows' first block waited on the lines that came late. The repacked int8 kernel alone, two
  // Xeon threads, 64 tokens, 24 matrices from memory (docs/benchmarks/xeon/stop64): 2,560
  // columns +11 % (8 of 8 rounds), 7,680 (60 groups a block, not 64 + 64 + 64 + 48) +4 %, per-group
  // scales +8 %; a matrix in L2 -2 %. int4 keeps whole blocks: even ones read 3 % slower.
  const size_t block_count = (groups + kGroupsAtOnce - 1) / kGroupsAtOnce;
  const auto block_start = [&](size_t b) {
    return Rows::kGroupScales ? std::min(groups, b * kGroupsAtOnce) : groups * b / block_count;
  };
  for (size_t b = 0; b < block_count; ++b) {
    const size_t g0 = block_start(b);
    const size_t count = block_start(b + 1) - g0;
    const __m256i* block = packed;
    const uint8_t* from = prepacked != nullptr ? prepacked + g0 * Rows::kPackedGroupBytes : nullptr;
    if constexpr (!Rows::kGroupScales) {  // (int4: split by the first pass, split_as_read)
      if (from != nullptr) block = reinterpret_cast<const __m256i*>(from) + 2 * half;
    }
    if (prepacked == nullptr && !repack_as_read) repack(g0, count, 0);
    // The next repack: these rows' next groups, else the next rows' first (int4: with their f16
    // scales, unfetched, their loads in int4_scales_by_row were 3 % of a 2B int4 prefill).
    NextRepack next;
    const bool last = b + 1 == block_count;  // these rows' last block of groups
    const size_t next_b = last ? 0 : b + 1;
    const size_t next_n = last ? n0 + kRows : n0, next_g = block_start(next_b);
    const size_t next_count = block_start(next_b + 1) - next_g;
    if (prepacked != nullptr && passes == 1) {
      // Prefetched even past the task's rows: prefetches never fault. (int4: unpack_at_load
      // streamed this block's groups.)
      if constexpr (!Rows::kGroupScales) next.stream = from;
    } else if (prepacked != nullptr) {
      // The next block follows this one (or the next 32 rows' first follows these rows' last).
      next.rows = from + count * Rows::kPackedGroupBytes;
      next.contiguous = true;
      next.count = next_count;
    } else if (next_n < n_end) {
      next.rows = weight_row<uint8_t>(p, next_n) + next_g * Rows::kGroupBytes;
      if constexpr (Rows::kGroupScales) {
        next.scales = p.w_scales + (next_n * groups + next_g) * sizeof(uint16_t);
      }
      next.count = next_count;
    }
    // Passes of nearly equal size (64 tokens: 9 of 6 and 2 of 5, not 10 of 6 and 1 of 4): a
    // pass of fewer tokens keeps fewer dot chains in flight.
    next.passes = passes;
    for (size_t pass = 0; pass < next.passes; ++pass) {
      const size_t m = p.m * pass / next.passes;
      const size_t tokens = p.m * (pass + 1) / next.passes - m;
      next.pass = pass;
      for (size_t i = 0; i < tokens; ++i) {
        float* y = p.y + (m + i) * p.y_stride + n0;
        if (g0 == 0) {
          std::memset(partial + i * kRows, 0, kRows * sizeof(float));
        } else {
          std::memcpy(partial + i * kRows, y, kRows * sizeof(float));
        }
      }
      if (kRows == 32 && split_as_read && tokens == 1) {  // a decode step: read where it lies
        int4_packed_one_token<kScales>(p, offsets, pow2, from, m, g0, count, partial);
      } else if ((split_as_read || repack_as_read) && pass == 0) {
        const bool one_pass = passes == 1;
        // Several passes: this pass's share of the next block's prefetches, a slice's share each.
        NextRepack slice_next = next;
        if (!one_pass) slice_next.passes = (count + kSplitGroups - 1) / kSplitGroups * next.passes;
        for (size_t s = 0; s < count; s += kSplitGroups) {
          const size_t some = std::min(kSplitGroups, count - s), at = one_pass ? 0 : s;
          if (!one_pass) slice_next.pass = s / kSplitGroups;
          if (split_as_read) {
            split(from + s * Rows::kPackedGroupBytes, some, at, one_pass);
          } else {
            repack(g0 + s, some, at);
          }
          packed_token_pass<Rows, L, kScales, kReadSpread, kTokens>(
              tokens, p, offsets, block_at(at), scales_at(at), m, g0 + s, some, slice_next, pow2,
              partial);
        }
      } else {
        packed_token_pass<Rows, L, kScales, kReadSpread, kTokens>(
            tokens, p, offsets, block, w_scales, m, g0, count, next, pow2, partial);
      }
      for (size_t i = 0; i < tokens; ++i) {
        float* y = p.y + (m + i) * p.y_stride + n0;
        if (!last) {  // the partial sums as they are (int32 for int8 rows with token scales)
          std::memcpy(y, partial + i * kRows, kRows * sizeof(float));
          continue;
        }
        // Rows::finish in vectors (a scalar loop here was 2 % of a 2B int4 prefill).
        typename L::Float acc;
        if constexpr (kTokenScales) {
          acc = Rows::kGroupScales ? L::load(partial + i * kRows)
                                   : L::to_float(L::load_int(partial + i * kRows));
          acc = L::scaled(acc, p.aq_scales[(m + i) * groups]);
        } else {
          acc = L::load(partial + i * kRows);
        }
        L::store(y, L::finish(p, n0, acc, !Rows::kGroupScales));
      }
    }
  }
}

// The 4 rows' f16 scales of groups g0..g0+count-1 (count <= 8) as f32, by group: group g in the
// low half of by_group[g % 4] for g < 4 and in its high half for g >= 4 (a 4×8 transpose).
inline void int4_scales_by_group(const uint16_t* const* w_scales, size_t g0, size_t count,
                                 float (*by_group)[8]) {
  __m256 row_scales[4];
  for (size_t j = 0; j < 4; ++j) {
    uint16_t part[8] = {};
    std::memcpy(part, w_scales[j] + g0, count * sizeof(uint16_t));
    row_scales[j] = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(part)));
  }
  const __m256 t0 = _mm256_unpacklo_ps(row_scales[0], row_scales[1]);
  const __m256 t1 = _mm256_unpackhi_ps(row_scales[0], row_scales[1]);
  const __m256 t2 = _mm256_unpacklo_ps(row_scales[2], row_scales[3]);
  const __m256 t3 = _mm256_unpackhi_ps(row_scales[2], row_scales[3]);
  _mm256_store_ps(by_group[0], _mm256_shuffle_ps(t0, t2, 0x44));
  _mm256_store_ps(by_group[1], _mm256_shuffle_ps(t0, t2, 0xEE));
  _mm256_store_ps(by_group[2], _mm256_shuffle_ps(t1, t3, 0x44));
  _mm256_store_ps(by_group[3], _mm256_shuffle_ps(t1, t3, 0xEE));
}

// One token, rows n0..n0+NR-1 (NR <= 4) as stored: per group, each row's 8 lanes reduced in
// int32, then the same f32 steps as packed_tokens (a one-token prefill call, and the rows past
// the last block of 8).
// kTokenScales: as packed_tokens, the groups summed unscaled (int8 rows in int32) and the token's
// scale applied at the end, in the same steps.
template <typename Rows, size_t NR, bool kTokenScales>
inline void stored_rows(const GemmArgs& p, const int32_t* offsets, size_t m, size_t n0) {
  const size_t groups = p.kp / 32;
  const uint8_t* w[4];
  const uint16_t* w_scales[4] = {};
  for (size_t j = 0; j < 4; ++j) {
    const size_t n = n0 + std::min(j, NR - 1);
    w[j] = weight_row<uint8_t>(p, n);
    if constexpr (Rows::kGroupScales) {
      w_scales[j] = reinterpret_cast<const uint16_t*>(p.w_scales) + n * groups;
    }
  }
  const uint8_t* ahead = w[0] + kPrefetchTiles * NR * p.w_row_bytes;
  const int8_t* a = p.aq + m * p.kp;
  const float* a_scales = p.aq_scales + m * groups;
  constexpr bool kIntegerRows = kTokenScales && !Rows::kGroupScales;
  __m128 acc = _mm_setzero_ps();
  __m128i integer_sum = _mm_setzero_si128();
  for (size_t g0 = 0; g0 < groups; g0 += 8) {
    const size_t count = std::min<size_t>(groups - g0, 8);
    prefetch_lines(ahead + g0 * NR * Rows::kGroupBytes, NR * Rows::kGroupBytes * 8);
    alignas(32) float by_group[4][8];
    if constexpr (Rows::kGroupScales) int4_scales_by_group(w_scales, g0, count, by_group);
    for (size_t gi = 0; gi < count; ++gi) {
      const size_t g = g0 + gi;
      const __m256i av = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + g * 32));
      __m256i d[4];
      for (size_t j = 0; j < 4; ++j) {
        d[j] = j < NR ? _mm256_dpbusd_epi32(_mm256_setzero_si256(),
                                            Rows::values(w[j] + g * Rows::kGroupBytes), av)
                      : _mm256_setzero_si256();
      }
      const __m256i h =
          _mm256_hadd_epi32(_mm256_hadd_epi32(d[0], d[1]), _mm256_hadd_epi32(d[2], d[3]));
      const __m128i sums = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
      const __m128i dot = _mm_sub_epi32(sums, _mm_set1_epi32(offsets[m * groups + g]));
      if constexpr (kIntegerRows) {
        integer_sum = _mm_add_epi32(integer_sum, dot);
      } else if constexpr (kTokenScales) {  // int4: the weight scale only
        const __m128 w_scale = _mm_load_ps(&by_group[gi % 4][gi < 4 ? 0 : 4]);
        acc = _mm_fmadd_ps(_mm_cvtepi32_ps(dot), w_scale, acc);
      } else {
        __m128 scale = _mm_set1_ps(a_scales[g]);
        if constexpr (Rows::kGroupScales) {
          scale = _mm_mul_ps(_mm_load_ps(&by_group[gi % 4][gi < 4 ? 0 : 4]), scale);
        }
        acc = _mm_fmadd_ps(_mm_cvtepi32_ps(dot), scale, acc);
      }
    }
  }
  if constexpr (kIntegerRows) acc = _mm_cvtepi32_ps(integer_sum);
  if constexpr (kTokenScales) acc = _mm_mul_ps(acc, _mm_set1_ps(a_scales[0]));
  alignas(16) float sums[4];
  _mm_store_ps(sums, acc);
  for (size_t j = 0; j < NR; ++j) p.y[m * p.y_stride + n0 + j] = Rows::finish(p, n0 + j, sums[j]);
}

// Rows [n_begin, n_end) of every token of p; offsets [m, groups] = p.aq_group_offsets, passed on
// as a parameter: read through p in the token loop, it cost the int4 loop a register and 17 %.
// The stored rows take power-of-two scales as any others: the bits are the same (header comment).
template <typename Rows, ActivationScales kScales>
inline void vnni_rows(const GemmArgs& p, const int32_t* offsets, const PowerOfTwoStarts& pow2,
                      size_t n_begin, size_t n_end) {
  constexpr bool kTokenScales = kScales == ActivationScales::kPerToken;
  size_t n = n_begin;
  if (p.w_packed != nullptr) {
    // Repacked at load: 32-row blocks for any number of tokens (no repack to spread over them),
    // and a 16-row half where a task starts or ends mid-block (its rows are cut in 16s).
    const size_t packed_end = std::min(n_end, p.w_packed_rows);
    const size_t groups = p.kp / 32;
    const auto block_of = [&](size_t row) {
      return p.w_packed + row / 32 * groups * Rows::kPackedGroupBytes;
    };
    if (n % 32 == 16 && n + 16 <= packed_end) {
      packed_rows<Rows, Lanes16, kScales, 2>(p, offsets, pow2, n, n_end, block_of(n), 1);
      n += 16;
    }
    if (n % 32 == 0) {
      for (; n + 32 <= packed_end; n += 32) {
        packed_rows<Rows, Lanes32, kScales>(p, offsets, pow2, n, n_end, block_of(n));
      }
      if (n + 16 <= packed_end) {
        packed_rows<Rows, Lanes16, kScales, 2>(p, offsets, pow2, n, n_end, block_of(n), 0);
        n += 16;
      }
    }
  }
  if (p.m > kTokensPerPass) {
    // A call of up to 8 tokens (a decode batch) keeps to 16-row blocks, one pass each: as 32-row
    // blocks in passes of 6 + 2, a batch of 8 of 2B int4 decoded 13 % slower (56 -> 49 tokens/s).
    for (; n + 32 <= n_end; n += 32) {
      packed_rows<Rows, Lanes32, kScales>(p, offsets, pow2, n, n_end);
    }
  }
  if (p.m > 1) {
    for (; n + 16 <= n_end; n += 16) {
      packed_rows<Rows, Lanes16, kScales>(p, offsets, pow2, n, n_end);
    }
    for (; n + 8 <= n_end; n += 8) packed_rows<Rows, Lanes8, kScales>(p, offsets, pow2, n, n_end);
  }
  // A one-token call, and the last rows: 1×4 tiles on the stored rows, token by token.
  for (size_t m = 0; m < p.m; ++m) {
    size_t r = n;
    for (; r + 4 <= n_end; r += 4) stored_rows<Rows, 4, kTokenScales>(p, offsets, m, r);
    switch (n_end - r) {
      case 3:
        stored_rows<Rows, 3, kTokenScales>(p, offsets, m, r);
        break;
      case 2:
        stored_rows<Rows, 2, kTokenScales>(p, offsets, m, r);
        break;
      case 1:
        stored_rows<Rows, 1, kTokenScales>(p, offsets, m, r);
        break;
      default:
        break;
    }
  }
}

// Power-of-two scales: the chain starts and biases of up to kPowerOfTwoEntries (token, group)
// pairs are made on the stack (128 KB, with packed_rows' 72 KB well inside a phone's 512 KB-1 MB
// thread stacks: a 2B model's widest input, 7,680 columns, for 64 tokens), and the call's tokens
// go through in slabs of as many. Rows wider than 8 tokens' worth take the per-group path, with
// the same bits.
constexpr size_t kPowerOfTwoEntries = 16384;

template <typename Rows>
inline void power_of_two_rows(const GemmArgs& p, size_t n_begin, size_t n_end) {
  const size_t groups = p.kp / 32;
  const PowerOfTwoStarts none;
  if (groups > kPowerOfTwoEntries / kTokensPerPass) {
    vnni_rows<Rows, ActivationScales::kPerGroup>(p, p.aq_group_offsets, none, n_begin, n_end);
    return;
  }
  alignas(64) int32_t starts[kPowerOfTwoEntries];
  alignas(64) float biases[kPowerOfTwoEntries];
  const size_t slab = kPowerOfTwoEntries / groups / kTokensPerPass * kTokensPerPass;
  for (size_t m0 = 0; m0 < p.m; m0 += slab) {
    GemmArgs part = p;
    part.m = std::min(slab, p.m - m0);
    part.aq = p.aq + m0 * p.kp;
    part.aq_scales = p.aq_scales + m0 * groups;
    part.aq_group_offsets = p.aq_group_offsets + m0 * groups;
    part.y = p.y + m0 * p.y_stride;
    const size_t entries = part.m * groups;
    for (size_t j = 0; j < entries; ++j) {
      uint32_t bias;
      std::memcpy(&bias, part.aq_scales + j, sizeof bias);
      bias += kUnitToBiasBits;  // unsigned: no overflow whatever the scale's bits
      starts[j] = static_cast<int32_t>(bias - static_cast<uint32_t>(part.aq_group_offsets[j]));
      std::memcpy(biases + j, &bias, sizeof bias);
    }
    vnni_rows<Rows, ActivationScales::kPowerOfTwo>(
        part, part.aq_group_offsets, PowerOfTwoStarts{starts, biases}, n_begin, n_end);
  }
}

// Decode batches of up to this many tokens run the caller's decode kernel
// (qd8-avx512-decode.h), so each token gets the bits of its lone decode; larger batches run like
// prefill (to float rounding of the lone decode): with the weights read once for 5 or more tokens,
// the group's conversion, scale and FMA per row are what the tiles spend their time on.
constexpr size_t kMaxTiledDecodeTokens = 4;

// The whole product of an integer family for prefill and large decode batches, each block of
// rows repacked once for all the call's tokens. Returns false, having done nothing, for a decode
// of up to kMaxTiledDecodeTokens: the caller then uses its tiles.
template <typename Rows>
inline bool vnni_repacked(const GemmArgs& p, size_t n_begin, size_t n_end) {
  if (p.decode && p.m <= kMaxTiledDecodeTokens && p.w_packed == nullptr) return false;
  if (p.kp == 0) return false;
  const bool token_scales = p.aq_token_scales && (Rows::kGroupScales || p.kp <= kMaxTokenScaleKp);
  const PowerOfTwoStarts none;
  if (token_scales) {
    vnni_rows<Rows, ActivationScales::kPerToken>(p, p.aq_group_offsets, none, n_begin, n_end);
  } else if (p.aq_power_of_two_scales) {
    power_of_two_rows<Rows>(p, n_begin, n_end);
  } else {
    vnni_rows<Rows, ActivationScales::kPerGroup>(p, p.aq_group_offsets, none, n_begin, n_end);
  }
  return true;
}

}  // namespace
}  // namespace griffin
