// Inner-loop shapes of the int8 per-token VNNI prefill on repacked blocks, alone:
// R rows (multiple of 16) x T tokens per pass over G groups of 32 columns; the block read from
// `w` (G groups x (R/16) vectors x 8 dword columns), activations broadcast from `a` (T rows).
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>
template <int V, int T>  // V = vectors of 16 rows, T tokens
__attribute__((noinline)) void pass(const __m512i* w, const int8_t* a, size_t kp, size_t groups,
                                    int32_t* out) {
  __m512i acc[T][V];
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < V; ++v) acc[t][v] = _mm512_setzero_si512();
  for (size_t g = 0; g < groups; ++g) {
    const __m512i* wg = w + g * 8 * V;
#pragma GCC unroll 8
    for (int c = 0; c < 8; ++c) {
      __m512i wv[V];
      for (int v = 0; v < V; ++v) wv[v] = _mm512_load_si512(wg + c * V + v);
      for (int t = 0; t < T; ++t) {
        int32_t x;
        memcpy(&x, a + t * kp + g * 32 + c * 4, 4);
        const __m512i b = _mm512_set1_epi32(x);
        for (int v = 0; v < V; ++v) acc[t][v] = _mm512_dpbusd_epi32(acc[t][v], wv[v], b);
      }
    }
  }
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < V; ++v) _mm512_storeu_si512(out + (t * V + v) * 16, acc[t][v]);
}
template <int V, int T>
double run(size_t groups, int reps, int threads) {
  const size_t kp = groups * 32;
  std::vector<double> res(threads);
  auto body = [&](int id) {
    __m512i* w = (__m512i*)aligned_alloc(64, groups * 8 * V * 64);
    for (size_t i = 0; i < groups * 8 * V * 16; ++i) ((int32_t*)w)[i] = rand();
    std::vector<int8_t> a(T * kp, 3);
    int32_t out[T * V * 16];
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) pass<V, T>(w, a.data(), kp, groups, out);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    res[id] = double(reps) * groups * 32 * T * V * 16 / s / 1e9;
    free(w);
  };
  std::thread other;
  if (threads == 2) other = std::thread(body, 1);
  body(0);
  if (threads == 2) other.join();
  double sum = 0;
  for (double r : res) sum += r;
  return sum;
}
int main(int argc, char** argv) {
  const size_t groups = atoi(argv[1]);
  const int reps = atoi(argv[2]);
  for (int round = 0; round < 4; ++round) {
    printf("groups %zu: 32x6 %.0f 32x7 %.0f 32x8 %.0f 64x4 %.0f 64x5 %.0f 48x6 %.0f 32x6 %.0f\n", groups,
           run<2, 6>(groups, reps, 2), run<2, 7>(groups, reps * 6 / 7, 2), run<2, 8>(groups, reps * 6 / 8, 2),
           run<4, 4>(groups, reps * 6 / 8, 2), run<4, 5>(groups, reps * 6 / 10, 2),
           run<3, 6>(groups, reps * 6 / 9, 2), run<2, 6>(groups, reps, 2));
  }
}
