// XNNPACK runs on our allocator (xnn_initialize takes one), so every byte it allocates (packed
// weights, operator structs) is counted and can be compared with the memory plan.
#pragma once

#include <cstddef>
#include <cstdint>

struct xnn_allocator;

namespace griffin {

// What the model reads: the bytes XNNPACK holds now (the difference across a model load is its
// packed weights).
struct XnnMemoryStats {
  uint64_t current_bytes;
};

XnnMemoryStats xnn_memory_stats();
const xnn_allocator* xnn_counting_allocator();

}  // namespace griffin
