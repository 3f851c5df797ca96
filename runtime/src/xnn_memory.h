// XNNPACK runs on our allocator (xnn_initialize takes one), so every byte it allocates (packed
// weights, operator structs) is counted and can be compared with the memory plan.
#pragma once

#include <cstddef>
#include <cstdint>

struct xnn_allocator;

namespace griffin {

struct XnnMemoryStats {
  uint64_t current_bytes;     // allocated now
  uint64_t peak_bytes;        // most ever allocated at once
  uint64_t allocation_count;  // calls to allocate / reallocate / aligned_allocate
};

XnnMemoryStats xnn_memory_stats();
const xnn_allocator* xnn_counting_allocator();

}  // namespace griffin
