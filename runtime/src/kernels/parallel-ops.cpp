// Tiles of the elementwise tanh loops over pthreadpool (see parallel-ops.h).
#include "runtime/src/kernels/parallel-ops.h"

#include "runtime/src/parallel-for.h"

namespace griffin::ops {
namespace {

// Below this many elements per tile, waking the pool costs more than the tanh calls it spreads
// (a few microseconds against 2-35 ns per element, vector or scalar tanh).
constexpr size_t kMinTile = 2048;

// Two tiles per thread, a multiple of 8 elements so only the last tile has a vector tail.
size_t tile_for(pthreadpool_t pool, size_t count) {
  const size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
  const size_t even_share = ((count + 2 * threads - 1) / (2 * threads) + 7) / 8 * 8;
  return even_share > kMinTile ? even_share : kMinTile;
}

struct GeluGateTask {
  GeluGateKernel kernel;
  const float* gate;
  const float* other;
  float* out;
};

void gelu_gate_tile(void* context, size_t begin, size_t size) {
  const auto* task = static_cast<const GeluGateTask*>(context);
  task->kernel(size, task->gate + begin, task->other + begin, task->out + begin);
}

struct SoftCapTask {
  SoftCapKernel kernel;
  float cap;
  float* x;
};

void soft_cap_tile(void* context, size_t begin, size_t size) {
  const auto* task = static_cast<const SoftCapTask*>(context);
  task->kernel(size, task->cap, task->x + begin);
}

}  // namespace

void parallel_gelu_gate(pthreadpool_t pool, GeluGateKernel kernel, size_t count, const float* gate,
                        const float* other, float* out) {
  GeluGateTask task{kernel, gate, other, out};
  parallel_for_tiles(pool, gelu_gate_tile, &task, count, tile_for(pool, count));
}

void parallel_soft_cap(pthreadpool_t pool, SoftCapKernel kernel, size_t count, float cap,
                       float* x) {
  if (cap <= 0.0f) return;
  SoftCapTask task{kernel, cap, x};
  parallel_for_tiles(pool, soft_cap_tile, &task, count, tile_for(pool, count));
}

}  // namespace griffin::ops
