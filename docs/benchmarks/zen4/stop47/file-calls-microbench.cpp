// Thirteenth Zen 4 session. Arguments: the .griffin file and the call size in KB; build with
//   g++ -O2 -std=c++17 -mavx512f -mavx512bw file-calls-microbench.cpp -lpthreadpool -lpthread
// The 2B model file's own pages, read by two threads (a) as two contiguous halves of the whole
// file, (b) in calls of CHUNK bytes, each split in two halves (as decode splits each matrix).
#include <pthreadpool.h>
#include <immintrin.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
struct Job { const uint8_t* at; size_t bytes; };
static void read_fn(void* ctx, size_t t) {
  const Job* j = (const Job*)ctx;
  const __m512i* z = (const __m512i*)(j->at + t * (j->bytes / 2)); size_t nz = j->bytes / 2 / 64;
  __m512i acc[8] = {};
  size_t i = 0;
  for (; i + 8 <= nz; i += 8) for (int k = 0; k < 8; ++k) acc[k] = _mm512_xor_si512(acc[k], _mm512_loadu_si512(z + i + k));
  volatile int sink = _mm512_reduce_add_epi32(acc[0] ^ acc[1] ^ acc[2] ^ acc[3] ^ acc[4] ^ acc[5] ^ acc[6] ^ acc[7]); (void)sink;
}
int main(int argc, char** argv) {
  int fd = open(argv[1], O_RDONLY); struct stat st; fstat(fd, &st);
  size_t chunk = (size_t)atol(argv[2]) << 10;
  size_t bytes = (size_t)st.st_size / chunk * chunk;
  const uint8_t* file = (const uint8_t*)mmap(nullptr, st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  pthreadpool_t pool = pthreadpool_create(2);
  for (int rep = 0; rep < 40; ++rep) {
    double t0 = now(); Job whole{file, bytes}; pthreadpool_parallelize_1d(pool, read_fn, &whole, 2, 0);
    double t1 = now();
    for (size_t at = 0; at < bytes; at += chunk) { Job j{file + at, chunk}; pthreadpool_parallelize_1d(pool, read_fn, &j, 2, 0); }
    double t2 = now();
    printf("whole halves %5.1f   calls of %zu KB %5.1f GB/s\n", bytes / (t1 - t0) / 1e9, chunk >> 10, bytes / (t2 - t1) / 1e9);
  }
}
