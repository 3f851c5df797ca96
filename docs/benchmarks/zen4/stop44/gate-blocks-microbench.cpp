// Tenth Zen 4 session: the f32-f32w avx512f kernel on 20 gate blocks of 256 x 256 (5.2 MB, in
// L3), M tokens, two threads taking alternate blocks.
//   g++ -O2 -std=c++17 -I. gate-blocks-microbench.cpp build/lib/libgriffin.a -lpthread; ./a.out M REPS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <thread>
#include "runtime/src/kernels/gemm.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  size_t M = atoi(argv[1]), K = 256, N = 256; int reps = atoi(argv[2]); int blocks = 20;
  std::vector<float> w(blocks * (N * K + N)), a(M * K * 10), y(M * N * 10);
  for (size_t i = 0; i < w.size(); ++i) w[i] = (i % 17) * 0.01f;
  for (size_t i = 0; i < a.size(); ++i) a[i] = (i % 13) * 0.1f;
  auto run = [&](int t) {
    for (int r = 0; r < reps; ++r) for (int b = t; b < blocks; b += 2) {
      GemmArgs g; g.m = M; g.k = K; g.a = a.data() + (b % 10) * K; g.a_stride = K * 10; g.w = (const uint8_t*)(w.data() + b * (N * K + N));
      g.w_row_bytes = K * 4; g.bias = w.data() + b * (N * K + N) + N * K; g.y = y.data() + (b % 10) * N; g.y_stride = N * 10; g.decode = M == 1;
      grf_f32_f32w_gemm_ukernel__avx512f(g, 0, N);
    }
  };
  for (int k = 0; k < 3; ++k) {
    double t = now(); std::thread t1(run, 1); run(0); t1.join(); double dt = now() - t;
    printf("M=%zu: %.1f GMAC/s\n", M, double(M) * K * N * blocks * reps / dt / 1e9);
  }
}
