// Peak loops on AVX2 + FMA (peak_loops.h), in assembly as the AVX-512 ones
// (peak_loops_avx512.cpp): the f32 FMA of the avx2 variants, the int8 dot of qd8-qs8w /
// qd8-qs4w avx2 (vpmaddubsw, then vpmaddwd against ones, added into 32-bit lanes) and the int16
// dot of f32-qs8w avx2 (vpmaddwd, added). GCC's loops from intrinsics, run in turns with these
// on two Zen 4 threads (2026-12-07), read vpmaddubsw+vpmaddwd at 160-217 GMAC/s and vpmaddwd
// at 111-172 from run to run; these read 188-219 and 151-182.
#include <immintrin.h>

#include <cstdint>

#include "examples/bench/peak_loops.h"

namespace griffin_tools {

namespace {

// `iterations` passes of `body`, which names ymm\r for each chain r in `chains`; then every
// chain's ymm register is stored to `out` (32 bytes each, in chain order). The sources are set
// from x, y and z into ymm6, ymm7 and ymm8 (f32: ymm14, ymm15) by `setup`.
#define GRF_AVX2_LOOP(setup, chains, body, iterations, out)                                    \
  do {                                                                                         \
    uint64_t left = (iterations);                                                              \
    __asm__ volatile(setup ".irp r," chains                                                    \
                           "\n\t"                                                              \
                           "vpxor %%ymm\\r, %%ymm\\r, %%ymm\\r\n\t"                            \
                           ".endr\n\t"                                                         \
                           "test %[left], %[left]\n\t"                                         \
                           "jz 2f\n\t"                                                         \
                           ".p2align 6\n"                                                      \
                           "1:\n\t"                                                            \
                           ".irp r," chains "\n\t" body                                        \
                           ".endr\n\t"                                                         \
                           "dec %[left]\n\t"                                                   \
                           "jnz 1b\n"                                                          \
                           "2:\n\t"                                                            \
                           ".irp r," chains                                                    \
                           "\n\t"                                                              \
                           "vmovdqu %%ymm\\r, 32*\\r(%[dst])\n\t"                              \
                           ".endr\n\t"                                                         \
                           "vzeroupper"                                                        \
                     : [left] "+r"(left)                                                       \
                     : [dst] "r"(out), [xv] "m"(x), [yv] "m"(y), [zv] "m"(z)                   \
                     : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", \
                       "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",    \
                       "xmm15");                                                               \
  } while (false)

#define GRF_SOURCES_678       \
  "vmovdqu %[xv], %%ymm6\n\t" \
  "vmovdqu %[yv], %%ymm7\n\t" \
  "vmovdqu %[zv], %%ymm8\n\t"

}  // namespace

PeakRun peak_f32_avx2(uint64_t iterations) {
  // 12 chains: FMA latency 4-5 cycles × 2 a cycle, plus headroom. acc = acc · 1 + 2^-20.
  constexpr int kChains = 12;
  const __m256 x = _mm256_set1_ps(1.0f), y = _mm256_set1_ps(static_cast<float>(kPeakF32Step));
  const __m256 z = _mm256_setzero_ps();
  alignas(32) float lanes[kChains * 8];
  GRF_AVX2_LOOP(
      "vmovups %[xv], %%ymm14\n\t"
      "vmovups %[yv], %%ymm15\n\t",
      "0,1,2,3,4,5,6,7,8,9,10,11", "vfmadd213ps %%ymm15, %%ymm14, %%ymm\\r\n\t", iterations, lanes);
  return {iterations * kChains * 8, sum_lanes(lanes, kChains * 8)};
}

PeakRun peak_int8_avx2(uint64_t iterations) {
  // Chain r: ymm1r = maddubs(w (unsigned), a (signed)); ymm1r = madd(ymm1r, ones); ymmr += ymm1r.
  // Only the additions chain, so 6 chains keep both multiply pipes busy.
  constexpr int kChains = 6;
  const __m256i x = _mm256_set1_epi8(3), y = _mm256_set1_epi8(-5), z = _mm256_set1_epi16(1);
  alignas(32) int32_t lanes[kChains * 8];
  GRF_AVX2_LOOP(GRF_SOURCES_678, "0,1,2,3,4,5",
                "vpmaddubsw %%ymm7, %%ymm6, %%ymm1\\r\n\t"
                "vpmaddwd %%ymm8, %%ymm1\\r, %%ymm1\\r\n\t"
                "vpaddd %%ymm1\\r, %%ymm\\r, %%ymm\\r\n\t",
                iterations, lanes);
  return {iterations * kChains * 32, sum_lanes(lanes, kChains * 8)};
}

// The int8 dot of qd8-qs4w avx2's prefill (qd8-qs4w-avx2-prefill.h), which int4's small weights
// allow: a group's eight vpmaddubsw are summed in 16 bits (vpaddw), then one vpmaddwd against
// ones and one vpaddd take the sum into 32-bit lanes. Per 256 multiply-adds that is 9 multiplies
// where the sequence above takes 16, so int4 prefill is held against this one. Chain r: ymmr the
// 16-bit sum, ymm(6 + r) the 32-bit one, ymm12 each product (renamed), ymm13-15 the sources.
// The chains take turns product by product, as the kernel's tokens do: on a Zen 4 core that read
// 171-174 GMAC/s against 164-168 with each chain's eight products in a row.
PeakRun peak_int4_avx2(uint64_t iterations) {
  constexpr int kChains = 6;
  const __m256i x = _mm256_set1_epi8(3), y = _mm256_set1_epi8(-5), z = _mm256_set1_epi16(1);
  uint64_t left = iterations;
  alignas(32) int32_t lanes[kChains * 8];
  __asm__ volatile(
      "vmovdqu %[xv], %%ymm13\n\t"
      "vmovdqu %[yv], %%ymm14\n\t"
      "vmovdqu %[zv], %%ymm15\n\t"
      ".irp r,6,7,8,9,10,11\n\t"
      "vpxor %%ymm\\r, %%ymm\\r, %%ymm\\r\n\t"
      ".endr\n\t"
      "test %[left], %[left]\n\t"
      "jz 2f\n\t"
      ".p2align 6\n"
      "1:\n\t"
      ".irp r,0,1,2,3,4,5\n\t"
      "vpmaddubsw %%ymm14, %%ymm13, %%ymm\\r\n\t"
      ".endr\n\t"
      ".rept 7\n\t"
      ".irp r,0,1,2,3,4,5\n\t"
      "vpmaddubsw %%ymm14, %%ymm13, %%ymm12\n\t"
      "vpaddw %%ymm12, %%ymm\\r, %%ymm\\r\n\t"
      ".endr\n\t"
      ".endr\n\t"
      "vpmaddwd %%ymm15, %%ymm0, %%ymm0\n\t"
      "vpaddd %%ymm0, %%ymm6, %%ymm6\n\t"
      "vpmaddwd %%ymm15, %%ymm1, %%ymm1\n\t"
      "vpaddd %%ymm1, %%ymm7, %%ymm7\n\t"
      "vpmaddwd %%ymm15, %%ymm2, %%ymm2\n\t"
      "vpaddd %%ymm2, %%ymm8, %%ymm8\n\t"
      "vpmaddwd %%ymm15, %%ymm3, %%ymm3\n\t"
      "vpaddd %%ymm3, %%ymm9, %%ymm9\n\t"
      "vpmaddwd %%ymm15, %%ymm4, %%ymm4\n\t"
      "vpaddd %%ymm4, %%ymm10, %%ymm10\n\t"
      "vpmaddwd %%ymm15, %%ymm5, %%ymm5\n\t"
      "vpaddd %%ymm5, %%ymm11, %%ymm11\n\t"
      "dec %[left]\n\t"
      "jnz 1b\n"
      "2:\n\t"
      ".irp r,6,7,8,9,10,11\n\t"
      "vmovdqu %%ymm\\r, 32*(\\r-6)(%[dst])\n\t"
      ".endr\n\t"
      "vzeroupper"
      : [left] "+r"(left)
      : [dst] "r"(lanes), [xv] "m"(x), [yv] "m"(y), [zv] "m"(z)
      : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
  return {iterations * kChains * 256, sum_lanes(lanes, kChains * 8)};
}

// The int16 dot of f32-qs8w with int16 activations (x86-int16-decode.h, x86-int16-prefill.h):
// vpmaddwd of the widened weights and the rounded activations, added into 32-bit lanes.
PeakRun peak_int16_avx2(uint64_t iterations) {
  constexpr int kChains = 6;
  const __m256i x = _mm256_set1_epi16(3), y = _mm256_set1_epi16(-5), z = _mm256_setzero_si256();
  alignas(32) int32_t lanes[kChains * 8];
  GRF_AVX2_LOOP(GRF_SOURCES_678, "0,1,2,3,4,5",
                "vpmaddwd %%ymm7, %%ymm6, %%ymm1\\r\n\t"
                "vpaddd %%ymm1\\r, %%ymm\\r, %%ymm\\r\n\t",
                iterations, lanes);
  return {iterations * kChains * 16, sum_lanes(lanes, kChains * 8)};
}

#undef GRF_SOURCES_678
#undef GRF_AVX2_LOOP

}  // namespace griffin_tools
