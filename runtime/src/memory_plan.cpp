// Session memory plan (see memory_plan.h).
#include "runtime/src/memory_plan.h"

#include <algorithm>

#include "format/tensor_specs.h"

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
  GRF_CHECK(o.kv_dtype == DType::kF32 || o.kv_dtype == DType::kF16 || o.kv_dtype == DType::kBF16,
            kInvalidArgument, "kv_dtype must be f32, f16 or bf16");
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
      const size_t bytes =
          static_cast<size_t>(layer.cache_slots) * kv_width * dtype_size(o.kv_dtype);
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
  const size_t group = static_cast<size_t>(c.num_heads / c.num_kv_heads);
  layout.scores = plan.add("scores", RegionKind::kScratch,
                           group * static_cast<size_t>(layout.max_keys) * f);
  layout.kv_row = plan.add("kv_row", RegionKind::kScratch, static_cast<size_t>(c.head_dim) * f);
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

namespace griffin {

uint64_t layout_bytes(const SessionLayout& layout, RegionKind kind) {
  uint64_t bytes = 0;
  for (const Buffer& buffer : layout.buffers) bytes += buffer.kind == kind ? buffer.bytes : 0;
  return bytes;
}

uint64_t packed_linear_bytes(uint64_t in, uint64_t out) {
  constexpr uint64_t kOperatorBytes = 4096;  // xnn_operator struct and its small allocations
  return (out + 63) / 64 * 64 * ((in + 3) / 4 * 4 + 1) * sizeof(float) + kOperatorBytes;
}

uint64_t mapped_weight_bytes(const ModelConfig& config, DType weight_dtype) {
  uint64_t bytes = 0;
  for (const TensorSpec& spec : expected_tensors(config)) {
    const DType dtype = role_takes_weight_dtype(spec.role) ? weight_dtype : DType::kF32;
    bytes += static_cast<uint64_t>(element_count(spec.shape)) * dtype_size(dtype);
  }
  return bytes;
}

ModelMemoryPlan plan_model_memory(const ModelConfig& c, uint64_t weights_mapped,
                                  const SessionOptions& options) {
  ModelMemoryPlan plan;
  plan.weights_mapped = weights_mapped;
  const uint64_t D = c.width, L = c.lru_width, E = c.mlp_width, V = c.vocab_size;
  const uint64_t q_width = c.num_heads * c.head_dim, kv_width = c.num_kv_heads * c.head_dim;
  const uint64_t block = L / c.num_heads, K = c.conv1d_width;
  // The operators Model::prepare creates, and the f32 arrays it keeps (4 bytes each).
  uint64_t packed = packed_linear_bytes(D, V);  // tied unembedding
  uint64_t prepared_floats = D + c.rotary_dims() / 2;  // final norm, RoPE frequencies
  for (BlockType type : c.block_types) {
    packed += 2 * packed_linear_bytes(D, E) + packed_linear_bytes(E, D);
    prepared_floats += 2 * D;
    if (type == BlockType::kRecurrent) {
      packed += 2 * packed_linear_bytes(D, L) + packed_linear_bytes(L, D) +
                2 * c.num_heads * packed_linear_bytes(block, block);
      prepared_floats += K * L + 2 * L;
    } else {
      packed += packed_linear_bytes(D, q_width) + 2 * packed_linear_bytes(D, kv_width) +
                packed_linear_bytes(q_width, D);
    }
  }
  plan.weights_packed = packed;
  plan.weights_prepared = prepared_floats * sizeof(float);
  plan.session = plan_session(c, options);
  return plan;
}

}  // namespace griffin
