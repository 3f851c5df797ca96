// The recurrent block (docs/griffin-math.md §7.1-§7.3): two branches from the same normed input,
// y = gelu(linear_y z) and u = linear_x z -> causal conv1d -> RG-LRU, then linear_out(h ⊙ y).
// The maps run over all rows at once; conv and scan run per sequence, on its own state.
#include <algorithm>
#include <array>

#include "runtime/src/forward.h"
#include "runtime/src/kernels/ops.h"
#include "runtime/src/kernels/parallel-ops.h"

namespace griffin {

Status recurrent_block(const Model& model, const LayerWeights& w, size_t layer_index, RowScratch& r,
                       const Sequences& sequences) {
  const ModelConfig& c = model.config();
  const size_t width = static_cast<size_t>(c.lru_width);
  const size_t block = width / static_cast<size_t>(c.num_heads);
  const size_t count = sequences.rows();
  const size_t tokens = sequences.tokens_each;
  float* y = r.wide_a;  // [rows, L] gate branch
  float* u = r.wide_b;  // [rows, L] recurrence input
  float* v = r.wide_c;  // [rows, L] conv output
  const Linear::SharedInputCall branches[] = {{&w.linear_y, y}, {&w.linear_x, u}};
  GRF_RETURN_IF_ERROR(Linear::run_shared_input(branches, 2, count, r.normed, r.linear));
  // §7.2 causal depthwise conv, history of K-1 inputs carried in each sequence's state.
  for (size_t i = 0; i < sequences.count; ++i) {
    const size_t first = sequences.first_row(i) * width;
    ops::conv1d_causal(tokens, width, static_cast<size_t>(c.conv1d_width), w.conv_taps.data(),
                       w.conv_bias.data(), u + first,
                       sequences.states[i]->layers[layer_index].conv_state, v + first);
  }
  // §7.3 block-diagonal gates: block h maps v[:, h·b:(h+1)·b] to the same columns. The 2·H
  // blocks go to the pool together (Linear::run_blocks), up to kMaxBlockCalls at a time.
  const size_t heads = w.gate_r_blocks.size();
  std::array<Linear::BlockCall, Linear::kMaxBlockCalls> gates;
  for (size_t h0 = 0; h0 < heads; h0 += gates.size() / 2) {
    const size_t n = std::min(heads - h0, gates.size() / 2);
    for (size_t i = 0; i < n; ++i) {
      const size_t h = h0 + i;
      gates[2 * i] = {&w.gate_r_blocks[h], v + h * block, r.gate_r + h * block};
      gates[2 * i + 1] = {&w.gate_i_blocks[h], v + h * block, r.gate_i + h * block};
    }
    GRF_RETURN_IF_ERROR(Linear::run_blocks(gates.data(), 2 * n, count, r.linear));
  }
  // §7.3 RG-LRU scan, h kept in f32; the output overwrites the input gate row by row.
  float* h = r.gate_i;
  for (size_t i = 0; i < sequences.count; ++i) {
    const size_t first = sequences.first_row(i) * width;
    SessionState& state = *sequences.states[i];
    ops::parallel_rglru_scan(r.linear.pool, r.linear.kernels->rglru.scan, tokens, width,
                             r.gate_r + first, r.gate_i + first, v + first, w.neg_c_softplus.data(),
                             state.positions, state.layers[layer_index].rglru_state, h + first);
  }
  ops::parallel_gelu_gate(r.linear.pool, r.linear.kernels->tanh.gelu_gate, count * width, y, h,
                          y);  // gelu(y) ⊙ h
  return w.linear_out.run(count, y, r.mix, r.linear);
}

}  // namespace griffin
