// SessionState: named views into a session's arena, one per buffer of the memory plan, with
// their shapes. The forward pass reads and writes only these (it never allocates).
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/src/linear.h"
#include "runtime/src/memory_plan.h"

namespace griffin {

struct LayerState {
  float* conv_state = nullptr;   // [K-1, L]  recurrent layers
  float* rglru_state = nullptr;  // [L]       recurrent layers
  uint8_t* k_cache = nullptr;    // [slots, KV·hd] of kv_dtype; slot = position mod slots
  uint8_t* v_cache = nullptr;    // [slots, KV·hd] of kv_dtype
  int64_t cache_slots = 0;
};

struct SessionState {
  std::vector<LayerState> layers;
  float* x;        // [T, D]
  float* normed;   // [T, D]
  float* mix;      // [T, D]
  float* wide_a;   // [T, max(L, H·hd, E)]
  float* wide_b;   // [T, max(L, E)]
  float* wide_c;   // [T, max(L, H·hd)]
  float* gate_r;   // [T, L]
  float* gate_i;   // [T, L]
  float* chunk_k;  // [T, KV·hd]
  float* chunk_v;  // [T, KV·hd]
  float* scores;   // [H/KV, max_keys]
  float* kv_row;   // [hd]
  int64_t* positions;  // [T]
  float* logits;       // [V]
  LinearContext linear;  // thread pool, kernels and quantization scratch for linear maps
  int64_t chunk = 0;     // T: the most tokens one forward call takes
  int64_t max_keys = 0;  // row stride of `scores`
  DType kv_dtype = DType::kF32;
  int64_t position = 0;  // tokens consumed so far
};

// Binds every view to `arena` (which holds layout.total_bytes bytes, 64-byte aligned).
SessionState bind_session_state(const SessionLayout& layout, DType kv_dtype, uint8_t* arena);

}  // namespace griffin
