// Stop 57 (first Intel session): 512-bit vpdpbusd on one thread, then on two at once, twelve
// times: g++ -O3 -march=native vnni-width-peak.cpp -lpthread
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <thread>
volatile int sink;
double zmm8(uint64_t n) {
  constexpr int Chains = 12;
  __m512i acc[Chains]; for (auto& a : acc) a = _mm512_setzero_si512();
  __m512i w = _mm512_set1_epi8(3), x = _mm512_set1_epi8(-5);
  auto t = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < n; ++i) for (int c = 0; c < Chains; ++c) acc[c] = _mm512_dpbusd_epi32(acc[c], w, x);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  __m512i tot = acc[0]; for (int c = 1; c < Chains; ++c) tot = _mm512_add_epi32(tot, acc[c]); sink = _mm_cvtsi128_si32(_mm512_castsi512_si128(tot));
  return n * Chains * 64.0 / s / 1e9; }
int main() {
  for (int r = 0; r < 12; ++r) {
    double one = zmm8(20000000);
    double a = 0, b = 0;
    std::thread t1([&] { a = zmm8(20000000); }), t2([&] { b = zmm8(20000000); });
    t1.join(); t2.join();
    printf("one thread %.0f | two threads %.0f + %.0f = %.0f GMAC/s\n", one, a, b, a + b);
  }
}
