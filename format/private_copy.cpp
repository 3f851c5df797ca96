// Reading a model into private memory (see private_copy.h).
#include "format/private_copy.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace griffin {

namespace {

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

}  // namespace

Result<std::unique_ptr<PrivateCopy>> PrivateCopy::read(int fd, uint64_t offset, size_t size,
                                                       size_t alignment, Pages pages,
                                                       const char* description) {
  std::unique_ptr<PrivateCopy> copy(new PrivateCopy());
  copy->size_ = size;
  if (pages == Pages::kHuge) {
    copy->reserved_ = (size + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
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

}  // namespace griffin
