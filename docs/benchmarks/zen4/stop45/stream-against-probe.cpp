// Eleventh Zen 4 session.
//   g++ -O2 -std=c++17 -I. stream-against-probe.cpp build/lib/libgriffin.a -lpthread
//   ./a.out K N 4|8|w REPS   (4: int4 rows, 8: int8 rows with int8 activations, w: int8 rows, int16)
// Does the int4/int8 decode kernel stream its weights as fast as a plain read loop? Both over the
// same 1 GB of distinct random bytes (4 KB pages), two threads over halves of each matrix's rows,
// interleaved.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>
#include <immintrin.h>
#include <sys/mman.h>
#include "runtime/src/kernels/gemm.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  size_t K = atoi(argv[1]), N = atoi(argv[2]); bool int4 = argv[3][0] == '4'; bool i16 = argv[3][0] == 'w'; int reps = atoi(argv[4]);
  size_t kp = K, groups = kp / 32, row_bytes = int4 ? kp / 2 : kp, mat_bytes = N * row_bytes;
  size_t mats = 1000000000 / mat_bytes, bytes = mats * mat_bytes;
  uint8_t* w = (uint8_t*)mmap(nullptr, bytes, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
  madvise(w, bytes, MADV_NOHUGEPAGE);
  uint64_t s = 88172645463325252ull;
  for (size_t i = 0; i < bytes / 8; ++i) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; memcpy(w + 8*i, &s, 8); }
  std::vector<uint16_t> sc16(N * groups, 0x2000); std::vector<float> sc32(N, 0.01f);
  std::vector<float> a(K); for (auto& x : a) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; x = (s % 2001) / 1000.0f - 1; }
  std::vector<int8_t> aq(kp); std::vector<float> as(groups); std::vector<int32_t> off(groups);
  grf_f32_qd8_quantize_ukernel__avx2(1, K, kp, a.data(), K, aq.data(), as.data(), int4 ? 8 : 128, off.data());
  std::vector<float> y(N);
  GemmKernel kern = i16 ? grf_f32_qs8w_gemm_ukernel__avx512vnni : int4 ? grf_qd8_qs4w_gemm_ukernel__avx512vnni : grf_qd8_qs8w_gemm_ukernel__avx512vnni;
  volatile uint64_t sink = 0;
  auto gemm = [&](int t) {
    for (size_t mi = 0; mi < mats; ++mi) {
      GemmArgs g; g.m = 1; g.k = K; g.kp = kp; g.aq = aq.data(); g.aq_scales = as.data(); g.aq_group_offsets = off.data();
      g.w = w + mi * mat_bytes; g.w_row_bytes = row_bytes; g.w_scales = int4 ? (const uint8_t*)sc16.data() : (const uint8_t*)sc32.data();
      g.y = y.data(); g.y_stride = N; g.decode = true; g.a = a.data(); g.a_stride = K; g.int16_decode = i16; if (i16) g.w_scales = (const uint8_t*)sc32.data();
      size_t n0 = N * t / 2, n1 = N * (t + 1) / 2; kern(g, n0, n1);
    }
  };
  auto readloop = [&](int t) {  // the probe's loop: xor of 8 × 16-byte words, per thread its half of each matrix
    typedef uint64_t W __attribute__((vector_size(16)));
    W acc[8] = {};
    for (size_t mi = 0; mi < mats; ++mi) {
      const W* p = (const W*)(w + mi * mat_bytes + t * mat_bytes / 2); size_t n = mat_bytes / 2 / 16;
      for (size_t i = 0; i + 8 <= n; i += 8) for (int j = 0; j < 8; ++j) acc[j] ^= p[i + j];
    }
    uint64_t x = 0; for (auto& l : acc) x ^= l[0] ^ l[1]; sink = sink + x;
  };
  auto readhalves = [&](int t) {  // the probe's own split: each thread one contiguous half of the whole buffer
    typedef uint64_t W __attribute__((vector_size(16)));
    W acc[8] = {};
    const W* p = (const W*)(w + t * (bytes / 2)); size_t n = bytes / 2 / 16;
    for (size_t i = 0; i + 8 <= n; i += 8) for (int j = 0; j < 8; ++j) acc[j] ^= p[i + j];
    uint64_t x = 0; for (auto& l : acc) x ^= l[0] ^ l[1]; sink = sink + x;
  };
  for (int r = 0; r < reps; ++r) {
    double res[3];
    for (int mode = 0; mode < 3; ++mode) {
      double t0 = now();
      std::thread a0, a1;
      if (mode == 0) { a0 = std::thread(readhalves, 0); a1 = std::thread(readhalves, 1); }
      else if (mode == 1) { a0 = std::thread(readloop, 0); a1 = std::thread(readloop, 1); }
      else { a0 = std::thread(gemm, 0); a1 = std::thread(gemm, 1); }
      a0.join(); a1.join();
      res[mode] = bytes / (now() - t0) / 1e9;
    }
    printf("probe-halves %.1f  per-matrix-read %.1f  kernel %.1f GB/s  kernel/probe %.2f\n", res[0], res[1], res[2], res[2] / res[0]);
  }
}
