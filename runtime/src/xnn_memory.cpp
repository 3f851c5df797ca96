// Counting allocator for XNNPACK (see xnn_memory.h). Each block carries a 64-byte prefix that
// records its size, so frees can be subtracted and alignment up to 64 bytes is kept.
#include "runtime/src/xnn_memory.h"

#include <xnnpack.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace griffin {

namespace {

constexpr size_t kPrefix = 64;  // >= every alignment XNNPACK asks for (XNN_ALLOCATION_ALIGNMENT)

std::atomic<uint64_t> g_current{0};

void* allocate_block(size_t size, size_t alignment) {
  if (alignment > kPrefix) return nullptr;
  void* raw = std::aligned_alloc(kPrefix, (kPrefix + size + kPrefix - 1) / kPrefix * kPrefix);
  if (raw == nullptr) return nullptr;
  std::memcpy(raw, &size, sizeof size);
  g_current.fetch_add(size);
  return static_cast<char*>(raw) + kPrefix;
}

size_t block_size(void* pointer) {
  size_t size;
  std::memcpy(&size, static_cast<char*>(pointer) - kPrefix, sizeof size);
  return size;
}

void free_block(void* pointer) {
  if (pointer == nullptr) return;
  g_current.fetch_sub(block_size(pointer));
  std::free(static_cast<char*>(pointer) - kPrefix);
}

void* on_allocate(void*, size_t size) { return allocate_block(size, 16); }

void* on_reallocate(void*, void* pointer, size_t size) {
  if (pointer == nullptr) return allocate_block(size, 16);
  void* fresh = allocate_block(size, 16);
  if (fresh == nullptr) return nullptr;
  const size_t old = block_size(pointer);
  std::memcpy(fresh, pointer, old < size ? old : size);
  free_block(pointer);
  return fresh;
}

void on_deallocate(void*, void* pointer) { free_block(pointer); }
void* on_aligned_allocate(void*, size_t alignment, size_t size) {
  return allocate_block(size, alignment);
}
void on_aligned_deallocate(void*, void* pointer) { free_block(pointer); }

const xnn_allocator kAllocator = {nullptr, on_allocate, on_reallocate, on_deallocate,
                                  on_aligned_allocate, on_aligned_deallocate};

}  // namespace

XnnMemoryStats xnn_memory_stats() { return {g_current.load()}; }

const xnn_allocator* xnn_counting_allocator() { return &kAllocator; }

}  // namespace griffin
