// Reading a model into private memory (see private_copy.h).
#include "format/private_copy.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace griffin {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// Reads exactly `size` bytes at `offset`, retrying short reads and interrupted calls, in pieces
// of at most 64 MB (some kernels cap one read at 2 GB).
bool read_fully(int fd, uint8_t* out, size_t size, uint64_t offset) {
  while (size > 0) {
    const size_t piece = size < (size_t{64} << 20) ? size : (size_t{64} << 20);
    const ssize_t got = pread(fd, out, piece, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got == 0) errno = 0;  // the file ended early: no OS error to report
    if (got <= 0) return false;
    out += got;
    size -= static_cast<size_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return true;
}

// `bytes` (a multiple of 2 MB) of anonymous memory starting on a 2 MB boundary, advised for huge
// pages, or null. Maps 2 MB more and unmaps the unaligned ends.
uint8_t* map_huge_aligned(size_t bytes) {
  void* raw =
      mmap(nullptr, bytes + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (begin + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > begin) munmap(raw, aligned - begin);
  const uintptr_t tail = begin + bytes + kHugePage - (aligned + bytes);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
#if defined(MADV_HUGEPAGE)
  // Advice: where THP is off it fails or does nothing, and the copy keeps 4 KB pages.
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
#endif
  return reinterpret_cast<uint8_t*>(aligned);
}

}  // namespace

Result<std::unique_ptr<PrivateCopy>> PrivateCopy::read(int fd, uint64_t offset, size_t size,
                                                       size_t alignment, Pages pages,
                                                       const char* description) {
  std::unique_ptr<PrivateCopy> copy(new PrivateCopy());
  copy->size_ = size;
  if (pages == Pages::kHuge) {
    copy->reserved_ = (size + kHugePage - 1) / kHugePage * kHugePage;
    copy->data_ = map_huge_aligned(copy->reserved_);
    GRF_CHECK(copy->data_ != nullptr, kOutOfMemory,
              "%s: cannot map %zu bytes for a copy in huge pages: %s", description, copy->reserved_,
              std::strerror(errno));
    copy->mapped_ = true;
  } else {
    copy->reserved_ = (size + alignment - 1) / alignment * alignment;
    copy->data_ = static_cast<uint8_t*>(std::aligned_alloc(alignment, copy->reserved_));
    GRF_CHECK(copy->data_ != nullptr, kOutOfMemory, "%s: cannot allocate %zu bytes for a copy",
              description, copy->reserved_);
  }
  GRF_CHECK(read_fully(fd, copy->data_, size, offset), kIoError, "%s: cannot read %zu bytes: %s",
            description, size, errno ? std::strerror(errno) : "unexpected end of file");
  if (copy->mapped_) {
    // Read-only from here: a stray write into the weights faults instead of corrupting them.
    mprotect(copy->data_, copy->reserved_, PROT_READ);
    const size_t huge = anon_huge_page_bytes(copy->data_, copy->reserved_);
    copy->huge_page_bytes_ = huge < size ? huge : size;  // the last page also holds padding
  }
  return copy;
}

PrivateCopy::~PrivateCopy() {
  if (mapped_) {
    munmap(data_, reserved_);
  } else {
    std::free(data_);
  }
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
