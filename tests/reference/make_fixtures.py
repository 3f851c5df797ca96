"""Writes the golden test fixtures in tests/data/fixtures/<name>/ (DESIGN.md §6, STYLE.md "Golden fixtures").

Each fixture is a tiny random Hugging Face-layout RecurrentGemma checkpoint (config.json + F32
model.safetensors, tensor names from docs/griffin-math.md §2) plus tokens.json and logits.npy, the expected
soft-capped logits [T, V] of the float64 reference (griffin_ref.py) for the full sequence.

Run from the repository root:  /usr/bin/python3 tests/reference/make_fixtures.py
Deterministic: re-running rewrites byte-identical files.
"""

import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import griffin_ref as ref  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "fixtures")
BASE_SPLITS = (1, 2, 3, 7, 16)
DECODE_TOL = 1e-10  # float64 decode vs full pass (observed ~1e-13)

R, A, G = "recurrent", "attention", "global_attention"

# Per-fixture config. Keys mirror the HF config.json ones; `E` is the MLP width (intermediate_size = 2E).
FIXTURES = [
    dict(name="griffin", seed=1001, T=24, target=28.0,
         description="Griffin pattern (R,R,A)x2, MQA (1 KV head), lru_width != width, window 5 < T "
                     "so the KV ring wraps several times",
         cfg=dict(vocab_size=80, hidden_size=16, num_hidden_layers=6, num_attention_heads=2,
                  num_key_value_heads=1, head_dim=8, lru_width=24, E=32, conv1d_width=4,
                  attention_window_size=5, partial_rotary_factor=0.5, rope_theta=10000.0,
                  logits_soft_cap=30.0, embeddings_scale_by_sqrt_dim=True, block_types=[R, R, A])),
    dict(name="hawk", seed=1002, T=20, target=22.0,
         description="Hawk: all recurrent; no embedding scaling and no soft cap (logits_soft_cap 0)",
         cfg=dict(vocab_size=72, hidden_size=16, num_hidden_layers=3, num_attention_heads=2,
                  num_key_value_heads=1, head_dim=8, lru_width=24, E=24, conv1d_width=4,
                  attention_window_size=8, partial_rotary_factor=0.5, rope_theta=10000.0,
                  logits_soft_cap=0.0, embeddings_scale_by_sqrt_dim=False, block_types=[R])),
    dict(name="mqa", seed=1003, T=20, target=28.0,
         description="MQA Transformer baseline: all global_attention (full causal, the window of 4 in "
                     "the config must be ignored), 1 KV head, rope_theta 500",
         cfg=dict(vocab_size=64, hidden_size=24, num_hidden_layers=3, num_attention_heads=3,
                  num_key_value_heads=1, head_dim=8, lru_width=24, E=32, conv1d_width=4,
                  attention_window_size=4, partial_rotary_factor=0.5, rope_theta=500.0,
                  logits_soft_cap=30.0, embeddings_scale_by_sqrt_dim=True, block_types=[G])),
    dict(name="gqa", seed=1004, T=24, target=28.0,
         description="Griffin pattern cycled over 4 layers (R,R,A,R), GQA: 4 heads / 2 KV heads, "
                     "lru_width < width, window 6",
         cfg=dict(vocab_size=64, hidden_size=32, num_hidden_layers=4, num_attention_heads=4,
                  num_key_value_heads=2, head_dim=8, lru_width=16, E=24, conv1d_width=4,
                  attention_window_size=6, partial_rotary_factor=0.5, rope_theta=10000.0,
                  logits_soft_cap=30.0, embeddings_scale_by_sqrt_dim=True, block_types=[R, R, A])),
    dict(name="conv3", seed=1005, T=22, target=28.0,
         description="lru_width == width, conv1d_width 3, head_dim 8 with partial_rotary_factor 0.5, "
                     "3 heads / 3 KV heads, pattern (A,R) cycled so layer 0 is attention, window 7; "
                     "block pattern stored under the key _block_types as in the released 2B config",
         block_key="_block_types",
         cfg=dict(vocab_size=80, hidden_size=24, num_hidden_layers=3, num_attention_heads=3,
                  num_key_value_heads=3, head_dim=8, lru_width=24, E=32, conv1d_width=3,
                  attention_window_size=7, partial_rotary_factor=0.5, rope_theta=10000.0,
                  logits_soft_cap=30.0, embeddings_scale_by_sqrt_dim=True, block_types=[A, R])),
    dict(name="longwin", seed=1006, T=100, target=28.0,
         description="keys across the runtime's 64-position attention blocks: window 45 "
                     "(a query sees 46 keys, the window's start crossing block boundaries), a global "
                     "layer that reaches 100 keys, 5 heads / 1 KV head (odd, so heads pair up with one "
                     "left over), head_dim 16",
         cfg=dict(vocab_size=64, hidden_size=24, num_hidden_layers=3, num_attention_heads=5,
                  num_key_value_heads=1, head_dim=16, lru_width=20, E=32, conv1d_width=4,
                  attention_window_size=45, partial_rotary_factor=0.5, rope_theta=10000.0,
                  logits_soft_cap=30.0, embeddings_scale_by_sqrt_dim=True, block_types=[R, A, G])),
]


def hf_config(spec):
    """A config.json dict with the keys and defaults Hugging Face writes for RecurrentGemma (§1)."""
    c = dict(spec["cfg"])
    E = c.pop("E")
    blocks = c.pop("block_types")
    c.update(intermediate_size=2 * E, rms_norm_eps=1e-6, pad_token_id=0, eos_token_id=1, bos_token_id=2,
             hidden_activation="gelu_pytorch_tanh", attention_bias=False, attention_dropout=0.0,
             w_init_variance_scale=0.01, final_w_init_variance_scale=2.0 / c["num_hidden_layers"],
             use_cache=True, tie_word_embeddings=True, torch_dtype="float32",
             model_type="recurrent_gemma", architectures=["RecurrentGemmaForCausalLM"])
    c[spec.get("block_key", "block_types")] = blocks
    return c


def random_weights(rng, cfg):
    """Seeded random weights in the HF layout (§2). Linear weights ~ N(0, 1/fan_in), small biases, base
    decay a = exp(-softplus(Λ')) uniform in [0.9, 0.999] (§7.3), norm scales g ~ N(0, 0.1^2)."""
    D, L, E, H = cfg.width, cfg.lru_width, cfg.mlp_width, cfg.num_heads
    W = {}

    def dense(name, out_f, in_f, bias=True):
        W[name + ".weight"] = rng.normal(0.0, 1.0 / math.sqrt(in_f), (out_f, in_f))
        if bias:
            W[name + ".bias"] = rng.normal(0.0, 0.05, out_f)

    W["model.embed_tokens.weight"] = rng.normal(0.0, 1.0 / math.sqrt(D), (cfg.vocab_size, D))
    for li, kind in enumerate(cfg.block_types):
        p = f"model.layers.{li}."
        t = p + "temporal_block."
        W[p + "temporal_pre_norm.weight"] = rng.normal(0.0, 0.1, D)
        if kind == "recurrent":
            dense(t + "linear_y", L, D)
            dense(t + "linear_x", L, D)
            K = cfg.conv_width
            W[t + "conv_1d.weight"] = rng.normal(0.0, 1.0 / math.sqrt(K), (L, 1, K))
            W[t + "conv_1d.bias"] = rng.normal(0.0, 0.05, L)
            a = rng.uniform(0.9005, 0.9985, L)             # margin so float32 rounding stays in range
            W[t + "rg_lru.recurrent_param"] = np.log((1.0 - a) / a)  # a = sigmoid(-Λ') = exp(-softplus(Λ'))
            bw = L // H
            for g in ("recurrent_gate", "input_gate"):
                W[t + f"rg_lru.{g}_weight"] = rng.normal(0.0, 1.0 / math.sqrt(bw), (H, bw, bw))
                W[t + f"rg_lru.{g}_bias"] = rng.normal(0.0, 0.05, (H, bw))
            dense(t + "linear_out", D, L)
        else:
            hd, kv = cfg.head_dim, cfg.num_kv_heads
            dense(t + "q_proj", H * hd, D, bias=False)
            dense(t + "k_proj", kv * hd, D, bias=False)
            dense(t + "v_proj", kv * hd, D, bias=False)
            dense(t + "o_proj", D, H * hd)
        W[p + "channel_pre_norm.weight"] = rng.normal(0.0, 0.1, D)
        dense(p + "mlp_block.gate_proj", E, D)
        dense(p + "mlp_block.up_proj", E, D)
        dense(p + "mlp_block.down_proj", D, E)
    W["model.final_norm.weight"] = rng.normal(0.0, 0.1, D)
    return {k: v.astype(np.float32) for k, v in W.items()}


def f64(W32):
    return {k: v.astype(np.float64) for k, v in W32.items()}


def calibrate_final_norm(cfg, W32, tokens, target):
    """Scale (1 + g_final) so the largest pre-cap logit is about `target`: the logits are linear in
    (1 + g_final), so one reference pass gives the factor."""
    pre = ref.forward(cfg, f64(W32), tokens, capped=False)
    s = target / np.abs(pre).max()
    g = W32["model.final_norm.weight"].astype(np.float64)
    W32["model.final_norm.weight"] = (s * (1.0 + g) - 1.0).astype(np.float32)


def check_layout(cfg, W32):
    """Every tensor name/shape from §2 present exactly once, nothing else (no lm_head.weight)."""
    D, L, E, H, hd, K = cfg.width, cfg.lru_width, cfg.mlp_width, cfg.num_heads, cfg.head_dim, cfg.conv_width
    want = {"model.embed_tokens.weight": (cfg.vocab_size, D), "model.final_norm.weight": (D,)}
    for li, kind in enumerate(cfg.block_types):
        p, t = f"model.layers.{li}.", f"model.layers.{li}.temporal_block."
        want.update({p + "temporal_pre_norm.weight": (D,), p + "channel_pre_norm.weight": (D,),
                     p + "mlp_block.gate_proj.weight": (E, D), p + "mlp_block.gate_proj.bias": (E,),
                     p + "mlp_block.up_proj.weight": (E, D), p + "mlp_block.up_proj.bias": (E,),
                     p + "mlp_block.down_proj.weight": (D, E), p + "mlp_block.down_proj.bias": (D,)})
        if kind == "recurrent":
            want.update({t + "linear_y.weight": (L, D), t + "linear_y.bias": (L,),
                         t + "linear_x.weight": (L, D), t + "linear_x.bias": (L,),
                         t + "conv_1d.weight": (L, 1, K), t + "conv_1d.bias": (L,),
                         t + "rg_lru.recurrent_param": (L,),
                         t + "rg_lru.recurrent_gate_weight": (H, L // H, L // H),
                         t + "rg_lru.recurrent_gate_bias": (H, L // H),
                         t + "rg_lru.input_gate_weight": (H, L // H, L // H),
                         t + "rg_lru.input_gate_bias": (H, L // H),
                         t + "linear_out.weight": (D, L), t + "linear_out.bias": (D,)})
        else:
            kv = cfg.num_kv_heads
            want.update({t + "q_proj.weight": (H * hd, D), t + "k_proj.weight": (kv * hd, D),
                         t + "v_proj.weight": (kv * hd, D), t + "o_proj.weight": (D, H * hd),
                         t + "o_proj.bias": (D,)})
    got = {k: tuple(v.shape) for k, v in W32.items()}
    assert got == want, sorted(set(got.items()) ^ set(want.items()))


def splits_for(spec, cfg):
    """Prefill lengths to test a prefill/decode split at: the base set plus the window edges and T-1."""
    T = spec["T"]
    has_attention = any(b != R for b in cfg.block_types)
    extra = (cfg.window - 1, cfg.window, cfg.window + 1, T - 1) if has_attention else (T - 1,)
    return sorted({s for s in BASE_SPLITS + extra if 1 <= s < T})


def make_fixture(spec):
    name, T = spec["name"], spec["T"]
    rng = np.random.default_rng(spec["seed"])
    hf = hf_config(spec)
    cfg = ref.config_from_hf(hf)
    tokens = [2] + [int(t) for t in rng.integers(3, cfg.vocab_size, T - 1)]  # BOS, then random in [3, V)
    W32 = random_weights(rng, cfg)
    calibrate_final_norm(cfg, W32, tokens, spec["target"])
    check_layout(cfg, W32)

    out = os.path.join(OUT_DIR, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(hf, f, indent=2, sort_keys=True)
        f.write("\n")
    write_safetensors(os.path.join(out, "model.safetensors"), W32, metadata={"format": "pt"})

    # Everything below is computed from the files just written, read back through the reference loader.
    cfg, W = ref.load_model(out)
    logits = ref.forward(cfg, W, tokens)
    pre = ref.forward(cfg, W, tokens, capped=False)
    diff = float(np.abs(ref.decode_all(cfg, W, tokens) - logits).max())
    if diff > DECODE_TOL:
        raise SystemExit(f"{name}: decode differs from the full pass by {diff:.3g}")
    splits = splits_for(spec, cfg)
    split_diff = 0.0
    for k in splits:  # §9: prefill k tokens (state from the full pass), then decode the rest
        _, st = ref.forward(cfg, W, tokens[:k], return_state=True)
        split_diff = max(split_diff, float(np.abs(ref.decode_all(cfg, W, tokens[k:], st) - logits[k:]).max()))
    if split_diff > DECODE_TOL:
        raise SystemExit(f"{name}: prefill+decode differs from the full pass by {split_diff:.3g}")
    a = np.exp(-np.logaddexp(0.0, np.concatenate(
        [W[k] for k in sorted(W) if k.endswith("recurrent_param")] or [np.array([-3.0])])))
    assert a.min() >= 0.9 and a.max() <= 0.999, (a.min(), a.max())

    with open(os.path.join(out, "tokens.json"), "w") as f:
        f.write("{\n" + ",\n".join(f'  "{k}": {json.dumps(v)}' for k, v in (
            ("tokens", tokens), ("splits", splits), ("description", spec["description"]))) + "\n}\n")
    np.save(os.path.join(out, "logits.npy"), np.ascontiguousarray(logits, dtype="<f4"))

    size = sum(os.path.getsize(os.path.join(out, f)) for f in sorted(os.listdir(out)))
    summary = (f"D {cfg.width}, L {cfg.lru_width}, E {cfg.mlp_width}, H {cfg.num_heads}/KV {cfg.num_kv_heads}, "
               f"hd {cfg.head_dim}, K {cfg.conv_width}, Wn {cfg.window}, V {cfg.vocab_size}, "
               f"layers {''.join(b[0].upper() for b in cfg.block_types)}")
    line = (f"`{name}/`: seed {spec['seed']}; {summary}; T {T}; max |logit| {np.abs(logits).max():.3f}; "
            f"{size} bytes. {spec['description']}.")
    print(f"{name}: {summary}, T {T}, max|logit| {np.abs(logits).max():.3f} (pre-cap {np.abs(pre).max():.3f}), "
          f"decode diff {max(diff, split_diff):.1e}, {size} bytes")
    return size, line


README_HEAD = """# Golden fixtures (generated; do not edit)

Written by `/usr/bin/python3 tests/reference/make_fixtures.py` (see `tests/reference/README.md`). Each
directory is a tiny random Hugging Face-layout RecurrentGemma checkpoint: `config.json`, `model.safetensors`
(F32), `tokens.json` (`tokens`, prefill `splits`, `description`) and `logits.npy` (float32 [T, V], soft-capped
logits of the float64 reference for the whole sequence). Compare at 1e-4 absolute. Layers: R recurrent,
A local attention, G global attention.

"""


def main():
    results = [make_fixture(spec) for spec in FIXTURES]
    total = sum(size for size, _ in results)
    with open(os.path.join(OUT_DIR, "README.md"), "w") as f:
        f.write(README_HEAD + "".join(f"- {line}\n" for _, line in results))
    print(f"total {total} bytes ({total / 1024:.1f} KiB) without README.md")


if __name__ == "__main__":
    main()
