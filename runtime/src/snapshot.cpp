// Session snapshots: save, load and fork (see snapshot.h and griffin.h).
#include "runtime/src/snapshot.h"

#include <cstring>

#include "format/hash.h"
#include "runtime/src/session.h"

namespace griffin {

namespace {

// Header layout (byte offsets): magic 0, version 8, header bytes 12, model identity 16,
// layout hash 24, payload bytes 32, payload checksum 40 (kSnapshotPayloadChecksumOffset), kv
// dtype 48, attention window 52, max context 56, history size 64, position 72, reserved 80,
// header checksum 88 (kSnapshotHeaderChecksumOffset).

template <typename T>
void put(uint8_t* out, size_t offset, T value) {
  std::memcpy(out + offset, &value, sizeof value);
}

template <typename T>
T get(const uint8_t* in, size_t offset) {
  T value;
  std::memcpy(&value, in + offset, sizeof value);
  return value;
}

// A snapshot's position past which no session goes: positions stay exact in a double, and
// position + any token count stays far inside int64.
constexpr int64_t kMaxSnapshotPosition = int64_t{1} << 53;

const char* kv_name(int32_t dtype) {
  switch (static_cast<DType>(dtype)) {
    case DType::kF32:
      return "f32";
    case DType::kF16:
      return "f16";
    case DType::kBF16:
      return "bf16";
    default:
      return "an unknown dtype";
  }
}

}  // namespace

uint64_t snapshot_layout_hash(const SessionLayout& layout) {
  uint64_t hash = kFnv1a64Seed;
  for (const Buffer& buffer : layout.buffers) {
    if (!is_persistent(buffer.kind)) continue;
    hash = fnv1a64(buffer.name.data(), buffer.name.size(), hash);
    const uint64_t fields[2] = {static_cast<uint64_t>(buffer.kind), buffer.bytes};
    hash = fnv1a64(fields, sizeof fields, hash);
  }
  return hash;
}

void encode_snapshot_header(const SnapshotHeader& h, uint8_t* out) {
  std::memset(out, 0, kSnapshotHeaderBytes);
  std::memcpy(out, kSnapshotMagic, sizeof kSnapshotMagic);
  put<uint32_t>(out, 8, h.version);
  put<uint32_t>(out, 12, static_cast<uint32_t>(kSnapshotHeaderBytes));
  put<uint64_t>(out, 16, h.model_identity);
  put<uint64_t>(out, 24, h.layout_hash);
  put<uint64_t>(out, 32, h.payload_bytes);
  put<uint64_t>(out, kSnapshotPayloadChecksumOffset, h.payload_checksum);
  put<int32_t>(out, 48, h.kv_dtype);
  put<int32_t>(out, 52, h.attention_window);
  put<int64_t>(out, 56, h.max_context);
  put<int64_t>(out, 64, h.history_size);
  put<int64_t>(out, 72, h.position);
  put<uint64_t>(out, kSnapshotHeaderChecksumOffset, fnv1a64(out, kSnapshotHeaderChecksumOffset));
}

Result<SnapshotHeader> decode_snapshot_header(const uint8_t* data, size_t size) {
  GRF_CHECK(size >= kSnapshotHeaderBytes, kInvalidArgument,
            "snapshot of %zu bytes is truncated: the header alone is %zu bytes", size,
            kSnapshotHeaderBytes);
  GRF_CHECK(std::memcmp(data, kSnapshotMagic, sizeof kSnapshotMagic) == 0, kInvalidArgument,
            "not a griffin-rt session snapshot (bad magic)");
  const uint32_t version = get<uint32_t>(data, 8);
  GRF_CHECK(version == kSnapshotVersion, kInvalidArgument,
            "snapshot format version %u is not supported (this build reads version %u)", version,
            kSnapshotVersion);
  GRF_CHECK(get<uint32_t>(data, 12) == kSnapshotHeaderBytes &&
                get<uint64_t>(data, kSnapshotHeaderChecksumOffset) ==
                    fnv1a64(data, kSnapshotHeaderChecksumOffset),
            kInvalidArgument, "snapshot header is corrupt (checksum mismatch)");
  SnapshotHeader h;
  h.version = version;
  h.model_identity = get<uint64_t>(data, 16);
  h.layout_hash = get<uint64_t>(data, 24);
  h.payload_bytes = get<uint64_t>(data, 32);
  h.payload_checksum = get<uint64_t>(data, kSnapshotPayloadChecksumOffset);
  h.kv_dtype = get<int32_t>(data, 48);
  h.attention_window = get<int32_t>(data, 52);
  h.max_context = get<int64_t>(data, 56);
  h.history_size = get<int64_t>(data, 64);
  h.position = get<int64_t>(data, 72);
  GRF_CHECK(h.payload_bytes <= size - kSnapshotHeaderBytes, kInvalidArgument,
            "snapshot is truncated: %zu bytes, the header announces %llu", size,
            (unsigned long long)(kSnapshotHeaderBytes + h.payload_bytes));
  GRF_CHECK(h.payload_bytes == size - kSnapshotHeaderBytes, kInvalidArgument,
            "snapshot has %zu bytes, the header announces %llu (trailing bytes?)", size,
            (unsigned long long)(kSnapshotHeaderBytes + h.payload_bytes));
  return h;
}

size_t Session::snapshot_size() const {
  return snapshot_bytes(layout_);
}

Status Session::save(void* buffer, size_t capacity, size_t* written) const {
  const size_t size = snapshot_size();
  *written = size;
  GRF_CHECK(capacity >= size, kOutOfRange, "the snapshot needs %zu bytes, the buffer has %zu", size,
            capacity);
  uint8_t* out = static_cast<uint8_t*>(buffer);
  uint8_t* payload = out + kSnapshotHeaderBytes;
  for (const Buffer& region : layout_.buffers) {
    if (!is_persistent(region.kind)) continue;
    std::memcpy(payload, arena_.base() + region.offset, region.bytes);
    payload += region.bytes;
  }
  SnapshotHeader h;
  h.model_identity = model_.file().identity();
  h.layout_hash = snapshot_layout_hash(layout_);
  h.payload_bytes = size - kSnapshotHeaderBytes;
  h.payload_checksum = fnv1a64(out + kSnapshotHeaderBytes, h.payload_bytes);
  h.kv_dtype = static_cast<int32_t>(options_.kv_dtype);
  h.attention_window = static_cast<int32_t>(model_.config().attention_window);
  h.max_context = options_.max_context;
  h.history_size = options_.history_size;
  h.position = position();
  encode_snapshot_header(h, out);
  return Status::ok_status();
}

Status Session::load(const void* data, size_t size) {
  // Every check comes before the first byte is copied: a refused snapshot leaves the session
  // exactly as it was.
  const uint8_t* in = static_cast<const uint8_t*>(data);
  GRF_ASSIGN_OR_RETURN(const SnapshotHeader h, decode_snapshot_header(in, size));
  GRF_CHECK(h.model_identity == model_.file().identity(), kInvalidArgument,
            "the snapshot was saved with another model file (or another quantization of it)");
  GRF_CHECK(h.kv_dtype == static_cast<int32_t>(options_.kv_dtype), kInvalidArgument,
            "the snapshot was saved with kv_dtype %s, this session uses %s", kv_name(h.kv_dtype),
            kv_name(static_cast<int32_t>(options_.kv_dtype)));
  GRF_CHECK(h.history_size == options_.history_size, kInvalidArgument,
            "the snapshot was saved with history_size %lld, this session uses %lld",
            (long long)h.history_size, (long long)options_.history_size);
  if (model_.config().count_layers(BlockType::kGlobalAttention) > 0) {
    GRF_CHECK(h.max_context == options_.max_context, kInvalidArgument,
              "the snapshot was saved with max_context %lld, this session uses %lld",
              (long long)h.max_context, (long long)options_.max_context);
  }
  GRF_CHECK(h.layout_hash == snapshot_layout_hash(layout_) &&
                h.payload_bytes == persistent_bytes(layout_),
            kInvalidArgument,
            "the snapshot's state layout differs from this session's (saved by another build of "
            "griffin-rt?)");
  const uint8_t* payload = in + kSnapshotHeaderBytes;
  GRF_CHECK(fnv1a64(payload, h.payload_bytes) == h.payload_checksum, kInvalidArgument,
            "snapshot payload is corrupt (checksum mismatch)");
  GRF_RETURN_IF_ERROR(check_snapshot_scalars(payload));
  for (const Buffer& region : layout_.buffers) {
    if (!is_persistent(region.kind)) continue;
    std::memcpy(arena_.base() + region.offset, payload, region.bytes);
    payload += region.bytes;
  }
  return Status::ok_status();
}

// The checksums catch a damaged file, not a made one (FNV-1a is no signature), and the payload
// is copied into the arena as it is. The scalars that index memory must be in range first: the
// position (attention ring slots), the history count and token ids (the repetition penalty
// reads logits[id]), the UTF-8 bytes held back and the text-start flag. State floats need no
// check: any bits, NaN included, give logits the sampler handles.
Status Session::check_snapshot_scalars(const uint8_t* payload) const {
  SessionCounters counters;
  const uint8_t* history = nullptr;  // int32 ids, not necessarily aligned in the payload
  for (const Buffer& region : layout_.buffers) {
    if (!is_persistent(region.kind)) continue;
    if (region.kind == RegionKind::kCounters) std::memcpy(&counters, payload, sizeof counters);
    if (region.kind == RegionKind::kHistory) history = payload;
    payload += region.bytes;
  }
  const int64_t max_position = model_.config().count_layers(BlockType::kGlobalAttention) > 0
                                   ? options_.max_context
                                   : kMaxSnapshotPosition;
  GRF_CHECK(counters.position >= 0 && counters.position <= max_position, kInvalidArgument,
            "the snapshot's position %lld is outside [0, %lld]", (long long)counters.position,
            (long long)max_position);
  GRF_CHECK(counters.history_count >= 0 && counters.history_count <= options_.history_size,
            kInvalidArgument,
            "the snapshot's %lld recent tokens are outside [0, history_size %lld]",
            (long long)counters.history_count, (long long)options_.history_size);
  for (int64_t i = 0; i < counters.history_count; ++i) {
    int32_t token = 0;
    std::memcpy(&token, history + static_cast<size_t>(i) * sizeof token, sizeof token);
    GRF_CHECK(token >= 0 && token < model_.config().vocab_size, kInvalidArgument,
              "the snapshot's recent token %d is outside the vocabulary [0, %lld)", token,
              (long long)model_.config().vocab_size);
  }
  GRF_CHECK(counters.utf8.pending() <= Utf8Stream::kMaxPending, kInvalidArgument,
            "the snapshot holds %zu bytes of an unfinished character (at most %zu)",
            counters.utf8.pending(), Utf8Stream::kMaxPending);
  unsigned char flag = 0;
  std::memcpy(&flag, &counters.at_text_start, 1);  // a bool's byte must be 0 or 1
  GRF_CHECK(flag <= 1, kInvalidArgument, "the snapshot's text-start flag is corrupt");
  return Status::ok_status();
}

Result<std::unique_ptr<Session>> Session::fork() const {
  GRF_ASSIGN_OR_RETURN(std::unique_ptr<Session> copy,
                       Session::create(model_, options_, nullptr, 0));
  for (const Buffer& region : layout_.buffers) {
    if (!is_persistent(region.kind)) continue;
    std::memcpy(copy->arena_.base() + region.offset, arena_.base() + region.offset, region.bytes);
  }
  return copy;
}

}  // namespace griffin
