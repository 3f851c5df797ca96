// Eight tokens of a 32-row int8 block with per-token scales, repacked at load or by the call
// (qd8-vnni-rows.h: Int8Rows, Lanes32, ActivationScales::kPerToken): the dot loop written in
// assembly, because this is the one loop where the compiler's code held the product back. A
// block repacked by the call runs in runs of 16 groups, the next repack prefetched between them
// (the chains carried from run to run in `acc`).
//
// Each group is 8 steps of two 512-bit weight loads, then per token one broadcast of 4
// activation bytes and two vpdpbusd (its 16 + 16 rows). On an Intel Xeon (two 512-bit vpdpbusd
// units) a synthetic loop of that shape streaming its weights from L2 reached 0.65-0.74 of the
// vpdpbusd peak with 6 tokens (12 dot chains, the intrinsics kernel's pass) and 0.96-1.00 with 8
// (16 chains). GCC's 8-token loop, from the same intrinsics, kept the 16 chains in registers
// only between spills: it stored and reloaded several of them each group and was no faster than
// 6 tokens. Here the chains stay in zmm0-15 for the whole run of groups, the broadcasts take
// zmm16-23 and the weights zmm30-31. The sums are exact int32, so the bits are the intrinsics
// kernel's. Included only by files compiled with AVX-512 VNNI.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/qd8-vnni-eight-tokens-prefetch.h"

namespace griffin {
namespace {

// Adds to acc[2t] and acc[2t + 1] (token t's rows 0-15 and 16-31, int32 lanes) the dot products of
// tokens t = 0..7 over `count` groups of the 32-row block at `block` (1 KB a group: 8 steps of
// two 64-byte vectors, as Int8Rows repacks them), token t's activations at a + t · kp (32 bytes
// a group). Before each group, `prefetch_lines` lines are prefetched from `prefetch` on
// (consecutive lines: the next block's share of this pass, or a stream ahead); prefetches never
// fault, so the last group's may run past the data.
inline void int8_rows32_eight_tokens(const uint8_t* block, const int8_t* a, size_t kp, size_t count,
                                     const uint8_t* prefetch, size_t prefetch_lines,
                                     __m512i acc[16]) {
  if (count == 0) return;
  const int8_t* a3 = a + 3 * kp;  // tokens 3-5 from here, 6 and 7 from a6
  const int8_t* a6 = a + 6 * kp;
  size_t left = 0;
  __asm__ volatile(
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
      "vmovdqu64 \\r*64(%[acc]), %%zmm\\r\n\t"
      ".endr\n"
      "1:\n\t" GRF_EIGHT_TOKENS_PREFETCH
      ".irp c,0,1,2,3,4,5,6,7\n\t"
      "vmovdqa64 \\c*128(%[w]), %%zmm30\n\t"
      "vmovdqa64 \\c*128+64(%[w]), %%zmm31\n\t"
      "vpbroadcastd \\c*4(%[a]), %%zmm16\n\t"
      "vpdpbusd %%zmm16, %%zmm30, %%zmm0\n\t"
      "vpdpbusd %%zmm16, %%zmm31, %%zmm1\n\t"
      "vpbroadcastd \\c*4(%[a],%[kp]), %%zmm17\n\t"
      "vpdpbusd %%zmm17, %%zmm30, %%zmm2\n\t"
      "vpdpbusd %%zmm17, %%zmm31, %%zmm3\n\t"
      "vpbroadcastd \\c*4(%[a],%[kp],2), %%zmm18\n\t"
      "vpdpbusd %%zmm18, %%zmm30, %%zmm4\n\t"
      "vpdpbusd %%zmm18, %%zmm31, %%zmm5\n\t"
      "vpbroadcastd \\c*4(%[a3]), %%zmm19\n\t"
      "vpdpbusd %%zmm19, %%zmm30, %%zmm6\n\t"
      "vpdpbusd %%zmm19, %%zmm31, %%zmm7\n\t"
      "vpbroadcastd \\c*4(%[a3],%[kp]), %%zmm20\n\t"
      "vpdpbusd %%zmm20, %%zmm30, %%zmm8\n\t"
      "vpdpbusd %%zmm20, %%zmm31, %%zmm9\n\t"
      "vpbroadcastd \\c*4(%[a3],%[kp],2), %%zmm21\n\t"
      "vpdpbusd %%zmm21, %%zmm30, %%zmm10\n\t"
      "vpdpbusd %%zmm21, %%zmm31, %%zmm11\n\t"
      "vpbroadcastd \\c*4(%[a6]), %%zmm22\n\t"
      "vpdpbusd %%zmm22, %%zmm30, %%zmm12\n\t"
      "vpdpbusd %%zmm22, %%zmm31, %%zmm13\n\t"
      "vpbroadcastd \\c*4(%[a6],%[kp]), %%zmm23\n\t"
      "vpdpbusd %%zmm23, %%zmm30, %%zmm14\n\t"
      "vpdpbusd %%zmm23, %%zmm31, %%zmm15\n\t"
      ".endr\n\t"
      "add $1024, %[w]\n\t"
      "add $32, %[a]\n\t"
      "add $32, %[a3]\n\t"
      "add $32, %[a6]\n\t"
      "dec %[count]\n\t"
      "jnz 1b\n\t"
      ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
      "vmovdqu64 %%zmm\\r, \\r*64(%[acc])\n\t"
      ".endr"
      : [w] "+r"(block), [a] "+r"(a), [a3] "+r"(a3), [a6] "+r"(a6), [count] "+r"(count),
        [pf] "+r"(prefetch), [left] "+r"(left)
      : [kp] "r"(kp), [lines] "r"(prefetch_lines), [acc] "r"(acc)
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18",
        "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm30", "xmm31");
}

}  // namespace
}  // namespace griffin
