// f32 arrays made at load that decode reads every token, in one region: the RG-LRU gate blocks
// (docs/griffin-math.md §7.3), 94 MB at 2B, transposed from the file into [out, in] rows.
//
// Why one region in 2 MB pages (format/huge_pages.h) rather than a vector per block: read from
// 4 KB pages, the gates of 2B int4 decode on two Zen 4 vCPUs took 3.8-4.2 ms a token whatever
// the host's memory was doing (25 GB/s, half the rate of the mapped int4 rows around them: 12 %
// of the step for 6 % of its bytes); from 2 MB pages 1.8 ms. A region smaller than one huge page
// (the test models) stays on the heap.
#pragma once

#include <cstddef>

#include "format/status.h"

namespace griffin {

class StreamedFloats {
 public:
  StreamedFloats() = default;
  // `count` zeroed floats, 64-byte aligned; from kHugePageBytes up, on a 2 MB boundary in memory
  // advised for huge pages.
  static Result<StreamedFloats> allocate(size_t count);
  ~StreamedFloats();
  StreamedFloats(StreamedFloats&& other) noexcept;
  StreamedFloats& operator=(StreamedFloats&& other) noexcept;
  StreamedFloats(const StreamedFloats&) = delete;
  StreamedFloats& operator=(const StreamedFloats&) = delete;

  float* data() const { return data_; }
  size_t size() const { return count_; }
  // Bytes of the region the OS backs with huge pages now (/proc/self/smaps; pages are granted
  // as they are first written), at most size() floats; 0 on the heap.
  size_t huge_page_bytes() const;

 private:
  void release();

  float* data_ = nullptr;
  size_t count_ = 0;
  size_t mapped_bytes_ = 0;  // > 0: mapped (munmap), else from the heap (free)
};

}  // namespace griffin
