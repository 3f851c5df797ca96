// Twelfth Zen 4 session: which per-group operations of the qd8 VNNI prefill (qd8-vnni-rows.h,
// packed_tokens) share vpdpbusd's pipes. 8 tokens x 8 chunks: 64 vpdpbusd with the activations
// broadcast from memory, then per token one of the epilogue mixes. Inline assembly, one core:
//   g++ -O2 -mavx512f -mavx512vnni -std=c++17 -include algorithm vpdpbusd-epilogue-mix.cpp
#include <chrono>
#include <cstdio>
#include <immintrin.h>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
#define DP(w, tok, c) "vpdpbusd " #tok "*32+" #c "*4(%[a])%{1to16%}, %%zmm" #w ", %%zmm" #tok "\n\t"
#define CH(c, w) DP(w,0,c) DP(w,1,c) DP(w,2,c) DP(w,3,c) DP(w,4,c) DP(w,5,c) DP(w,6,c) DP(w,7,c)
#define ZERO(t) "vpxord %%zmm" #t ", %%zmm" #t ", %%zmm" #t "\n\t"
#define ZEROS ZERO(0) ZERO(1) ZERO(2) ZERO(3) ZERO(4) ZERO(5) ZERO(6) ZERO(7)
#define BODY CH(0,16) CH(1,17) CH(2,18) CH(3,19) CH(4,20) CH(5,21) CH(6,22) CH(7,23)
// full epilogue: sub offset (bcst), cvt, scale = wscale(zmm24) * ascale (bcst), fma into acc
#define EP(t, acc) "vpsubd 256+" #t "*4(%[a])%{1to16%}, %%zmm" #t ", %%zmm" #t "\n\t" \
  "vcvtdq2ps %%zmm" #t ", %%zmm" #t "\n\t" \
  "vmulps 320+" #t "*4(%[a])%{1to16%}, %%zmm24, %%zmm25\n\t" \
  "vfmadd231ps %%zmm25, %%zmm" #t ", %%zmm" #acc "\n\t"
#define EPS EP(0,8) EP(1,9) EP(2,10) EP(3,11) EP(4,12) EP(5,13) EP(6,14) EP(7,15)
#define EPF(t, acc) "vcvtdq2ps %%zmm" #t ", %%zmm" #t "\n\t" "vfmadd231ps %%zmm24, %%zmm" #t ", %%zmm" #acc "\n\t"
#define EPSF EPF(0,8) EPF(1,9) EPF(2,10) EPF(3,11) EPF(4,12) EPF(5,13) EPF(6,14) EPF(7,15)
#define EPI(t, acc) "vpaddd %%zmm" #t ", %%zmm" #acc ", %%zmm" #acc "\n\t"
#define EPSI EPI(0,8) EPI(1,9) EPI(2,10) EPI(3,11) EPI(4,12) EPI(5,13) EPI(6,14) EPI(7,15)
#define E1(t, acc) "vcvtdq2ps %%zmm" #t ", %%zmm" #t "\n\t"
#define E2(t, acc) "vfmadd231ps %%zmm24, %%zmm" #t ", %%zmm" #acc "\n\t"
#define E3(t, acc) "vmulps 320+" #t "*4(%[a])%{1to16%}, %%zmm24, %%zmm" #acc "\n\t"
#define E4(t, acc) "vpsubd 256+" #t "*4(%[a])%{1to16%}, %%zmm" #t ", %%zmm" #t "\n\t"
#define E5(t, acc) "vpbroadcastd 256+" #t "*4(%[a]), %%zmm" #t "\n\t"
#define E6(t, acc) "vaddps %%zmm24, %%zmm" #t ", %%zmm" #acc "\n\t"
#define ALL(E) E(0,8) E(1,9) E(2,10) E(3,11) E(4,12) E(5,13) E(6,14) E(7,15)
#define CLOB "xmm0","xmm1","xmm2","xmm3","xmm4","xmm5","xmm6","xmm7","xmm8","xmm9","xmm10","xmm11","xmm12","xmm13","xmm14","xmm15","xmm16","xmm17","xmm18","xmm19","xmm20","xmm21","xmm22","xmm23","xmm24","xmm25","cc","memory"
int main() {
  const long iters = 20000000;
  alignas(64) static int a[256];
  for (int i = 0; i < 256; ++i) a[i] = 0x01010101;
  for (int mode = 0; mode < 10; ++mode) {
    double best = 1e9;
    for (int rep = 0; rep < 3; ++rep) {
      long n = iters;
      double t0 = now();
      if (mode == 0) __asm__ volatile("1:\n\t" ZEROS BODY "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 1) __asm__ volatile("1:\n\t" ZEROS BODY EPSI "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 2) __asm__ volatile("1:\n\t" ZEROS BODY EPSF "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 3) __asm__ volatile("1:\n\t" ZEROS BODY EPS "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 4) __asm__ volatile("1:\n\t" ZEROS BODY ALL(E1) "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 5) __asm__ volatile("1:\n\t" ZEROS BODY ALL(E2) "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 6) __asm__ volatile("1:\n\t" ZEROS BODY ALL(E3) "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 7) __asm__ volatile("1:\n\t" ZEROS BODY ALL(E4) "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 8) __asm__ volatile("1:\n\t" ALL(E5) BODY "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      if (mode == 9) __asm__ volatile("1:\n\t" ZEROS BODY ALL(E6) "dec %[n]\n\tjnz 1b" : [n] "+r"(n) : [a] "r"(a) : CLOB);
      best = std::min(best, now() - t0);
    }
    const char* names[] = {"64 vpdpbusd (bcst)", "+ 8 vpaddd", "+ 8 (cvt, fma)", "+ 8 (sub bcst, cvt, mul bcst, fma)", "+ 8 cvt", "+ 8 fma", "+ 8 mul bcst", "+ 8 sub bcst", "init by 8 bcst loads (no zero)", "+ 8 addps"};
    printf("%-40s %.2f ns/iter %.1f GMAC/s one core\n", names[mode], best / iters * 1e9, iters * 64.0 * 64 / best / 1e9);
  }
}
