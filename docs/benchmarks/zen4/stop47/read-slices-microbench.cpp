// Thirteenth Zen 4 session: two threads read a 3 GB buffer in 512 MB slices after 200 ms idle,
// in order and in reverse on alternate rounds; prints each slice's GB/s (slice index: rate).
//   g++ -O2 -std=c++17 -mavx512f -mavx512bw read-slices-microbench.cpp -lpthreadpool -lpthread
// Is the host's fast read level a burst? Two threads read a 3 GB buffer (distinct random data)
// in 512 MB slices back to back, then after an idle pause, and report each slice's GB/s.
#include <pthreadpool.h>
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
static uint8_t* buf; static size_t slice_bytes = size_t{512} << 20; static size_t cur;
static void read_fn(void*, size_t t) {
  const __m512i* z = (const __m512i*)(buf + cur * slice_bytes + t * slice_bytes / 2); size_t nz = slice_bytes / 2 / 64;
  __m512i acc[8] = {};
  for (size_t i = 0; i + 8 <= nz; i += 8) for (int j = 0; j < 8; ++j) acc[j] = _mm512_xor_si512(acc[j], _mm512_load_si512(z + i + j));
  volatile int sink = _mm512_reduce_add_epi32(acc[0] ^ acc[1] ^ acc[2] ^ acc[3] ^ acc[4] ^ acc[5] ^ acc[6] ^ acc[7]); (void)sink;
}
int main(int argc, char** argv) {
  int pause_ms = argc > 1 ? atoi(argv[1]) : 200;
  const size_t slices = 6;
  buf = (uint8_t*)aligned_alloc(64, slices * slice_bytes);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < slices * slice_bytes; i += 8) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; memcpy(buf + i, &x, 8); }
  pthreadpool_t pool = pthreadpool_create(2);
  for (int rep = 0; rep < 40; ++rep) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    printf("after %d ms idle:", pause_ms);
    for (size_t ii = 0; ii < slices; ++ii) { cur = (rep % 2) ? slices - 1 - ii : ii;
      double t = now(); pthreadpool_parallelize_1d(pool, read_fn, nullptr, 2, 0);
      printf(" %zu:%5.1f", cur, slice_bytes / (now() - t) / 1e9);
    }
    printf("\n"); fflush(stdout);
  }
}
