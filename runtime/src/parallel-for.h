// pthreadpool_parallelize_1d_tile_1d for our own tasks, with the ordering it guarantees made
// visible to ThreadSanitizer. pthreadpool orders the caller's writes before the workers' reads
// (and the workers' writes before the call returns) with atomics and futexes inside Debian's
// uninstrumented libpthreadpool.so, so TSan sees none of it and reports the caller's next write
// to a buffer a worker read as a race. Under -fsanitize=thread each tile acquires the caller's
// release at its start and releases at its end, which the caller acquires after the call: the
// same edges pthreadpool provides, announced with TSan's annotation calls. Otherwise this is
// the plain call.
#pragma once

#include <pthreadpool.h>

#include <cstddef>

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_acquire(void* address);
extern "C" void __tsan_release(void* address);
#endif

namespace griffin {

using TileFunction = void (*)(void* context, size_t start, size_t count);

#if defined(__SANITIZE_THREAD__)
namespace detail {
struct AnnotatedTask {
  TileFunction function;
  void* context;
};
inline void annotated_tile(void* context, size_t start, size_t count) {
  auto* task = static_cast<AnnotatedTask*>(context);
  __tsan_acquire(task);
  task->function(task->context, start, count);
  __tsan_release(task);
}
}  // namespace detail
#endif

// Runs function(context, start, count) over [0, range) in tiles of `tile` on `pool` (null: on
// the calling thread), and returns when every tile is done.
inline void parallel_for_tiles(pthreadpool_t pool, TileFunction function, void* context,
                               size_t range, size_t tile) {
#if defined(__SANITIZE_THREAD__)
  detail::AnnotatedTask task{function, context};
  __tsan_release(&task);
  pthreadpool_parallelize_1d_tile_1d(pool, detail::annotated_tile, &task, range, tile, 0);
  __tsan_acquire(&task);
#else
  pthreadpool_parallelize_1d_tile_1d(pool, function, context, range, tile, 0);
#endif
}

}  // namespace griffin
