// Multiply-accumulates per prompt token (model_macs.h).
#include "examples/bench/model_macs.h"

namespace griffin_tools {

double prefill_macs_per_token(const griffin_model_info& info, int32_t prompt_tokens) {
  const double d = info.width, l = info.lru_width, m = info.mlp_width, v = info.vocab_size;
  const double heads = info.num_heads, kv_heads = info.num_kv_heads, head_dim = info.head_dim;
  // Recurrent block: linear_x and linear_y (D -> L), linear_out (L -> D), and two gates that are
  // block-diagonal with `heads` blocks of (L / heads)².
  const double recurrent = 3.0 * d * l + (heads > 0 ? 2.0 * l * l / heads : 0.0);
  // Attention block: q and o (D <-> heads · head_dim), k and v (D -> kv_heads · head_dim).
  const double attention = 2.0 * d * heads * head_dim + 2.0 * d * kv_heads * head_dim;
  const double mlp = 3.0 * d * m;  // gate, up (D -> M) and down (M -> D)
  const double attention_layers =
      static_cast<double>(info.num_local_attention_layers) + info.num_global_attention_layers;
  const double per_token =
      info.num_recurrent_layers * recurrent + attention_layers * attention + info.depth * mlp;
  return per_token + (prompt_tokens > 0 ? v * d / prompt_tokens : 0.0);
}

}  // namespace griffin_tools
