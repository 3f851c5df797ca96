// Eleventh Zen 4 session: the instruction mix of the int16 4 x 4 tile (x86-int16-vnni-decode.h)
// with its operands in registers or one L1 line: 16 vpdpwssd alone, with 4 vpmovsxbw, with 4 zmm
// loads, with 4 vpmovsxbw from memory. g++ -O2 -mavx512f -mavx512vnni -mavx512bw; one core.
#include <chrono>
#include <cstdio>
#include <immintrin.h>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
#define DP(a, s) "vpdpwssd %%zmm" #a ", %%zmm20, %%zmm" #s "\n\t"
int main() {
  const long iters = 100000000;
  for (int mode = 0; mode < 4; ++mode) {
    double t0 = now();
    long n = iters;
    if (mode == 0) {  // 16 dpwssd only
      __asm__ volatile("1:\n\t" DP(16,0) DP(17,1) DP(18,2) DP(19,3) DP(16,4) DP(17,5) DP(18,6) DP(19,7) DP(16,8) DP(17,9) DP(18,10) DP(19,11) DP(16,12) DP(17,13) DP(18,14) DP(19,15) "dec %0\n\tjnz 1b" : "+r"(n) :: "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","cc");
    } else if (mode == 1) {  // + 4 vpmovsxbw ymm->zmm
      __asm__ volatile("1:\n\t" "vpmovsxbw %%ymm21, %%zmm22\n\t" DP(16,0) DP(17,1) DP(18,2) DP(19,3) "vpmovsxbw %%ymm21, %%zmm23\n\t" DP(16,4) DP(17,5) DP(18,6) DP(19,7) "vpmovsxbw %%ymm21, %%zmm24\n\t" DP(16,8) DP(17,9) DP(18,10) DP(19,11) "vpmovsxbw %%ymm21, %%zmm25\n\t" DP(16,12) DP(17,13) DP(18,14) DP(19,15) "dec %0\n\tjnz 1b" : "+r"(n) :: "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm22","xmm23","xmm24","xmm25","cc");
    } else if (mode == 2) {  // + 4 zmm loads from L1 (same line)
      alignas(64) static short buf[64];
      __asm__ volatile("1:\n\t" "vmovdqu64 (%1), %%zmm22\n\t" DP(16,0) DP(17,1) DP(18,2) DP(19,3) "vmovdqu64 (%1), %%zmm23\n\t" DP(16,4) DP(17,5) DP(18,6) DP(19,7) "vmovdqu64 (%1), %%zmm24\n\t" DP(16,8) DP(17,9) DP(18,10) DP(19,11) "vmovdqu64 (%1), %%zmm25\n\t" DP(16,12) DP(17,13) DP(18,14) DP(19,15) "dec %0\n\tjnz 1b" : "+r"(n) : "r"(buf) : "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm22","xmm23","xmm24","xmm25","cc");
    } else {  // + 4 vpmovsxbw from memory
      alignas(64) static char buf[64];
      __asm__ volatile("1:\n\t" "vpmovsxbw (%1), %%zmm22\n\t" DP(16,0) DP(17,1) DP(18,2) DP(19,3) "vpmovsxbw (%1), %%zmm23\n\t" DP(16,4) DP(17,5) DP(18,6) DP(19,7) "vpmovsxbw (%1), %%zmm24\n\t" DP(16,8) DP(17,9) DP(18,10) DP(19,11) "vpmovsxbw (%1), %%zmm25\n\t" DP(16,12) DP(17,13) DP(18,14) DP(19,15) "dec %0\n\tjnz 1b" : "+r"(n) : "r"(buf) : "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm22","xmm23","xmm24","xmm25","cc");
    }
    double dt = now() - t0;
    printf("mode %d: %.2f ns/iter, %.1f GMAC/s one core\n", mode, dt / iters * 1e9, iters * 16.0 * 32 / dt / 1e9);
  }
}
