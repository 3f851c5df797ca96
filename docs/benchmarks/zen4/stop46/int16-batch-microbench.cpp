// Twelfth Zen 4 session: the default int8's decode batch kernel (f32-qs8w avx512vnni with
// int16_decode) on M tokens and `mats` distinct N x K matrices, two threads over halves of the
// rows (ONE=1 in the environment: one thread, the halves one after the other); best of five.
//   g++ -O2 -std=c++17 -I<repo> int16-batch-microbench.cpp build/lib/libgriffin.a -lpthread -o new
//   ./new M K N MATS PASSES LABEL      e.g. ./new 8 2560 7680 20 2 mem; ONE=1 ./new 8 2560 256 1 400 L2
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>
#include "runtime/src/kernels/gemm.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  size_t M = atoi(argv[1]), K = atoi(argv[2]), N = atoi(argv[3]), mats = atoi(argv[4]); int passes = atoi(argv[5]);
  size_t row_bytes = K, mat_bytes = N * row_bytes;
  uint8_t* w = (uint8_t*)aligned_alloc(64, mat_bytes * mats);
  uint64_t s = 88172645463325252ull;
  for (size_t i = 0; i < mat_bytes * mats / 8; ++i) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; memcpy(w + 8*i, &s, 8); }
  std::vector<float> sc(N, 0.01f);
  std::vector<float> a(M * K); for (auto& x : a) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; x = (s % 2001) / 1000.0f - 1; }
  std::vector<float> y(M * N);
  auto run = [&](int t) {
    for (int p = 0; p < passes; ++p) for (size_t mi = 0; mi < mats; ++mi) {
      GemmArgs g; g.m = M; g.k = K; g.kp = K; g.a = a.data(); g.a_stride = K;
      g.w = w + mi * mat_bytes; g.w_row_bytes = row_bytes; g.w_scales = (const uint8_t*)sc.data();
      g.y = y.data(); g.y_stride = N; g.int16_decode = true; g.decode = true;
      size_t n0 = N * t / 2, n1 = N * (t + 1) / 2;
      grf_f32_qs8w_gemm_ukernel__avx512vnni(g, n0, n1);
    }
  };
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double t0 = now(); if (getenv("ONE")) run(0), run(1); else { std::thread a0(run, 0), a1(run, 1); a0.join(); a1.join(); } double dt = now() - t0;
    best = std::max(best, double(M) * K * N * mats * passes / dt / 1e9);
  }
  double chk = 0; for (float v : y) chk += v;
  printf("%s M=%zu K=%zu N=%zu mats=%zu: best %.1f GMAC/s (checksum %.9g)\n", argv[6], M, K, N, mats, best, chk);
}
