// The session snapshot format (docs/memory.md "Snapshots"): a fixed 96-byte header followed by
// the session's persistent regions in plan order, byte for byte. All integers little-endian
// (every target griffin-rt builds for is). A snapshot is tied to one model file, one build's
// region layout and the session options that size the state.
#pragma once

#include <cstddef>
#include <cstdint>

#include "format/status.h"
#include "plan/memory_plan.h"

namespace griffin {

constexpr char kSnapshotMagic[8] = {'G', 'R', 'F', 'N', 'S', 'N', 'A', 'P'};
constexpr uint32_t kSnapshotVersion = 1;
// Where the header keeps the payload's FNV-1a 64 and its own (over the bytes before it).
constexpr size_t kSnapshotPayloadChecksumOffset = 40;
constexpr size_t kSnapshotHeaderChecksumOffset = 88;

struct SnapshotHeader {
  uint32_t version = kSnapshotVersion;
  uint64_t model_identity = 0;  // GriffinFile::identity()
  uint64_t layout_hash = 0;     // names and sizes of the persistent regions (snapshot_layout_hash)
  uint64_t payload_bytes = 0;   // persistent_bytes(layout)
  uint64_t payload_checksum = 0;  // FNV-1a 64 of the payload
  int32_t kv_dtype = 0;
  int32_t attention_window = 0;
  int64_t max_context = 0;
  int64_t history_size = 0;
  int64_t position = 0;  // informational: tokens the session had consumed
};

// A hash of the persistent regions' names, kinds and sizes in order: two sessions whose
// snapshots are interchangeable have the same one.
uint64_t snapshot_layout_hash(const SessionLayout& layout);

// Writes the header's kSnapshotHeaderBytes bytes (with the header's own checksum last).
void encode_snapshot_header(const SnapshotHeader& header, uint8_t* out);
// Reads and checks magic, version, size fields and the header checksum against `size` bytes.
Result<SnapshotHeader> decode_snapshot_header(const uint8_t* data, size_t size);

}  // namespace griffin
