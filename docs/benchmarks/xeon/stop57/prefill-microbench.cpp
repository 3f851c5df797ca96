// Stop 57 (first Intel session). The VNNI packed prefill (runtime/src/kernels/qd8-vnni-rows.h,
// copied as DIR/rows_var.h, and edited there for a variant; DIR must not be this file's own
// directory, which a quoted include searches first) of M tokens on one matrix,
// two threads over halves of the rows, best of five; modes: 4g (int4 per group), 4t (int4 per
// token), 8g (int8 per group), 8t (int8 per token).
//   g++ -O3 -std=c++17 -mavx512f -mavx512vl -mavx512bw -mavx512vnni -mavx2 -mfma -mf16c -I<repo> -IDIR \
//       prefill-microbench.cpp <repo>/build/lib/libgriffin.a -lpthread
//   ./a.out M K N PASSES MODE LABEL
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>
#include "runtime/src/kernels/gemm.h"
#include "runtime/src/kernels/weight-rows.h"
#include "runtime/src/kernels/qd8-x86-tile.h"
#include "runtime/src/kernels/qd8-x86-vnni.h"
#include "rows_var.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  size_t M = atoi(argv[1]), K = atoi(argv[2]), N = atoi(argv[3]); int passes = atoi(argv[4]);
  bool int4 = argv[5][0] == '4', token = argv[5][1] == 't';
  size_t kp = K, groups = kp / 32, row_bytes = int4 ? kp / 2 : kp, mat_bytes = N * row_bytes;
  uint8_t* w = (uint8_t*)aligned_alloc(64, mat_bytes);
  uint64_t s = 88172645463325252ull;
  for (size_t i = 0; i < mat_bytes / 8; ++i) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; memcpy(w + 8*i, &s, 8); }
  std::vector<uint16_t> sc16(N * groups, 0x2000); std::vector<float> sc32(N, 0.01f);
  std::vector<float> a(M * K); for (auto& x : a) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; x = (s % 2001) / 1000.0f - 1; }
  std::vector<int8_t> aq(M * kp); std::vector<float> as(M * groups); std::vector<int32_t> off(M * groups);
  if (token) grf_f32_qd8_quantize_token_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), int4 ? 8 : 128, off.data());
  else grf_f32_qd8_quantize_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), int4 ? 8 : 128, off.data());
  std::vector<float> y(M * N);
  auto run = [&](int t) {
    for (int p = 0; p < passes; ++p) {
      GemmArgs g; g.m = M; g.k = K; g.kp = kp; g.aq = aq.data(); g.aq_scales = as.data(); g.aq_group_offsets = off.data();
      g.aq_token_scales = token;
      g.w = w; g.w_row_bytes = row_bytes; g.w_scales = int4 ? (const uint8_t*)sc16.data() : (const uint8_t*)sc32.data();
      g.y = y.data(); g.y_stride = N;
      size_t n0 = N * t / 2, n1 = N * (t + 1) / 2;
      if (int4) vnni_repacked<Int4Rows>(g, n0, n1); else vnni_repacked<Int8Rows>(g, n0, n1);
    }
  };
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    double t0 = now(); std::thread a0(run, 0), a1(run, 1); a0.join(); a1.join(); double dt = now() - t0;
    double g = double(M) * K * N * passes / dt / 1e9; best = std::max(best, g);
  }
  double chk = 0; for (float v : y) chk += v;
  printf("%s %s M=%zu K=%zu N=%zu: best %.1f GMAC/s (checksum %.9g)\n", argv[6], argv[5], M, K, N, best, chk);
}
