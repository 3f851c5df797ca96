// Multi-query attention, local (a ring of Wn cached keys) or global (a cache of max_context
// keys) (docs/griffin-math.md §7.4). A query at position i sees keys j <= i with i - j <= Wn
// (local) or all j <= i (global). Keys before the chunk come from the cache, keys inside it
// from the chunk's own buffers; the cache is written only after the whole chunk has attended,
// so a ring of exactly Wn slots suffices for any chunk length. The projections run over all
// rows at once; attention runs per sequence, over its own cache.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/src/forward.h"
#include "runtime/src/kernels/ops.h"

namespace griffin {

namespace {

// One sequence's `count` tokens: q [count, H·hd] attends over the cache and the chunk's own keys
// k, v [count, KV·hd] (RoPE applied here), writing out [count, H·hd]; then the cache keeps the
// newest keys.
void attend(const Model& model, const LayerWeights& w, LayerState& layer, SessionState& s,
            size_t count, float* q, float* chunk_k, float* chunk_v, float* out) {
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
  // Row of position j for KV head `kv`, as f32: cached rows are widened into s.kv_row.
  auto row = [&](const uint8_t* cache, const float* chunk, int64_t j, size_t kv) -> const float* {
    if (j >= start) return chunk + static_cast<size_t>(j - start) * kv_width + kv * head_dim;
    const uint8_t* cached =
        cache + (static_cast<size_t>(j % slots) * kv_width + kv * head_dim) * element;
    if (cache_dtype == DType::kF32) return reinterpret_cast<const float*>(cached);
    convert_elements(cache_dtype, cached, DType::kF32, s.kv_row, head_dim);
    return s.kv_row;
  };
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const size_t max_keys = static_cast<size_t>(s.max_keys);
  for (size_t t = 0; t < count; ++t) {
    const int64_t i = s.positions[t];
    const int64_t first = local ? std::max<int64_t>(0, i - c.attention_window) : 0;
    const size_t keys = static_cast<size_t>(i - first + 1);
    // The `group` query heads that share a KV head read each key and value row once.
    for (size_t kv = 0; kv < kv_heads; ++kv) {
      for (size_t n = 0; n < keys; ++n) {
        const float* key = row(layer.k_cache, chunk_k, first + static_cast<int64_t>(n), kv);
        for (size_t g = 0; g < group; ++g) {
          const float* query = q + t * q_width + (kv * group + g) * head_dim;
          s.scores[g * max_keys + n] = ops::dot(head_dim, query, key) * scale;
        }
      }
      for (size_t g = 0; g < group; ++g) ops::softmax(keys, s.scores + g * max_keys);
      float* result = out + t * q_width + kv * group * head_dim;
      std::memset(result, 0, group * head_dim * sizeof(float));
      for (size_t n = 0; n < keys; ++n) {
        const float* value = row(layer.v_cache, chunk_v, first + static_cast<int64_t>(n), kv);
        for (size_t g = 0; g < group; ++g) {
          const float p = s.scores[g * max_keys + n];
          float* head = result + g * head_dim;
          for (size_t d = 0; d < head_dim; ++d) head[d] += p * value[d];
        }
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
  GRF_RETURN_IF_ERROR(w.q_proj.run(count, r.normed, q, r.linear));
  GRF_RETURN_IF_ERROR(w.k_proj.run(count, r.normed, r.chunk_k, r.linear));
  GRF_RETURN_IF_ERROR(w.v_proj.run(count, r.normed, r.chunk_v, r.linear));
  for (size_t i = 0; i < sequences.count; ++i) {
    const size_t first = sequences.first_row(i);
    SessionState& s = *sequences.states[i];
    attend(model, w, s.layers[layer_index], s, sequences.tokens_each, q + first * q_width,
           r.chunk_k + first * kv_width, r.chunk_v + first * kv_width, out + first * q_width);
  }
  return w.o_proj.run(count, out, r.mix, r.linear);
}

}  // namespace griffin
