// Eight tokens of a 32-row int4 block, whose groups each take a float step (qd8-vnni-rows.h:
// Lanes32, Int4Rows, per-group, per-token or power-of-two activation scales): the dot loop and
// the steps written in assembly, as qd8-vnni-int8-eight-tokens.h does for int8 rows with
// per-token scales.
//
// Each group is that file's 8 steps (two 512-bit weight loads, a broadcast of 4 activation bytes
// and two vpdpbusd per token), each chain starting from minus the group's offset. Then, per token
// and 16-row half, acc = fma(float(chain), scale, acc), with scale = w_scale_g · a_scale_g (per
// group) or w_scale_g (per token, its scale applied at the row's end); with power-of-two scales
// the chain starts from the group's start instead and acc = fma(bits(chain) - bias, w_scale_g,
// acc) (qd8-vnni-rows.h's header). The same operations in the same order as packed_tokens'
// intrinsics, so the same bits. The 16 chains take zmm0-15
// (token t's rows 0-15 in zmm t, 16-31 in zmm t + 8); the 16 accumulators, which leave no
// registers for 8 tokens' chains, live in `acc` (L1) and take a load and a store each group, on
// ports vpdpbusd does not use. The intrinsics took 6 tokens a pass (12 chains plus 12
// accumulators in registers). On an Intel Xeon, 64 tokens of 2,560 columns, two threads, the
// same bits (docs/benchmarks/xeon/stop64/kernel-ab.txt): int4 per group 381-388 -> 429-434
// GMAC/s from memory and 325-361 -> 434-439 from L2; int4 per token 430-456 -> 441-460; rows as
// stored (repacked by each call, which runs the loop on runs of 4 groups and prefetches the next
// repack's rows between them) per group 355-371 -> 395-427. The loop alone in L1 (one thread, 16
// groups) runs at 0.75-0.79 of the vpdpbusd peak per group, where the float steps' 48 operations
// on vpdpbusd's two ports would cap it at 0.73 if they all took those ports. Why the
// accumulators' table is [token][group]: a [group][token] one, gathered by scalar code each
// pass, cost what the loop saved.
// Included only by files compiled with AVX-512 VNNI.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "runtime/src/kernels/qd8-vnni-eight-tokens-prefetch.h"

namespace griffin {
namespace {

// The float step of a group (the scale its chain's sum is multiplied by).
enum class GroupStep {
  kWeightTimesActivation,  // per-group activation scales
  kWeight,                 // per-token activation scales (applied at the row's end)
  kPowerOfTwo,             // power-of-two activation scales, applied on the integer side
};

// The per-token values of a pass's groups, one row of kEightTokensGroups per token, so that the
// loop reads them at fixed offsets from one pointer that moves 4 bytes a group: the chains'
// starts[t][g] (int32: -offset, or the power-of-two start) and floats[t][g] (f32: the activation
// scale per group, or the power-of-two bias; not read per token).
constexpr size_t kEightTokensGroups = 64;
struct EightTokenGroups {
  alignas(64) int32_t starts[8][kEightTokensGroups];
  alignas(64) float floats[8][kEightTokensGroups];
};
static_assert(sizeof(EightTokenGroups) == 4096, "the loop's offsets assume this layout");

// Adds to acc[t][0..31] (token t's 32 rows, f32) the scaled group sums of tokens t = 0..7 over
// `count` groups of the 32-row block at `block` (1 KB a group: 8 steps of two 64-byte vectors),
// token t's activations at a + t · kp (32 bytes a group), the weights' scales at
// w_scales[g][0..31], the groups' offsets and activation scales from column `first` of `groups`
// (first + count <= kEightTokensGroups). Before each group, `prefetch_lines` lines are prefetched
// from `prefetch` on, one after another; prefetches never fault.
template <GroupStep kStep>
inline void scaled_groups_rows32_eight_tokens(const uint8_t* block, const int8_t* a, size_t kp,
                                              size_t first, size_t count, const uint8_t* prefetch,
                                              size_t prefetch_lines, const EightTokenGroups& groups,
                                              const float* w_scales, float* acc) {
  if (count == 0) return;
  const int8_t* a3 = a + 3 * kp;  // tokens 3-5 from here, 6 and 7 from a6
  const int8_t* a6 = a + 6 * kp;
  const int32_t* per_group = groups.starts[0] + first;
  size_t left = 0;
  // clang-format off
#define GRF_SG_START(t, h)                                            \
  "vpbroadcastd " #t "*256(%[tab]), %%zmm" #t "\n\t"                  \
  "vpbroadcastd " #t "*256(%[tab]), %%zmm" #h "\n\t"
// Token t's step: zmm24/25 hold the group's weight scales (rows 0-15, 16-31); the scale of a
// kWeightTimesActivation group is w_scale · a_scale, as Lanes16::add_group computes it; a
// kPowerOfTwo chain already holds a float's bits, less the bias (Lanes16::add_power_of_two_group).
#define GRF_SG_STEP(t, h)                                             \
  ".if %c[step] != 2\n\t"                                             \
  "vcvtdq2ps %%zmm" #t ", %%zmm" #t "\n\t"                            \
  "vcvtdq2ps %%zmm" #h ", %%zmm" #h "\n\t"                            \
  ".endif\n\t"                                                        \
  ".if %c[step] == 0\n\t"                                             \
  "vbroadcastss 2048+" #t "*256(%[tab]), %%zmm26\n\t"                 \
  "vmulps %%zmm26, %%zmm24, %%zmm27\n\t"                              \
  "vmulps %%zmm26, %%zmm25, %%zmm28\n\t"                              \
  "vfmadd213ps " #t "*128(%[acc]), %%zmm27, %%zmm" #t "\n\t"          \
  "vfmadd213ps " #t "*128+64(%[acc]), %%zmm28, %%zmm" #h "\n\t"       \
  ".else\n\t"                                                         \
  ".if %c[step] == 2\n\t"                                             \
  "vsubps 2048+" #t "*256(%[tab])%{1to16%}, %%zmm" #t ", %%zmm" #t "\n\t" \
  "vsubps 2048+" #t "*256(%[tab])%{1to16%}, %%zmm" #h ", %%zmm" #h "\n\t" \
  ".endif\n\t"                                                        \
  "vfmadd213ps " #t "*128(%[acc]), %%zmm24, %%zmm" #t "\n\t"          \
  "vfmadd213ps " #t "*128+64(%[acc]), %%zmm25, %%zmm" #h "\n\t"       \
  ".endif\n\t"                                                        \
  "vmovups %%zmm" #t ", " #t "*128(%[acc])\n\t"                       \
  "vmovups %%zmm" #h ", " #t "*128+64(%[acc])\n\t"
#define GRF_SG_TOKEN(load, t, h)                                      \
  "vpbroadcastd \\c*4" load ", %%zmm16\n\t"                           \
  "vpdpbusd %%zmm16, %%zmm30, %%zmm" #t "\n\t"                        \
  "vpdpbusd %%zmm16, %%zmm31, %%zmm" #h "\n\t"
  __asm__ volatile(
      "1:\n\t"
      GRF_EIGHT_TOKENS_PREFETCH
      GRF_SG_START(0, 8) GRF_SG_START(1, 9) GRF_SG_START(2, 10) GRF_SG_START(3, 11)
      GRF_SG_START(4, 12) GRF_SG_START(5, 13) GRF_SG_START(6, 14) GRF_SG_START(7, 15)
      ".irp c,0,1,2,3,4,5,6,7\n\t"
      "vmovdqa64 \\c*128(%[w]), %%zmm30\n\t"
      "vmovdqa64 \\c*128+64(%[w]), %%zmm31\n\t"
      GRF_SG_TOKEN("(%[a])", 0, 8) GRF_SG_TOKEN("(%[a],%[kp])", 1, 9)
      GRF_SG_TOKEN("(%[a],%[kp],2)", 2, 10) GRF_SG_TOKEN("(%[a3])", 3, 11)
      GRF_SG_TOKEN("(%[a3],%[kp])", 4, 12) GRF_SG_TOKEN("(%[a3],%[kp],2)", 5, 13)
      GRF_SG_TOKEN("(%[a6])", 6, 14) GRF_SG_TOKEN("(%[a6],%[kp])", 7, 15)
      ".endr\n\t"
      "vmovups (%[ws]), %%zmm24\n\t"
      "vmovups 64(%[ws]), %%zmm25\n\t"
      "add $128, %[ws]\n\t"
      GRF_SG_STEP(0, 8) GRF_SG_STEP(1, 9) GRF_SG_STEP(2, 10) GRF_SG_STEP(3, 11)
      GRF_SG_STEP(4, 12) GRF_SG_STEP(5, 13) GRF_SG_STEP(6, 14) GRF_SG_STEP(7, 15)
      "add $1024, %[w]\n\t"
      "add $32, %[a]\n\t"
      "add $32, %[a3]\n\t"
      "add $32, %[a6]\n\t"
      "add $4, %[tab]\n\t"
      "dec %[count]\n\t"
      "jnz 1b\n\t"
      : [w] "+r"(block), [a] "+r"(a), [a3] "+r"(a3), [a6] "+r"(a6), [count] "+r"(count),
        [pf] "+r"(prefetch), [left] "+r"(left), [tab] "+r"(per_group), [ws] "+r"(w_scales)
      : [kp] "r"(kp), [lines] "r"(prefetch_lines), [acc] "r"(acc),
        [step] "i"(static_cast<int>(kStep))
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm24", "xmm25",
        "xmm26", "xmm27", "xmm28", "xmm30", "xmm31");
  // clang-format on
#undef GRF_SG_START
#undef GRF_SG_STEP
#undef GRF_SG_TOKEN
}

}  // namespace
}  // namespace griffin
