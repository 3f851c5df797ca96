// Expected tensor list of a Griffin-family model (docs/griffin-math.md §2).
#include "format/tensor_specs.h"

namespace griffin {

namespace {

class SpecList {
 public:
  void add(std::string name, std::vector<int64_t> shape, TensorRole role, int64_t fan_in = 0) {
    specs_.push_back(TensorSpec{std::move(name), std::move(shape), role, fan_in});
  }
  // A linear map with PyTorch layout: weight [out, in] and, when present, bias [out].
  void add_linear(const std::string& prefix, int64_t out, int64_t in, bool bias) {
    add(prefix + ".weight", {out, in}, TensorRole::kMatrix, in);
    if (bias) add(prefix + ".bias", {out}, TensorRole::kBias, in);
  }
  std::vector<TensorSpec> take() { return std::move(specs_); }

 private:
  std::vector<TensorSpec> specs_;
};

}  // namespace

std::vector<TensorSpec> expected_tensors(const ModelConfig& c) {
  SpecList list;
  list.add("model.embed_tokens.weight", {c.vocab_size, c.width}, TensorRole::kEmbedding, c.width);
  const int64_t block_width = c.num_heads > 0 ? c.lru_width / c.num_heads : 0;
  for (int64_t layer = 0; layer < static_cast<int64_t>(c.block_types.size()); ++layer) {
    const std::string prefix = "model.layers." + std::to_string(layer) + ".";
    list.add(prefix + "temporal_pre_norm.weight", {c.width}, TensorRole::kNormScale);
    const std::string block = prefix + "temporal_block.";
    if (c.block_types[layer] == BlockType::kRecurrent) {
      list.add_linear(block + "linear_y", c.lru_width, c.width, true);
      list.add_linear(block + "linear_x", c.lru_width, c.width, true);
      list.add_linear(block + "linear_out", c.width, c.lru_width, true);
      list.add(block + "conv_1d.weight", {c.lru_width, 1, c.conv1d_width}, TensorRole::kConvWeight,
               c.conv1d_width);
      list.add(block + "conv_1d.bias", {c.lru_width}, TensorRole::kConvBias);
      list.add(block + "rg_lru.recurrent_param", {c.lru_width}, TensorRole::kRecurrentParam);
      for (const char* gate : {"recurrent_gate", "input_gate"}) {
        list.add(block + "rg_lru." + gate + "_weight", {c.num_heads, block_width, block_width},
                 TensorRole::kGateWeight, block_width);
        list.add(block + "rg_lru." + gate + "_bias", {c.num_heads, block_width},
                 TensorRole::kGateBias);
      }
    } else {
      list.add_linear(block + "q_proj", c.num_heads * c.head_dim, c.width, false);
      list.add_linear(block + "k_proj", c.num_kv_heads * c.head_dim, c.width, false);
      list.add_linear(block + "v_proj", c.num_kv_heads * c.head_dim, c.width, false);
      list.add_linear(block + "o_proj", c.width, c.num_heads * c.head_dim, true);
    }
    list.add(prefix + "channel_pre_norm.weight", {c.width}, TensorRole::kNormScale);
    list.add_linear(prefix + "mlp_block.gate_proj", c.mlp_width, c.width, true);
    list.add_linear(prefix + "mlp_block.up_proj", c.mlp_width, c.width, true);
    list.add_linear(prefix + "mlp_block.down_proj", c.width, c.mlp_width, true);
  }
  list.add("model.final_norm.weight", {c.width}, TensorRole::kNormScale);
  return list.take();
}

int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) count *= dim;
  return count;
}

std::string shape_string(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return text + "]";
}

bool role_takes_weight_dtype(TensorRole role) {
  return role == TensorRole::kEmbedding || role == TensorRole::kMatrix ||
         role == TensorRole::kGateWeight;
}

}  // namespace griffin

namespace griffin {

DType storage_dtype(TensorRole role, DType matrices, DType embedding) {
  switch (role) {
    case TensorRole::kEmbedding: return embedding;
    case TensorRole::kMatrix: return matrices;
    case TensorRole::kGateWeight:
      return matrices == DType::kInt8 || matrices == DType::kInt4 ? DType::kF32 : matrices;
    default: return DType::kF32;
  }
}

}  // namespace griffin
