// Twelfth Zen 4 session (from the eleventh's int16-mix-microbench.cpp): the int16 4 x 4 tile's
// instruction mix as x86-int16-vnni-decode.h ran it before b601198 (mode 4: 4 weights widened from
// memory, 16 vpdpwssd each reading its token's activations as a memory operand) and as it runs
// now (mode 5: the four tokens' activations loaded once into registers). Modes 0-3 as before.
// g++ -O2 -mavx512f -mavx512vnni -mavx512bw int16-tile-loads-mix.cpp; one core.
#include <chrono>
#include <cstdio>
#include <immintrin.h>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
#define DP(a, s) "vpdpwssd %%zmm" #a ", %%zmm20, %%zmm" #s "\n\t"
int main() {
  const long iters = 100000000;
  for (int mode = 0; mode < 6; ++mode) {
    double t0 = now();
    long n = iters;
    if (mode == 0) {  // 16 dpwssd only
      __asm__ volatile("1:\n\t" DP(16,0) DP(17,1) DP(18,2) DP(19,3) DP(16,4) DP(17,5) DP(18,6) DP(19,7) DP(16,8) DP(17,9) DP(18,10) DP(19,11) DP(16,12) DP(17,13) DP(18,14) DP(19,15) "dec %0\n\tjnz 1b" : "+r"(n) :: "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","cc");
    } else if (mode == 1) {  // + 4 vpmovsxbw ymm->zmm
      __asm__ volatile("1:\n\t" "vpmovsxbw %%ymm21, %%zmm22\n\t" DP(16,0) DP(17,1) DP(18,2) DP(19,3) "vpmovsxbw %%ymm21, %%zmm23\n\t" DP(16,4) DP(17,5) DP(18,6) DP(19,7) "vpmovsxbw %%ymm21, %%zmm24\n\t" DP(16,8) DP(17,9) DP(18,10) DP(19,11) "vpmovsxbw %%ymm21, %%zmm25\n\t" DP(16,12) DP(17,13) DP(18,14) DP(19,15) "dec %0\n\tjnz 1b" : "+r"(n) :: "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm22","xmm23","xmm24","xmm25","cc");
    } else if (mode == 2) {  // + 4 zmm loads from L1 (same line)
      alignas(64) static short buf[64];
      __asm__ volatile("1:\n\t" "vmovdqu64 (%1), %%zmm22\n\t" DP(16,0) DP(17,1) DP(18,2) DP(19,3) "vmovdqu64 (%1), %%zmm23\n\t" DP(16,4) DP(17,5) DP(18,6) DP(19,7) "vmovdqu64 (%1), %%zmm24\n\t" DP(16,8) DP(17,9) DP(18,10) DP(19,11) "vmovdqu64 (%1), %%zmm25\n\t" DP(16,12) DP(17,13) DP(18,14) DP(19,15) "dec %0\n\tjnz 1b" : "+r"(n) : "r"(buf) : "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm22","xmm23","xmm24","xmm25","cc");
    } else if (mode == 4 || mode == 5) {  // the real tile: weights widened from memory, 16 activation memory operands
      alignas(64) static short act[4 * 32];
      alignas(64) static char w[128];
      if (mode == 4) __asm__ volatile("1:\n\t"
        "vpmovsxbw (%2), %%zmm22\n\t" "vpdpwssd (%1), %%zmm22, %%zmm0\n\t" "vpdpwssd 64(%1), %%zmm22, %%zmm1\n\t" "vpdpwssd 128(%1), %%zmm22, %%zmm2\n\t" "vpdpwssd 192(%1), %%zmm22, %%zmm3\n\t"
        "vpmovsxbw 32(%2), %%zmm23\n\t" "vpdpwssd (%1), %%zmm23, %%zmm4\n\t" "vpdpwssd 64(%1), %%zmm23, %%zmm5\n\t" "vpdpwssd 128(%1), %%zmm23, %%zmm6\n\t" "vpdpwssd 192(%1), %%zmm23, %%zmm7\n\t"
        "vpmovsxbw 64(%2), %%zmm24\n\t" "vpdpwssd (%1), %%zmm24, %%zmm8\n\t" "vpdpwssd 64(%1), %%zmm24, %%zmm9\n\t" "vpdpwssd 128(%1), %%zmm24, %%zmm10\n\t" "vpdpwssd 192(%1), %%zmm24, %%zmm11\n\t"
        "vpmovsxbw 96(%2), %%zmm25\n\t" "vpdpwssd (%1), %%zmm25, %%zmm12\n\t" "vpdpwssd 64(%1), %%zmm25, %%zmm13\n\t" "vpdpwssd 128(%1), %%zmm25, %%zmm14\n\t" "vpdpwssd 192(%1), %%zmm25, %%zmm15\n\t"
        "dec %0\n\tjnz 1b" : "+r"(n) : "r"(act), "r"(w) : "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm22","xmm23","xmm24","xmm25","cc");
      else __asm__ volatile("1:\n\t"  // activations in registers: 4 loads
        "vmovdqu64 (%1), %%zmm16\n\t" "vmovdqu64 64(%1), %%zmm17\n\t" "vmovdqu64 128(%1), %%zmm18\n\t" "vmovdqu64 192(%1), %%zmm19\n\t"
        "vpmovsxbw (%2), %%zmm22\n\t" "vpdpwssd %%zmm16, %%zmm22, %%zmm0\n\t" "vpdpwssd %%zmm17, %%zmm22, %%zmm1\n\t" "vpdpwssd %%zmm18, %%zmm22, %%zmm2\n\t" "vpdpwssd %%zmm19, %%zmm22, %%zmm3\n\t"
        "vpmovsxbw 32(%2), %%zmm23\n\t" "vpdpwssd %%zmm16, %%zmm23, %%zmm4\n\t" "vpdpwssd %%zmm17, %%zmm23, %%zmm5\n\t" "vpdpwssd %%zmm18, %%zmm23, %%zmm6\n\t" "vpdpwssd %%zmm19, %%zmm23, %%zmm7\n\t"
        "vpmovsxbw 64(%2), %%zmm24\n\t" "vpdpwssd %%zmm16, %%zmm24, %%zmm8\n\t" "vpdpwssd %%zmm17, %%zmm24, %%zmm9\n\t" "vpdpwssd %%zmm18, %%zmm24, %%zmm10\n\t" "vpdpwssd %%zmm19, %%zmm24, %%zmm11\n\t"
        "vpmovsxbw 96(%2), %%zmm25\n\t" "vpdpwssd %%zmm16, %%zmm25, %%zmm12\n\t" "vpdpwssd %%zmm17, %%zmm25, %%zmm13\n\t" "vpdpwssd %%zmm18, %%zmm25, %%zmm14\n\t" "vpdpwssd %%zmm19, %%zmm25, %%zmm15\n\t"
        "dec %0\n\tjnz 1b" : "+r"(n) : "r"(act), "r"(w) : "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm16","xmm17","xmm18","xmm19","xmm22","xmm23","xmm24","xmm25","cc");
    } else {  // + 4 vpmovsxbw from memory
      alignas(64) static char buf[64];
      __asm__ volatile("1:\n\t" "vpmovsxbw (%1), %%zmm22\n\t" DP(16,0) DP(17,1) DP(18,2) DP(19,3) "vpmovsxbw (%1), %%zmm23\n\t" DP(16,4) DP(17,5) DP(18,6) DP(19,7) "vpmovsxbw (%1), %%zmm24\n\t" DP(16,8) DP(17,9) DP(18,10) DP(19,11) "vpmovsxbw (%1), %%zmm25\n\t" DP(16,12) DP(17,13) DP(18,14) DP(19,15) "dec %0\n\tjnz 1b" : "+r"(n) : "r"(buf) : "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm22","xmm23","xmm24","xmm25","cc");
    }
    double dt = now() - t0;
    printf("mode %d: %.2f ns/iter, %.1f GMAC/s one core\n", mode, dt / iters * 1e9, iters * 16.0 * 32 / dt / 1e9);
  }
}
