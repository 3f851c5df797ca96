// Matrix products on weights read straight from the mapped .griffin file (docs/quantization.md
// "How each dtype runs"): y[m, n] = Σ_k a[m, k] · W[n, k] + bias[n] for output rows n in [n_begin,
// n_end). Weight formats, each a kernel family with a scalar definition and SIMD variants:
//   f32-f32w:  activations f32, weights f32 [K, N] copied at load (the RG-LRU gate blocks; the
//              only family whose rows are the inputs': w_row_bytes apart, N floats each);
//   f32-bf16w: activations f32, weights bf16 [N, K] (widened in the kernel);
//   f32-qs8w:  activations f32, weights int8 [N, Kp] with an f32 scale per row (widened in
//              the kernel; the default for int8 weights);
//   qd8-qs8w:  activations int8 in groups of 32 with an f32 scale per group (quantized on the fly
//              by f32-qd8-quantize), weights int8 [N, Kp] with an f32 scale per row;
//   qd8-qs4w:  the same activations, weights int4 in groups of 32 with an f16 scale per group.
// Layouts: format/quant.h. Kernels cannot fail and do not allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace griffin {

struct GemmArgs {
  size_t m = 0;                      // activation rows (tokens)
  size_t k = 0;                      // input features
  size_t kp = 0;                     // k rounded up to 32 (quantized formats)
  const float* a = nullptr;          // f32 activations [m, a_stride] (f32-* families)
  size_t a_stride = 0;               // floats
  const int8_t* aq = nullptr;        // int8 activations [m, kp] (qd8 families)
  const float* aq_scales = nullptr;  // [m, kp / 32]
  // The quantizer gave every group of a token the same scale (grf_f32_qd8_quantize_token_*): the
  // AVX-512 VNNI prefill then sums a row's groups unscaled and multiplies by it once
  // (qd8-vnni-rows.h); other kernels read the per-group copies as usual.
  bool aq_token_scales = false;
  // The quantizer made every group's scale a power of two (grf_f32_qd8_quantize_pow2_*): the
  // AVX-512 VNNI prefill then applies it on the integer side (qd8-vnni-rows.h), with the same bits
  // as the other kernels, which read the scales as usual.
  bool aq_power_of_two_scales = false;
  // bias · Σa per token and group [m, kp / 32], exact in int32 (the quantizer's `offsets`): what
  // a kernel that takes the weights as unsigned bytes u = q + bias takes off each group's dot
  // product. bias = 8 for int4 weights (their nibbles store q + 8) and 128 for int8 (q xor 0x80).
  // Set whenever aq is (Linear::run); the x86 VNNI kernels use it.
  const int32_t* aq_group_offsets = nullptr;
  // qd8-qs4w, set by a kernel for its own tiles (qd8-x86-tile.h, kFloatOffsets): per token and
  // group, 8 · Σa · the group's scale [m, kp / 32]. Callers leave it null.
  const float* aq_offsets = nullptr;
  const uint8_t* w = nullptr;  // weight rows, `w_row_bytes` apart
  size_t w_row_bytes = 0;
  const uint8_t* w_scales = nullptr;  // int8: f32 [n]; int4: f16 [n, kp / 32]
  // qd8-qs8w and qd8-qs4w avx512vnni, a model opened with repack_weights: rows [0, w_packed_rows)
  // (a multiple of 32) repacked once at load (grf_qd8_qs8w_repack__avx512vnni: kp · 32 bytes a
  // 32-row block; grf_qd8_qs4w_repack__avx512vnni: kp / 32 · kRepackInt4GroupBytes, the rows'
  // scales included; qd8-vnni-rows.h). The kernel then reads them there for every call, decode
  // included, and the rows as stored only past w_packed_rows. Null otherwise.
  const uint8_t* w_packed = nullptr;
  size_t w_packed_rows = 0;
  const float* bias = nullptr;  // [n] or null
  float* y = nullptr;           // [m, y_stride]
  size_t y_stride = 0;          // floats
  // f32-qs8w, decoded tokens: the x86 variants may round the activations to int16, each token on
  // its own (x86-int16-decode.h and, for batches of six or more, x86-int16-prefill.h: blocks of
  // 1,024 columns, any number of tokens, on AVX2 and AVX-512F; x86-int16-vnni-decode.h: the same
  // blocks in `vpdpwssd` lanes, any number of tokens, on AVX-512 VNNI).
  bool int16_decode = false;
  // f32-qs8w, prefill: the AVX2 and AVX-512F variants round these tokens to int16 too, each as
  // alone (x86-int16-prefill.h: four to six tokens per row step), so any chunking gives the same
  // bits and each token its lone decode's. The VNNI variant does the same in blocks of up to
  // eight tokens (x86-int16-vnni-decode.h).
  bool int16_prefill = false;
  // Decoded tokens (Session::decode, griffin_batch_decode) and the one row of a prefill's
  // last-token logits (forward.cpp, unembed_last_token), never a prefill's other products: a kernel
  // may then sum in another order than its prefill, to float rounding (the qd8 avx512vnni variants
  // decode up to four tokens in 512-bit vectors on the stored rows, qd8-avx512-decode.h, and
  // prefill on repacked blocks). Except there, each token of a batch of up to four gets its lone
  // bits (larger batches: to float rounding), and prefill chunking changes no bit; qd8-qs4w avx2
  // gives a token the same bits alone, in any batch and in any prefill chunk, and so does
  // qd8-qs8w avx512vnni on rows repacked at load (w_packed).
  bool decode = false;
};

using GemmKernel = void (*)(const GemmArgs& args, size_t n_begin, size_t n_end);
// Repacks 32 weight rows once at load into the layout a kernel reads through GemmArgs::w_packed
// (a model opened with repack_weights): kRepackRows rows of `groups` groups, `row_bytes` apart,
// and (int4) their f16 scales from `scales` (row r's at scales + r · groups · 2), into groups ·
// kRepackGroupBytes (int8) or groups · kRepackInt4GroupBytes (int4) bytes at `out` (64-byte
// aligned).
using RepackKernel = void (*)(const uint8_t* w, size_t row_bytes, const uint8_t* scales,
                              size_t groups, uint8_t* out);
constexpr size_t kRepackRows = 32;
constexpr size_t kRepackGroupBytes = 32 * 32;
// int4: a group of 32 rows keeps its nibbles packed (512 bytes) and is followed by its 32 f16
// scales (64 bytes), so a block is one stream of lines, the size of the rows as stored.
constexpr size_t kRepackInt4GroupBytes = 32 * 16 + 32 * 2;

// With per-token activation scales, int8 rows (one weight scale a row) may be summed whole in
// int32 (GemmArgs::aq_token_scales): each product of an unsigned weight byte and an int8
// activation is at most 255 · 128 in magnitude, so rows of up to this many columns fit.
constexpr size_t kMaxTokenScaleKp = 65536;

// Quantizes rows of f32 activations [m, k] (row stride a_stride) into int8 [m, kp], scales
// [m, kp / 32] and offsets [m, kp / 32]: per group, scale = max|x| / 127, q = round(x / scale),
// offset = offset_bias · Σq (exact; GemmArgs::aq_group_offsets); padding is zero, and a group
// whose largest value is below 1e-30 counts as zero (127 / max would overflow). The offsets are
// computed here, once, because every row task of a matrix product needs all of them.
using QuantizeKernel = void (*)(size_t m, size_t k, size_t kp, const float* a, size_t a_stride,
                                int8_t* aq, float* scales, int32_t offset_bias, int32_t* offsets);

// The power-of-two variants (grf_f32_qd8_quantize_pow2_*) give each group the smallest power of
// two at least max|x| / 127 as its scale (q = x / scale is then an exact product, and
// GemmArgs::aq_power_of_two_scales lets the AVX-512 VNNI prefill apply it on the integer side),
// at most 2^104, where that kernel's exact range ends: a larger value saturates to ±127 (-128 below
// -127.5, as the vector conversion and packs make it). A group's error is at most twice its
// per-group scale's, however its values sit against the rest of the row.
inline float power_of_two_activation_scale(float amax) {
  if (!(amax > 0.0f)) return 0.0f;
  const float scale = amax / 127.0f;
  uint32_t bits;
  std::memcpy(&bits, &scale, sizeof bits);
  if ((bits & 0x007fffffu) != 0) bits = (bits & 0xff800000u) + 0x00800000u;  // up to a power
  bits = bits < 0x73800000u ? bits : 0x73800000u;                            // 2^104; also infinity
  float power;
  std::memcpy(&power, &bits, sizeof power);
  return power;
}

// A group's scale, and what its values are multiplied by to quantize them (0 for a zero group):
// amax / 127 and 127 / amax, or the power of two and its exact inverse. Every quantizer variant
// takes both from here, so they agree bit for bit.
struct ActivationGroupScale {
  float scale;
  float inverse;
};
inline ActivationGroupScale activation_group_scale(float amax, bool power_of_two) {
  if (power_of_two) {
    const float scale = power_of_two_activation_scale(amax);
    return {scale, amax > 0.0f ? 1.0f / scale : 0.0f};
  }
  return {amax / 127.0f, amax > 0.0f ? 127.0f / amax : 0.0f};
}

#define GRF_DECLARE_GEMM(name) void name(const GemmArgs& args, size_t n_begin, size_t n_end)

GRF_DECLARE_GEMM(grf_f32_bf16w_gemm_ukernel__scalar);
GRF_DECLARE_GEMM(grf_f32_f32w_gemm_ukernel__scalar);
GRF_DECLARE_GEMM(grf_f32_qs8w_gemm_ukernel__scalar);
GRF_DECLARE_GEMM(grf_qd8_qs8w_gemm_ukernel__scalar);
GRF_DECLARE_GEMM(grf_qd8_qs4w_gemm_ukernel__scalar);
void grf_f32_qd8_quantize_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                          size_t a_stride, int8_t* aq, float* scales,
                                          int32_t offset_bias, int32_t* offsets);
// The same with one scale per token (row): every group takes max|x| of the whole row / 127, so
// a kernel that knows it (GemmArgs::aq_token_scales) can apply it once per row instead of once
// per group; kernels that do not still get the right products from the per-group copies.
void grf_f32_qd8_quantize_token_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                                size_t a_stride, int8_t* aq, float* scales,
                                                int32_t offset_bias, int32_t* offsets);
void grf_f32_qd8_quantize_pow2_ukernel__scalar(size_t m, size_t k, size_t kp, const float* a,
                                               size_t a_stride, int8_t* aq, float* scales,
                                               int32_t offset_bias, int32_t* offsets);

#if defined(__x86_64__)
void grf_f32_qd8_quantize_ukernel__avx2(size_t m, size_t k, size_t kp, const float* a,
                                        size_t a_stride, int8_t* aq, float* scales,
                                        int32_t offset_bias, int32_t* offsets);
void grf_f32_qd8_quantize_token_ukernel__avx2(size_t m, size_t k, size_t kp, const float* a,
                                              size_t a_stride, int8_t* aq, float* scales,
                                              int32_t offset_bias, int32_t* offsets);
void grf_f32_qd8_quantize_pow2_ukernel__avx2(size_t m, size_t k, size_t kp, const float* a,
                                             size_t a_stride, int8_t* aq, float* scales,
                                             int32_t offset_bias, int32_t* offsets);
GRF_DECLARE_GEMM(grf_f32_bf16w_gemm_ukernel__avx2);
GRF_DECLARE_GEMM(grf_f32_bf16w_gemm_ukernel__avx512f);
GRF_DECLARE_GEMM(grf_f32_bf16w_gemm_ukernel__avx512f_lone_rows);
GRF_DECLARE_GEMM(grf_f32_f32w_gemm_ukernel__avx2);
GRF_DECLARE_GEMM(grf_f32_f32w_gemm_ukernel__avx512f);
GRF_DECLARE_GEMM(grf_f32_qs8w_gemm_ukernel__avx2);
GRF_DECLARE_GEMM(grf_f32_qs8w_gemm_ukernel__avx512f);
GRF_DECLARE_GEMM(grf_f32_qs8w_gemm_ukernel__avx512vnni);
GRF_DECLARE_GEMM(grf_qd8_qs8w_gemm_ukernel__avx2);
GRF_DECLARE_GEMM(grf_qd8_qs8w_gemm_ukernel__avx512vnni);
// Repacks 32 int8 rows (`groups` groups of 32, `row_bytes` apart) into the kp · 32 bytes at
// `out` (64-byte aligned) that grf_qd8_qs8w_gemm_ukernel__avx512vnni reads through
// GemmArgs::w_packed (RepackKernel).
void grf_qd8_qs8w_repack__avx512vnni(const uint8_t* w, size_t row_bytes, const uint8_t* scales,
                                     size_t groups, uint8_t* out);
GRF_DECLARE_GEMM(grf_qd8_qs4w_gemm_ukernel__avx2);
GRF_DECLARE_GEMM(grf_qd8_qs4w_gemm_ukernel__avx512vnni);
GRF_DECLARE_GEMM(grf_qd8_qs4w_gemm_ukernel__avx512vnni_eight_tokens);
// Repacks 32 int4 rows and their f16 group scales into the groups · kRepackInt4GroupBytes bytes
// at `out` that grf_qd8_qs4w_gemm_ukernel__avx512vnni reads through GemmArgs::w_packed.
void grf_qd8_qs4w_repack__avx512vnni(const uint8_t* w, size_t row_bytes, const uint8_t* scales,
                                     size_t groups, uint8_t* out);
#endif
#if defined(__aarch64__)
GRF_DECLARE_GEMM(grf_f32_bf16w_gemm_ukernel__neon);
GRF_DECLARE_GEMM(grf_f32_f32w_gemm_ukernel__neon);
GRF_DECLARE_GEMM(grf_f32_qs8w_gemm_ukernel__neon);
GRF_DECLARE_GEMM(grf_qd8_qs8w_gemm_ukernel__neon);
GRF_DECLARE_GEMM(grf_qd8_qs8w_gemm_ukernel__neondot);
GRF_DECLARE_GEMM(grf_qd8_qs4w_gemm_ukernel__neon);
GRF_DECLARE_GEMM(grf_qd8_qs4w_gemm_ukernel__neondot);
#endif

}  // namespace griffin
