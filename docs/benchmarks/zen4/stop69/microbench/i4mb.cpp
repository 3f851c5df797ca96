#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>
#include HEADER
using namespace griffin;
int main(int argc, char** argv) {
  size_t n = atoi(argv[1]), k = atoi(argv[2]), m = atoi(argv[3]); double secs = 1.0;
  const size_t groups = k / 32;
  std::mt19937 rng(1);
  std::vector<uint8_t> w(n * k); for (auto& x : w) x = uint8_t(rng());  // 2x: room for the variant
  std::vector<uint16_t> ws(n * groups); for (auto& x : ws) x = 0x2000 + rng() % 256;
  std::vector<int8_t> aq(m * k); for (auto& x : aq) x = int8_t(rng() % 255 - 127);
  std::vector<float> as(m * groups, 0.01f); std::vector<int32_t> off(m * groups, 0);
  std::vector<float> y(m * n);
  GemmArgs p; p.m = m; p.k = k; p.kp = k; p.aq = aq.data(); p.aq_scales = as.data(); p.aq_group_offsets = off.data();
  p.w = w.data(); p.w_row_bytes = VARIANT_ROW_BYTES; p.w_scales = (const uint8_t*)ws.data(); p.y = y.data(); p.y_stride = n;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t0 = std::chrono::steady_clock::now(); size_t iters = 0; double el;
    do { int4_lane_gemm(p, 0, n); ++iters; el = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); } while (el < secs / 5);
    best = std::max(best, iters * double(m * n * k) / el / 1e9);
  }
  printf("%s n=%zu k=%zu m=%zu %.1f GMAC/s\n", argv[0], n, k, m, best);
}
