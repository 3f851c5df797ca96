// Memory in 2 MB pages (see huge_pages.h).
#include "format/huge_pages.h"

#include <sys/mman.h>

#include <cinttypes>
#include <cstdio>

namespace griffin {

// Maps 2 MB more than asked and unmaps the unaligned ends.
uint8_t* map_huge_aligned(size_t bytes) {
  void* raw = mmap(nullptr, bytes + kHugePageBytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (begin + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  if (aligned > begin) munmap(raw, aligned - begin);
  const uintptr_t tail = begin + bytes + kHugePageBytes - (aligned + bytes);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
#if defined(MADV_HUGEPAGE)
  // Advice: where THP is off it fails or does nothing, and the copy keeps 4 KB pages.
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
#endif
  return reinterpret_cast<uint8_t*>(aligned);
}

size_t anon_huge_page_bytes(const void* start, size_t size) {
  std::FILE* smaps = std::fopen("/proc/self/smaps", "re");
  if (smaps == nullptr) return 0;
  const uintptr_t first = reinterpret_cast<uintptr_t>(start);
  char line[512];
  bool inside = false;
  size_t found = 0;
  while (std::fgets(line, sizeof line, smaps) != nullptr) {
    uintptr_t begin = 0, end = 0;
    // A mapping's first line starts "begin-end " in hex; its fields are "Name:   value kB", and
    // no name is a hex number followed by '-'.
    if (std::sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &begin, &end) == 2) {
      inside = begin <= first && first - begin < end - begin && size <= end - first;
      continue;
    }
    unsigned long long kb = 0;
    if (inside && std::sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) {
      found = static_cast<size_t>(kb) * 1024;
      break;
    }
  }
  std::fclose(smaps);
  return found < size ? found : size;
}

}  // namespace griffin
