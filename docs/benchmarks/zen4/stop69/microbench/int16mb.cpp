#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>
#include "runtime/src/kernels/x86-int16-vnni-decode.h"
using namespace griffin;

// Variant: 2 rows x 8 tokens, activations in registers (zmm16-23), sums zmm0-15, widened weights zmm24-25.
namespace {
#include "nowiden.inc"
#include "pf0.inc"
inline void block_2x8(const uint8_t* w, size_t w_stride, const int16_t* a, size_t a_step,
                      size_t groups, const uint8_t* ahead, const float* scales, float* acc,
                      size_t acc_stride) {
  const uint8_t* const end = w + 32 * groups;
#define R2(load, wr, s0, s1, s2, s3, s4, s5, s6, s7)                 \
  "vpmovsxbw " load ", %%zmm" wr "\n\t"                             \
  "vpdpwssd %%zmm16, %%zmm" wr ", %%zmm" s0 "\n\t"                  \
  "vpdpwssd %%zmm17, %%zmm" wr ", %%zmm" s1 "\n\t"                  \
  "vpdpwssd %%zmm18, %%zmm" wr ", %%zmm" s2 "\n\t"                  \
  "vpdpwssd %%zmm19, %%zmm" wr ", %%zmm" s3 "\n\t"                  \
  "vpdpwssd %%zmm20, %%zmm" wr ", %%zmm" s4 "\n\t"                  \
  "vpdpwssd %%zmm21, %%zmm" wr ", %%zmm" s5 "\n\t"                  \
  "vpdpwssd %%zmm22, %%zmm" wr ", %%zmm" s6 "\n\t"                  \
  "vpdpwssd %%zmm23, %%zmm" wr ", %%zmm" s7 "\n\t"
#define ADD(sum, scale, at)                                          \
  "vcvtdq2ps %%zmm" sum ", %%zmm" sum "\n\t"                        \
  "vfmadd213ps " at ", %%zmm" scale ", %%zmm" sum "\n\t"            \
  "vmovups %%zmm" sum ", " at "\n\t"
  __asm__ volatile(
      "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"
      "vmovdqa64 %%zmm0, %%zmm1\n\t" "vmovdqa64 %%zmm0, %%zmm2\n\t" "vmovdqa64 %%zmm0, %%zmm3\n\t"
      "vmovdqa64 %%zmm0, %%zmm4\n\t" "vmovdqa64 %%zmm0, %%zmm5\n\t" "vmovdqa64 %%zmm0, %%zmm6\n\t"
      "vmovdqa64 %%zmm0, %%zmm7\n\t" "vmovdqa64 %%zmm0, %%zmm8\n\t" "vmovdqa64 %%zmm0, %%zmm9\n\t"
      "vmovdqa64 %%zmm0, %%zmm10\n\t" "vmovdqa64 %%zmm0, %%zmm11\n\t" "vmovdqa64 %%zmm0, %%zmm12\n\t"
      "vmovdqa64 %%zmm0, %%zmm13\n\t" "vmovdqa64 %%zmm0, %%zmm14\n\t" "vmovdqa64 %%zmm0, %%zmm15\n\t"
      "1:\n\t"
      "prefetcht1 (%[ahead])\n\t"
      "vmovdqu64 (%[a]), %%zmm16\n\t"
      "vmovdqu64 64(%[a]), %%zmm17\n\t"
      "vmovdqu64 128(%[a]), %%zmm18\n\t"
      "vmovdqu64 192(%[a]), %%zmm19\n\t"
      "vmovdqu64 256(%[a]), %%zmm20\n\t"
      "vmovdqu64 320(%[a]), %%zmm21\n\t"
      "vmovdqu64 384(%[a]), %%zmm22\n\t"
      "vmovdqu64 448(%[a]), %%zmm23\n\t"
      R2("(%[w])", "24", "0", "1", "2", "3", "4", "5", "6", "7")
      R2("(%[w],%[w_stride],1)", "25", "8", "9", "10", "11", "12", "13", "14", "15")
      "add $32, %[w]\n\t"
      "add %[a_step], %[a]\n\t"
      "add $64, %[ahead]\n\t"
      "cmp %[end], %[w]\n\t"
      "jne 1b\n\t"
      "vbroadcastss (%[scales]), %%zmm16\n\t"
      "vbroadcastss 4(%[scales]), %%zmm17\n\t"
      "vbroadcastss 8(%[scales]), %%zmm18\n\t"
      "vbroadcastss 12(%[scales]), %%zmm19\n\t"
      "vbroadcastss 16(%[scales]), %%zmm20\n\t"
      "vbroadcastss 20(%[scales]), %%zmm21\n\t"
      "vbroadcastss 24(%[scales]), %%zmm22\n\t"
      "vbroadcastss 28(%[scales]), %%zmm23\n\t"
      ADD("0", "16", "(%[acc])") ADD("1", "17", "64(%[acc])") ADD("2", "18", "128(%[acc])") ADD("3", "19", "192(%[acc])")
      ADD("4", "20", "256(%[acc])") ADD("5", "21", "320(%[acc])") ADD("6", "22", "384(%[acc])") ADD("7", "23", "448(%[acc])")
      ADD("8", "16", "(%[acc],%[acc_stride],1)") ADD("9", "17", "64(%[acc],%[acc_stride],1)") ADD("10", "18", "128(%[acc],%[acc_stride],1)") ADD("11", "19", "192(%[acc],%[acc_stride],1)")
      ADD("12", "20", "256(%[acc],%[acc_stride],1)") ADD("13", "21", "320(%[acc],%[acc_stride],1)") ADD("14", "22", "384(%[acc],%[acc_stride],1)") ADD("15", "23", "448(%[acc],%[acc_stride],1)")
      : [w] "+r"(w), [a] "+r"(a), [ahead] "+r"(ahead)
      : [w_stride] "r"(w_stride), [a_step] "r"(a_step), [end] "r"(end), [scales] "r"(scales),
        [acc] "r"(acc), [acc_stride] "r"(acc_stride)
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18",
        "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25");
#undef R2
#undef ADD
}

// The shipped span loop (int16_vnni_spans<4, 4>) rebuilt around a tile: `tile(w, a, scales, acc,
// ahead)` sums kRows rows x 8 tokens of one block and returns the bytes of the next span it
// prefetched; `spans_ahead` is how many spans on the prefetches start.
template <size_t kRows, typename Tile>
void harness_spans(const GemmArgs& p, const int16_t* q, const float* q_scales, size_t n_begin,
                   size_t n_end, size_t spans_ahead, Tile tile) {
  constexpr size_t kTokens = 8;
  const size_t groups = p.kp / 32;
  const size_t blocks = int16_blocks(p.kp);
  const size_t a_step = kTokens * 32 * sizeof(int16_t);
  alignas(64) float acc[kInt16SpanRows][kTokens][16];
  for (size_t s0 = n_begin; s0 < n_end; s0 += kInt16SpanRows) {
    for (size_t r = 0; r < kInt16SpanRows; ++r)
      for (size_t i = 0; i < kTokens; ++i) _mm512_store_ps(acc[r][i], _mm512_setzero_ps());
    const uint8_t* ahead = weight_row<uint8_t>(p, s0) + spans_ahead * kInt16SpanRows * p.w_row_bytes;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t g0 = b * kInt16BlockGroups;
      const size_t count = std::min(groups, g0 + kInt16BlockGroups) - g0;
      alignas(32) float scales[kTokens];
      for (size_t i = 0; i < kTokens; ++i) scales[i] = q_scales[i * blocks + b];
      for (size_t r = 0; r < kInt16SpanRows; r += kRows) {
        const uint8_t* w = weight_row<uint8_t>(p, s0 + r) + g0 * 32;
        ahead += tile(w, p.w_row_bytes, q + g0 * kTokens * 32, a_step, count, ahead, scales,
                      acc[r][0], kTokens * 16 * sizeof(float));
      }
    }
    for (size_t i = 0; i < kTokens; ++i) {
      const float* sums[kInt16SpanRows];
      for (size_t r = 0; r < kInt16SpanRows; ++r) sums[r] = acc[r][i];
      _mm512_storeu_ps(p.y + i * p.y_stride + s0,
                       _mm512_mul_ps(row_sums_16(sums), _mm512_loadu_ps(p.w_scales + s0 * sizeof(float))));
    }
  }
}

// A 4 x 4 block function run twice (tokens 0-3, then 4-7) as the shipped spans do.
template <void (*kBlock)(const uint8_t*, size_t, const int16_t*, size_t, size_t, const uint8_t*,
                         const float*, float*, size_t)>
size_t two_4x4(const uint8_t* w, size_t w_stride, const int16_t* a, size_t a_step, size_t count,
               const uint8_t* ahead, const float* scales, float* acc, size_t acc_stride) {
  kBlock(w, w_stride, a, a_step, count, ahead, scales, acc, acc_stride);
  kBlock(w, w_stride, a + 4 * 32, a_step, count, ahead, scales + 4, acc + 4 * 16, acc_stride);
  return count * 128;
}

size_t one_2x8(const uint8_t* w, size_t w_stride, const int16_t* a, size_t a_step, size_t count,
               const uint8_t* ahead, const float* scales, float* acc, size_t acc_stride) {
  block_2x8(w, w_stride, a, a_step, count, ahead, scales, acc, acc_stride);
  return count * 64;
}

// Variants: 0 the shipped kernel; 1 2 rows x 8 tokens; 2 the 4 x 4 without its widening (reads
// 64 bytes where it widens 32); 3 the 4 x 4 prefetching into L1; 4 the 4 x 4 two spans ahead;
// 5 the 4 x 4 in this harness's loop, as shipped.
void run_variant(int variant, const GemmArgs& p, const int16_t* q, const float* qs, size_t n) {
  switch (variant) {
    case 0: return int16_vnni_token_block(p, q, qs, 0, n);
    case 1: return harness_spans<2>(p, q, qs, 0, n, 1, one_2x8);
    case 2: return harness_spans<4>(p, q, qs, 0, n, 1, two_4x4<nowiden_block_4x4>);
    case 3: return harness_spans<4>(p, q, qs, 0, n, 1, two_4x4<pf0_block_4x4>);
    case 4: return harness_spans<4>(p, q, qs, 0, n, 2, two_4x4<int16_vnni_block_4x4>);
    default: return harness_spans<4>(p, q, qs, 0, n, 1, two_4x4<int16_vnni_block_4x4>);
  }
}
}  // namespace

int main(int argc, char** argv) {
  size_t n = atoi(argv[1]), k = atoi(argv[2]); int variant = atoi(argv[3]); double secs = argc > 4 ? atof(argv[4]) : 1.0;
  size_t m = 8;
  std::mt19937 rng(1);
  std::vector<int8_t> w(n * k); for (auto& x : w) x = int8_t(rng() % 255 - 127);
  std::vector<float> ws(n); for (auto& x : ws) x = 0.01f + (rng() % 100) * 1e-4f;
  std::vector<float> a(m * k); for (auto& x : a) x = (rng() % 2001) / 1000.0f - 1.0f;
  std::vector<float> y(m * n), y2(m * n);
  GemmArgs p; p.m = m; p.k = k; p.kp = k; p.a = a.data(); p.a_stride = k; p.w = (const uint8_t*)w.data(); p.w_row_bytes = k;
  p.w_scales = (const uint8_t*)ws.data(); p.y = y.data(); p.y_stride = n; p.int16_prefill = true;
  alignas(64) static int16_t q[kVnniInt16StackValues]; alignas(64) static float qs[kVnniInt16StackValues / 32];
  const size_t blocks = int16_blocks(k);
  for (size_t i = 0; i < m; ++i) quantize_int16_blocks(k, k, a.data() + i * k, q + i * 32, qs + i * blocks, m * 32);
  // Check equality.
  int16_vnni_token_block(p, q, qs, 0, n); y2 = y; std::fill(y.begin(), y.end(), 0.f);
  run_variant(variant, p, q, qs, n);
  size_t diff = 0; for (size_t i = 0; i < y.size(); ++i) diff += y[i] != y2[i];
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = std::chrono::steady_clock::now(); size_t iters = 0; double el;
    do { run_variant(variant, p, q, qs, n); ++iters;
      el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); } while (el < secs / 5);
    best = std::max(best, iters * double(m * n * k) / el / 1e9);
  }
  printf("n=%zu k=%zu variant=%d diff=%zu best %.1f GMAC/s\n", n, k, variant, diff, best);
}
