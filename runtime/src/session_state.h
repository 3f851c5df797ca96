// SessionState: named views into a session's arena, one per region of the memory plan, with
// their shapes. The forward pass reads and writes only these (it never allocates).
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "plan/memory_plan.h"
#include "runtime/src/arena.h"
#include "runtime/src/linear.h"
#include "runtime/src/sampling/sampler.h"
#include "runtime/src/text/utf8_stream.h"

namespace griffin {

// The scalars that carry a sequence from call to call. They live in the arena's `counters`
// region, so a snapshot is nothing but the persistent regions copied byte for byte.
struct SessionCounters {
  int64_t position = 0;       // tokens consumed so far
  int64_t history_count = 0;  // valid entries of the history region
  SamplerRng rng;             // the sampler's generator
  Utf8Stream utf8;            // bytes of an incomplete character held by token_text
  bool at_text_start = true;  // the next piece's leading space is dropped
};
static_assert(std::is_trivially_copyable<SessionCounters>::value,
              "SessionCounters is saved and restored with memcpy");
static_assert(sizeof(SessionCounters) <= kCountersBytes, "the plan's counters region is too small");

struct LayerState {
  float* conv_state = nullptr;   // [K-1, L]  recurrent layers
  float* rglru_state = nullptr;  // [L]       recurrent layers
  uint8_t* k_cache = nullptr;    // [slots, KV·hd] of kv_dtype; slot = position mod slots
  uint8_t* v_cache = nullptr;    // [slots, KV·hd] of kv_dtype
  int64_t cache_slots = 0;
};

// The activations of one forward call, stacked as rows: the tokens of one session's chunk (in
// its own arena), or one token of each session of a batch (the model's batch arena,
// batch_decode.h), so each linear map is one matrix product over all rows.
struct RowScratch {
  float* x = nullptr;        // [rows, D]
  float* normed = nullptr;   // [rows, D]
  float* mix = nullptr;      // [rows, D]
  float* wide_a = nullptr;   // [rows, max(L, H·hd, E)]
  float* wide_b = nullptr;   // [rows, max(L, E)]
  float* wide_c = nullptr;   // [rows, max(L, H·hd)]
  float* gate_r = nullptr;   // [rows, L]
  float* gate_i = nullptr;   // [rows, L]
  float* chunk_k = nullptr;  // [rows, KV·hd]
  float* chunk_v = nullptr;  // [rows, KV·hd]
  float* logits = nullptr;   // [rows, V]: a batch's logits (a session writes its own region)
  LinearContext linear;      // thread pool, kernels and quantization scratch for linear maps
};

struct SessionState {
  std::vector<LayerState> layers;
  RowScratch rows;                     // rows = T (the chunk)
  float* kv_row = nullptr;             // [hd]
  int64_t* positions = nullptr;        // [T]
  float* logits = nullptr;             // [V]
  float* sampler_values = nullptr;     // [V]
  int32_t* sampler_indices = nullptr;  // [V]
  int32_t* history = nullptr;          // [history_size] recent tokens, oldest first
  SessionCounters* counters = nullptr;
  int64_t chunk = 0;  // T: the most tokens one forward call takes
  DType kv_dtype = DType::kF32;
};

// Carves every region of `layout` from `arena`, in plan order, and binds the views to them.
// Fails (kInternal) if the arena cannot hand out a region where the plan put it.
Result<SessionState> bind_session_state(const SessionLayout& layout, DType kv_dtype, Arena& arena);

}  // namespace griffin
