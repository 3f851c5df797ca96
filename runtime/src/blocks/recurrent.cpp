// The recurrent block (docs/griffin-math.md §7.1-§7.3): two branches from the same normed input,
// y = gelu(linear_y z) and u = linear_x z -> causal conv1d -> RG-LRU, then linear_out(h ⊙ y).
#include "runtime/src/forward.h"
#include "runtime/src/kernels/ops.h"

namespace griffin {

Status recurrent_block(const Model& model, const LayerWeights& w, LayerState& layer,
                       SessionState& s, size_t count) {
  const ModelConfig& c = model.config();
  const size_t width = static_cast<size_t>(c.lru_width);
  const size_t block = width / static_cast<size_t>(c.num_heads);
  float* y = s.wide_a;   // [T, L] gate branch
  float* u = s.wide_b;   // [T, L] recurrence input
  float* v = s.wide_c;   // [T, L] conv output
  GRF_RETURN_IF_ERROR(w.linear_y.run(count, s.normed, y, s.linear));
  GRF_RETURN_IF_ERROR(w.linear_x.run(count, s.normed, u, s.linear));
  // §7.2 causal depthwise conv, history of K-1 inputs carried in the state.
  ops::conv1d_causal(count, width, static_cast<size_t>(c.conv1d_width), w.conv_taps.data(),
                     w.conv_bias.data(), u, layer.conv_state, v);
  // §7.3 block-diagonal gates: block h maps v[:, h·b:(h+1)·b] to the same columns.
  for (size_t h = 0; h < w.gate_r_blocks.size(); ++h) {
    GRF_RETURN_IF_ERROR(w.gate_r_blocks[h].run(count, v + h * block, s.gate_r + h * block, s.linear));
    GRF_RETURN_IF_ERROR(w.gate_i_blocks[h].run(count, v + h * block, s.gate_i + h * block, s.linear));
  }
  // §7.3 RG-LRU scan, h kept in f32; the output overwrites the input gate row by row.
  float* h = s.gate_i;
  ops::rglru_scan(count, width, s.gate_r, s.gate_i, v, w.neg_c_softplus.data(), s.positions,
                  layer.rglru_state, h);
  ops::gelu_gate(count * width, y, h, y);  // gelu(y) ⊙ h
  return w.linear_out.run(count, y, s.mix, s.linear);
}

}  // namespace griffin
