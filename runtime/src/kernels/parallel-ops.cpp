// Tiles of the tanh loops and of the RG-LRU scan over pthreadpool (see parallel-ops.h).
#include "runtime/src/kernels/parallel-ops.h"

#include <algorithm>

#include "runtime/src/kernels/ops.h"
#include "runtime/src/parallel-for.h"

namespace griffin::ops {
namespace {

// Below this many elements per tile, waking the pool costs more than the tanh calls it spreads
// (a few microseconds against 2-35 ns per element, vector or scalar tanh; the scan's exp calls
// cost about as much).
constexpr size_t kMinTile = 2048;

constexpr size_t kMinScanTile = 8192;

// Items per tile for `count` items: two tiles per thread, but at least `fewest` items, both
// rounded up to a multiple of `multiple` (so only the last tile has a vector tail).
size_t tile_of(pthreadpool_t pool, size_t count, size_t fewest, size_t multiple) {
  const size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
  const auto round_up = [multiple](size_t n) { return (n + multiple - 1) / multiple * multiple; };
  const size_t even_share = round_up((count + 2 * threads - 1) / (2 * threads));
  return std::max<size_t>(std::max(even_share, round_up(fewest)), 1);
}

// The elementwise loops: tiles of at least kMinTile elements, a multiple of 8.
size_t tile_for(pthreadpool_t pool, size_t count) {
  return tile_of(pool, count, kMinTile, 8);
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

struct RglruScanTask {
  RglruScanKernel kernel;
  size_t rows, width;
  const float *gate_r, *gate_i, *v, *neg_c_softplus;
  const int64_t* positions;
  float *h, *out;
};

void rglru_scan_tile(void* context, size_t begin, size_t size) {
  const auto* t = static_cast<const RglruScanTask*>(context);
  t->kernel(t->rows, size, t->width, t->gate_r + begin, t->gate_i + begin, t->v + begin,
            t->neg_c_softplus + begin, t->positions, t->h + begin, t->out + begin);
}

struct AddRmsnormTask {
  size_t width;
  float* x;
  const float* residual;
  const float* scale;
  float eps;
  float* y;
};

void add_rmsnorm_tile(void* context, size_t begin, size_t size) {
  const auto* t = static_cast<const AddRmsnormTask*>(context);
  float* x = t->x + begin * t->width;
  if (t->residual != nullptr) add_inplace(size * t->width, x, t->residual + begin * t->width);
  rmsnorm(size, t->width, x, t->scale, t->eps, t->y + begin * t->width);
}

}  // namespace

void parallel_add_rmsnorm(pthreadpool_t pool, size_t rows, size_t width, float* x,
                          const float* residual, const float* scale, float eps, float* y) {
  AddRmsnormTask task{width, x, residual, scale, eps, y};
  // Tiles of at least kMinTile elements: a decoded token's row (a few microseconds) stays on
  // the calling thread.
  const size_t fewest = (kMinTile + width - 1) / std::max<size_t>(width, 1);
  parallel_for_tiles(pool, add_rmsnorm_tile, &task, rows, tile_of(pool, rows, fewest, 1));
}

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

void parallel_rglru_scan(pthreadpool_t pool, RglruScanKernel kernel, size_t rows, size_t width,
                         const float* gate_r, const float* gate_i, const float* v,
                         const float* neg_c_softplus, const int64_t* positions, float* h,
                         float* out) {
  RglruScanTask task{kernel, rows, width, gate_r, gate_i, v, neg_c_softplus, positions, h, out};
  // Two tiles of channels per thread, a multiple of 8, each of at least kMinScanTile elements
  // (steps × channels): a decoded token's scan of 2B's 2560 channels takes a few microseconds,
  // about what waking the pool does, so it stays on the calling thread.
  const size_t fewest = (kMinScanTile + rows - 1) / std::max<size_t>(rows, 1);
  parallel_for_tiles(pool, rglru_scan_tile, &task, width, tile_of(pool, width, fewest, 8));
}

}  // namespace griffin::ops
