// A model read into private memory instead of mapped from its file
// (griffin_model_options.copy_weights and huge_pages, or an fd at an unaligned offset).
//
// Why huge pages: decode reads every weight once per token and prefill re-reads a matrix's rows
// for each step of tokens, so with 4 KB pages the page walks of a 2 GB model are a cost of
// their own (huge_pages.h). A file's mapping gets 2 MB pages only on some file systems and
// kernels (tmpfs with shmem_enabled, CONFIG_READ_ONLY_THP_FOR_FS), so the anonymous copy is the
// portable way to ask; huge_page_bytes() says what the kernel granted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "format/huge_pages.h"  // anon_huge_page_bytes, for the copy's users
#include "format/status.h"

namespace griffin {

class PrivateCopy {
 public:
  enum class Pages { kDefault, kHuge };

  // `size` bytes of the regular file `fd` from `offset`, in memory aligned to `alignment` (a
  // power of two, at most 4,096) and, with Pages::kHuge, to 2 MB, read-only once read.
  // `description` names the source in errors.
  static Result<std::unique_ptr<PrivateCopy>> read(int fd, uint64_t offset, size_t size,
                                                   size_t alignment, Pages pages,
                                                   const char* description);
  ~PrivateCopy();
  PrivateCopy(const PrivateCopy&) = delete;
  PrivateCopy& operator=(const PrivateCopy&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  // Bytes of the copy the kernel backs with huge pages, read from /proc/self/smaps when the copy
  // was made (0 with Pages::kDefault, and where the OS has no such report).
  size_t huge_page_bytes() const { return huge_page_bytes_; }

 private:
  PrivateCopy() = default;

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t reserved_ = 0;  // bytes mapped at data_ (Pages::kHuge: size_ rounded up to 2 MB)
  bool mapped_ = false;  // munmap (Pages::kHuge) rather than free
  size_t huge_page_bytes_ = 0;
};

}  // namespace griffin
