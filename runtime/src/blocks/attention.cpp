// Multi-query attention, local (a ring of Wn cached keys) or global (a cache of max_context
// keys) (docs/griffin-math.md §7.4). A query at position i sees keys j <= i with i - j <= Wn
// (local) or all j <= i (global). Keys before the chunk come from the cache, keys inside it
// from the chunk's own buffers; the cache is written only after the whole chunk has attended,
// so a ring of exactly Wn slots suffices for any chunk length. The projections run over all
// rows at once; attention runs per sequence, over its own cache.
//
// Each (token, query head) walks its keys in blocks of kKeyBlock positions, aligned to multiples
// of kKeyBlock, with a running softmax: the block's scores, their max against the running max,
// the running sum and output rescaled by exp(old max - new max), the block's weights added to the
// sum and its values to the output, and at the end the output divided by the sum. No buffer
// holds a row of scores as long as the window, so a pool task needs only its stack, and a task
// takes up to kTaskTokens tokens of a prefill chunk: each key and value row is read (and
// widened from the cache's dtype) once for all of them, where a task per token read the 2,048
// rows of a full 2B window for every token from L3. A (token, head)'s steps depend only on its
// own keys and the fixed block boundaries, never on the chunk, the task or the pool, so a
// decoded token gets the bits of its prefilled self. A decoded token (or a short chunk) splits
// its query heads over the pool instead, when there is enough work.
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "runtime/src/forward.h"
#include "runtime/src/kernels/ops.h"
#include "runtime/src/parallel-for.h"

namespace griffin {

namespace {

// Key positions per step of the running softmax. With 32, a decoded MQA token at 3,072 keys (its
// rows from memory) ran 5-10 % slower than the old two-pass softmax; 64 halves the steps' upkeep.
constexpr size_t kKeyBlock = 64;
// Prefill tokens per pool task: each key and value row is read once for all of them.
constexpr size_t kTaskTokens = 4;
// Query heads per task (more are split into parts: 2B has 10 per KV head, 9B 16).
constexpr size_t kTaskHeads = 16;
// The pool's tasks widen f16/bf16 cache rows into a buffer on their own stack, for heads up to
// this size; larger heads run on the calling thread with the session's kv_row.
constexpr size_t kMaxStackHeadDim = 1024;
// Value rows per step of the weighted sum (ops::add_scaled_rows takes up to four).
constexpr size_t kValueBlock = 4;

// One sequence's chunk: tokens [0, count) at positions[t], query heads in groups of `group` per
// KV head.
struct ChunkAttention {
  const LayerState* layer;
  const SessionState* s;
  const float* q;  // [count, H·hd], RoPE applied
  const float* chunk_k;
  const float* chunk_v;  // [count, KV·hd]
  float* out;            // [count, H·hd]
  size_t count;
  size_t kv_heads;
  size_t group;
  size_t head_dim;
  size_t kv_width;
  int64_t start;   // position of the chunk's first token: rows before it come from the cache
  int64_t window;  // local: keys i - window .. i; global: -1
  float scale;
  // The pool's split: task u is token block u / (kv_heads · head_parts), then KV head, then part.
  size_t task_tokens;
  size_t head_parts;
  size_t heads_per_part;
};

int64_t first_key(const ChunkAttention& a, int64_t position) {
  return a.window < 0 ? 0 : std::max<int64_t>(0, position - a.window);
}

// The cached row of position j (before the chunk) of KV head `kv`, in the cache's dtype.
const uint8_t* cached_row(const ChunkAttention& a, const uint8_t* cache, size_t kv, int64_t j) {
  const size_t slot = static_cast<size_t>(j % a.layer->cache_slots);
  return cache + (slot * a.kv_width + kv * a.head_dim) * dtype_size(a.s->kv_dtype);
}

// Row of position j of KV head `kv`, as f32: cached rows of a narrower dtype are widened into
// `widened` [hd].
const float* key_or_value_row(const ChunkAttention& a, const uint8_t* cache, const float* chunk,
                              size_t kv, int64_t j, float* widened) {
  if (j >= a.start) {
    return chunk + static_cast<size_t>(j - a.start) * a.kv_width + kv * a.head_dim;
  }
  const DType dtype = a.s->kv_dtype;
  const uint8_t* cached = cached_row(a, cache, kv, j);
  if (dtype == DType::kF32) return reinterpret_cast<const float*>(cached);
  convert_elements(dtype, cached, DType::kF32, widened, a.head_dim);
  return widened;
}

// Asks for the cached rows [j_begin, j_end) of KV head kv, into L2 (rows of the chunk are in
// cache already). A task alternates between a block's keys and its values, kKeyBlock rows each,
// so the hardware's stream prefetch, which a long run of one array kept ahead, restarts at every
// switch: a decoded MQA token at 3,072 keys, whose rows come from memory, ran 5-10 % slower than
// the old two-pass softmax without this (32-key blocks), about 3 % with it and 64-key blocks.
void prefetch_cached_rows(const ChunkAttention& a, const uint8_t* cache, size_t kv, int64_t j_begin,
                          int64_t j_end) {
  const size_t row_bytes = a.head_dim * dtype_size(a.s->kv_dtype);
  for (int64_t j = j_begin; j < std::min(j_end, a.start); ++j) {
    const uint8_t* row = cached_row(a, cache, kv, j);
    for (size_t line = 0; line < row_bytes; line += 64) __builtin_prefetch(row + line, 0, 2);
  }
}

// Tokens [t_begin, t_end) × query heads [h_begin, h_end) of KV head kv (h counts within the
// group). `widened` holds `widened_rows` (1 to kValueBlock) rows of hd floats.
void attend_tokens(const ChunkAttention& a, size_t t_begin, size_t t_end, size_t kv, size_t h_begin,
                   size_t h_end, float* widened, size_t widened_rows) {
  const size_t hd = a.head_dim;
  const size_t tokens = t_end - t_begin;
  const size_t heads = h_end - h_begin;
  const size_t q_width = a.kv_heads * a.group * hd;
  const size_t head0 = kv * a.group + h_begin;  // first query head of the task
  int64_t first[kTaskTokens] = {}, last[kTaskTokens] = {};
  float running_max[kTaskTokens][kTaskHeads], sum[kTaskTokens][kTaskHeads];
  float scores[kTaskTokens][kTaskHeads][kKeyBlock];
  for (size_t t = 0; t < tokens; ++t) {
    last[t] = a.s->positions[t_begin + t];
    first[t] = first_key(a, last[t]);
    for (size_t h = 0; h < heads; ++h) {
      running_max[t][h] = -std::numeric_limits<float>::infinity();
      sum[t][h] = 0.0f;
      std::memset(a.out + (t_begin + t) * q_width + (head0 + h) * hd, 0, hd * sizeof(float));
    }
  }
  // Positions rise through a chunk, so the first token sees the lowest key and the last the
  // highest.
  const int64_t lowest = first[0], highest = last[tokens - 1];
  const int64_t block = static_cast<int64_t>(kKeyBlock);
  for (int64_t b0 = lowest / block * block; b0 <= highest; b0 += block) {
    const int64_t b1 = b0 + block;  // past the block
    // Each token's keys in this block: [lo[t], hi[t]), empty when lo >= hi.
    int64_t lo[kTaskTokens], hi[kTaskTokens];
    for (size_t t = 0; t < tokens; ++t) {
      lo[t] = std::max(b0, first[t]);
      hi[t] = std::min(b1, last[t] + 1);
    }
    const int64_t row_begin = std::max(b0, lowest), row_end = std::min(b1, highest + 1);
    // This block's values, needed after its scores, and the next block's keys.
    prefetch_cached_rows(a, a.layer->v_cache, kv, row_begin, row_end);
    prefetch_cached_rows(a, a.layer->k_cache, kv, b1, std::min(b1 + block, highest + 1));
    // Scores: each pair of key rows for all the task's tokens that see either (a score of a key
    // the token does not see is computed and never read).
    // (With one widening row, kv_row, a pair of cached rows would widen into the same floats.)
    const bool pairs = widened_rows >= 2 || a.s->kv_dtype == DType::kF32;
    for (int64_t j = row_begin; j < row_end; j += pairs ? 2 : 1) {
      const bool pair = pairs && j + 1 < row_end;
      const float* keys[2];
      keys[0] = key_or_value_row(a, a.layer->k_cache, a.chunk_k, kv, j, widened);
      keys[1] = pair ? key_or_value_row(a, a.layer->k_cache, a.chunk_k, kv, j + 1, widened + hd)
                     : nullptr;
      for (size_t t = 0; t < tokens; ++t) {
        if (j + (pair ? 1 : 0) < lo[t] || j >= hi[t]) continue;
        const float* q_row = a.q + (t_begin + t) * q_width + head0 * hd;
        if (pair) {
          ops::scaled_dots_pair(hd, heads, q_row, hd, keys, a.scale, &scores[t][0][j - b0],
                                kKeyBlock);
        } else {
          ops::scaled_dots(hd, heads, q_row, hd, keys[0], a.scale, &scores[t][0][j - b0],
                           kKeyBlock);
        }
      }
    }
    // The running softmax: weights exp(score - max) in place of the scores, sum and output
    // rescaled when the max grows.
    for (size_t t = 0; t < tokens; ++t) {
      if (lo[t] >= hi[t]) continue;
      const size_t n0 = static_cast<size_t>(lo[t] - b0), n1 = static_cast<size_t>(hi[t] - b0);
      for (size_t h = 0; h < heads; ++h) {
        float* row = scores[t][h];
        const float block_max = *std::max_element(row + n0, row + n1);
        const float new_max = std::max(running_max[t][h], block_max);
        if (new_max > running_max[t][h] && sum[t][h] > 0.0f) {
          const float rescale = std::exp(running_max[t][h] - new_max);
          sum[t][h] *= rescale;
          float* y = a.out + (t_begin + t) * q_width + (head0 + h) * hd;
          for (size_t d = 0; d < hd; ++d) y[d] *= rescale;
        }
        running_max[t][h] = new_max;
        float block_sum = 0.0f;
        for (size_t n = n0; n < n1; ++n) {
          row[n] = std::exp(row[n] - new_max);
          block_sum += row[n];
        }
        sum[t][h] += block_sum;
      }
    }
    // Values in steps of up to kValueBlock rows, each widened once for the task: each head's
    // output is loaded and stored once per step instead of once per row.
    const int64_t step = static_cast<int64_t>(
        a.s->kv_dtype == DType::kF32 ? kValueBlock : std::min(kValueBlock, widened_rows));
    for (int64_t j0 = row_begin; j0 < row_end; j0 += step) {
      const int64_t j1 = std::min(row_end, j0 + step);
      const float* values[kValueBlock];
      for (int64_t j = j0; j < j1; ++j) {
        const size_t r = static_cast<size_t>(j - j0);
        values[r] = key_or_value_row(a, a.layer->v_cache, a.chunk_v, kv, j,
                                     widened + std::min(r, widened_rows - 1) * hd);
      }
      for (size_t t = 0; t < tokens; ++t) {
        const int64_t from = std::max(j0, lo[t]), to = std::min(j1, hi[t]);
        if (from >= to) continue;
        ops::add_scaled_rows_multi(hd, static_cast<size_t>(to - from), values + (from - j0), heads,
                                   &scores[t][0][from - b0], kKeyBlock,
                                   a.out + (t_begin + t) * q_width + head0 * hd, hd);
      }
    }
  }
  for (size_t t = 0; t < tokens; ++t) {
    for (size_t h = 0; h < heads; ++h) {
      const float inv = 1.0f / sum[t][h];
      float* y = a.out + (t_begin + t) * q_width + (head0 + h) * hd;
      for (size_t d = 0; d < hd; ++d) y[d] *= inv;
    }
  }
}

// The range of task u's tokens, KV head and query heads.
struct TaskSpan {
  size_t t_begin, t_end, kv, h_begin, h_end;
};

TaskSpan task_span(const ChunkAttention& a, size_t u) {
  const size_t part = u % a.head_parts;
  const size_t kv = u / a.head_parts % a.kv_heads;
  const size_t block = u / (a.head_parts * a.kv_heads);
  const size_t t_begin = block * a.task_tokens;
  const size_t h_begin = part * a.heads_per_part;
  return {t_begin, std::min(a.count, t_begin + a.task_tokens), kv, h_begin,
          std::min(a.group, h_begin + a.heads_per_part)};
}

void attend_tasks_tile(void* context, size_t start, size_t count) {
  const ChunkAttention& a = *static_cast<const ChunkAttention*>(context);
  alignas(32) float widened[kValueBlock * kMaxStackHeadDim];
  for (size_t u = start; u < start + count; ++u) {
    const TaskSpan span = task_span(a, u);
    if (span.h_begin >= span.h_end) continue;
    attend_tokens(a, span.t_begin, span.t_end, span.kv, span.h_begin, span.h_end, widened,
                  kValueBlock);
  }
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
  ChunkAttention a{&layer,
                   &s,
                   q,
                   chunk_k,
                   chunk_v,
                   out,
                   count,
                   kv_heads,
                   group,
                   head_dim,
                   kv_width,
                   s.positions[0],
                   local ? static_cast<int64_t>(c.attention_window) : -1,
                   1.0f / std::sqrt(static_cast<float>(head_dim)),
                   1,
                   1,
                   group};
  const size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
  if (head_dim > kMaxStackHeadDim) {
    // Rows too wide for a task's stack: one token and KV head at a time on this thread, widening
    // into the session's kv_row.
    for (size_t t = 0; t < count; ++t) {
      for (size_t kv = 0; kv < kv_heads; ++kv) {
        for (size_t h = 0; h < group; h += kTaskHeads) {
          attend_tokens(a, t, t + 1, kv, h, std::min(group, h + kTaskHeads), s.kv_row, 1);
        }
      }
    }
  } else {
    // Tokens in tasks of up to kTaskTokens, at least two tasks per thread when the chunk has the
    // tokens; with fewer tasks than threads (a decoded token), the heads split over the pool.
    a.task_tokens = std::clamp<size_t>((count + 2 * threads - 1) / (2 * threads), 1, kTaskTokens);
    const size_t token_blocks = (count + a.task_tokens - 1) / a.task_tokens;
    a.head_parts = (group + kTaskHeads - 1) / kTaskHeads;
    if (token_blocks * kv_heads * a.head_parts < threads) {
      a.head_parts = std::max(a.head_parts, std::min(group, threads));
    }
    a.heads_per_part = (group + a.head_parts - 1) / a.head_parts;
    const size_t tasks = token_blocks * kv_heads * a.head_parts;
    // Below this many multiply-adds (scores and values of every head), waking the pool costs
    // more than the split saves (a few microseconds against ~1 ns per 4 multiply-adds).
    constexpr size_t kMinParallelWork = 1 << 16;
    const int64_t keys = s.positions[count - 1] - first_key(a, s.positions[0]) + 1;
    const size_t work = count * heads * static_cast<size_t>(keys) * head_dim;
    if (threads > 1 && tasks > 1 && work >= kMinParallelWork) {
      parallel_for_tiles(pool, attend_tasks_tile, &a, tasks, 1);
    } else {
      attend_tasks_tile(&a, 0, tasks);
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
