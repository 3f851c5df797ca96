// Prefaulting and locking the weights' pages (see resident_weights.h).
#include "runtime/src/resident_weights.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace griffin {

namespace {

std::string memlock_limit() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_MEMLOCK, &limit) != 0) return "unknown";
  if (limit.rlim_cur == RLIM_INFINITY) return "unlimited";
  return std::to_string(static_cast<unsigned long long>(limit.rlim_cur)) + " bytes";
}

}  // namespace

ResidentWeights::~ResidentWeights() {
  if (locked_) munlock(start_, bytes_);
}

Status ResidentWeights::hold(const void* data, size_t bytes, bool prefault, bool lock) {
  if (bytes == 0 || (!prefault && !lock)) return Status::ok_status();
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(data) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(data) + bytes + page - 1) / page * page;
  start_ = reinterpret_cast<void*>(begin);
  bytes_ = static_cast<size_t>(end - begin);
  if (prefault) {
    // Read-ahead in large requests first, then map each page into this process, so the first
    // decode takes no page fault at all. (Advice is only a hint: its failure is harmless.)
    madvise(start_, bytes_, MADV_WILLNEED);
    const volatile uint8_t* bytes_in = static_cast<const volatile uint8_t*>(data);
    uint8_t sink = 0;
    for (size_t offset = 0; offset < bytes; offset += page) sink ^= bytes_in[offset];
    sink ^= bytes_in[bytes - 1];
    (void)sink;
  }
  if (lock) {
    if (mlock(start_, bytes_) != 0) {
      const int error = errno;
      return make_status(StatusCode::kOutOfMemory,
                         "lock_weights: mlock of %zu bytes of weights failed (%s); "
                         "RLIMIT_MEMLOCK allows %s: raise it (ulimit -l, systemd LimitMEMLOCK=, "
                         "or CAP_IPC_LOCK) or open without lock_weights",
                         bytes_, std::strerror(error), memlock_limit().c_str());
    }
    locked_ = true;
  }
  return Status::ok_status();
}

}  // namespace griffin
