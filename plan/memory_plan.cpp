// The memory plan (see memory_plan.h).
#include "plan/memory_plan.h"

#include <algorithm>

#include "format/quant.h"
#include "format/tensor_specs.h"

namespace griffin {

const char* region_kind_name(RegionKind kind) {
  switch (kind) {
    case RegionKind::kRglruState:
      return "rglru_state";
    case RegionKind::kConvState:
      return "conv_state";
    case RegionKind::kKvCache:
      return "attn_kv_cache";
    case RegionKind::kScratch:
      return "scratch";
    case RegionKind::kLogits:
      return "logits";
    case RegionKind::kSampler:
      return "sampler";
    case RegionKind::kHistory:
      return "history";
    case RegionKind::kCounters:
      return "counters";
  }
  return "unknown";
}

bool is_persistent(RegionKind kind) {
  return kind != RegionKind::kScratch && kind != RegionKind::kSampler;
}

const char* linear_engine_name(LinearEngine engine) {
  switch (engine) {
    case LinearEngine::kXnnpack:
      return "xnnpack-f32";
    case LinearEngine::kF32:
      return "f32-f32w-gemm";
    case LinearEngine::kBf16:
      return "f32-bf16w-gemm";
    case LinearEngine::kInt8:
      return "f32-qs8w-gemm";
    case LinearEngine::kInt8Dynamic:
      return "qd8-qs8w-gemm";
    case LinearEngine::kInt4Dynamic:
      return "qd8-qs4w-gemm";
  }
  return "unknown";
}

LinearEngine linear_engine(DType stored, const PlanOptions& options) {
  switch (stored) {
    case DType::kBF16:
      return LinearEngine::kBf16;
    case DType::kInt8:
      return options.int8_activations ? LinearEngine::kInt8Dynamic : LinearEngine::kInt8;
    case DType::kInt4:
      return LinearEngine::kInt4Dynamic;
    default:
      return LinearEngine::kXnnpack;  // f32, f16 (the file reader admits no other dtype)
  }
}

bool quantizes_activations(LinearEngine engine) {
  return engine == LinearEngine::kInt8Dynamic || engine == LinearEngine::kInt4Dynamic;
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

// Places regions one after another, each at the next 64-byte boundary (as Arena carves them);
// add() returns the region's index.
class Planner {
 public:
  size_t add(std::string name, RegionKind kind, size_t bytes) {
    const size_t offset = (end_ + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    buffers_.push_back({std::move(name), kind, offset, bytes});
    end_ = offset + bytes;
    return buffers_.size() - 1;
  }
  template <typename Layout>
  void finish(Layout* layout) {
    layout->used_bytes = end_;
    layout->total_bytes = (end_ + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
    layout->buffers = std::move(buffers_);
  }

 private:
  size_t end_ = 0;
  std::vector<Buffer> buffers_;
};

// Widths of a block kind the model does not have. No weight has them as a shape, so the file
// does not vouch for them and a corrupt header could make them anything up to validate_config's
// 2^24: a Hawk header with head_dim 2^23 planned a 13 GB session. Such a model gets no buffers
// sized by them.
bool has_attention(const ModelConfig& c) {
  return c.count_layers(BlockType::kLocalAttention) + c.count_layers(BlockType::kGlobalAttention) >
         0;
}
size_t attention_width(const ModelConfig& c, int64_t heads) {
  return has_attention(c) ? static_cast<size_t>(heads * c.head_dim) : 0;
}
size_t recurrent_width(const ModelConfig& c) {
  return c.count_layers(BlockType::kRecurrent) > 0 ? static_cast<size_t>(c.lru_width) : 0;
}

// The activations of `rows` token rows that every forward pass needs (a session's chunk or a
// batch of sessions' tokens), named with `prefix`. Layout: SessionLayout or BatchLayout.
template <typename Layout>
void add_row_scratch(Planner& plan, const std::string& prefix, size_t rows, const ModelConfig& c,
                     Layout* layout) {
  const size_t f = sizeof(float);
  const size_t D = static_cast<size_t>(c.width), L = recurrent_width(c);
  const size_t E = static_cast<size_t>(c.mlp_width);
  const size_t q_width = attention_width(c, c.num_heads);
  const size_t kv_width = attention_width(c, c.num_kv_heads);
  auto add = [&](const char* name, size_t floats) {
    return plan.add(prefix + name, RegionKind::kScratch, rows * floats * f);
  };
  layout->x = add("x", D);
  layout->normed = add("normed", D);
  layout->mix = add("mix", D);
  layout->wide_a = add("wide_a", std::max({L, q_width, E}));
  layout->wide_b = add("wide_b", std::max(L, E));
  layout->wide_c = add("wide_c", std::max(L, q_width));
  layout->gate_r = add("gate_r", L);
  layout->gate_i = add("gate_i", L);
  layout->chunk_k = add("chunk_k", kv_width);
  layout->chunk_v = add("chunk_v", kv_width);
}

}  // namespace

SessionLayout plan_session(const ModelConfig& c, const SessionOptions& o,
                           int64_t quantized_columns) {
  SessionLayout layout;
  Planner plan;
  const size_t f = sizeof(float);
  const size_t L = recurrent_width(c), V = static_cast<size_t>(c.vocab_size);
  const size_t kv_width = attention_width(c, c.num_kv_heads);
  const size_t T = static_cast<size_t>(o.prefill_chunk);
  layout.chunk = o.prefill_chunk;

  for (size_t i = 0; i < c.block_types.size(); ++i) {
    LayerLayout layer;
    const std::string name = "layer" + std::to_string(i) + ".";
    if (c.block_types[i] == BlockType::kRecurrent) {
      layer.conv_state = plan.add(name + "conv_state", RegionKind::kConvState,
                                  static_cast<size_t>(c.conv1d_width - 1) * L * f);
      layer.rglru_state = plan.add(name + "rglru_state", RegionKind::kRglruState, L * f);
    } else {
      layer.cache_slots =
          c.block_types[i] == BlockType::kLocalAttention ? c.attention_window : o.max_context;
      const size_t bytes =
          static_cast<size_t>(layer.cache_slots) * kv_width * dtype_size(o.kv_dtype);
      layer.k_cache = plan.add(name + "k_cache", RegionKind::kKvCache, bytes);
      layer.v_cache = plan.add(name + "v_cache", RegionKind::kKvCache, bytes);
    }
    layout.layers.push_back(layer);
  }

  add_row_scratch(plan, "", T, c, &layout);
  layout.kv_row = plan.add("kv_row", RegionKind::kScratch, attention_width(c, 1) * f);
  layout.positions = plan.add("positions", RegionKind::kScratch, T * sizeof(int64_t));
  if (quantized_columns > 0) {
    const size_t columns = static_cast<size_t>(quantized_columns);
    layout.quantized = plan.add("quantized", RegionKind::kScratch, T * columns);
    layout.quantized_scales =
        plan.add("quantized_scales", RegionKind::kScratch, T * (columns / 32) * f);
    layout.quantized_offsets =
        plan.add("quantized_offsets", RegionKind::kScratch, T * (columns / 32) * sizeof(int32_t));
  }
  layout.logits = plan.add("logits", RegionKind::kLogits, V * f);
  layout.sampler_values = plan.add("sampler_values", RegionKind::kSampler, V * f);
  layout.sampler_indices = plan.add("sampler_indices", RegionKind::kSampler, V * sizeof(int32_t));
  layout.history = plan.add("history", RegionKind::kHistory,
                            static_cast<size_t>(o.history_size) * sizeof(int32_t));
  layout.counters = plan.add("counters", RegionKind::kCounters, kCountersBytes);
  plan.finish(&layout);
  return layout;
}

BatchLayout plan_batch(const ModelConfig& c, int64_t max_batch, int64_t quantized_columns) {
  BatchLayout layout;
  layout.max_batch = max_batch;
  if (max_batch <= 0) return layout;
  Planner plan;
  const size_t f = sizeof(float);
  const size_t B = static_cast<size_t>(max_batch);
  const size_t V = static_cast<size_t>(c.vocab_size);
  add_row_scratch(plan, "batch.", B, c, &layout);
  if (quantized_columns > 0) {
    const size_t columns = static_cast<size_t>(quantized_columns);
    layout.quantized = plan.add("batch.quantized", RegionKind::kScratch, B * columns);
    layout.quantized_scales =
        plan.add("batch.quantized_scales", RegionKind::kScratch, B * (columns / 32) * f);
    layout.quantized_offsets = plan.add("batch.quantized_offsets", RegionKind::kScratch,
                                        B * (columns / 32) * sizeof(int32_t));
  }
  layout.logits = plan.add("batch.logits", RegionKind::kScratch, B * V * f);
  plan.finish(&layout);
  return layout;
}

}  // namespace griffin

namespace griffin {

uint64_t layout_bytes(const SessionLayout& layout, RegionKind kind) {
  uint64_t bytes = 0;
  for (const Buffer& buffer : layout.buffers) bytes += buffer.kind == kind ? buffer.bytes : 0;
  return bytes;
}

uint64_t persistent_bytes(const SessionLayout& layout) {
  uint64_t bytes = 0;
  for (const Buffer& buffer : layout.buffers)
    bytes += is_persistent(buffer.kind) ? buffer.bytes : 0;
  return bytes;
}

uint64_t packed_linear_bytes(uint64_t in, uint64_t out) {
  constexpr uint64_t kOperatorBytes = 4096;  // xnn_operator struct and its small allocations
  return (out + 63) / 64 * 64 * ((in + 3) / 4 * 4 + 1) * sizeof(float) + kOperatorBytes;
}

DtypeOf recipe_dtypes(DType matrices, DType embedding) {
  return [=](const TensorSpec& spec) { return storage_dtype(spec.role, matrices, embedding); };
}

DtypeOf file_dtypes(const GriffinFile& file) {
  // GriffinFile::open checked that every expected tensor is present.
  return [&file](const TensorSpec& spec) { return file.find(spec.name)->record->dtype; };
}

uint64_t mapped_weight_bytes(const ModelConfig& config, const DtypeOf& dtype_of) {
  uint64_t bytes = 0;
  for (const TensorSpec& spec : expected_tensors(config)) {
    bytes += tensor_bytes(spec.shape, dtype_of(spec));
  }
  return bytes;
}

ModelMemoryPlan plan_model_memory(const ModelConfig& c, const DtypeOf& dtype_of,
                                  const SessionOptions& options, const PlanOptions& plan_options) {
  ModelMemoryPlan plan;
  plan.weights_mapped = mapped_weight_bytes(c, dtype_of);
  const uint64_t L = c.lru_width, K = c.conv1d_width, D = c.width, H = c.num_heads;
  // Every matrix (and the tied embedding, as the unembedding) gets an engine. XNNPACK keeps a
  // packed f32 copy; our kernels read the mapping. The RG-LRU gate blocks run on our f32
  // kernel over [out, in] copies made at load (counted below as prepared). A decode step reads
  // each matrix once: the f32 copy or the mapped bytes.
  uint64_t packed = 0, streamed = 0;
  for (const TensorSpec& spec : expected_tensors(c)) {
    const DType dtype = dtype_of(spec);
    const uint64_t elements = static_cast<uint64_t>(element_count(spec.shape));
    if (spec.role == TensorRole::kGateWeight) {
      streamed += elements * sizeof(float);
    } else if (spec.role == TensorRole::kMatrix || spec.role == TensorRole::kEmbedding) {
      LinearPlan linear;
      linear.engine = linear_engine(dtype, plan_options);
      linear.out = spec.shape[0];
      linear.in = spec.shape[1];
      const bool xnnpack = linear.engine == LinearEngine::kXnnpack;
      if (xnnpack) linear.packed_bytes = packed_linear_bytes(linear.in, linear.out);
      packed += linear.packed_bytes;
      streamed += xnnpack ? elements * sizeof(float) : tensor_bytes(spec.shape, dtype);
      if (quantizes_activations(linear.engine)) {
        plan.quantized_columns = std::max(plan.quantized_columns, padded_columns(linear.in));
      }
      plan.linears.emplace(spec.name, linear);
    } else {
      streamed += tensor_bytes(spec.shape, dtype);
    }
  }
  plan.weights_streamed = streamed;
  uint64_t prepared_floats = D + static_cast<uint64_t>(c.rotary_dims() / 2);  // final norm, RoPE
  for (BlockType type : c.block_types) {
    prepared_floats += 2 * D;                                             // (1 + g) of both norms
    if (type == BlockType::kRecurrent) prepared_floats += K * L + 2 * L;  // taps, bias, -8·softplus
    // Both gates: H blocks of (L/H)² weights as [out, in] rows, and their biases.
    if (type == BlockType::kRecurrent) prepared_floats += 2 * (L / H * L + L);
  }
  plan.weights_packed = packed;
  plan.weights_prepared = prepared_floats * sizeof(float);
  plan.session = plan_session(c, options, plan.quantized_columns);
  plan.batch = plan_batch(c, plan_options.max_batch, plan.quantized_columns);
  return plan;
}

}  // namespace griffin
