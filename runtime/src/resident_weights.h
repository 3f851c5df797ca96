// Keeping a model's weights in RAM (docs/memory.md "Weights that stay resident"): the weights
// are a file mapping, so the kernel may drop their pages under memory pressure and read them
// back from disk at disk speed on the next decode. `prefault` reads every page in at open;
// `lock` pins them with mlock until the model closes.
#pragma once

#include <cstddef>

#include "format/status.h"

namespace griffin {

class ResidentWeights {
 public:
  ResidentWeights() = default;
  ResidentWeights(const ResidentWeights&) = delete;
  ResidentWeights& operator=(const ResidentWeights&) = delete;
  ~ResidentWeights();

  // Makes [data, data + bytes) resident: with `prefault`, asks for read-ahead
  // (MADV_WILLNEED) and touches one byte per page so every page is mapped now; with `lock`,
  // mlocks the range (which also faults it in). A lock the OS refuses fails with kOutOfMemory
  // and a message naming RLIMIT_MEMLOCK and its current value.
  Status hold(const void* data, size_t bytes, bool prefault, bool lock);
  size_t locked_bytes() const { return locked_ ? bytes_ : 0; }

 private:
  void* start_ = nullptr;  // page-aligned
  size_t bytes_ = 0;       // whole pages
  bool locked_ = false;
};

}  // namespace griffin
