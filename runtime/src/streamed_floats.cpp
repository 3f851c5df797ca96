// One region for the f32 arrays that decode streams (see streamed_floats.h).
#include "runtime/src/streamed_floats.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "format/huge_pages.h"

namespace griffin {

Result<StreamedFloats> StreamedFloats::allocate(size_t count) {
  GRF_CHECK(count <= SIZE_MAX / sizeof(float) - kHugePageBytes, kOutOfMemory,
            "%zu floats do not fit in memory", count);
  const size_t bytes = count * sizeof(float);
  StreamedFloats floats;
  floats.count_ = count;
  if (bytes >= kHugePageBytes) {
    const size_t mapped = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    floats.data_ = reinterpret_cast<float*>(map_huge_aligned(mapped));
    GRF_CHECK(floats.data_ != nullptr, kOutOfMemory,
              "cannot map %zu bytes for prepared weights: %s", mapped, std::strerror(errno));
    floats.mapped_bytes_ = mapped;
    return floats;
  }
  const size_t rounded = (bytes + 63) / 64 * 64;
  floats.data_ = static_cast<float*>(std::aligned_alloc(64, rounded > 0 ? rounded : 64));
  GRF_CHECK(floats.data_ != nullptr, kOutOfMemory, "cannot allocate %zu bytes for prepared weights",
            bytes);
  std::memset(floats.data_, 0, rounded);
  return floats;
}

StreamedFloats::~StreamedFloats() {
  release();
}

StreamedFloats::StreamedFloats(StreamedFloats&& other) noexcept {
  *this = std::move(other);
}

StreamedFloats& StreamedFloats::operator=(StreamedFloats&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    count_ = std::exchange(other.count_, 0);
    mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
  }
  return *this;
}

void StreamedFloats::release() {
  if (data_ == nullptr) return;
  if (mapped_bytes_ > 0) {
    munmap(data_, mapped_bytes_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
}

size_t StreamedFloats::huge_page_bytes() const {
  if (mapped_bytes_ == 0) return 0;
  return anon_huge_page_bytes(data_, count_ * sizeof(float));
}

}  // namespace griffin
