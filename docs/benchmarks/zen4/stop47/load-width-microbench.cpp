// Thirteenth Zen 4 session. Argument: the .griffin file; build from the repository root with
//   g++ -O2 -std=c++17 -mavx512f -mavx512bw -mavx2 load-width-microbench.cpp -lpthreadpool -lpthread
// The 2B model file's pages read whole by two threads (contiguous halves) with 16-byte loads
// (the --roofline probe's loop) and with 64-byte loads, in turns.
#include <pthreadpool.h>
#include <immintrin.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
using Words = uint64_t __attribute__((vector_size(16)));
struct Job { const uint8_t* at; size_t bytes; };
static void read16(void* ctx, size_t t) {
  const Job* j = (const Job*)ctx; const Words* w = (const Words*)(j->at + t * (j->bytes / 2)); size_t n = j->bytes / 2 / 16;
  Words acc[8] = {};
  for (size_t i = 0; i + 8 <= n; i += 8) for (size_t k = 0; k < 8; ++k) acc[k] ^= w[i + k];
  uint64_t s = 0; for (auto& a : acc) s ^= a[0] ^ a[1]; volatile uint64_t sink = s; (void)sink;
}
static void read32(void* ctx, size_t t) {
  const Job* j = (const Job*)ctx;
  const __m256i* z = (const __m256i*)(j->at + t * (j->bytes / 2)); size_t nz = j->bytes / 2 / 32;
  __m256i acc[8] = {};
  for (size_t i = 0; i + 8 <= nz; i += 8) for (int k = 0; k < 8; ++k) acc[k] = _mm256_xor_si256(acc[k], _mm256_loadu_si256(z + i + k));
  __m256i x = acc[0] ^ acc[1] ^ acc[2] ^ acc[3] ^ acc[4] ^ acc[5] ^ acc[6] ^ acc[7];
  volatile long long sink = _mm256_extract_epi64(x, 0); (void)sink;
}
static void read64(void* ctx, size_t t) {
  const Job* j = (const Job*)ctx;
  const __m512i* z = (const __m512i*)(j->at + t * (j->bytes / 2)); size_t nz = j->bytes / 2 / 64;
  __m512i acc[8] = {};
  for (size_t i = 0; i + 8 <= nz; i += 8) for (int k = 0; k < 8; ++k) acc[k] = _mm512_xor_si512(acc[k], _mm512_loadu_si512(z + i + k));
  volatile int sink = _mm512_reduce_add_epi32(acc[0] ^ acc[1] ^ acc[2] ^ acc[3] ^ acc[4] ^ acc[5] ^ acc[6] ^ acc[7]); (void)sink;
}
int main(int argc, char** argv) {
  int fd = open(argv[1], O_RDONLY); struct stat st; fstat(fd, &st);
  size_t bytes = (size_t)st.st_size / 4096 * 4096;
  const uint8_t* file = (const uint8_t*)mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  pthreadpool_t pool = pthreadpool_create(2);
  Job whole{file, bytes};
  for (int rep = 0; rep < 30; ++rep) {
    double t0 = now(); pthreadpool_parallelize_1d(pool, read16, &whole, 2, 0);
    double t1 = now(); pthreadpool_parallelize_1d(pool, read64, &whole, 2, 0);
    double t2 = now(); pthreadpool_parallelize_1d(pool, read32, &whole, 2, 0);
    double t3 = now();
    printf("16-byte loads %5.1f   64-byte loads %5.1f   32-byte loads %5.1f GB/s\n", bytes / (t1 - t0) / 1e9, bytes / (t2 - t1) / 1e9, bytes / (t3 - t2) / 1e9);
  }
}
