// The forward pass: embed, residual blocks, final norm, tied unembedding, soft cap
// (docs/griffin-math.md §3). Prefill and decode both come through forward_chunk().
#include "runtime/src/forward.h"

#include <cstring>

#include "format/quant.h"
#include "runtime/src/kernels/ops.h"

namespace griffin {

namespace {

// §4: r = x + temporal(norm(x)); x' = r + mlp(norm(r)).
Status residual_block(const Model& model, size_t layer_index, SessionState& state, size_t count) {
  const ModelConfig& c = model.config();
  const LayerWeights& weights = model.layers()[layer_index];
  LayerState& layer = state.layers[layer_index];
  const size_t width = static_cast<size_t>(c.width);
  ops::rmsnorm(count, width, state.x, weights.temporal_norm_scale.data(), c.rms_norm_eps,
               state.normed);
  if (weights.type == BlockType::kRecurrent) {
    GRF_RETURN_IF_ERROR(recurrent_block(model, weights, layer, state, count));
  } else {
    GRF_RETURN_IF_ERROR(attention_block(model, weights, layer, state, count));
  }
  ops::add_inplace(count * width, state.x, state.mix);
  ops::rmsnorm(count, width, state.x, weights.channel_norm_scale.data(), c.rms_norm_eps,
               state.normed);
  GRF_RETURN_IF_ERROR(mlp_block(model, weights, state, count));
  ops::add_inplace(count * width, state.x, state.mix);
  return Status::ok_status();
}

}  // namespace

Status forward_chunk(const Model& model, SessionState& state, const int32_t* tokens, size_t count,
                     float* all_logits) {
  const ModelConfig& c = model.config();
  const size_t width = static_cast<size_t>(c.width);
  const size_t vocab = static_cast<size_t>(c.vocab_size);
  const TensorView& embedding = model.embedding();
  const DType embedding_dtype = embedding.record->dtype;
  // §3.1: x = E[token] · bf16(√D), read straight from the mapped table in its stored form.
  for (size_t t = 0; t < count; ++t) {
    state.positions[t] = state.counters->position + static_cast<int64_t>(t);
    float* x = state.x + t * width;
    if (is_quantized(embedding_dtype)) {
      dequantize_row(embedding_dtype, static_cast<const uint8_t*>(embedding.data),
                     model.embedding_layout(), tokens[t], x);
    } else {
      convert_elements(embedding_dtype,
                       static_cast<const uint8_t*>(embedding.data) +
                           static_cast<size_t>(tokens[t]) * width * dtype_size(embedding_dtype),
                       DType::kF32, x, width);
    }
    for (size_t i = 0; i < width; ++i) x[i] *= c.embedding_scale;
  }
  for (size_t layer = 0; layer < model.layers().size(); ++layer) {
    GRF_RETURN_IF_ERROR(residual_block(model, layer, state, count));
  }
  // §3.3-§3.5: final norm, logits = x · E_tokᵀ, soft cap. Only the rows that are wanted.
  const size_t first = all_logits ? 0 : count - 1;
  const size_t rows = count - first;
  ops::rmsnorm(rows, width, state.x + first * width, model.final_norm_scale().data(),
               c.rms_norm_eps, state.normed);
  float* out = all_logits ? all_logits : state.logits;
  GRF_RETURN_IF_ERROR(model.unembedding().run(rows, state.normed, out, state.linear));
  ops::soft_cap(rows * vocab, c.logits_soft_cap, out);
  if (all_logits)
    std::memcpy(state.logits, all_logits + (count - 1) * vocab, vocab * sizeof(float));
  state.counters->position += static_cast<int64_t>(count);
  return Status::ok_status();
}

}  // namespace griffin
