// The prefetch that starts each group of the eight-token assembly loops
// (qd8-vnni-int8-eight-tokens.h, qd8-vnni-scaled-groups-eight-tokens.h), as text for their asm
// statements: `lines` consecutive lines from `pf` on (prefetcht0; none when 0), `pf` left past
// them, `left` a scratch register. It takes the local labels 2 and 3.
#pragma once

// clang-format off
#define GRF_EIGHT_TOKENS_PREFETCH   \
  "mov %[lines], %[left]\n\t"       \
  "test %[left], %[left]\n\t"       \
  "jz 3f\n"                         \
  "2:\n\t"                          \
  "prefetcht0 (%[pf])\n\t"          \
  "add $64, %[pf]\n\t"              \
  "dec %[left]\n\t"                 \
  "jnz 2b\n"                        \
  "3:\n\t"
// clang-format on
