// A bump allocator over one buffer (a session's arena). It hands out 64-byte-aligned regions in
// the memory plan's order and records each one, so a test can hold what was handed out against
// what was planned, region by region and in total.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace griffin {

class Arena {
 public:
  struct Region {
    size_t offset;
    size_t bytes;
  };

  Arena() = default;
  Arena(uint8_t* base, size_t capacity) : base_(base), capacity_(capacity) {}
  // Null when `bytes` do not fit.
  uint8_t* carve(size_t bytes, size_t alignment = 64) {
    const size_t start = (used_ + alignment - 1) / alignment * alignment;
    if (start > capacity_ || bytes > capacity_ - start) return nullptr;
    used_ = start + bytes;
    regions_.push_back({start, bytes});
    return base_ + start;
  }
  uint8_t* base() const { return base_; }
  size_t capacity() const { return capacity_; }
  // End of the last region handed out.
  size_t used() const { return used_; }
  const std::vector<Region>& regions() const { return regions_; }

 private:
  uint8_t* base_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
  std::vector<Region> regions_;
};

}  // namespace griffin
