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

#include <chrono>
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

// Sends the pool's workers to sleep in the kernel until its next call (null: nothing to do). By
// default pthreadpool's workers spin after each call (up to a million pause instructions: tens
// of milliseconds on a Zen 3), holding cores that the app may need once a step has returned:
// another model's pool (two 2B models decoding in turns on two cores ran 20 % slower each), its
// own threads, a phone's battery. A call with PTHREADPOOL_FLAG_YIELD_WORKERS reaches the workers
// only if it has at least two items (one runs on the caller), hence a no-op item per thread.
inline void let_workers_sleep(pthreadpool_t pool) {
  const size_t threads = pool == nullptr ? 0 : pthreadpool_get_threads_count(pool);
  if (threads <= 1) return;
  pthreadpool_parallelize_1d(
      pool, [](void*, size_t) {}, nullptr, threads, PTHREADPOOL_FLAG_YIELD_WORKERS);
}

// griffin_model_options.sleep_between_steps: calls let_workers_sleep when it goes out of scope,
// on every path out of a prefill, decode step or batch step that took at least kLongStep; a
// step's own calls run as before, the workers spinning between them. Waking sleeping workers
// costs the next step about 20 µs: 5 % of a decode step of the bundled 5.8M-parameter model
// (0.39 -> 0.41 ms), so after short steps, where an app's loop is tight, they spin as before.
// Not the default: in 2B int8 decode on this VM, sleeping workers lost 0-5 % (a halted vCPU
// waits for the host to run it again).
class WorkersSleepAfter {
 public:
  static constexpr std::chrono::nanoseconds kLongStep = std::chrono::milliseconds(2);

  explicit WorkersSleepAfter(pthreadpool_t pool, std::chrono::nanoseconds long_step = kLongStep)
      : pool_(pool), long_step_(long_step) {
    if (pool_ != nullptr) start_ = std::chrono::steady_clock::now();  // no clock reads when off
  }
  ~WorkersSleepAfter() {
    if (pool_ != nullptr && std::chrono::steady_clock::now() - start_ >= long_step_) {
      let_workers_sleep(pool_);
    }
  }
  WorkersSleepAfter(const WorkersSleepAfter&) = delete;
  WorkersSleepAfter& operator=(const WorkersSleepAfter&) = delete;

 private:
  pthreadpool_t pool_;
  std::chrono::nanoseconds long_step_;
  std::chrono::steady_clock::time_point start_{};
};

}  // namespace griffin
