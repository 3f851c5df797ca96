// Counts every heap allocation in the process: malloc, calloc, realloc and the aligned
// variants are replaced here (operator new calls malloc), forwarding to glibc's own entry
// points. Linked only into griffin-alloc-tests.
#include "tests/alloc/malloc_counter.h"

#include <cerrno>
#include <cstddef>

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
void __libc_free(void* pointer);
void* __libc_memalign(size_t alignment, size_t size);
}

namespace griffin::test {

std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};

}  // namespace griffin::test

namespace {
inline void note() {
  if (griffin::test::g_counting.load(std::memory_order_relaxed)) {
    griffin::test::g_allocations.fetch_add(1, std::memory_order_relaxed);
  }
}
}  // namespace

extern "C" {

void* malloc(size_t size) {
  note();
  return __libc_malloc(size);
}

void* calloc(size_t count, size_t size) {
  note();
  return __libc_calloc(count, size);
}

void* realloc(void* pointer, size_t size) {
  note();
  return __libc_realloc(pointer, size);
}

void free(void* pointer) { __libc_free(pointer); }

void* memalign(size_t alignment, size_t size) {
  note();
  return __libc_memalign(alignment, size);
}

void* aligned_alloc(size_t alignment, size_t size) {
  note();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void** out, size_t alignment, size_t size) {
  note();
  void* pointer = __libc_memalign(alignment, size);
  if (pointer == nullptr) return ENOMEM;
  *out = pointer;
  return 0;
}

void* valloc(size_t size) {
  note();
  return __libc_memalign(4096, size);
}

}  // extern "C"
