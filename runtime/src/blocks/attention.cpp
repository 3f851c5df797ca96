// Multi-query attention, local (a ring of Wn cached keys) or global (a cache of max_context
// keys) (docs/griffin-math.md §7.4). A query at position i sees keys j <= i with i - j <= Wn
// (local) or all j <= i (global). Keys before the chunk come from the cache, keys inside it
// from the chunk's own buffers; the cache is written only after the whole chunk has attended,
// so a ring of exactly Wn slots suffices for any chunk length. The projections run over all
// rows at once; attention runs per sequence, over its own cache. For each token, the query heads
// that share a KV head are split over the thread pool when there is enough work (a 2B layer at
// a full 2,048-key window: 10 heads × 2,048 keys × 256 dims, twice): each head's scores row and
// output are its own, and each is computed in the same order as on one thread, so the bits do
// not depend on the pool.
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/src/forward.h"
#include "runtime/src/kernels/ops.h"
#include "runtime/src/parallel-for.h"

namespace griffin {

namespace {

// The pool's tasks widen f16/bf16 cache rows into a buffer on their own stack, for heads up to
// this size; larger heads run on the calling thread with the session's kv_row.
constexpr size_t kMaxStackHeadDim = 1024;
// Value rows per step of the weighted sum (ops::add_scaled_rows takes up to four).
constexpr size_t kValueBlock = 4;

// One token's query heads [g_begin, g_end) of KV head `kv`: scores over `keys` keys from
// position `first`, softmax, and the weighted sum of values into out.
struct HeadsTask {
  const LayerState* layer;
  const SessionState* s;
  const float* q;  // the KV head's first query head: [group, hd]
  const float* chunk_k;
  const float* chunk_v;
  float* out;  // [group, hd]
  size_t kv;
  int64_t first;
  size_t keys;
  int64_t start;  // position of the chunk's first token: rows before it come from the cache
  size_t kv_width;
  size_t head_dim;
  float scale;
};

// Row of position j for the task's KV head, as f32: cached rows of a narrower dtype are widened
// into `widened` [hd].
const float* key_or_value_row(const HeadsTask& task, const uint8_t* cache, const float* chunk,
                              int64_t j, float* widened) {
  if (j >= task.start) {
    return chunk + static_cast<size_t>(j - task.start) * task.kv_width + task.kv * task.head_dim;
  }
  const DType dtype = task.s->kv_dtype;
  const size_t slot = static_cast<size_t>(j % task.layer->cache_slots);
  const uint8_t* cached =
      cache + (slot * task.kv_width + task.kv * task.head_dim) * dtype_size(dtype);
  if (dtype == DType::kF32) return reinterpret_cast<const float*>(cached);
  convert_elements(dtype, cached, DType::kF32, widened, task.head_dim);
  return widened;
}

// `widened` holds `widened_rows` rows of head_dim floats for cache rows of a narrower dtype.
void attend_heads(const HeadsTask& task, size_t g_begin, size_t g_end, float* widened,
                  size_t widened_rows) {
  const size_t head_dim = task.head_dim;
  const size_t max_keys = static_cast<size_t>(task.s->max_keys);
  float* scores = task.s->scores;
  // The heads share each key and value row: read (and widen) once per row. scaled_dots and
  // add_scaled_rows give the bits of one ops::dot and one ops::add_scaled per head and row, in
  // the same order, so neither the pool's split nor the blocking below changes a bit.
  for (size_t n = 0; n < task.keys; ++n) {
    const float* key = key_or_value_row(task, task.layer->k_cache, task.chunk_k,
                                        task.first + static_cast<int64_t>(n), widened);
    ops::scaled_dots(head_dim, g_end - g_begin, task.q + g_begin * head_dim, head_dim, key,
                     task.scale, scores + g_begin * max_keys + n, max_keys);
  }
  for (size_t g = g_begin; g < g_end; ++g) ops::softmax(task.keys, scores + g * max_keys);
  std::memset(task.out + g_begin * head_dim, 0, (g_end - g_begin) * head_dim * sizeof(float));
  // Values in blocks of up to kValueBlock rows: each head's output is loaded and stored once per
  // block instead of once per row (the loop was bound by those stores).
  const size_t block =
      task.s->kv_dtype == DType::kF32 ? kValueBlock : std::min(kValueBlock, widened_rows);
  for (size_t n0 = 0; n0 < task.keys; n0 += block) {
    const size_t rows = std::min(block, task.keys - n0);
    const float* values[kValueBlock];
    for (size_t j = 0; j < rows; ++j) {
      values[j] = key_or_value_row(task, task.layer->v_cache, task.chunk_v,
                                   task.first + static_cast<int64_t>(n0 + j),
                                   widened + std::min(j, widened_rows - 1) * head_dim);
    }
    for (size_t g = g_begin; g < g_end; ++g) {
      ops::add_scaled_rows(head_dim, rows, values, scores + g * max_keys + n0,
                           task.out + g * head_dim);
    }
  }
}

void attend_heads_tile(void* context, size_t g_begin, size_t heads) {
  alignas(32) float widened[kValueBlock * kMaxStackHeadDim];
  attend_heads(*static_cast<const HeadsTask*>(context), g_begin, g_begin + heads, widened,
               kValueBlock);
}

// One sequence's `count` tokens: q [count, H·hd] attends over the cache and the chunk's own keys
// k, v [count, KV·hd] (RoPE applied here), writing out [count, H·hd]; then the cache keeps the
// newest keys.
void attend(const Model& model, const LayerWeights& w, LayerState& layer, SessionState& s,
            pthreadpool_t pool, size_t count, float* q, float* chunk_k, float* chunk_v,
            float* out) {
  const ModelConfig& c = model.config();
  const size_t heads = static_cast<size_t>(c.num_heads);
  const size_t kv_heads = static_cast<size_t>(c.num_kv_heads);
  const size_t head_dim = static_cast<size_t>(c.head_dim);
  const size_t q_width = heads * head_dim, kv_width = kv_heads * head_dim;
  const size_t group = heads / kv_heads;  // query heads per KV head
  const bool local = w.type == BlockType::kLocalAttention;
  const int64_t start = s.positions[0];
  const int64_t slots = layer.cache_slots;
  const size_t rotary = static_cast<size_t>(c.rotary_dims());
  for (size_t t = 0; t < count; ++t) {
    ops::rope(heads, head_dim, rotary, model.rope_inv_freq().data(), s.positions[t],
              q + t * q_width);
    ops::rope(kv_heads, head_dim, rotary, model.rope_inv_freq().data(), s.positions[t],
              chunk_k + t * kv_width);
  }
  // With a narrower cache dtype, the chunk's own keys and values are rounded to it as well, so
  // a token sees exactly the same keys whether it was prefilled in a chunk or decoded alone.
  const DType cache_dtype = s.kv_dtype;
  const size_t element = dtype_size(cache_dtype);
  if (cache_dtype != DType::kF32) {
    for (float* rows : {chunk_k, chunk_v}) {
      for (size_t i = 0; i < count * kv_width; ++i) {
        rows[i] = cache_dtype == DType::kBF16 ? f32_from_bf16(bf16_from_f32(rows[i]))
                                              : f32_from_f16(f16_from_f32(rows[i]));
      }
    }
  }
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  // Below this many multiply-adds per token and KV head, waking the pool costs more than the
  // split saves (a few microseconds against ~1 ns per 4 multiply-adds).
  constexpr size_t kMinParallelWork = 1 << 16;
  const size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
  const bool can_split = threads > 1 && group > 1 && head_dim <= kMaxStackHeadDim;
  for (size_t t = 0; t < count; ++t) {
    const int64_t i = s.positions[t];
    const int64_t first = local ? std::max<int64_t>(0, i - c.attention_window) : 0;
    const size_t keys = static_cast<size_t>(i - first + 1);
    for (size_t kv = 0; kv < kv_heads; ++kv) {
      HeadsTask task{&layer,  &s,       q + t * q_width + kv * group * head_dim,
                     chunk_k, chunk_v,  out + t * q_width + kv * group * head_dim,
                     kv,      first,    keys,
                     start,   kv_width, head_dim,
                     scale};
      if (can_split && keys * group * head_dim >= kMinParallelWork) {
        const size_t tile = (group + threads - 1) / threads;
        parallel_for_tiles(pool, attend_heads_tile, &task, group, tile);
      } else {
        attend_heads(task, 0, group, s.kv_row, 1);
      }
    }
  }
  // Keep the newest keys: the last min(T, slots) rows of the chunk, at slot position mod slots.
  const size_t keep = std::min(count, static_cast<size_t>(slots));
  for (size_t t = count - keep; t < count; ++t) {
    const size_t slot = static_cast<size_t>(s.positions[t] % slots);
    convert_elements(DType::kF32, chunk_k + t * kv_width, cache_dtype,
                     layer.k_cache + slot * kv_width * element, kv_width);
    convert_elements(DType::kF32, chunk_v + t * kv_width, cache_dtype,
                     layer.v_cache + slot * kv_width * element, kv_width);
  }
}

}  // namespace

Status attention_block(const Model& model, const LayerWeights& w, size_t layer_index, RowScratch& r,
                       const Sequences& sequences) {
  const ModelConfig& c = model.config();
  const size_t q_width = static_cast<size_t>(c.num_heads * c.head_dim);
  const size_t kv_width = static_cast<size_t>(c.num_kv_heads * c.head_dim);
  const size_t count = sequences.rows();
  float* q = r.wide_a;    // [rows, H·hd]
  float* out = r.wide_c;  // [rows, H·hd]
  const Linear::SharedInputCall qkv[] = {
      {&w.q_proj, q}, {&w.k_proj, r.chunk_k}, {&w.v_proj, r.chunk_v}};
  GRF_RETURN_IF_ERROR(Linear::run_shared_input(qkv, 3, count, r.normed, r.linear));
  for (size_t i = 0; i < sequences.count; ++i) {
    const size_t first = sequences.first_row(i);
    SessionState& s = *sequences.states[i];
    attend(model, w, s.layers[layer_index], s, r.linear.pool, sequences.tokens_each,
           q + first * q_width, r.chunk_k + first * kv_width, r.chunk_v + first * kv_width,
           out + first * q_width);
  }
  return w.o_proj.run(count, out, r.mix, r.linear);
}

}  // namespace griffin
