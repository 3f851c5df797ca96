// Peak loops on AVX-512 (peak_loops.h): the f32 FMA of the avx512f variants, the VNNI int8 dot
// (vpdpbusd) of the integer families' avx512vnni variants and the VNNI int16 dot (vpdpwssd) of
// f32-qs8w avx512vnni, all on 512-bit vectors, as the kernels' inner loops run them (the
// repacked prefill blocks and the decode rows; only the tails of a product use 256 bits).
// The width matters on Intel cores with two 512-bit FMA units: on a Xeon (family 6 model 207)
// a 512-bit vpdpbusd did 1.7-1.9 x the multiply-adds per second of a 256-bit one, where Zen 4,
// which runs 512-bit operations in two halves, does the same in either width.
// Each loop is written in assembly: 16 independent chains in zmm0-15, nothing else in the loop
// but its counter. GCC's loops from intrinsics copied every accumulator to another register each
// iteration, and their rate then hung on where the loop fell in the binary: on that Xeon the same
// source measured 681-693 or 743-749 GMAC/s of vpdpbusd on two threads in two builds, run in
// turns, which moved every prefill roof fraction by 8 %.
#include <immintrin.h>

#include <cstdint>

#include "examples/bench/peak_loops.h"

namespace griffin_tools {

// `iterations` passes of `instruction` (AT&T operand order: multiplier, multiplicand, accumulator)
// on each of zmm0-15, the two sources in zmm16 and zmm17 (set from `x` and `y` first); then the
// 16 accumulators are stored to `out` (64 bytes each, in order).
#define GRF_PEAK_LOOP(instruction, iterations, x, y, out)                                         \
  do {                                                                                            \
    uint64_t left = (iterations);                                                                 \
    __asm__ volatile(                                                                             \
        "vmovdqu64 %[xv], %%zmm16\n\t"                                                            \
        "vmovdqu64 %[yv], %%zmm17\n\t"                                                            \
        ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"                                        \
        "vpxord %%zmm\\r, %%zmm\\r, %%zmm\\r\n\t"                                                 \
        ".endr\n\t"                                                                               \
        "test %[left], %[left]\n\t"                                                               \
        "jz 2f\n\t"                                                                               \
        ".p2align 6\n"                                                                            \
        "1:\n\t"                                                                                  \
        ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t" instruction                            \
        " %%zmm17, %%zmm16, %%zmm\\r\n\t"                                                         \
        ".endr\n\t"                                                                               \
        "dec %[left]\n\t"                                                                         \
        "jnz 1b\n"                                                                                \
        "2:\n\t"                                                                                  \
        ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"                                        \
        "vmovdqu64 %%zmm\\r, 64*\\r(%[dst])\n\t"                                                  \
        ".endr\n\t"                                                                               \
        "vzeroupper"                                                                              \
        : [left] "+r"(left)                                                                       \
        : [dst] "r"(out), [xv] "m"(x), [yv] "m"(y)                                                \
        : "cc", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
          "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17");        \
  } while (false)

constexpr int kChains = 16;

PeakRun peak_f32_avx512(uint64_t iterations) {
  // acc = acc · 1 + 2^-20 (vfmadd213ps: zmm16 · acc + zmm17).
  const __m512 one = _mm512_set1_ps(1.0f), step = _mm512_set1_ps(static_cast<float>(kPeakF32Step));
  alignas(64) float lanes[kChains * 16];
  GRF_PEAK_LOOP("vfmadd213ps", iterations, one, step, lanes);
  return {iterations * kChains * 16, sum_lanes(lanes, kChains * 16)};
}

PeakRun peak_int8_vnni(uint64_t iterations) {
  const __m512i w = _mm512_set1_epi8(3), a = _mm512_set1_epi8(-5);
  alignas(64) int32_t lanes[kChains * 16];
  GRF_PEAK_LOOP("vpdpbusd", iterations, w, a, lanes);  // zmm16 unsigned (w), zmm17 signed
  return {iterations * kChains * 64, sum_lanes(lanes, kChains * 16)};
}

PeakRun peak_int16_vnni(uint64_t iterations) {
  const __m512i w = _mm512_set1_epi16(3), a = _mm512_set1_epi16(-5);
  alignas(64) int32_t lanes[kChains * 16];
  GRF_PEAK_LOOP("vpdpwssd", iterations, a, w, lanes);
  return {iterations * kChains * 32, sum_lanes(lanes, kChains * 16)};
}

#undef GRF_PEAK_LOOP

}  // namespace griffin_tools
