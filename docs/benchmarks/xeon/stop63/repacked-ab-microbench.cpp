// Stop 62's A/B harness (docs/benchmarks/xeon/stop62/), with stop 63's additions: before timing,
// B must give A's bits on every matrix, whole and cut at a 32-row block (else it prints MISMATCH
// and stops); NOPACK=1 in the environment runs both on the rows as stored (each call repacks).
// A is the library's kernel (build/lib/libgriffin.a); B the same sources compiled with one
// experiment's -D flag and the public names renamed to B_* (ab.sh; stop 63's variant:
// eight-tokens-experiment.patch, -DGRF_EXP_ASM8). Modes: g, t, p (per group, per token, power of
// two); a trailing 8 for int8.
//   ./ab.sh NAME -DGRF_EXP_...   then   ./mbab_NAME M K N MATS ROUNDS REPS MODE [THREADS]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>
#include "runtime/src/kernels/gemm.h"
using namespace griffin;
namespace griffin {
void B_qs8(const GemmArgs& p, size_t n_begin, size_t n_end);
void B_qs4(const GemmArgs& p, size_t n_begin, size_t n_end);
}
static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
int main(int argc, char** argv) {
  const size_t M = atoi(argv[1]), K = atoi(argv[2]), N = atoi(argv[3]), mats = atoi(argv[4]);
  const int rounds = atoi(argv[5]), reps = atoi(argv[6]);
  const char mode = argv[7][0];
  const bool int8 = argv[7][1] == '8';
  const int threads = argc > 8 ? atoi(argv[8]) : 2;
  const size_t kp = K, groups = kp / 32, row_bytes = int8 ? kp : kp / 2;
  const size_t group_bytes = int8 ? kRepackGroupBytes : kRepackInt4GroupBytes;
  const auto kernel_a =
      int8 ? grf_qd8_qs8w_gemm_ukernel__avx512vnni : grf_qd8_qs4w_gemm_ukernel__avx512vnni;
  const auto kernel_b = int8 ? B_qs8 : B_qs4;
  auto kernel = kernel_a;
  const auto repack = int8 ? grf_qd8_qs8w_repack__avx512vnni : grf_qd8_qs4w_repack__avx512vnni;
  const int32_t bias = int8 ? 128 : 8;
  uint64_t s = 88172645463325252ull;
  const auto next = [&] { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; };
  std::vector<uint8_t*> w(mats), scales(mats), packed(mats);
  for (size_t i = 0; i < mats; ++i) {
    w[i] = (uint8_t*)aligned_alloc(64, N * row_bytes);
    scales[i] = (uint8_t*)aligned_alloc(64, N * groups * 4);
    packed[i] = (uint8_t*)aligned_alloc(64, N / 32 * groups * group_bytes);
    for (size_t j = 0; j < N * row_bytes / 8; ++j) { const uint64_t v = next(); memcpy(w[i] + 8 * j, &v, 8); }
    uint16_t* sc = (uint16_t*)scales[i];
    for (size_t j = 0; j < N * groups; ++j) sc[j] = 0x2000 + next() % 512;
    if (int8) { float* rs = (float*)scales[i]; for (size_t j = 0; j < N; ++j) rs[j] = 0.01f; }
    for (size_t b = 0; b < N / 32; ++b)
      repack(w[i] + b * 32 * row_bytes, row_bytes, scales[i] + b * 32 * groups * 2, groups,
             packed[i] + b * groups * group_bytes);
    if (!getenv("NOPACK")) { free(w[i]); w[i] = nullptr; }
  }
  std::vector<float> a(M * K);
  for (auto& x : a) x = (next() % 2001) / 1000.0f - 1;
  std::vector<int8_t> aq(M * kp);
  std::vector<float> as(M * groups);
  std::vector<int32_t> off(M * groups);
  if (mode == 't') grf_f32_qd8_quantize_token_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), bias, off.data());
  else if (mode == 'p') grf_f32_qd8_quantize_pow2_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), bias, off.data());
  else grf_f32_qd8_quantize_ukernel__avx2(M, K, kp, a.data(), K, aq.data(), as.data(), bias, off.data());
  std::vector<float> y(M * N);
  const auto args = [&](size_t i) {
    GemmArgs g;
    g.m = M; g.k = K; g.kp = kp; g.aq = aq.data(); g.aq_scales = as.data();
    g.aq_group_offsets = off.data(); g.aq_token_scales = mode == 't';
    g.aq_power_of_two_scales = mode == 'p'; g.w = getenv("NOPACK") ? w[i] : packed[i]; g.w_row_bytes = row_bytes;
    g.w_scales = scales[i]; g.w_packed = getenv("NOPACK") ? nullptr : packed[i]; g.w_packed_rows = N / 32 * 32;
    g.y = y.data(); g.y_stride = N;
    return g;
  };
  const size_t split = N / 64 * 32;  // a whole 32-row block boundary
  std::atomic<int> job{0};  // 0 idle, 1 kernel, 2 peak, 3 quit
  std::atomic<int> finished{0};
  const uint64_t peak_iters = 2000000;
  std::thread other;
  if (threads == 2) other = std::thread([&] {
    for (;;) {
      int j;
      while ((j = job.load()) == 0) {}
      if (j == 3) return;
      if (j == 1) { for (int r = 0; r < reps; ++r) for (size_t i = 0; i < mats; ++i) kernel(args(i), split, N); }
      if (j == 2) (void)peak_iters;
      job.store(0);
    }
  });
  const auto timed = [&] {
    const double t0 = now();
    if (threads == 2) {
      job.store(1);
      for (int r = 0; r < reps; ++r) for (size_t i = 0; i < mats; ++i) kernel(args(i), 0, split);
      while (job.load() != 0) {}
    } else {
      for (int r = 0; r < reps; ++r) for (size_t i = 0; i < mats; ++i) kernel(args(i), 0, N);
    }
    return double(M) * N * K * mats * reps / (now() - t0) / 1e9;
  };
  {  // B must give A's bits
    for (size_t i = 0; i < mats; ++i) {
      std::vector<float> ya(M * N), yb(M * N);
      kernel = kernel_a; y.assign(M * N, 0.f); kernel(args(i), 0, N); ya = y;
      kernel = kernel_b; y.assign(M * N, 1.f); kernel(args(i), 0, N); yb = y;
      if (memcmp(ya.data(), yb.data(), M * N * 4) != 0) { printf("MISMATCH in matrix %zu\n", i); return 1; }
      y.assign(M * N, 2.f); kernel(args(i), 0, split); kernel(args(i), split, N);
      if (memcmp(ya.data(), y.data(), M * N * 4) != 0) { printf("MISMATCH split %zu\n", i); return 1; }
    }
    printf("bits equal\n");
  }
  int wins = 0;
  double sum_ratio = 0;
  for (int round = 0; round < rounds; ++round) {
    double a, b;
    if (round % 2 == 0) { kernel = kernel_a; a = timed(); kernel = kernel_b; b = timed(); }
    else { kernel = kernel_b; b = timed(); kernel = kernel_a; a = timed(); }
    wins += b > a;
    sum_ratio += b / a;
    printf("%s round %d: A %.0f B %.0f GMAC/s (%.3f)\n", argv[7], round, a, b, b / a);
  }
  printf("%s M=%zu K=%zu N=%zu mats=%zu: B faster in %d of %d, mean ratio %.3f\n", argv[7], M, K, N, mats, wins, rounds, sum_ratio / rounds);
  if (threads == 2) { job.store(3); other.join(); }
}
