// Where a decode step's time goes, by pthreadpool call: an LD_PRELOAD shim that times every
// pthreadpool_parallelize_1d_tile_1d call (the runtime's only pool entry, parallel-for.h) by
// task function, split into calls the pool ran in parallel and calls with a single tile (run
// on the caller while the workers spin: the activation quantization of a lone token).
//   gcc -O2 -shared -fPIC pool-calls-shim.c -o shim.so -ldl
//   LD_PRELOAD=./shim.so griffin-bench -m rg2b-int4e4.griffin --threads 2 --prompt-tokens 1 --decode-tokens 101
// Functions print as "?" (they are static), after their offset in the binary (added in the tenth
// Zen 4 session): `addr2line -f -C -e griffin-bench OFFSET` names them. Before 655d698 a 2B token
// made 165 matrix products (run_gemm_pieces), 165 quantizations and 18 gate calls.
// Ninth Zen 4 session: the gate calls took 0.38-0.43 s per 100 int4 tokens from 4 KB pages,
// 0.18 s from 2 MB pages.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <stdlib.h>
typedef void* pool_t;
#define SLOTS 64
static void* fs[SLOTS]; static double ts_[SLOTS][2]; static long ns[SLOTS][2]; static double t0, tcalls;
static double now(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + ts.tv_nsec * 1e-9; }
static void report(void) {
  fprintf(stderr, "shim: total %.3f s, in calls %.3f\n", now() - t0, tcalls);
  for (int i = 0; i < SLOTS && fs[i]; ++i) {
    Dl_info info; const char* name = "?"; if (dladdr(fs[i], &info) && info.dli_sname) name = info.dli_sname;
    fprintf(stderr, "  %#lx %-50.50s par %7ld %8.3f s  inline %7ld %8.3f s\n", (unsigned long)((char*)fs[i] - (char*)info.dli_fbase), name, ns[i][0], ts_[i][0], ns[i][1], ts_[i][1]);
  }
}
__attribute__((constructor)) static void init(void) { t0 = now(); atexit(report); }
void pthreadpool_parallelize_1d_tile_1d(pool_t p, void* f, void* c, size_t r, size_t t, uint32_t fl) {
  static void (*real)(pool_t, void*, void*, size_t, size_t, uint32_t);
  if (!real) real = dlsym(RTLD_NEXT, "pthreadpool_parallelize_1d_tile_1d");
  double a = now(); real(p, f, c, r, t, fl); double d = now() - a; tcalls += d;
  int i = 0; while (i < SLOTS - 1 && fs[i] && fs[i] != f) ++i; fs[i] = f; int k = r <= t; ts_[i][k] += d; ns[i][k]++;
}
