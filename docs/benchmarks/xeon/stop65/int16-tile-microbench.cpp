// Stop 65: the default int8 4 x 4 tile (x86-int16-vnni-decode.h) alone, one thread, its two
// 4-token passes over the same rows (mode 0) against the same with the rows widened to int16 once
// (mode 1). ROWS 16: L1; 512: L2.
//   make-int16-tile-wide.py REPO > int16-tile-wide.h
//   g++ -O3 -std=c++17 -march=native -I REPO -I . int16-tile-microbench.cpp -o tile
//   ./tile REPS ROWS MODE
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include "int16-tile-wide.h"  // make-int16-tile-wide.py: the library tile reading int16 weights
using namespace griffin;
int main(int argc, char** argv) {
  const size_t groups = 32; const long reps = atol(argv[1]); const size_t rows = atoi(argv[2]); const int mode = atoi(argv[3]);
  alignas(64) static int8_t w[512 * 1024];
  alignas(64) static int16_t wide[4 * 32 * 32];
  alignas(64) static int16_t a[32 * 8 * 32];
  alignas(64) static float acc[512 * 8 * 16];
  float scales[4] = {1e-3f, 1e-3f, 1e-3f, 1e-3f};
  for (size_t i = 0; i < sizeof w; ++i) w[i] = i % 7;
  const size_t stride = groups * 32;
  const uint8_t* wb = reinterpret_cast<const uint8_t*>(w);
  auto t0 = std::chrono::steady_clock::now();
  for (long r = 0; r < reps; ++r)
    for (size_t j = 0; j + 4 <= rows; j += 4) {
      const uint8_t* wj = wb + j * stride;
      if (mode == 0) {
        int16_vnni_block_4x4(wj, stride, a, 8 * 64, groups, wb, scales, acc + j * 128, 8 * 64);
        int16_vnni_block_4x4(wj, stride, a + 4 * 32, 8 * 64, groups, wb, scales, acc + j * 128 + 64, 8 * 64);
      } else {
        for (size_t rr = 0; rr < 4; ++rr)
          for (size_t g = 0; g < groups; ++g)
            _mm512_store_si512(wide + (rr * groups + g) * 32, _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wj + rr * stride + g * 32))));
        const uint8_t* wd = reinterpret_cast<const uint8_t*>(wide);
        wide_block_4x4(wd, groups * 64, a, 8 * 64, groups, wb, scales, acc + j * 128, 8 * 64);
        wide_block_4x4(wd, groups * 64, a + 4 * 32, 8 * 64, groups, wb, scales, acc + j * 128 + 64, 8 * 64);
      }
    }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  printf("mode %d rows %zu: %.1f GMAC/s one thread\n", mode, rows, 8.0 * rows * groups * 32 * reps / s / 1e9);
}
