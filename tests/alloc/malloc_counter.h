// Process-wide allocation counter for tests (see malloc_counter.cpp).
#pragma once

#include <atomic>
#include <cstdint>

namespace griffin::test {

extern std::atomic<bool> g_counting;
extern std::atomic<uint64_t> g_allocations;

// Counts allocations made by any thread between construction and stop().
class AllocationCounter {
 public:
  AllocationCounter() {
    g_allocations.store(0);
    g_counting.store(true);
  }
  ~AllocationCounter() { g_counting.store(false); }
  uint64_t stop() {
    g_counting.store(false);
    return g_allocations.load();
  }
};

}  // namespace griffin::test
