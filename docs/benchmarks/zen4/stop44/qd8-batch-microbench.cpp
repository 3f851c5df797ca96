// Tenth Zen 4 session: one matrix product of M tokens on the AVX-512 VNNI qd8 kernels (int8 or
// int4 rows) or the int16 VNNI f32-qs8w kernel (w), two threads over halves of the rows.
//   g++ -O2 -std=c++17 -I. qd8-batch-microbench.cpp build/lib/libgriffin.a -lpthread
//   ./a.out M K N MB_OF_WEIGHTS PASSES 8|4|w|t|u [THREADS] [ROWS]   (MB 0: one matrix, in cache;
//   t/u: int8/int4 rows through the decode tiles, four tokens at a time, per chunk of ROWS rows)
// Microbenchmark: qd8 gemm for a batch of M tokens on int8 or int4 rows, from L2, L3, memory.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>
#include <sys/mman.h>
#include "runtime/src/kernels/gemm.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  size_t M = atoi(argv[1]); size_t K = atoi(argv[2]); size_t N = atoi(argv[3]);
  size_t total_mb = atoi(argv[4]); int passes = atoi(argv[5]); bool int4 = argc > 6 && argv[6][0]=='4'; bool i16 = argc > 6 && argv[6][0]=='w'; bool turns = argc > 6 && (argv[6][0]=='t' || argv[6][0]=='u'); if (argv[6][0]=='u') int4 = true; size_t chunk = argc > 8 ? atoi(argv[8]) : 64;
  int threads = argc > 7 ? atoi(argv[7]) : 2;
  size_t kp = (K + 31) / 32 * 32, groups = kp / 32;
  size_t row_bytes = int4 ? kp / 2 : kp;
  size_t mat_bytes = N * row_bytes;
  size_t mats = std::max<size_t>(1, total_mb * 1000000 / mat_bytes);
  size_t bytes = mats * mat_bytes;
  uint8_t* w = (uint8_t*)mmap(nullptr, bytes, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  uint64_t s = 88172645463325252ull;
  for (size_t i = 0; i < bytes / 8; ++i) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; memcpy(w + 8*i, &s, 8); }
  std::vector<uint16_t> sc16(N * groups, 0x2000); std::vector<float> sc32(N, 0.01f);
  std::vector<float> a(M * K); for (auto& x : a) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; x = (s % 2001) / 1000.0f - 1; }
  std::vector<int8_t> aq(M * kp); std::vector<float> as(M * groups); std::vector<int32_t> off(M * groups);
  grf_f32_qd8_quantize_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), int4 ? 8 : 128, off.data());
  std::vector<float> y(M * N * threads);
  GemmKernel kern = i16 ? grf_f32_qs8w_gemm_ukernel__avx512vnni : int4 ? grf_qd8_qs4w_gemm_ukernel__avx512vnni : grf_qd8_qs8w_gemm_ukernel__avx512vnni;
  auto run = [&](int t) {
    for (int p = 0; p < passes; ++p) for (size_t mi = 0; mi < mats; ++mi) {
      GemmArgs g; g.m = M; g.k = K; g.kp = kp; g.aq = aq.data(); g.aq_scales = as.data(); g.aq_group_offsets = off.data();
      g.w = w + mi * mat_bytes; g.w_row_bytes = row_bytes; g.w_scales = int4 ? (const uint8_t*)sc16.data() : (const uint8_t*)sc32.data();
      g.y = y.data(); g.y_stride = N; g.decode = true; g.a = a.data(); g.a_stride = K; g.int16_decode = i16;
      size_t n0 = N * t / threads, n1 = N * (t + 1) / threads; n0 -= n0 % 16; n1 = t == threads-1 ? N : n1 - n1 % 16;
      if (!turns) { kern(g, n0, n1); continue; }
      for (size_t c0 = n0; c0 < n1; c0 += chunk) {
        const size_t c1 = std::min(n1, c0 + chunk);
        for (size_t m0 = 0; m0 < M; m0 += 4) {
          GemmArgs h = g; h.m = std::min<size_t>(4, M - m0); h.aq = aq.data() + m0 * kp; h.aq_scales = as.data() + m0 * groups;
          h.aq_group_offsets = off.data() + m0 * groups; h.y = y.data() + m0 * N;
          kern(h, c0, c1);
        }
      }
    }
  };
  for (int rep = 0; rep < 3; ++rep) {
    double t0 = now();
    std::vector<std::thread> th; for (int t = 0; t < threads; ++t) th.emplace_back(run, t); for (auto& x : th) x.join();
    double dt = now() - t0;
    double macs = double(M) * K * N * mats * passes;
    printf("M=%zu K=%zu N=%zu mats=%zu %s: %.1f GMAC/s  %.1f GB/s\n", M, K, N, mats, turns?(int4?"int4-turns":"int8-turns"):i16?"int16":int4?"int4":"int8", macs / dt / 1e9, double(bytes) * passes / dt / 1e9);
  }
}
