// Thirteenth Zen 4 session: 2B-shaped decode streaming on two threads, without the runtime:
// 105 distinct random int8 matrices a "token" (2.70 GB: per layer x/y 5,120 x 2,560, out 2,560 x
// 2,560, gate/up 15,360 x 2,560, down 2,560 x 7,680; logits 256,000 x 2,560), int16_vnni_lone_row
// per row: (a) a pthreadpool call per matrix, (b) one call a token, (c) a plain read loop per matrix.
//   g++ -O2 -std=c++17 -mavx512f -mavx512vl -mavx512bw -mavx512vnni -mavx2 -mfma -mf16c -I. decode-calls-microbench.cpp -lpthreadpool -lpthread
// Decode-shaped GEMV streaming on two threads: (a) one pool call per matrix (as the runtime:
// 105 calls a 2B token), each call's rows split in two halves; (b) one call per token, each
// thread walking its half of every matrix without waiting. int8 rows, int16_vnni_lone_row.
#include <pthreadpool.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>
#include "runtime/src/kernels/x86-int16-vnni-decode.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
struct Mat { std::vector<uint8_t> w; size_t rows, k; };
static std::vector<Mat> mats;
alignas(64) static int16_t q[8192];
static float qs[8] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
static std::vector<float> y(300000), wsc(300000, 0.01f);
static void rows_of(const Mat& m, size_t a, size_t b) {
  GemmArgs p; p.kp = m.k; p.k = m.k; p.w = m.w.data(); p.w_row_bytes = m.k; p.w_scales = (const uint8_t*)wsc.data(); p.y = y.data(); p.m = 1;
  for (size_t n = a; n < b; ++n) int16_vnni_lone_row(p, q, qs, n);
}
static void read_rows(const Mat& m, size_t a, size_t b) {
  const __m512i* z = (const __m512i*)(m.w.data() + a * m.k); size_t nz = (b - a) * m.k / 64;
  __m512i acc[8] = {};
  for (size_t i = 0; i + 8 <= nz; i += 8) for (int j = 0; j < 8; ++j) acc[j] = _mm512_xor_si512(acc[j], _mm512_load_si512(z + i + j));
  volatile int sink = _mm512_reduce_add_epi32(acc[0] ^ acc[1] ^ acc[2] ^ acc[3] ^ acc[4] ^ acc[5] ^ acc[6] ^ acc[7]); (void)sink;
}
static size_t cur;
static void read_fn(void*, size_t t) { const Mat& m = mats[cur]; size_t h = m.rows / 32 * 16; read_rows(m, t ? h : 0, t ? m.rows : h); }
static void call_fn(void*, size_t t) { const Mat& m = mats[cur]; size_t h = m.rows / 32 * 16; rows_of(m, t ? h : 0, t ? m.rows : h); }
static void token_fn(void*, size_t t) { for (const Mat& m : mats) { size_t h = m.rows / 32 * 16; rows_of(m, t ? h : 0, t ? m.rows : h); } }
int main() {
  uint64_t x = 88172645463325252ull;
  auto add = [&](size_t rows, size_t k) { Mat m; m.rows = rows; m.k = k; m.w.resize(rows * k + 64 * 8192); m.w.shrink_to_fit();
    for (size_t i = 0; i + 8 <= m.w.size(); i += 8) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; memcpy(&m.w[i], &x, 8); } mats.push_back(std::move(m)); };
  for (int l = 0; l < 26; ++l) { add(5120, 2560); add(2560, 2560); add(15360, 2560); add(2560, 7680); }
  add(256000, 2560);
  double bytes = 0; for (auto& m : mats) bytes += m.rows * m.k;
  for (auto& v : q) v = rand();
  pthreadpool_t pool = pthreadpool_create(2);
  printf("%.2f GB per token, %zu calls\n", bytes / 1e9, mats.size());
  for (int rep = 0; rep < 200; ++rep) {
    double t0 = now();
    for (cur = 0; cur < mats.size(); ++cur) pthreadpool_parallelize_1d(pool, call_fn, nullptr, 2, 0);
    double t1 = now();
    pthreadpool_parallelize_1d(pool, token_fn, nullptr, 2, 0);
    double t2 = now();
    for (cur = 0; cur < mats.size(); ++cur) pthreadpool_parallelize_1d(pool, read_fn, nullptr, 2, 0);
    double t3 = now();
    printf("calls %.1f GB/s   one call %.1f GB/s   read calls %.1f\n", bytes / (t1 - t0) / 1e9, bytes / (t2 - t1) / 1e9, bytes / (t3 - t2) / 1e9);
    fflush(stdout);
  }
}
