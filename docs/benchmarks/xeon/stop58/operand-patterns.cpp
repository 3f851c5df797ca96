// g++ -O3 -march=native -std=c++17 operand-patterns.cpp (docs/benchmarks/xeon/stop58/microbenchmarks.txt, item 6)
// Stop 58: what the kernel's operand pattern reaches, one thread (best of 5): 12 chains of 512-bit
// vpdpbusd with (r) register operands only; (b) a vpbroadcastd from memory per vpdpbusd, the weights
// in registers (the 16-row loop's pattern); (b2) a broadcast per two vpdpbusd (the 32-row loop's);
// (w2) as b2 with the two weight vectors loaded from an L1-resident block each step;
// (f) as w2 plus a conversion, a multiply and an FMA per 16 rows and 8 vpdpbusd (the int4 loop's mix);
// (t) as w2 plus a conversion and an FMA (int4 with per-token scales).
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstring>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
alignas(64) int32_t acts[6][4096];
alignas(64) uint8_t blk[16384];
alignas(64) float scales[4096];
volatile int sink;
template <int Mode>
__attribute__((noinline)) double run(uint64_t n) {
  __m512i acc[12]; for (auto& a : acc) a = _mm512_setzero_si512();
  __m512 facc[12]; for (auto& f : facc) f = _mm512_setzero_ps();
  __m512i w0 = _mm512_set1_epi8(3), w1 = _mm512_set1_epi8(5), x = _mm512_set1_epi8(-5);
  double t0 = now();
  uint64_t macs = 0;
  for (uint64_t it = 0; it < n; ++it) {
    const size_t g = it & 127;  // 128 "groups" cycling through L1
    if constexpr (Mode == 0) {
      for (int c = 0; c < 8; ++c) for (int i = 0; i < 12; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], (i & 1) ? w1 : w0, x);
      macs += 8 * 12 * 64;
    } else if constexpr (Mode == 1) {  // a broadcast per vpdpbusd, 12 tokens
      for (int c = 0; c < 8; ++c) for (int i = 0; i < 12; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], (c & 1) ? w1 : w0, _mm512_set1_epi32(acts[i % 6][g * 8 + c + (i / 6) * 1024]));
      macs += 8 * 12 * 64;
    } else {  // 6 tokens x 2 halves, a broadcast per two
      for (int c = 0; c < 8; ++c) {
        __m512i a0 = w0, a1 = w1;
        if constexpr (Mode >= 3) { a0 = _mm512_load_si512(blk + (g * 8 + c) * 128 % 16384); a1 = _mm512_load_si512(blk + ((g * 8 + c) * 128 + 64) % 16384); }
        for (int i = 0; i < 6; ++i) {
          const __m512i b = _mm512_set1_epi32(acts[i][g * 8 + c]);
          acc[2 * i] = _mm512_dpbusd_epi32(acc[2 * i], a0, b);
          acc[2 * i + 1] = _mm512_dpbusd_epi32(acc[2 * i + 1], a1, b);
        }
      }
      if constexpr (Mode == 5) {  // per-token scales: a conversion and an FMA
        const __m512 ws0 = _mm512_load_ps(scales + (g * 32) % 4096), ws1 = _mm512_load_ps(scales + (g * 32 + 16) % 4096);
        for (int i = 0; i < 6; ++i) {
          facc[2 * i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[2 * i]), ws0, facc[2 * i]);
          facc[2 * i + 1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[2 * i + 1]), ws1, facc[2 * i + 1]);
          acc[2 * i] = _mm512_set1_epi32(acts[i][g]);
          acc[2 * i + 1] = acc[2 * i];
        }
      }
      if constexpr (Mode == 4) {
        const __m512 ws0 = _mm512_load_ps(scales + (g * 32) % 4096), ws1 = _mm512_load_ps(scales + (g * 32 + 16) % 4096);
        for (int i = 0; i < 6; ++i) {
          const __m512 as = _mm512_set1_ps(scales[(g + i * 7) % 4096]);
          facc[2 * i] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[2 * i]), _mm512_mul_ps(ws0, as), facc[2 * i]);
          facc[2 * i + 1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc[2 * i + 1]), _mm512_mul_ps(ws1, as), facc[2 * i + 1]);
          acc[2 * i] = _mm512_set1_epi32(acts[i][g]);
          acc[2 * i + 1] = acc[2 * i];
        }
      }
      macs += 8 * 12 * 64;
    }
  }
  double s = now() - t0;
  __m512i tot = acc[0]; for (int c = 1; c < 12; ++c) tot = _mm512_add_epi32(tot, acc[c]);
  __m512 ft = facc[0]; for (int c = 1; c < 12; ++c) ft = _mm512_add_ps(ft, facc[c]);
  sink = _mm_cvtsi128_si32(_mm512_castsi512_si128(tot)) + (int)_mm512_reduce_add_ps(ft);
  return macs / s / 1e9;
}
int main() {
  for (auto& a : acts) for (int j = 0; j < 4096; ++j) a[j] = j * 2654435761u;
  for (int j = 0; j < 16384; ++j) blk[j] = j * 7;
  for (int j = 0; j < 4096; ++j) scales[j] = 1.0f / (j + 1);
  const char* names[] = {"r  registers only", "b  broadcast per vpdpbusd", "b2 broadcast per two", "w2 b2 + weights loaded", "f  w2 + int4 float steps", "t  w2 + per-token float steps"};
  double best[6] = {};
  for (int rep = 0; rep < 5; ++rep) {
    double v[6] = {run<0>(2000000), run<1>(2000000), run<2>(2000000), run<3>(2000000), run<4>(2000000), run<5>(2000000)};
    for (int m = 0; m < 6; ++m) best[m] = v[m] > best[m] ? v[m] : best[m];
  }
  for (int m = 0; m < 6; ++m) printf("%-28s %6.1f GMAC/s (%.2f of r)\n", names[m], best[m], best[m] / best[0]);
}
