"""Check the PyTorch Griffin (griffin_torch.py) against the float64 NumPy reference (tests/reference/).

For each config below: build a GriffinLM with random weights (every norm scale, bias and gate non-zero,
final norm scaled so that the largest pre-cap logit is about 28, i.e. deep in the soft cap), write it
with this trainer's own checkpoint writer (config.json + model.safetensors), let the reference load
that directory, and compare logits on the same tokens:

- torch in float64 vs reference: max |diff| must be < 1e-9 (pure rounding);
- torch in float32 vs reference: max |diff| must be < 2e-4 (f32 noise is ~1e-5 on logits up to 28);
- the long-sequence attention path (queries in blocks) must equal the one-block path;
- the same weights written as BF16 must be read back identically by the reference and by torch.

Sequences are longer than the attention window, so the window slides, and start with BOS.
The first config is the shipped KJV architecture (D 256, V 4000, window 64, T 160); the others are
small configs with L != D, a window of 5, two KV heads, and conv width 3.

Usage (from the repository root):  /usr/bin/python3 tools/train/check_against_reference.py
Exit status 0 when every check passes. Takes about 20 s on one core.
"""

import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "reference"))

import griffin_ref  # noqa: E402  (tests/reference/griffin_ref.py)
from griffin_torch import GriffinConfig, GriffinLM, init_weights, read_safetensors, save_hf  # noqa: E402

TOL_F64 = 1e-9
TOL_F32 = 2e-4


def random_model(cfg, seed):
    g = torch.Generator().manual_seed(seed)
    model = GriffinLM(cfg)
    init_weights(model, g)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif name.endswith(".bias") or name.endswith("_gate_bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
            elif name.endswith("conv_1d.weight") or name.endswith("recurrent_param"):
                pass
    return model


def scale_to_cap(model, tokens, target=28.0):
    """Scale (1 + final norm g) so that the largest pre-cap logit is `target`."""
    cap = model.cfg.soft_cap
    with torch.no_grad():
        model.cfg.soft_cap = 0.0
        peak = model.double()(tokens).abs().max().item()
        model.cfg.soft_cap = cap
        g = model.model.final_norm.weight
        g.copy_((1.0 + g) * (target / peak) - 1.0)
        model.float()


def check(cfg, seed, T):
    rng = np.random.default_rng(seed)
    tokens = [cfg.bos_id] + [int(t) for t in rng.integers(3, cfg.vocab_size, T - 1)]
    tok = torch.tensor([tokens])
    model = random_model(cfg, seed)
    scale_to_cap(model, tok)
    results = {}
    with tempfile.TemporaryDirectory() as d:
        save_hf(model, d, dtype="F32")
        # Torch reads the file back: both implementations use exactly the stored values.
        model.load_state_dict(read_safetensors(os.path.join(d, "model.safetensors")), strict=True)
        rcfg, W = griffin_ref.load_model(d)
        ref = griffin_ref.forward(rcfg, W, tokens)
        with torch.no_grad():
            l64 = model.double()(tok)[0].numpy()
            l64_blocks = model(tok, attn_block=cfg.window // 2 + 3)[0].numpy()
            l32 = model.float()(tok)[0].double().numpy()
        results["max |logit|"] = float(np.abs(ref).max())
        results["torch f64 vs ref"] = float(np.abs(l64 - ref).max())
        results["torch f32 vs ref"] = float(np.abs(l32 - ref).max())
        results["blocked attention vs one block (f64)"] = float(np.abs(l64_blocks - l64).max())
        # Mean NLL of the sequence, the quantity the trainer minimises and griffin-score reports.
        lp = torch.log_softmax(torch.from_numpy(ref), -1)
        nll_ref = -lp[torch.arange(T - 1), tok[0, 1:]].mean().item()
        nll_t = torch.nn.functional.cross_entropy(torch.from_numpy(l64[:-1]), tok[0, 1:]).item()
        results["mean NLL |diff| (f64)"] = abs(nll_ref - nll_t)

        save_hf(model, d, dtype="BF16")
        _, Wb = griffin_ref.load_model(d)
        tb = read_safetensors(os.path.join(d, "model.safetensors"))
        results["BF16 file: ref vs torch reader"] = max(
            float(np.abs(Wb[k] - tb[k].double().numpy()).max()) for k in Wb)
    ok = (results["torch f64 vs ref"] < TOL_F64 and results["torch f32 vs ref"] < TOL_F32
          and results["blocked attention vs one block (f64)"] < TOL_F64
          and results["mean NLL |diff| (f64)"] < TOL_F64 and results["BF16 file: ref vs torch reader"] == 0.0)
    return ok, results


CONFIGS = [
    ("kjv architecture", GriffinConfig(), 1, 160),
    ("small, L != D, window 5", GriffinConfig(vocab_size=97, width=32, depth=6, num_heads=4, num_kv_heads=1,
                                             head_dim=8, lru_width=48, mlp_width=48, conv_width=4, window=5),
     2, 24),
    ("two KV heads, H*hd != D, conv 3, ARR", GriffinConfig(vocab_size=80, width=24, depth=4, num_heads=4, num_kv_heads=2,
                                                head_dim=8, lru_width=16, mlp_width=40, conv_width=3, window=7,
                                                block_pattern=("attention", "recurrent", "recurrent"),
                                                rope_theta=500.0),
     3, 30),
]


def main():
    torch.set_num_threads(1)
    all_ok = True
    for name, cfg, seed, T in CONFIGS:
        ok, res = check(cfg, seed, T)
        all_ok &= ok
        print(f"{'PASS' if ok else 'FAIL'}  {name} (T {T}, window {cfg.window}, seed {seed})")
        for k, v in res.items():
            print(f"      {k:40s} {v:.3g}")
    print("all checks passed" if all_ok else "SOME CHECKS FAILED")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
