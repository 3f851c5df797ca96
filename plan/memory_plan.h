// The memory plan: the one place that decides, from a model's config and stored dtypes alone,
// which engine runs each linear map, what XNNPACK will pack, and where every byte of a session
// lives (docs/memory.md). The runtime, `griffin-convert plan` and the tests all read
// these decisions; nothing re-derives them. Depends only on format/ (no XNNPACK, no runtime), so
// the converter links it without the runtime.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "format/dtype.h"
#include "format/griffin_file.h"
#include "format/model_config.h"
#include "format/tensor_specs.h"

namespace griffin {

struct SessionOptions {
  int64_t prefill_chunk = 64;    // tokens per prefill step
  int64_t max_context = 4096;    // positions of a global-attention layer's cache
  uint64_t seed = 0;             // sampler seed
  int64_t history_size = 256;    // recent tokens kept for the repetition penalty
  DType kv_dtype = DType::kF32;  // element type of the attention K/V caches
};

Status validate_session_options(const SessionOptions& options);

constexpr size_t kArenaAlignment = 64;  // cache line and widest SIMD register
constexpr size_t kNoBuffer = static_cast<size_t>(-1);

// --- Linear engines ---------------------------------------------------------------------------

// What runs a linear map, decided from the weights' stored dtype (and one model option).
enum class LinearEngine {
  kXnnpack,      // f32/f16 weights: an XNNPACK operator over a packed f32 copy
  kF32,          // f32-f32w-gemm: f32 [out, in] rows prepared at load (the RG-LRU gate blocks)
  kBf16,         // f32-bf16w-gemm: bf16 read from the mapping, f32 activations
  kInt8,         // f32-qs8w-gemm: int8 read from the mapping, f32 activations (the default)
  kInt8Dynamic,  // qd8-qs8w-gemm: int8 weights, activations quantized to int8 per token
  kInt4Dynamic,  // qd8-qs4w-gemm: int4 weights, activations quantized to int8 per token
};
const char* linear_engine_name(LinearEngine engine);

// Model options that change the plan.
struct PlanOptions {
  bool int8_activations = false;  // int8 weights run kInt8Dynamic instead of kInt8
  int64_t max_batch = 0;          // sessions one batch decode advances at most (0 = none)
};

LinearEngine linear_engine(DType stored, const PlanOptions& options);
// Engines that quantize their input into the session's `quantized` scratch.
bool quantizes_activations(LinearEngine engine);

// --- Session arena -----------------------------------------------------------------------------

// What a region is for; the plan reports bytes per kind.
enum class RegionKind {
  kRglruState,
  kConvState,
  kKvCache,
  kScratch,
  kLogits,
  kSampler,
  kHistory,
  kCounters,  // position, sampler RNG, history count, held UTF-8 bytes (SessionCounters)
};
const char* region_kind_name(RegionKind kind);
// Persistent regions carry the sequence from one call to the next and are what a snapshot
// holds; scratch is rewritten before it is read by every call.
bool is_persistent(RegionKind kind);

struct Buffer {
  std::string name;
  RegionKind kind;
  size_t offset;
  size_t bytes;
};

// Which region (an index into SessionLayout::buffers) each piece of one layer's state is.
struct LayerLayout {
  size_t conv_state = kNoBuffer;   // [K-1, L] f32: last pre-conv inputs, oldest first
  size_t rglru_state = kNoBuffer;  // [L] f32: RG-LRU h
  size_t k_cache = kNoBuffer;      // [slots, KV·hd] kv_dtype, keys after RoPE
  size_t v_cache = kNoBuffer;      // [slots, KV·hd] kv_dtype
  int64_t cache_slots = 0;         // Wn (local, a ring) or max_context (global)
};

// Every region of a session, in arena order. The named members are indices into `buffers`.
struct SessionLayout {
  std::vector<LayerLayout> layers;
  // Scratch for one chunk of T = prefill_chunk tokens.
  size_t x = 0;                         // [T, D] residual stream
  size_t normed = 0;                    // [T, D] pre-norm output
  size_t mix = 0;                       // [T, D] block output before the residual add
  size_t wide_a = 0;                    // [T, max(L, H·hd, E)]: gate branch y / queries / MLP gate
  size_t wide_b = 0;                    // [T, max(L, E)]: recurrence input u / MLP up
  size_t wide_c = 0;                    // [T, max(L, H·hd)]: conv output v / attention output
  size_t gate_r = 0;                    // [T, L] recurrence gate
  size_t gate_i = 0;                    // [T, L] input gate; then the RG-LRU output
  size_t chunk_k = 0;                   // [T, KV·hd] keys of the chunk
  size_t chunk_v = 0;                   // [T, KV·hd]
  size_t kv_row = 0;                    // [hd] one cached key or value row widened to f32
  size_t quantized = kNoBuffer;         // [T, Kp] int8 activations of a quantizing linear
  size_t quantized_scales = kNoBuffer;  // [T, Kp / 32] f32
  size_t quantized_offsets = kNoBuffer;  // [T, Kp / 32] int32
  size_t positions = 0;                  // [T] int64 positions of the chunk
  size_t logits = 0;           // [V] logits of the last token (persistent: sampling needs them)
  size_t sampler_values = 0;   // [V] f32
  size_t sampler_indices = 0;  // [V] i32
  size_t history = 0;          // [history_size] i32: recent tokens, oldest first
  size_t counters = 0;         // SessionCounters
  int64_t chunk = 0;
  std::vector<Buffer> buffers;
  size_t used_bytes = 0;   // end of the last region: what the arena hands out
  size_t total_bytes = 0;  // used_bytes rounded up to kArenaAlignment: the allocation
};

// Bytes of SessionCounters (session_state.h checks that the struct fits).
constexpr size_t kCountersBytes = 128;

// `quantized_columns`: the widest padded input of a linear whose engine quantizes activations
// (0 = none), for the on-the-fly activation quantization scratch.
SessionLayout plan_session(const ModelConfig& config, const SessionOptions& options,
                           int64_t quantized_columns = 0);

// Bytes of a region kind in a layout.
uint64_t layout_bytes(const SessionLayout& layout, RegionKind kind);
// Bytes of the persistent regions (the payload of a snapshot).
uint64_t persistent_bytes(const SessionLayout& layout);

// A session snapshot is a fixed header followed by the persistent regions in plan order
// (runtime/src/snapshot.h writes and checks it).
constexpr size_t kSnapshotHeaderBytes = 96;
inline uint64_t snapshot_bytes(const SessionLayout& layout) {
  return kSnapshotHeaderBytes + persistent_bytes(layout);
}

// --- Batch decode ------------------------------------------------------------------------------

// The model's batch arena: the stacked activations of one token from each of up to max_batch
// sessions, and their logits (batch_decode.h). One per model, allocated at open; the
// per-session parts of a batch step use each session's own arena.
struct BatchLayout {
  int64_t max_batch = 0;
  size_t x = 0, normed = 0, mix = 0;          // [B, D]
  size_t wide_a = 0, wide_b = 0, wide_c = 0;  // as the session's, with B rows
  size_t gate_r = 0, gate_i = 0;              // [B, L]
  size_t chunk_k = 0, chunk_v = 0;            // [B, KV·hd]
  size_t quantized = kNoBuffer;               // [B, Kp] int8
  size_t quantized_scales = kNoBuffer;        // [B, Kp / 32] f32
  size_t quantized_offsets = kNoBuffer;       // [B, Kp / 32] int32
  size_t logits = 0;                          // [B, V]
  std::vector<Buffer> buffers;
  size_t used_bytes = 0;
  size_t total_bytes = 0;  // 0 when max_batch is 0
};
BatchLayout plan_batch(const ModelConfig& config, int64_t max_batch, int64_t quantized_columns);

// --- The whole plan ----------------------------------------------------------------------------

// One linear map of the model and what runs it.
struct LinearPlan {
  LinearEngine engine;
  int64_t in = 0, out = 0;
  uint64_t packed_bytes = 0;  // XNNPACK's packed copy (upper bound); 0 for our kernels
};

// Everything a model and one session need, from the config alone (docs/memory.md).
struct ModelMemoryPlan {
  uint64_t weights_mapped = 0;    // tensor bytes of the file: mapped, file-backed, shared
  uint64_t weights_packed = 0;    // upper bound of XNNPACK's packed weights and operators
  uint64_t weights_prepared = 0;  // our f32 arrays made at load (norm scales, conv taps, gates)
  uint64_t weights_streamed = 0;  // weight bytes one decode step reads (every matrix once)
  // The int8 and int4 matrices repacked at load (repack_weights), in private memory: set by the
  // model once it knows its CPU's kernels (0 in a plan from the config alone).
  uint64_t weights_repacked = 0;
  // Matrices by tensor name (the ".weight" name). The RG-LRU gate blocks are not listed: they
  // always run on f32-f32w-gemm over f32 copies in weights_prepared, so no session shares an
  // XNNPACK operator with another unless the matrices themselves are f32/f16.
  std::unordered_map<std::string, LinearPlan> linears;
  int64_t quantized_columns = 0;  // widest padded input of a quantizing linear (0 = none)
  SessionLayout session;          // one session's arena
  BatchLayout batch;              // the model's batch arena (empty without max_batch)
  uint64_t model_bytes() const {
    return weights_mapped + weights_packed + weights_prepared + weights_repacked +
           batch.total_bytes;
  }
  uint64_t total_bytes() const { return model_bytes() + session.total_bytes; }
  const LinearPlan& linear(const std::string& weight_name) const { return linears.at(weight_name); }
};

// The stored dtype of each tensor: from a file's records, or from a converter recipe.
using DtypeOf = std::function<DType(const TensorSpec& spec)>;
DtypeOf recipe_dtypes(DType matrices, DType embedding);
DtypeOf file_dtypes(const GriffinFile& file);  // `file` must outlive the function

ModelMemoryPlan plan_model_memory(const ModelConfig& config, const DtypeOf& dtype_of,
                                  const SessionOptions& options,
                                  const PlanOptions& plan_options = PlanOptions());
// Tensor bytes of a model stored with `dtype_of`.
uint64_t mapped_weight_bytes(const ModelConfig& config, const DtypeOf& dtype_of);

// Upper bound of what XNNPACK allocates for one f32 fully-connected operator: the packed
// weights (output channels padded to its register tile, at most 64, input channels to at most
// 4, one bias per output) plus the operator itself.
uint64_t packed_linear_bytes(uint64_t in, uint64_t out);

}  // namespace griffin
