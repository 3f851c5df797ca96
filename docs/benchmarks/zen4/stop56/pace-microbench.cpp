// Stop 56 (2026-12-06): g++ -O2 -mavx512f -pthread pace-microbench.cpp -o pace && ./pace 2048 12
// Two threads stream their halves of a large buffer (512-bit loads, two accumulators), each line
// followed by a chain of K dependent integer multiplies (the pace); GB/s for K in a list, in
// turns, repeated.
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>
static uint8_t* buf;
static size_t bytes;
static volatile uint64_t sink;
template <int K>
static void stream(size_t b0, size_t b1) {
  __m512i acc = _mm512_setzero_si512(), acc2 = acc;
  uint64_t x = b0 | 1;
  for (size_t i = b0; i < b1; i += 64) {
    acc = _mm512_add_epi32(acc, _mm512_load_si512(buf + i));
    for (int k = 0; k < K; ++k) {
      x *= 0x9E3779B97F4A7C15ull;
      __asm__ volatile("" : "+r"(x));
    }
  }
  sink = _mm512_reduce_add_epi32(_mm512_add_epi32(acc, acc2)) + x;
}
template <int K>
static double run() {
  auto t0 = std::chrono::steady_clock::now();
  std::thread a(stream<K>, 0, bytes / 2), b(stream<K>, bytes / 2, bytes);
  a.join();
  b.join();
  return bytes / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / 1e9;
}
int main(int argc, char** argv) {
  bytes = size_t(atoi(argv[1])) << 20;
  buf = (uint8_t*)aligned_alloc(64, bytes);
  for (size_t i = 0; i < bytes; i += 8) {
    uint64_t v = i * 0x9E3779B97F4A7C15ull;
    memcpy(buf + i, &v, 8);
  }
  for (int r = 0; r < atoi(argv[2]); ++r)
    printf("K0 %.1f  K2 %.1f  K4 %.1f  K6 %.1f  K8 %.1f  K12 %.1f\n", run<0>(), run<2>(), run<4>(),
           run<6>(), run<8>(), run<12>());
}
