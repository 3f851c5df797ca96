// Stop 64/65: the int4 eight-token loop (qd8-vnni-scaled-groups-eight-tokens.h) alone, one
// thread, its block in L1. MODE 0 per group, 1 per token, 2 power of two.
//   g++ -O3 -std=c++17 -march=native -I REPO int4-loop-microbench.cpp -o loop; ./loop GROUPS MODE ITERS
// int4-loop-one-broadcast.patch (on a copy of the header, its function renamed) is the probe
// with one activation broadcast a token and group.
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include "runtime/src/kernels/qd8-vnni-scaled-groups-eight-tokens.h"
using namespace griffin;
int main(int argc, char** argv) {
  const size_t count = atoi(argv[1]); const int mode = atoi(argv[2]); const long iters = atol(argv[3]);
  const size_t kp = count * 32;
  alignas(64) static uint8_t block[64 * 1024];
  alignas(64) static int8_t a[8 * 64 * 32];
  static EightTokenGroups tab;
  alignas(64) static float ws[64 * 32];
  alignas(64) static float acc[8 * 32];
  for (size_t i = 0; i < sizeof block; ++i) block[i] = i * 7 % 16;
  for (size_t i = 0; i < sizeof a; ++i) a[i] = i % 13 - 6;
  for (int t = 0; t < 8; ++t) for (int g = 0; g < 64; ++g) { tab.starts[t][g] = -5; tab.floats[t][g] = 1e-3f; }
  for (auto& x : ws) x = 1e-6f;
  memset(acc, 0, sizeof acc);
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < iters; ++i) {
    if (mode == 0) scaled_groups_rows32_eight_tokens<GroupStep::kWeightTimesActivation>(block, a, kp, 0, count, block, 0, tab, ws, acc);
    if (mode == 1) scaled_groups_rows32_eight_tokens<GroupStep::kWeight>(block, a, kp, 0, count, block, 0, tab, ws, acc);
    if (mode == 2) scaled_groups_rows32_eight_tokens<GroupStep::kPowerOfTwo>(block, a, kp, 0, count, block, 0, tab, ws, acc);
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double gmacs = 8.0 * 32 * 32 * count * iters / s / 1e9;
  printf("mode %d count %zu: %.1f GMAC/s one thread (%.3f of 376; %.3f of 420)\n", mode, count, gmacs, gmacs / 376, gmacs/420);
}
