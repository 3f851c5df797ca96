// Thirteenth Zen 4 session: the 8 x 16 packed token loop in inline assembly (the header
// runtime/src/kernels/qd8-vnni-packed-8x16.h of packed-8x16-asm-not-kept.patch), one core.
//   git apply packed-8x16-asm-not-kept.patch, then from the repository root:
//   g++ -O2 -std=c++17 -mavx512f -mavx512vl -mavx512bw -mavx512vnni -I. packed-8x16-asm-microbench.cpp
//   ./a.out GROUPS ROW_GROUPS BLOCKS   (80 80 1: in cache; 80 80 40: 40 blocks cycled)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include "runtime/src/kernels/qd8-vnni-packed-8x16.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  size_t groups = argc > 1 ? atoi(argv[1]) : 80;      // groups per block
  size_t kp_groups = argc > 2 ? atoi(argv[2]) : 80;   // activation row length in groups
  size_t blocks = argc > 3 ? atoi(argv[3]) : 1;       // distinct packed blocks cycled
  size_t ntok = 64;
  std::vector<char> packed_raw(blocks * groups * 512 + 64);
  char* packed = (char*)(((uintptr_t)packed_raw.data() + 63) & ~63ull);
  for (size_t i = 0; i < blocks * groups * 512; ++i) packed[i] = rand() & 15;
  alignas(64) static float ws[256 * 16];
  for (auto& x : ws) x = 0.01f;
  std::vector<int8_t> a(ntok * kp_groups * 32);
  for (auto& x : a) x = rand();
  std::vector<int32_t> off(ntok * kp_groups, 3);
  std::vector<float> as(ntok * kp_groups, 0.5f);
  alignas(64) float partial[8 * 16] = {};
  double best = 0;
  for (int rep = 0; rep < 7; ++rep) {
    double t = now(); size_t calls = 0;
    while (now() - t < 0.3) {
      for (size_t b = 0; b < blocks; ++b)
        for (size_t m = 0; m < ntok; m += 8) {
          packed_tokens_8x16<true>(packed + b * groups * 512, ws, a.data() + m * kp_groups * 32, kp_groups * 32,
                                   off.data() + m * kp_groups, as.data() + m * kp_groups, kp_groups * 4, groups, partial);
          ++calls;
        }
    }
    double dt = now() - t;
    double g = calls * groups * 8.0 * 16 * 32 / dt / 1e9;
    if (g > best) best = g;
  }
  printf("groups %zu blocks %zu: %.1f GMAC/s (%.3f of 233)\n", groups, blocks, best, best / 233);
}
