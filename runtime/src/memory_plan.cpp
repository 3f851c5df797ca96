// Session memory plan (see memory_plan.h).
#include "runtime/src/memory_plan.h"

#include <algorithm>

namespace griffin {

const char* region_kind_name(RegionKind kind) {
  switch (kind) {
    case RegionKind::kRglruState: return "rglru_state";
    case RegionKind::kConvState: return "conv_state";
    case RegionKind::kKvCache: return "attn_kv_cache";
    case RegionKind::kScratch: return "scratch";
    case RegionKind::kLogits: return "logits";
    case RegionKind::kSampler: return "sampler";
    case RegionKind::kHistory: return "history";
  }
  return "unknown";
}

Status validate_session_options(const SessionOptions& o) {
  GRF_CHECK(o.prefill_chunk >= 1 && o.prefill_chunk <= 65536, kInvalidArgument,
            "prefill_chunk %lld must lie in [1, 65536]", (long long)o.prefill_chunk);
  GRF_CHECK(o.max_context >= 1 && o.max_context <= (int64_t{1} << 24), kInvalidArgument,
            "max_context %lld must lie in [1, 2^24]", (long long)o.max_context);
  GRF_CHECK(o.history_size >= 1 && o.history_size <= (int64_t{1} << 20), kInvalidArgument,
            "history_size %lld must lie in [1, 2^20]", (long long)o.history_size);
  return Status::ok_status();
}

namespace {

class Planner {
 public:
  size_t add(std::string name, RegionKind kind, size_t bytes) {
    const size_t offset = cursor_;
    buffers_.push_back({std::move(name), kind, offset, bytes});
    cursor_ = (cursor_ + bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    return offset;
  }
  std::vector<Buffer> take(size_t* total) {
    *total = cursor_;
    return std::move(buffers_);
  }

 private:
  size_t cursor_ = 0;
  std::vector<Buffer> buffers_;
};

}  // namespace

SessionLayout plan_session(const ModelConfig& c, const SessionOptions& o) {
  SessionLayout layout;
  Planner plan;
  const size_t f = sizeof(float);
  const size_t D = static_cast<size_t>(c.width), L = static_cast<size_t>(c.lru_width);
  const size_t E = static_cast<size_t>(c.mlp_width), V = static_cast<size_t>(c.vocab_size);
  const size_t q_width = static_cast<size_t>(c.num_heads * c.head_dim);
  const size_t kv_width = static_cast<size_t>(c.num_kv_heads * c.head_dim);
  const size_t T = static_cast<size_t>(o.prefill_chunk);
  layout.chunk = o.prefill_chunk;

  int64_t max_slots = 0;
  for (size_t i = 0; i < c.block_types.size(); ++i) {
    LayerLayout layer;
    const std::string name = "layer" + std::to_string(i) + ".";
    if (c.block_types[i] == BlockType::kRecurrent) {
      layer.conv_state = plan.add(name + "conv_state", RegionKind::kConvState,
                                  static_cast<size_t>(c.conv1d_width - 1) * L * f);
      layer.rglru_state = plan.add(name + "rglru_state", RegionKind::kRglruState, L * f);
    } else {
      layer.cache_slots = c.block_types[i] == BlockType::kLocalAttention ? c.attention_window
                                                                         : o.max_context;
      const size_t bytes = static_cast<size_t>(layer.cache_slots) * kv_width * f;
      layer.k_cache = plan.add(name + "k_cache", RegionKind::kKvCache, bytes);
      layer.v_cache = plan.add(name + "v_cache", RegionKind::kKvCache, bytes);
      max_slots = std::max(max_slots, layer.cache_slots);
    }
    layout.layers.push_back(layer);
  }
  // A query sees the cached keys plus the keys of its own chunk.
  layout.max_keys = max_slots + o.prefill_chunk;

  layout.x = plan.add("x", RegionKind::kScratch, T * D * f);
  layout.normed = plan.add("normed", RegionKind::kScratch, T * D * f);
  layout.mix = plan.add("mix", RegionKind::kScratch, T * D * f);
  layout.wide_a = plan.add("wide_a", RegionKind::kScratch, T * std::max({L, q_width, E}) * f);
  layout.wide_b = plan.add("wide_b", RegionKind::kScratch, T * std::max(L, E) * f);
  layout.wide_c = plan.add("wide_c", RegionKind::kScratch, T * std::max(L, q_width) * f);
  layout.gate_r = plan.add("gate_r", RegionKind::kScratch, T * L * f);
  layout.gate_i = plan.add("gate_i", RegionKind::kScratch, T * L * f);
  layout.chunk_k = plan.add("chunk_k", RegionKind::kScratch, T * kv_width * f);
  layout.chunk_v = plan.add("chunk_v", RegionKind::kScratch, T * kv_width * f);
  layout.scores = plan.add("scores", RegionKind::kScratch, static_cast<size_t>(layout.max_keys) * f);
  layout.positions = plan.add("positions", RegionKind::kScratch, T * sizeof(int64_t));
  layout.logits = plan.add("logits", RegionKind::kLogits, V * f);
  layout.sampler_values = plan.add("sampler_values", RegionKind::kSampler, V * f);
  layout.sampler_indices = plan.add("sampler_indices", RegionKind::kSampler, V * sizeof(int32_t));
  layout.history = plan.add("history", RegionKind::kHistory,
                            static_cast<size_t>(o.history_size) * sizeof(int32_t));
  layout.buffers = plan.take(&layout.total_bytes);
  return layout;
}

}  // namespace griffin
