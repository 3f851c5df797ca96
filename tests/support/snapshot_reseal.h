// Makes a snapshot's two checksums match its bytes again, as anyone editing a snapshot can
// (FNV-1a is no signature): the tests and the session_load fuzzer use it to reach the checks
// that stand behind the checksums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "format/hash.h"
#include "plan/memory_plan.h"
#include "runtime/src/snapshot.h"

namespace griffin::test {

// `bytes` holds at least the header (kSnapshotHeaderBytes).
inline void reseal_snapshot(uint8_t* bytes, size_t size) {
  const uint64_t payload = fnv1a64(bytes + kSnapshotHeaderBytes, size - kSnapshotHeaderBytes);
  std::memcpy(bytes + kSnapshotPayloadChecksumOffset, &payload, sizeof payload);
  const uint64_t header = fnv1a64(bytes, kSnapshotHeaderChecksumOffset);
  std::memcpy(bytes + kSnapshotHeaderChecksumOffset, &header, sizeof header);
}

}  // namespace griffin::test
