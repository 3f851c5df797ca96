// Every tensor a Griffin-family model has, with its Hugging Face name and shape, derived from the
// config alone (docs/griffin-math.md §2). The converter checks checkpoints against this list, the
// synthetic generator fills it, and the runtime verifies .griffin files with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/dtype.h"
#include "format/model_config.h"

namespace griffin {

// What a tensor is used for: decides its storage dtype and how synthetic weights are drawn.
enum class TensorRole : uint8_t {
  kEmbedding,       // [V, D], also the tied output projection
  kNormScale,       // [D], RMSNorm g (applied as 1 + g)
  kMatrix,          // [out, in] linear weight
  kBias,            // [out] linear bias
  kConvWeight,      // [L, 1, K] depthwise conv taps
  kConvBias,        // [L]
  kRecurrentParam,  // [L] Λ' of the RG-LRU
  kGateWeight,      // [H, L/H, L/H] block-diagonal gate, [block, in, out]
  kGateBias,        // [H, L/H]
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  TensorRole role;
  int64_t fan_in;  // inputs per output, for weight initialisation scales
};

// Canonical order: embedding, then each layer's tensors, then the final norm.
std::vector<TensorSpec> expected_tensors(const ModelConfig& config);

int64_t element_count(const std::vector<int64_t>& shape);
std::string shape_string(const std::vector<int64_t>& shape);  // "[2560, 256]"

// Weights of matrix products (embedding, linears, RG-LRU gates) take the file's weight dtype;
// norm scales, biases, conv taps and Λ' stay f32: they are tiny and precision-sensitive.
bool role_takes_weight_dtype(TensorRole role);

// The storage dtype of a tensor under a recipe: linear weights take `matrices`, the embedding
// takes `embedding`, the RG-LRU gate blocks take `matrices` when it is a float type and stay f32
// under int8/int4, everything else is f32.
DType storage_dtype(TensorRole role, DType matrices, DType embedding);

}  // namespace griffin
