// FNV-1a, 64-bit: the model identity of a .griffin file and the checksum of a session snapshot.
// Hand-written because it is five lines and none of the project's dependencies exports a
// general-purpose hash; it detects accidental change (truncation, bit flips, another file), not
// tampering.
#pragma once

#include <cstddef>
#include <cstdint>

namespace griffin {

constexpr uint64_t kFnv1a64Seed = 0xcbf29ce484222325ull;

// Continues a hash over `bytes` (start with kFnv1a64Seed).
inline uint64_t fnv1a64(const void* data, size_t bytes, uint64_t hash = kFnv1a64Seed) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < bytes; ++i) hash = (hash ^ p[i]) * 0x100000001b3ull;
  return hash;
}

}  // namespace griffin
