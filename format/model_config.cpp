// Model config helpers and presets (docs/griffin-math.md §1).
#include "format/model_config.h"

#include <cmath>

#include "format/dtype.h"

namespace griffin {

const char* block_type_name(BlockType type) {
  switch (type) {
    case BlockType::kRecurrent: return "recurrent";
    case BlockType::kLocalAttention: return "attention";
    case BlockType::kGlobalAttention: return "global_attention";
  }
  return "unknown";
}

int64_t ModelConfig::rotary_dims() const {
  const auto dims = static_cast<int64_t>(std::lround(head_dim * partial_rotary_factor));
  return dims - dims % 2;
}

int64_t ModelConfig::count_layers(BlockType type) const {
  int64_t count = 0;
  for (BlockType block : block_types) count += block == type ? 1 : 0;
  return count;
}

bool ModelConfig::operator==(const ModelConfig& o) const {
  return width == o.width && depth == o.depth && num_heads == o.num_heads &&
         num_kv_heads == o.num_kv_heads && head_dim == o.head_dim && lru_width == o.lru_width &&
         mlp_width == o.mlp_width && conv1d_width == o.conv1d_width &&
         attention_window == o.attention_window && vocab_size == o.vocab_size &&
         rope_theta == o.rope_theta && partial_rotary_factor == o.partial_rotary_factor &&
         logits_soft_cap == o.logits_soft_cap && embedding_scale == o.embedding_scale &&
         rms_norm_eps == o.rms_norm_eps && block_types == o.block_types;
}

float embedding_scale_for_width(int64_t width) {
  return f32_from_bf16(bf16_from_f32(std::sqrt(static_cast<float>(width))));
}

Status validate_config(const ModelConfig& c) {
  // Upper bounds keep every size product far inside int64 and catch garbage headers early.
  constexpr int64_t kMaxDim = int64_t{1} << 24;
  auto in_range = [](int64_t value) { return value >= 1 && value <= kMaxDim; };
  GRF_CHECK(in_range(c.width), kInvalidFile, "width %lld out of range", (long long)c.width);
  GRF_CHECK(in_range(c.depth), kInvalidFile, "depth %lld out of range", (long long)c.depth);
  GRF_CHECK(in_range(c.num_heads), kInvalidFile, "num_heads %lld out of range",
            (long long)c.num_heads);
  GRF_CHECK(in_range(c.num_kv_heads) && c.num_heads % c.num_kv_heads == 0, kInvalidFile,
            "num_kv_heads %lld must divide num_heads %lld", (long long)c.num_kv_heads,
            (long long)c.num_heads);
  GRF_CHECK(in_range(c.head_dim), kInvalidFile, "head_dim %lld out of range",
            (long long)c.head_dim);
  GRF_CHECK(in_range(c.lru_width) && c.lru_width % c.num_heads == 0, kInvalidFile,
            "lru_width %lld must be a positive multiple of num_heads %lld",
            (long long)c.lru_width, (long long)c.num_heads);
  GRF_CHECK(in_range(c.mlp_width), kInvalidFile, "mlp_width %lld out of range",
            (long long)c.mlp_width);
  GRF_CHECK(in_range(c.conv1d_width), kInvalidFile, "conv1d_width %lld out of range",
            (long long)c.conv1d_width);
  GRF_CHECK(in_range(c.vocab_size), kInvalidFile, "vocab_size %lld out of range",
            (long long)c.vocab_size);
  GRF_CHECK(static_cast<int64_t>(c.block_types.size()) == c.depth, kInvalidFile,
            "%zu block types for depth %lld", c.block_types.size(), (long long)c.depth);
  if (c.count_layers(BlockType::kLocalAttention) > 0) {
    GRF_CHECK(in_range(c.attention_window), kInvalidFile,
              "attention_window %lld out of range for a model with local attention",
              (long long)c.attention_window);
  }
  GRF_CHECK(std::isfinite(c.rope_theta) && c.rope_theta > 0, kInvalidFile,
            "rope_theta %g must be positive", c.rope_theta);
  GRF_CHECK(c.partial_rotary_factor >= 0 && c.partial_rotary_factor <= 1, kInvalidFile,
            "partial_rotary_factor %g must lie in [0, 1]", c.partial_rotary_factor);
  GRF_CHECK(std::isfinite(c.logits_soft_cap) && c.logits_soft_cap >= 0, kInvalidFile,
            "logits_soft_cap %g must be >= 0", c.logits_soft_cap);
  GRF_CHECK(std::isfinite(c.embedding_scale) && c.embedding_scale > 0, kInvalidFile,
            "embedding_scale %g must be positive", c.embedding_scale);
  GRF_CHECK(std::isfinite(c.rms_norm_eps) && c.rms_norm_eps > 0, kInvalidFile,
            "rms_norm_eps %g must be positive", c.rms_norm_eps);
  return Status::ok_status();
}

namespace {

std::vector<BlockType> cycle_pattern(int64_t depth, const std::vector<BlockType>& pattern) {
  std::vector<BlockType> types;
  for (int64_t i = 0; i < depth; ++i) types.push_back(pattern[i % pattern.size()]);
  return types;
}

// RecurrentGemma shapes (docs/griffin-math.md §1); the block pattern is filled in by the caller.
ModelConfig recurrentgemma_shape(int64_t width, int64_t depth, int64_t heads) {
  ModelConfig c;
  c.width = width;
  c.depth = depth;
  c.num_heads = heads;
  c.num_kv_heads = 1;
  c.head_dim = 256;
  c.lru_width = width;
  c.mlp_width = 3 * width;
  c.conv1d_width = 4;
  c.attention_window = 2048;
  c.vocab_size = 256000;
  c.embedding_scale = embedding_scale_for_width(width);
  return c;
}

}  // namespace

std::vector<std::string> preset_names() {
  return {"recurrentgemma-2b", "recurrentgemma-9b",  "hawk-2b",    "hawk-9b",
          "mqa-transformer-2b", "mqa-transformer-9b", "griffin-tiny"};
}

Result<ModelConfig> preset_config(const std::string& name) {
  const std::vector<BlockType> griffin = {BlockType::kRecurrent, BlockType::kRecurrent,
                                          BlockType::kLocalAttention};
  struct Size {
    const char* suffix;
    int64_t width, depth, heads;
  };
  for (const Size& size : {Size{"2b", 2560, 26, 10}, Size{"9b", 4096, 38, 16}}) {
    ModelConfig c = recurrentgemma_shape(size.width, size.depth, size.heads);
    const std::string suffix = size.suffix;
    if (name == "recurrentgemma-" + suffix) {
      c.block_types = cycle_pattern(c.depth, griffin);
      return c;
    }
    if (name == "hawk-" + suffix) {
      c.block_types = cycle_pattern(c.depth, {BlockType::kRecurrent});
      return c;
    }
    if (name == "mqa-transformer-" + suffix) {
      c.block_types = cycle_pattern(c.depth, {BlockType::kGlobalAttention});
      return c;
    }
  }
  if (name == "griffin-tiny") {
    ModelConfig c;
    c.width = 64;
    c.depth = 6;
    c.num_heads = 4;
    c.num_kv_heads = 1;
    c.head_dim = 16;
    c.lru_width = 96;
    c.mlp_width = 192;
    c.conv1d_width = 4;
    c.attention_window = 32;
    c.vocab_size = 512;
    c.embedding_scale = embedding_scale_for_width(c.width);
    c.block_types = cycle_pattern(c.depth, griffin);
    return c;
  }
  std::string known;
  for (const std::string& preset : preset_names()) known += (known.empty() ? "" : ", ") + preset;
  return make_status(StatusCode::kNotFound, "unknown preset '%s' (known: %s)", name.c_str(),
                     known.c_str());
}

}  // namespace griffin
