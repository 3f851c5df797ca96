// The gated MLP (docs/griffin-math.md §6): down(gelu_tanh(gate(z)) ⊙ up(z)).
#include "runtime/src/forward.h"
#include "runtime/src/kernels/ops.h"

namespace griffin {

Status mlp_block(const Model& model, const LayerWeights& w, SessionState& s, size_t count) {
  const size_t hidden = static_cast<size_t>(model.config().mlp_width);
  float* gate = s.wide_a;  // [T, E]
  float* up = s.wide_b;    // [T, E]
  GRF_RETURN_IF_ERROR(w.mlp_gate.run(count, s.normed, gate, s.linear));
  GRF_RETURN_IF_ERROR(w.mlp_up.run(count, s.normed, up, s.linear));
  ops::gelu_gate(count * hidden, gate, up, gate);
  return w.mlp_down.run(count, gate, s.mix, s.linear);
}

}  // namespace griffin
