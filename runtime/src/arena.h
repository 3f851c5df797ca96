// A bump allocator over one buffer (a session's arena). It hands out 64-byte-aligned pieces in
// the memory plan's order and reports what it used, so a test can hold used == planned.
#pragma once

#include <cstddef>
#include <cstdint>

namespace griffin {

class Arena {
 public:
  Arena(uint8_t* base, size_t capacity) : base_(base), capacity_(capacity) {}
  // Null when `bytes` do not fit.
  uint8_t* carve(size_t bytes, size_t alignment = 64) {
    const size_t start = (used_ + alignment - 1) / alignment * alignment;
    if (start > capacity_ || bytes > capacity_ - start) return nullptr;
    used_ = start + bytes;
    ++count_;
    return base_ + start;
  }
  size_t used() const { return used_; }
  size_t count() const { return count_; }

 private:
  uint8_t* base_;
  size_t capacity_;
  size_t used_ = 0;
  size_t count_ = 0;
};

}  // namespace griffin
