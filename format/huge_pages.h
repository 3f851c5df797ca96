// Anonymous memory in 2 MB pages, for the data that decode streams every token: the private
// copy of a model (private_copy.h) and the f32 gate blocks made at load (runtime/src/model.h).
//
// Why: decode reads every weight once per token, so with 4 KB pages each 4 KB costs a TLB miss
// (a two-level page walk in a VM) and restarts the hardware prefetcher, which stops at page
// boundaries. Linux backs anonymous memory with 2 MB transparent huge pages when the region asks
// (MADV_HUGEPAGE) and /sys/kernel/mm/transparent_hugepage/enabled is "always" or "madvise"; it
// may still give 4 KB pages (THP off, memory too fragmented): anon_huge_page_bytes() says what
// it granted.
#pragma once

#include <cstddef>
#include <cstdint>

namespace griffin {

constexpr size_t kHugePageBytes = size_t{2} << 20;

// `bytes` (a multiple of kHugePageBytes) of zeroed, writable anonymous memory starting on a
// 2 MB boundary, advised for huge pages, or null (errno set). Free it with munmap.
uint8_t* map_huge_aligned(size_t bytes);

// The AnonHugePages of the mapping that holds [start, start + size) in /proc/self/smaps, at most
// `size`; 0 when there is no such file or mapping.
size_t anon_huge_page_bytes(const void* start, size_t size);

}  // namespace griffin
