// Twelfth Zen 4 session: the int16 4 x 4 tile (x86-int16-vnni-decode.h) with its operands in L1,
// as it ran before b601198 and as it runs now; the eleventh session's int16-mix-microbench.cpp
// (stop45) has the mixes without activation loads (16 vpdpwssd alone, with widened weights, with
// 4 loads), all at the peak.
//   before: 4 weights widened from memory, 16 vpdpwssd each reading its token's activations as a
//           memory operand (20 loads per 16 products)
//   now:    the four tokens' activations loaded once into registers (8 loads per 16 products)
// g++ -O2 -mavx512f -mavx512vnni -mavx512bw int16-tile-loads-mix.cpp; one core.
#include <chrono>
#include <cstdio>

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Row j (weights widened into zmm`wide`) times tokens 0-3 into sums zmm(4j)..zmm(4j+3), the
// tokens read from memory (MEM) or from zmm16-19 (REG).
#define ROW_MEM(off, wide, s0, s1, s2, s3)                                                 \
  "vpmovsxbw " #off "(%2), %%zmm" #wide "\n\t"                                             \
  "vpdpwssd (%1), %%zmm" #wide ", %%zmm" #s0 "\n\t"                                        \
  "vpdpwssd 64(%1), %%zmm" #wide ", %%zmm" #s1 "\n\t"                                      \
  "vpdpwssd 128(%1), %%zmm" #wide ", %%zmm" #s2 "\n\t"                                     \
  "vpdpwssd 192(%1), %%zmm" #wide ", %%zmm" #s3 "\n\t"
#define ROW_REG(off, wide, s0, s1, s2, s3)                                                 \
  "vpmovsxbw " #off "(%2), %%zmm" #wide "\n\t"                                             \
  "vpdpwssd %%zmm16, %%zmm" #wide ", %%zmm" #s0 "\n\t"                                     \
  "vpdpwssd %%zmm17, %%zmm" #wide ", %%zmm" #s1 "\n\t"                                     \
  "vpdpwssd %%zmm18, %%zmm" #wide ", %%zmm" #s2 "\n\t"                                     \
  "vpdpwssd %%zmm19, %%zmm" #wide ", %%zmm" #s3 "\n\t"
#define CLOBBERS                                                                           \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", \
      "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19",     \
      "xmm22", "xmm23", "xmm24", "xmm25", "cc"

int main() {
  const long iters = 100000000;
  alignas(64) static short activations[4 * 32];
  alignas(64) static char weights[128];
  for (int mode = 0; mode < 2; ++mode) {
    double t0 = now();
    long n = iters;
    if (mode == 0) {
      __asm__ volatile("1:\n\t" ROW_MEM(0, 22, 0, 1, 2, 3) ROW_MEM(32, 23, 4, 5, 6, 7)
                           ROW_MEM(64, 24, 8, 9, 10, 11) ROW_MEM(96, 25, 12, 13, 14, 15)
                       "dec %0\n\tjnz 1b"
                       : "+r"(n)
                       : "r"(activations), "r"(weights)
                       : CLOBBERS);
    } else {
      __asm__ volatile("1:\n\t"
                       "vmovdqu64 (%1), %%zmm16\n\t"
                       "vmovdqu64 64(%1), %%zmm17\n\t"
                       "vmovdqu64 128(%1), %%zmm18\n\t"
                       "vmovdqu64 192(%1), %%zmm19\n\t" ROW_REG(0, 22, 0, 1, 2, 3)
                           ROW_REG(32, 23, 4, 5, 6, 7) ROW_REG(64, 24, 8, 9, 10, 11)
                               ROW_REG(96, 25, 12, 13, 14, 15) "dec %0\n\tjnz 1b"
                       : "+r"(n)
                       : "r"(activations), "r"(weights)
                       : CLOBBERS);
    }
    const double dt = now() - t0;
    printf("%s: %.2f ns/iter, %.1f GMAC/s one core\n",
           mode == 0 ? "before (activations as memory operands)" : "now (activations in registers)",
           dt / iters * 1e9, iters * 16.0 * 32 / dt / 1e9);
  }
}
