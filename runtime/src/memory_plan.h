// The session memory plan: a pure function of the model config and the session options that
// places every buffer a session will ever use at a fixed offset in one arena (DESIGN.md §4
// "Memory plan"). Nothing about it depends on weights, so it is known before loading them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "format/model_config.h"
#include "format/tensor_specs.h"

#include <functional>

namespace griffin {

struct SessionOptions {
  int64_t prefill_chunk = 64;   // tokens per prefill step
  int64_t max_context = 4096;   // positions of a global-attention layer's cache
  uint64_t seed = 0;            // sampler seed
  int64_t history_size = 256;   // recent tokens kept for the repetition penalty
  DType kv_dtype = DType::kF32;  // element type of the attention K/V caches
};

Status validate_session_options(const SessionOptions& options);

constexpr size_t kArenaAlignment = 64;  // cache line and widest SIMD register
constexpr size_t kNoBuffer = static_cast<size_t>(-1);

// Byte offsets of one layer's persistent state.
struct LayerLayout {
  size_t conv_state = kNoBuffer;  // [K-1, L] f32: last pre-conv inputs, oldest first
  size_t rglru_state = kNoBuffer;  // [L] f32: RG-LRU h
  size_t k_cache = kNoBuffer;     // [slots, KV·hd] kv_dtype, keys after RoPE
  size_t v_cache = kNoBuffer;     // [slots, KV·hd] kv_dtype
  int64_t cache_slots = 0;        // Wn (local, a ring) or max_context (global)
};

// What a group of buffers is for; the plan reports bytes per group.
enum class RegionKind { kRglruState, kConvState, kKvCache, kScratch, kLogits, kSampler, kHistory };
const char* region_kind_name(RegionKind kind);

struct Buffer {
  std::string name;
  RegionKind kind;
  size_t offset;
  size_t bytes;
};

struct SessionLayout {
  std::vector<LayerLayout> layers;
  // Scratch for one chunk of T = prefill_chunk tokens (offsets).
  size_t x = 0;        // [T, D] residual stream
  size_t normed = 0;   // [T, D] pre-norm output
  size_t mix = 0;      // [T, D] block output before the residual add
  size_t wide_a = 0;   // [T, max(L, H·hd, E)]: gate branch y / queries / MLP gate
  size_t wide_b = 0;   // [T, max(L, E)]: recurrence input u / MLP up
  size_t wide_c = 0;   // [T, max(L, H·hd)]: conv output v / attention output
  size_t gate_r = 0;   // [T, L] recurrence gate
  size_t gate_i = 0;   // [T, L] input gate; then the RG-LRU output
  size_t chunk_k = 0;  // [T, KV·hd] keys of the chunk
  size_t chunk_v = 0;  // [T, KV·hd]
  size_t scores = 0;   // [H/KV, max keys a query sees] attention weights of one head group
  size_t kv_row = 0;   // [hd] one cached key or value row widened to f32
  size_t quantized = kNoBuffer;         // [T, Kp] int8 activations of a quantized linear
  size_t quantized_scales = kNoBuffer;  // [T, Kp / 32] f32
  size_t positions = 0;  // [T] int64 positions of the chunk
  size_t logits = 0;     // [V] logits of the last token
  size_t sampler_values = 0;   // [V] f32
  size_t sampler_indices = 0;  // [V] i32
  size_t history = 0;          // [history_size] i32 ring of recent tokens
  int64_t chunk = 0;
  int64_t max_keys = 0;
  std::vector<Buffer> buffers;
  size_t total_bytes = 0;
};

// `quantized_columns`: the largest padded input width of an int8/int4 linear (0 = none), for
// the on-the-fly activation quantization scratch.
SessionLayout plan_session(const ModelConfig& config, const SessionOptions& options,
                           int64_t quantized_columns = 0);

// Bytes of a session region kind in a layout.
uint64_t layout_bytes(const SessionLayout& layout, RegionKind kind);

// Everything a model and one session need, from the config alone (DESIGN.md §4).
struct ModelMemoryPlan {
  uint64_t weights_mapped = 0;    // tensor bytes of the file: mapped, file-backed, shared
  uint64_t weights_packed = 0;    // upper bound of XNNPACK's packed weights and operators
  uint64_t weights_prepared = 0;  // our f32 arrays made at load (norm scales, conv taps, ...)
  uint64_t weights_streamed = 0;  // weight bytes one decode step reads (every matrix once)
  SessionLayout session;          // one session's arena
  uint64_t model_bytes() const { return weights_mapped + weights_packed + weights_prepared; }
  uint64_t total_bytes() const { return model_bytes() + session.total_bytes; }
};

// The stored dtype of each tensor: from a file's records, or from a converter recipe.
using DtypeOf = std::function<DType(const TensorSpec& spec)>;
DtypeOf recipe_dtypes(DType matrices, DType embedding);

ModelMemoryPlan plan_model_memory(const ModelConfig& config, const DtypeOf& dtype_of,
                                  const SessionOptions& options);
// Tensor bytes of a model stored with `dtype_of`.
uint64_t mapped_weight_bytes(const ModelConfig& config, const DtypeOf& dtype_of);

// Upper bound of what XNNPACK allocates for one f32 fully-connected operator: the packed
// weights (output channels padded to its register tile, at most 64, input channels to at most
// 4, one bias per output) plus the operator itself.
uint64_t packed_linear_bytes(uint64_t in, uint64_t out);

}  // namespace griffin
