// Thirteenth Zen 4 session: a lone int8 row (int16_vnni_lone_row) against the same row in two
// vpdpwssd chains, streaming 512 MB of distinct rows; the same bits. From the repository root:
//   g++ -O2 -std=c++17 -mavx512f -mavx512vl -mavx512bw -mavx512vnni -mavx2 -mfma -mf16c -I. lone-row-chains-microbench.cpp -lpthread
//   ./a.out THREADS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <thread>
#include "runtime/src/kernels/x86-int16-vnni-decode.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
// two chains: even and odd groups of a block, added in int32 (exact: the same sum)
inline void lone_row2(const GemmArgs& p, const int16_t* q, const float* q_scales, size_t n) {
  const size_t groups = p.kp / 32, blocks = int16_blocks(p.kp);
  const uint8_t* w = weight_row<uint8_t>(p, n);
  const uint8_t* ahead = w + kLoneRowsAhead * p.w_row_bytes;
  alignas(64) float acc[16];
  _mm512_store_ps(acc, _mm512_setzero_ps());
  for (size_t b = 0; b < blocks; ++b) {
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    const size_t g_end = std::min(groups, (b + 1) * kInt16BlockGroups);
    size_t g = b * kInt16BlockGroups;
    for (; g + 2 <= g_end; g += 2) {
      _mm_prefetch(reinterpret_cast<const char*>(ahead + g * 32), _MM_HINT_T1);
      s0 = _mm512_dpwssd_epi32(s0, _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i*)(w + g * 32))), _mm512_loadu_si512(q + g * 32));
      s1 = _mm512_dpwssd_epi32(s1, _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i*)(w + g * 32 + 32))), _mm512_loadu_si512(q + g * 32 + 32));
    }
    for (; g < g_end; ++g) s0 = _mm512_dpwssd_epi32(s0, _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i*)(w + g * 32))), _mm512_loadu_si512(q + g * 32));
    const __m512i sum = _mm512_add_epi32(s0, s1);
    __asm__ volatile("" ::: "memory");
    _mm512_store_ps(acc, _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), _mm512_set1_ps(q_scales[b]), _mm512_load_ps(acc)));
  }
  p.y[n] = int8_row_output(p, n, _mm512_reduce_add_ps(_mm512_load_ps(acc)));
}
int main(int argc, char** argv) {
  const size_t k = 2560, rows = 200000; int threads = argc > 1 ? atoi(argv[1]) : 1;
  std::vector<uint8_t> w(rows * k + 64 * k);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < w.size(); i += 8) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; memcpy(&w[i], &x, 8); }
  std::vector<float> sc(rows + 64, 0.01f), y(rows), y2(rows);
  alignas(64) static int16_t q[2560]; for (auto& v : q) v = rand();
  float qs[3] = {0.1f, 0.2f, 0.3f};
  GemmArgs p; p.kp = k; p.k = k; p.w = w.data(); p.w_row_bytes = k; p.w_scales = (const uint8_t*)sc.data(); p.y = y.data(); p.m = 1;
  GemmArgs p2 = p; p2.y = y2.data();
  for (int rep = 0; rep < 6; ++rep) for (int v = 0; v < 2; ++v) {
    double t = now();
    std::vector<std::thread> ts;
    for (int th = 0; th < threads; ++th) ts.emplace_back([&, th] {
      size_t a = rows * th / threads, b = rows * (th + 1) / threads;
      for (size_t n = a; n < b; ++n) { if (v == 0) int16_vnni_lone_row(p, q, qs, n); else lone_row2(p2, q, qs, n); } });
    for (auto& t2 : ts) t2.join();
    double dt = now() - t;
    printf("%s %.1f GB/s   ", v ? "2chains" : "1chain ", rows * k / dt / 1e9);
    if (v) printf(" same bits: %d\n", memcmp(y.data(), y2.data(), rows * 4) == 0);
  }
}
