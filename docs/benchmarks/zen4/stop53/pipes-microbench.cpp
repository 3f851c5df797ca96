// Which operations share vpdpbusd's two pipes on Zen 4 (nineteenth Zen 4 session, microbenchmarks.txt):
// 16 independent vpdpbusd zmm per loop step plus four of one other operation, in inline
// assembly (so the compiler adds no register copies). g++ -O2 pipes-microbench.cpp.
#include <chrono>
#include <cstdio>
#define D16 "vpdpbusd %%zmm16,%%zmm17,%%zmm0\n vpdpbusd %%zmm16,%%zmm17,%%zmm1\n vpdpbusd %%zmm16,%%zmm17,%%zmm2\n vpdpbusd %%zmm16,%%zmm17,%%zmm3\n" \
 "vpdpbusd %%zmm16,%%zmm17,%%zmm4\n vpdpbusd %%zmm16,%%zmm17,%%zmm5\n vpdpbusd %%zmm16,%%zmm17,%%zmm6\n vpdpbusd %%zmm16,%%zmm17,%%zmm7\n" \
 "vpdpbusd %%zmm16,%%zmm17,%%zmm8\n vpdpbusd %%zmm16,%%zmm17,%%zmm9\n vpdpbusd %%zmm16,%%zmm17,%%zmm10\n vpdpbusd %%zmm16,%%zmm17,%%zmm11\n" \
 "vpdpbusd %%zmm16,%%zmm17,%%zmm12\n vpdpbusd %%zmm16,%%zmm17,%%zmm13\n vpdpbusd %%zmm16,%%zmm17,%%zmm14\n vpdpbusd %%zmm16,%%zmm17,%%zmm15\n"
#define LOOP(X) [](long n) { asm volatile("vpxord %%zmm18,%%zmm18,%%zmm18\n vpxord %%zmm19,%%zmm19,%%zmm19\n vpxord %%zmm20,%%zmm20,%%zmm20\n vpxord %%zmm21,%%zmm21,%%zmm21\n 1:\n" D16 X "dec %0\n jnz 1b\n" : "+r"(n) :: "memory"); }
using F = void (*)(long);
double t(F f, long n) { auto a = std::chrono::steady_clock::now(); f(n); return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count() * 1e9 / n; }
int main() {
  const char* nm[] = {"none", "4 vcvtdq2ps", "4 vsubps", "4 vmulps", "4 vfmadd231ps", "4 vpaddd", "4 vpbroadcastd m", "4 vcvt+4 vsub"};
  F f[] = {LOOP(""),
    LOOP("vcvtdq2ps %%zmm18,%%zmm22\n vcvtdq2ps %%zmm19,%%zmm23\n vcvtdq2ps %%zmm20,%%zmm24\n vcvtdq2ps %%zmm21,%%zmm25\n"),
    LOOP("vsubps %%zmm18,%%zmm18,%%zmm22\n vsubps %%zmm19,%%zmm19,%%zmm23\n vsubps %%zmm20,%%zmm20,%%zmm24\n vsubps %%zmm21,%%zmm21,%%zmm25\n"),
    LOOP("vmulps %%zmm18,%%zmm18,%%zmm22\n vmulps %%zmm19,%%zmm19,%%zmm23\n vmulps %%zmm20,%%zmm20,%%zmm24\n vmulps %%zmm21,%%zmm21,%%zmm25\n"),
    LOOP("vfmadd231ps %%zmm18,%%zmm18,%%zmm22\n vfmadd231ps %%zmm19,%%zmm19,%%zmm23\n vfmadd231ps %%zmm20,%%zmm20,%%zmm24\n vfmadd231ps %%zmm21,%%zmm21,%%zmm25\n"),
    LOOP("vpaddd %%zmm18,%%zmm18,%%zmm22\n vpaddd %%zmm19,%%zmm19,%%zmm23\n vpaddd %%zmm20,%%zmm20,%%zmm24\n vpaddd %%zmm21,%%zmm21,%%zmm25\n"),
    LOOP("vpbroadcastd (%%rsp),%%zmm22\n vpbroadcastd 4(%%rsp),%%zmm23\n vpbroadcastd 8(%%rsp),%%zmm24\n vpbroadcastd 12(%%rsp),%%zmm25\n"),
    LOOP("vcvtdq2ps %%zmm18,%%zmm22\n vcvtdq2ps %%zmm19,%%zmm23\n vcvtdq2ps %%zmm20,%%zmm24\n vcvtdq2ps %%zmm21,%%zmm25\n vsubps %%zmm18,%%zmm18,%%zmm26\n vsubps %%zmm19,%%zmm19,%%zmm27\n vsubps %%zmm20,%%zmm20,%%zmm28\n vsubps %%zmm21,%%zmm21,%%zmm29\n"),
  };
  for (int r = 0; r < 3; ++r) { for (int x = 0; x < 8; ++x) printf("%s %.2f  ", nm[x], t(f[x], 20000000)); printf("\n"); }
}
