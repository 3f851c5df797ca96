// Thirteenth Zen 4 session: the 2B int8 file's mapping in /dev/shm against an anonymous buffer
// of the same size, read in turns, two threads, 512 MB slices. Argument: the .griffin file.
//   g++ -O2 -std=c++17 -mavx512f -mavx512bw read-file-vs-anon-microbench.cpp -lpthreadpool -lpthread
// Reads the 2B int8 model file's mapping and a fresh anonymous buffer of the same size, in
// turns, two threads, 512 MB slices; prints each slice's GB/s.
#include <pthreadpool.h>
#include <immintrin.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstring>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
static const uint8_t* base; static const size_t slice = size_t{512} << 20;
static void read_fn(void* ctx, size_t t) {
  const __m512i* z = (const __m512i*)((const uint8_t*)ctx + t * slice / 2); size_t nz = slice / 2 / 64;
  __m512i acc[8] = {};
  for (size_t i = 0; i + 8 <= nz; i += 8) for (int j = 0; j < 8; ++j) acc[j] = _mm512_xor_si512(acc[j], _mm512_loadu_si512(z + i + j));
  volatile int sink = _mm512_reduce_add_epi32(acc[0] ^ acc[1] ^ acc[2] ^ acc[3] ^ acc[4] ^ acc[5] ^ acc[6] ^ acc[7]); (void)sink;
}
int main(int argc, char** argv) {
  int fd = open(argv[1], O_RDONLY); struct stat st; fstat(fd, &st);
  size_t n = (size_t)st.st_size / slice;
  const uint8_t* file = (const uint8_t*)mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  uint8_t* anon = (uint8_t*)aligned_alloc(64, n * slice);
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < n * slice; i += 8) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; memcpy(anon + i, &x, 8); }
  pthreadpool_t pool = pthreadpool_create(2);
  for (int rep = 0; rep < 30; ++rep) for (int which = 0; which < 2; ++which) {
    const uint8_t* b = which ? anon : file; double total = 0, t0 = now();
    printf("%s", which ? "anon:" : "file:");
    for (size_t s = 0; s < n; ++s) { double t = now(); pthreadpool_parallelize_1d(pool, read_fn, (void*)(b + s * slice), 2, 0); printf(" %5.1f", slice / (now() - t) / 1e9); total += slice; }
    printf("  | all %5.1f\n", total / (now() - t0) / 1e9); fflush(stdout);
  }
}
