#pragma once
#include "runtime/src/kernels/x86-int16-vnni-decode.h"
namespace griffin { namespace {
inline void wide_block_4x4(const uint8_t* w, size_t w_stride, const int16_t* a, size_t a_step,
                                 size_t groups, const uint8_t* ahead, const float* scales,
                                 float* acc, size_t acc_stride) {
  const uint8_t* w3 = w + 3 * w_stride;
  const uint8_t* const end = w + 64 * groups;
  float* acc3 = reinterpret_cast<float*>(reinterpret_cast<char*>(acc) + 3 * acc_stride);
  // clang-format off
#define GRFV_ROW(load, s0, s1, s2, s3)                         \
  "vmovdqu64 " load ", %%zmm20\n\t"                              \
  "vpdpwssd %%zmm16, %%zmm20, %%zmm" s0 "\n\t"                   \
  "vpdpwssd %%zmm17, %%zmm20, %%zmm" s1 "\n\t"                   \
  "vpdpwssd %%zmm18, %%zmm20, %%zmm" s2 "\n\t"                   \
  "vpdpwssd %%zmm19, %%zmm20, %%zmm" s3 "\n\t"
// acc(i, j) at `row` + i · 64 (tokens i = 0..3 of row j) += float(zmm(4j + i)) × zmm(16 + i).
#define GRFV_ADD(sum, scale, at)                               \
  "vcvtdq2ps %%zmm" sum ", %%zmm" sum "\n\t"                     \
  "vfmadd213ps " at ", %%zmm" scale ", %%zmm" sum "\n\t"        \
  "vmovups %%zmm" sum ", " at "\n\t"
#define GRFV_ADD_ROW(row, s0, s1, s2, s3)                      \
  GRFV_ADD(s0, "16", row) GRFV_ADD(s1, "17", "64" row)    \
  GRFV_ADD(s2, "18", "128" row) GRFV_ADD(s3, "19", "192" row)
  __asm__ volatile(
      "vpxord %%zmm0, %%zmm0, %%zmm0\n\t"
      "vmovdqa64 %%zmm0, %%zmm1\n\t" "vmovdqa64 %%zmm0, %%zmm2\n\t" "vmovdqa64 %%zmm0, %%zmm3\n\t"
      "vmovdqa64 %%zmm0, %%zmm4\n\t" "vmovdqa64 %%zmm0, %%zmm5\n\t" "vmovdqa64 %%zmm0, %%zmm6\n\t"
      "vmovdqa64 %%zmm0, %%zmm7\n\t" "vmovdqa64 %%zmm0, %%zmm8\n\t" "vmovdqa64 %%zmm0, %%zmm9\n\t"
      "vmovdqa64 %%zmm0, %%zmm10\n\t" "vmovdqa64 %%zmm0, %%zmm11\n\t" "vmovdqa64 %%zmm0, %%zmm12\n\t"
      "vmovdqa64 %%zmm0, %%zmm13\n\t" "vmovdqa64 %%zmm0, %%zmm14\n\t" "vmovdqa64 %%zmm0, %%zmm15\n\t"
      "1:\n\t"
      "prefetcht1 (%[ahead])\n\t"
      "prefetcht1 64(%[ahead])\n\t"
      "vmovdqu64 (%[a]), %%zmm16\n\t"
      "vmovdqu64 64(%[a]), %%zmm17\n\t"
      "vmovdqu64 128(%[a]), %%zmm18\n\t"
      "vmovdqu64 192(%[a]), %%zmm19\n\t"
      // Row j's sums for tokens 0-3 are zmm(4j)..zmm(4j+3).
      GRFV_ROW("(%[w])", "0", "1", "2", "3")
      GRFV_ROW("(%[w],%[w_stride],1)", "4", "5", "6", "7")
      GRFV_ROW("(%[w],%[w_stride],2)", "8", "9", "10", "11")
      GRFV_ROW("(%[w3])", "12", "13", "14", "15")
      "add $64, %[w]\n\t"
      "add $64, %[w3]\n\t"
      "add %[a_step], %[a]\n\t"
      "add $128, %[ahead]\n\t"
      "cmp %[end], %[w]\n\t"
      "jne 1b\n\t"
      "vbroadcastss (%[scales]), %%zmm16\n\t"
      "vbroadcastss 4(%[scales]), %%zmm17\n\t"
      "vbroadcastss 8(%[scales]), %%zmm18\n\t"
      "vbroadcastss 12(%[scales]), %%zmm19\n\t"
      GRFV_ADD_ROW("(%[acc])", "0", "1", "2", "3")
      GRFV_ADD_ROW("(%[acc],%[acc_stride],1)", "4", "5", "6", "7")
      GRFV_ADD_ROW("(%[acc],%[acc_stride],2)", "8", "9", "10", "11")
      GRFV_ADD_ROW("(%[acc3])", "12", "13", "14", "15")
      : [w] "+r"(w), [w3] "+r"(w3), [a] "+r"(a), [ahead] "+r"(ahead)
      : [w_stride] "r"(w_stride), [a_step] "r"(a_step), [end] "r"(end), [scales] "r"(scales),
        [acc] "r"(acc), [acc_stride] "r"(acc_stride), [acc3] "r"(acc3)
      : "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18",
        "xmm19", "xmm20");
#undef GRFV_ROW
#undef GRFV_ADD
#undef GRFV_ADD_ROW
  // clang-format on
}

}}
