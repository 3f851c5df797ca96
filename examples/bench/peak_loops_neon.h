// The loop shared by the single-instruction NEON peak loops (peak_loops_neon.cpp,
// peak_loops_neondot.cpp): `iterations` passes of `instruction` on each of v0-v15 (written with
// v\r for the chain's register), its two sources in v16 and v17 (copied from the vectors `x` and
// `y` first); then the 16 accumulators are stored to `out` (16 bytes each, in order).
#pragma once

#include <cstdint>

// clang-format off
#define GRF_NEON_PEAK_LOOP(instruction, iterations, x, y, out)                                  \
  do {                                                                                          \
    uint64_t left = (iterations);                                                               \
    __asm__ volatile(                                                                           \
        "mov v16.16b, %[xv].16b\n\t"                                                            \
        "mov v17.16b, %[yv].16b\n\t"                                                            \
        ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"                                      \
        "movi v\\r\\().4s, #0\n\t"                                                              \
        ".endr\n\t"                                                                             \
        "cbz %[left], 2f\n\t"                                                                   \
        ".p2align 6\n"                                                                          \
        "1:\n\t"                                                                                \
        ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"                                      \
        instruction "\n\t"                                                                      \
        ".endr\n\t"                                                                             \
        "subs %[left], %[left], #1\n\t"                                                         \
        "b.ne 1b\n"                                                                             \
        "2:\n\t"                                                                                \
        ".irp r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"                                      \
        "str q\\r, [%[dst], #16*\\r]\n\t"                                                       \
        ".endr"                                                                                 \
        : [left] "+r"(left)                                                                     \
        : [dst] "r"(out), [xv] "w"(x), [yv] "w"(y)                                              \
        : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10",    \
          "v11", "v12", "v13", "v14", "v15", "v16", "v17");                                     \
  } while (false)
// clang-format on
