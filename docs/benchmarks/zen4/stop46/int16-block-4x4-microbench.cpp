// Twelfth Zen 4 session: int16_vnni_block_4x4 (x86-int16-vnni-decode.h) alone, 32 groups a call,
// its activations in L1 and its weights cycled over ARG bytes (4 KB: L1; 256-512 KB: L2; 4 MB:
// L3), one core, with its conversion and FMA into 16 accumulators after each call.
//   g++ -O2 -mavx512f -mavx512bw -mavx512vl -mavx512vnni -mavx2 -mfma -mf16c -std=c++17 -I<repo> \
//       int16-block-4x4-microbench.cpp; ./a.out 262144
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include "runtime/src/kernels/x86-int16-vnni-decode.h"
using namespace griffin;
int main(int argc, char** argv) {
  size_t wbytes = atoi(argv[1]);  // weight region cycled through
  size_t row = 1024;               // row stride (bytes): 4 rows per tile, 32 groups per call
  uint8_t* w = (uint8_t*)aligned_alloc(64, wbytes + 64 * 1024);
  memset(w, 1, wbytes + 64 * 1024);
  alignas(64) static int16_t a[8 * 1024];
  for (int i = 0; i < 8 * 1024; ++i) a[i] = i;
  alignas(64) float acc[4][8][16] = {};
  const float scales[4] = {1e-3f, 2e-3f, 3e-3f, 4e-3f};
  const size_t tiles = wbytes / (4 * row);
  long calls = 2000000;
  double best = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    for (long c = 0; c < calls; ++c) {
      const uint8_t* wt = w + (c % tiles) * 4 * row;
      int16_vnni_block_4x4(wt, row, a + (c & 1) * 32, 512, 32, wt + 64 * 1024, scales, acc[0][0],
                           8 * 16 * sizeof(float));
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  printf("weights cycled over %zu KB: %.1f GMAC/s one core (acc %g)\n", wbytes / 1024,
         calls * 16.0 * 32 * 32 / best / 1e9, acc[1][2][3]);
}
