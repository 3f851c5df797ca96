// The forward pass: embed, residual blocks, final norm, tied unembedding, soft cap
// (docs/griffin-math.md §3). Prefill and decode come through forward_chunk(), batch decode
// through forward_batch(); both run forward_rows() over stacked rows.
#include "runtime/src/forward.h"

#include <cstring>

#include "format/quant.h"
#include "runtime/src/kernels/ops.h"
#include "runtime/src/kernels/parallel-ops.h"

namespace griffin {

namespace {

// §4: r = x + temporal(norm(x)); x' = r + mlp(norm(r)).
Status residual_block(const Model& model, size_t layer_index, RowScratch& r,
                      const Sequences& sequences) {
  const ModelConfig& c = model.config();
  const LayerWeights& weights = model.layers()[layer_index];
  const size_t width = static_cast<size_t>(c.width);
  const size_t count = sequences.rows();
  ops::parallel_add_rmsnorm(r.linear.pool, count, width, r.x, nullptr,
                            weights.temporal_norm_scale.data(), c.rms_norm_eps, r.normed);
  if (weights.type == BlockType::kRecurrent) {
    GRF_RETURN_IF_ERROR(recurrent_block(model, weights, layer_index, r, sequences));
  } else {
    GRF_RETURN_IF_ERROR(attention_block(model, weights, layer_index, r, sequences));
  }
  ops::parallel_add_rmsnorm(r.linear.pool, count, width, r.x, r.mix,
                            weights.channel_norm_scale.data(), c.rms_norm_eps, r.normed);
  GRF_RETURN_IF_ERROR(mlp_block(weights, static_cast<size_t>(c.mlp_width), r, count));
  ops::add_inplace(count * width, r.x, r.mix);
  return Status::ok_status();
}

// §3.1-§4 for every row: x = E[token] · bf16(√D), read straight from the mapped table in its
// stored form, then every layer. Each sequence's positions are set from its counter.
Status forward_rows(const Model& model, RowScratch& r, const Sequences& sequences,
                    const int32_t* tokens) {
  const ModelConfig& c = model.config();
  const size_t width = static_cast<size_t>(c.width);
  const TensorView& embedding = model.embedding();
  const DType embedding_dtype = embedding.record->dtype;
  for (size_t row = 0; row < sequences.rows(); ++row) {
    SessionState& state = *sequences.states[row / sequences.tokens_each];
    const size_t t = row % sequences.tokens_each;
    state.positions[t] = state.counters->position + static_cast<int64_t>(t);
    float* x = r.x + row * width;
    if (is_quantized(embedding_dtype)) {
      dequantize_row(embedding_dtype, static_cast<const uint8_t*>(embedding.data),
                     model.embedding_layout(), tokens[row], x);
    } else {
      convert_elements(embedding_dtype,
                       static_cast<const uint8_t*>(embedding.data) +
                           static_cast<size_t>(tokens[row]) * width * dtype_size(embedding_dtype),
                       DType::kF32, x, width);
    }
    for (size_t i = 0; i < width; ++i) x[i] *= c.embedding_scale;
  }
  for (size_t layer = 0; layer < model.layers().size(); ++layer) {
    GRF_RETURN_IF_ERROR(residual_block(model, layer, r, sequences));
  }
  return Status::ok_status();
}

// §3.3-§3.5: final norm, logits = x · E_tokᵀ, soft cap, for `rows` rows from row `first`.
Status unembed(const Model& model, RowScratch& r, size_t first, size_t rows, float* out) {
  const ModelConfig& c = model.config();
  const size_t width = static_cast<size_t>(c.width);
  ops::rmsnorm(rows, width, r.x + first * width, model.final_norm_scale().data(), c.rms_norm_eps,
               r.normed);
  GRF_RETURN_IF_ERROR(model.unembedding().run(rows, r.normed, out, r.linear));
  ops::parallel_soft_cap(r.linear.pool, r.linear.kernels->tanh.soft_cap,
                         rows * static_cast<size_t>(c.vocab_size), c.logits_soft_cap, out);
  return Status::ok_status();
}

// The logits of a prefill's last token, which read the whole embedding for one row as a decoded
// token's do: so they run the decode kernels (GemmArgs::decode). The integer prefill kernels'
// tiles took 2 % of a 2B int4 prefill of 256 tokens for this one row. Every token's logits
// (all_logits) stay on the prefill kernels, so that chunking changes none of their bits; the
// last row of those and these agree to float rounding.
Status unembed_last_token(const Model& model, RowScratch& r, size_t row, float* out) {
  const bool decode = r.linear.decode;
  r.linear.decode = true;
  const Status status = unembed(model, r, row, 1, out);
  r.linear.decode = decode;
  return status;
}

}  // namespace

Status forward_chunk(const Model& model, SessionState& state, const int32_t* tokens, size_t count,
                     float* all_logits, bool last_logits) {
  const size_t vocab = static_cast<size_t>(model.config().vocab_size);
  SessionState* const one[] = {&state};
  GRF_RETURN_IF_ERROR(forward_rows(model, state.rows, Sequences{one, 1, count}, tokens));
  // Only the rows that are wanted: every token's, the last one's, or none.
  if (all_logits) {
    GRF_RETURN_IF_ERROR(unembed(model, state.rows, 0, count, all_logits));
    std::memcpy(state.logits, all_logits + (count - 1) * vocab, vocab * sizeof(float));
  } else if (last_logits) {
    GRF_RETURN_IF_ERROR(unembed_last_token(model, state.rows, count - 1, state.logits));
  }
  state.counters->position += static_cast<int64_t>(count);
  return Status::ok_status();
}

Status chunk_row_logits(const Model& model, SessionState& state, size_t row) {
  return unembed_last_token(model, state.rows, row, state.logits);
}

Status forward_batch(const Model& model, RowScratch& rows, const Sequences& sequences,
                     const int32_t* tokens) {
  const size_t vocab = static_cast<size_t>(model.config().vocab_size);
  GRF_RETURN_IF_ERROR(forward_rows(model, rows, sequences, tokens));
  GRF_RETURN_IF_ERROR(unembed(model, rows, 0, sequences.count, rows.logits));
  for (size_t i = 0; i < sequences.count; ++i) {
    SessionState& state = *sequences.states[i];
    std::memcpy(state.logits, rows.logits + i * vocab, vocab * sizeof(float));
    state.counters->position += 1;
  }
  return Status::ok_status();
}

}  // namespace griffin
