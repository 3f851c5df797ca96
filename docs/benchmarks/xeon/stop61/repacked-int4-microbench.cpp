// Stop 61. int4 (or int8) prefill of M tokens over MATS matrices of N rows × K columns (2B's MLP
// shape by default, 24 of them: more than the Xeon's L3), two threads over halves of the rows, the
// rows as stored against the same rows repacked at load (grf_qd8_qs4w_repack__avx512vnni,
// grf_qd8_qs8w_repack__avx512vnni), taking turns matrix set by matrix set. Prints GMAC/s of each
// per round. Modes: g (per-group activation scales), t (per token), p (power of two); a second
// letter 8 (g8, t8, p8) runs int8 weights.
//   g++ -O3 -std=c++17 -mavx512f -mavx512vl -mavx512bw -mavx512vnni -mavx2 -mfma -mf16c -I<repo> \
//       repacked-int4-microbench.cpp <repo>/build/lib/libgriffin.a -lpthread
//   ./a.out M K N MATS ROUNDS MODE
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "runtime/src/kernels/gemm.h"
using namespace griffin;
static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
int main(int argc, char** argv) {
  const size_t M = atoi(argv[1]), K = atoi(argv[2]), N = atoi(argv[3]), mats = atoi(argv[4]);
  const int rounds = atoi(argv[5]);
  const char mode = argv[6][0];
  const bool int8 = argv[6][1] == '8';
  const size_t kp = K, groups = kp / 32, row_bytes = int8 ? kp : kp / 2;
  const size_t group_bytes = int8 ? kRepackGroupBytes : kRepackInt4GroupBytes;
  const auto kernel =
      int8 ? grf_qd8_qs8w_gemm_ukernel__avx512vnni : grf_qd8_qs4w_gemm_ukernel__avx512vnni;
  const auto repack = int8 ? grf_qd8_qs8w_repack__avx512vnni : grf_qd8_qs4w_repack__avx512vnni;
  const int32_t bias = int8 ? 128 : 8;
  uint64_t s = 88172645463325252ull;
  const auto next = [&] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  std::vector<uint8_t*> w(mats), scales(mats), packed(mats);
  for (size_t i = 0; i < mats; ++i) {
    w[i] = (uint8_t*)aligned_alloc(64, N * row_bytes);
    scales[i] = (uint8_t*)aligned_alloc(64, N * groups * 4);
    packed[i] = (uint8_t*)aligned_alloc(64, N / 32 * groups * group_bytes);
    for (size_t j = 0; j < N * row_bytes / 8; ++j) {
      const uint64_t v = next();
      memcpy(w[i] + 8 * j, &v, 8);
    }
    uint16_t* sc = (uint16_t*)scales[i];
    for (size_t j = 0; j < N * groups; ++j) sc[j] = 0x2000 + next() % 512;
    if (int8) {
      float* row_scales = (float*)scales[i];
      for (size_t j = 0; j < N; ++j) row_scales[j] = 0.01f;
    }
    for (size_t b = 0; b < N / 32; ++b) {
      repack(w[i] + b * 32 * row_bytes, row_bytes, scales[i] + b * 32 * groups * 2, groups,
             packed[i] + b * groups * group_bytes);
    }
  }
  std::vector<float> a(M * K);
  for (auto& x : a) x = (next() % 2001) / 1000.0f - 1;
  std::vector<int8_t> aq(M * kp);
  std::vector<float> as(M * groups);
  std::vector<int32_t> off(M * groups);
  if (mode == 't') {
    grf_f32_qd8_quantize_token_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), bias,
                                             off.data());
  } else if (mode == 'p') {
    grf_f32_qd8_quantize_pow2_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), bias,
                                            off.data());
  } else {
    grf_f32_qd8_quantize_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), bias,
                                       off.data());
  }
  std::vector<float> y(M * N);
  const auto run = [&](bool repacked) {
    const double t0 = now();
    for (size_t i = 0; i < mats; ++i) {
      GemmArgs g;
      g.m = M;
      g.k = K;
      g.kp = kp;
      g.aq = aq.data();
      g.aq_scales = as.data();
      g.aq_group_offsets = off.data();
      g.aq_token_scales = mode == 't';
      g.aq_power_of_two_scales = mode == 'p';
      g.w = w[i];
      g.w_row_bytes = row_bytes;
      g.w_scales = scales[i];
      if (repacked) {
        g.w_packed = packed[i];
        g.w_packed_rows = N / 32 * 32;
      }
      g.y = y.data();
      g.y_stride = N;
      std::thread other([&] { kernel(g, N / 2, N); });
      kernel(g, 0, N / 2);
      other.join();
    }
    return double(M) * N * K * mats / (now() - t0) / 1e9;
  };
  for (int r = 0; r < rounds; ++r) {
    const double stored = run(false), repacked = run(true);
    printf("%c round %d: stored %.0f GMAC/s, repacked %.0f GMAC/s (%.2fx)\n", mode, r, stored,
           repacked, repacked / stored);
  }
}
