// The gated MLP (docs/griffin-math.md §6): down(gelu_tanh(gate(z)) ⊙ up(z)).
#include "runtime/src/forward.h"
#include "runtime/src/kernels/parallel-ops.h"

namespace griffin {

Status mlp_block(const LayerWeights& w, size_t hidden, RowScratch& r, size_t count) {
  float* gate = r.wide_a;  // [rows, E]
  float* up = r.wide_b;    // [rows, E]
  const Linear::SharedInputCall gate_up[] = {{&w.mlp_gate, gate}, {&w.mlp_up, up}};
  GRF_RETURN_IF_ERROR(Linear::run_shared_input(gate_up, 2, count, r.normed, r.linear));
  ops::parallel_gelu_gate(r.linear.pool, r.linear.kernels->tanh.gelu_gate, count * hidden, gate, up,
                          gate);
  return w.mlp_down.run(count, gate, r.mix, r.linear);
}

}  // namespace griffin
