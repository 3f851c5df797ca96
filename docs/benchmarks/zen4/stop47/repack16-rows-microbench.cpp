// Thirteenth Zen 4 session: Int4Rows::repack16 of 16 rows x 80 groups, one core, cycles per group.
// New form (82c883e, rows from a base and a stride), from the repository root:
//   g++ -O2 -std=c++17 -mavx512f -mavx512vl -mavx512bw -mavx512vnni -mavx2 -mfma -mf16c -I. repack16-rows-microbench.cpp
// Old form (a pointer per row): -DOLD with -I a directory holding 85bc06f's runtime/src/kernels/qd8-vnni-rows.h
// ahead of -I. ; argument: rows (256: in L2; 16384: from memory).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "runtime/src/kernels/qd8-vnni-rows.h"
using namespace griffin;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
  size_t row_bytes = 1280, rows = argc > 1 ? atol(argv[1]) : 256;
  std::vector<uint8_t> w(rows * row_bytes);
  for (size_t i = 0; i < w.size(); ++i) w[i] = rand();
  alignas(64) static __m512i packed[80 * 8];
  double best = 1e9;
  for (int rep = 0; rep < 9; ++rep) {
    double t = now();
    for (size_t n = 0; n < rows; n += 16) {
#ifdef OLD
      const uint8_t* r[16];
      for (int j = 0; j < 16; ++j) r[j] = w.data() + (n + j) * row_bytes;
      Int4Rows::repack16(r, 0, 80, packed);
#else
      Int4Rows::repack16(w.data() + n * row_bytes, row_bytes, 0, 80, packed);
#endif
    }
    double dt = now() - t; if (dt < best) best = dt;
  }
  printf("%s rows %zu: %.1f cycles per 16-row group at 3.7 GHz\n", argv[0], rows, best / (rows / 16.0 * 80) * 3.7e9);
}
