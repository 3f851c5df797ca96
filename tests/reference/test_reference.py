"""Self-checks of the float64 reference (griffin_ref.py) and of the committed fixtures. Run by hand, not in CI:

    /usr/bin/python3 tests/reference/test_reference.py

Checks: decode == full pass (§9), prefill state + decode == full pass, packed documents / position-0 reset
(§10), local-attention window edge (§7.4), GQA head mapping, bf16 embedding scale (§3), the committed
fixture files, and that each implementer mistake of docs/griffin-math.md §13 moves the fixture logits by far
more than the 1e-4 test tolerance.
"""

import contextlib
import dataclasses
import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import griffin_ref as ref  # noqa: E402
import make_fixtures as mk  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

FIXTURE_DIR = os.path.normpath(os.path.join(HERE, "..", "data", "fixtures"))
TIGHT = 1e-11       # two float64 computation orders of the same math
TEST_TOL = 1e-4     # tolerance of the C++ fixture test
R, A, G = "recurrent", "attention", "global_attention"


def tiny_model(seed, **over):
    """A random in-memory model (config overrides in HF key names; E = MLP width)."""
    cfg = dict(vocab_size=40, hidden_size=16, num_hidden_layers=3, num_attention_heads=2,
               num_key_value_heads=1, head_dim=8, lru_width=20, E=24, conv1d_width=4,
               attention_window_size=4, partial_rotary_factor=0.5, rope_theta=10000.0,
               logits_soft_cap=30.0, embeddings_scale_by_sqrt_dim=True, block_types=[R, R, A])
    cfg.update(over)
    spec = dict(cfg=cfg)
    c = ref.config_from_hf(mk.hf_config(spec))
    rng = np.random.default_rng(seed)
    W = mk.f64(mk.random_weights(rng, c))
    W["model.final_norm.weight"] = W["model.final_norm.weight"] + 4.0  # logits in the tanh range
    tokens = [2] + [int(t) for t in rng.integers(3, c.vocab_size, 15)]
    return c, W, tokens


def maxdiff(a, b):
    return float(np.abs(np.asarray(a) - np.asarray(b)).max())


def fixtures():
    for name in sorted(os.listdir(FIXTURE_DIR)):
        d = os.path.join(FIXTURE_DIR, name)
        if os.path.isdir(d):
            cfg, W = ref.load_model(d)
            with open(os.path.join(d, "tokens.json")) as f:
                tok = json.load(f)
            yield name, d, cfg, W, tok


# ----------------------------------------------------------------------------------------------------------

def test_bf16_embedding_scale():
    """§3: bf16(sqrt(D)) with sqrt in float32 and round-to-nearest-even."""
    def scale(D, on=True):
        return ref.embedding_scale(dataclasses.replace(BASE_CFG, width=D, scale_embeddings=on))
    assert scale(2560) == 50.5, scale(2560)
    assert scale(4096) == 64.0
    assert scale(16) == 4.0 and scale(24) == 4.90625 and scale(32) == 5.65625
    assert scale(2560, on=False) == 1.0
    # Round-to-nearest-even on exact ties: 1 + 2^-8 is halfway between 1 and 1 + 2^-7 -> 1 (even).
    assert ref.bf16_round(1.0 + 2 ** -8) == 1.0 and ref.bf16_round(1.0 + 3 * 2 ** -8) == 1.0 + 2 ** -6
    return "bf16(sqrt(2560)) = 50.5, bf16(sqrt(4096)) = 64"


def test_decode_matches_full():
    worst = 0.0
    cases = [dict(), dict(block_types=[G, R]), dict(block_types=[A], num_hidden_layers=2, conv1d_width=2),
             dict(num_attention_heads=4, num_key_value_heads=2, head_dim=4, partial_rotary_factor=1.0),
             dict(lru_width=16, conv1d_width=1, partial_rotary_factor=0.0, logits_soft_cap=0.0)]
    for i, over in enumerate(cases):
        cfg, W, tokens = tiny_model(100 + i, **over)
        worst = max(worst, maxdiff(ref.decode_all(cfg, W, tokens), ref.forward(cfg, W, tokens)))
    for name, _, cfg, W, tok in fixtures():
        worst = max(worst, maxdiff(ref.decode_all(cfg, W, tok["tokens"]), ref.forward(cfg, W, tok["tokens"])))
    assert worst < TIGHT, worst
    return f"max |decode - full| = {worst:.1e}"


def test_prefill_then_decode():
    """§9: the state a full pass leaves behind, followed by decode, reproduces the full pass."""
    worst = 0.0
    for name, _, cfg, W, tok in fixtures():
        tokens = tok["tokens"]
        full = ref.forward(cfg, W, tokens)
        for k in tok["splits"]:
            _, st = ref.forward(cfg, W, tokens[:k], return_state=True)
            worst = max(worst, maxdiff(ref.decode_all(cfg, W, tokens[k:], st), full[k:]))
    assert worst < TIGHT, worst
    return f"max |prefill+decode - full| over all splits = {worst:.1e}"


def test_packed_documents_reset():
    """§10: a packed two-document pass (positions restart at 0) equals two separate passes, and an RG-LRU
    step at position 0 ignores the previous state."""
    worst = 0.0
    for i, over in enumerate([dict(), dict(block_types=[G, R]), dict(conv1d_width=3, block_types=[A, R])]):
        cfg, W, tokens = tiny_model(200 + i, **over)
        d1, d2 = tokens[:7], [2] + tokens[9:]
        packed = ref.forward(cfg, W, d1 + d2, positions=list(range(len(d1))) + list(range(len(d2))))
        sep = np.concatenate([ref.forward(cfg, W, d1), ref.forward(cfg, W, d2)])
        worst = max(worst, maxdiff(packed, sep))
        # control: the same tokens as one document (no restart) do see document 1
        assert maxdiff(ref.forward(cfg, W, d1 + d2)[len(d1):], sep[len(d1):]) > 1e-3
    assert worst < TIGHT, worst
    h_prev, a, m, iv = (np.random.default_rng(3).normal(size=(4, 5)))
    assert np.array_equal(ref.rglru_update(h_prev, a, m, iv, True), iv)
    # Decode: a recurrent-only model whose conv window is cleared but whose h is NOT cleared gives the
    # fresh-state logits for a new document: the position-0 reset alone drops h.
    cfg, W, tokens = tiny_model(210, block_types=[R])
    st = ref.DecodeState(cfg)
    ref.decode_all(cfg, W, tokens[:9], st)
    assert np.abs(st.layers[0]["h"]).max() > 0.1
    st.n = 0
    for layer in st.layers:
        layer["conv"][:] = 0.0
    reset = maxdiff(ref.decode_all(cfg, W, tokens[9:], st), ref.forward(cfg, W, tokens[9:]))
    assert reset < TIGHT, reset
    return f"max |packed - separate| = {worst:.1e}, decode reset diff = {reset:.1e}"


def test_window_edge():
    """§7.4: with one local-attention layer, position i depends on the token at i - Wn but not on i - Wn - 1
    (or anything earlier)."""
    for Wn in (1, 3, 5):
        cfg, W, tokens = tiny_model(300 + Wn, block_types=[A], num_hidden_layers=1, attention_window_size=Wn)
        base = ref.forward(cfg, W, tokens)
        i = len(tokens) - 1
        for j in range(1, i + 1):
            changed = list(tokens)
            changed[j] = 3 + (tokens[j] - 3 + 1) % (cfg.vocab_size - 3)
            d = maxdiff(ref.forward(cfg, W, changed)[i], base[i])
            assert (d > 1e-6) == (i - j <= Wn), (Wn, i, j, d)
        # decode agrees exactly with that window (ring buffer of Wn slots)
        assert maxdiff(ref.decode_all(cfg, W, tokens), base) < TIGHT
    # global attention never forgets, and equals local attention with a window >= T
    cfg, W, tokens = tiny_model(310, block_types=[G], num_hidden_layers=1)
    changed = [tokens[0], 3 + (tokens[1] - 2) % (cfg.vocab_size - 3)] + tokens[2:]
    assert maxdiff(ref.forward(cfg, W, changed)[-1], ref.forward(cfg, W, tokens)[-1]) > 1e-6
    wide = dataclasses.replace(cfg, block_types=(A,), window=len(tokens))
    assert maxdiff(ref.forward(wide, W, tokens), ref.forward(cfg, W, tokens)) < TIGHT
    return "token i-Wn visible, i-Wn-1 not (Wn = 1, 3, 5); global == local with Wn >= T"


def test_gqa_equals_expanded_mha():
    """Query head h uses KV head h // (H/KVH): copying each KV head's rows to its query heads (MHA) gives
    the same logits."""
    worst = 0.0
    for name, _, cfg, W, tok in fixtures():
        if cfg.num_kv_heads == cfg.num_heads or all(b == R for b in cfg.block_types):
            continue
        group = cfg.num_heads // cfg.num_kv_heads
        W2 = dict(W)
        for li, kind in enumerate(cfg.block_types):
            for proj in ("k_proj", "v_proj"):
                key = f"model.layers.{li}.temporal_block.{proj}.weight"
                if key in W:
                    heads = W[key].reshape(cfg.num_kv_heads, cfg.head_dim, -1)
                    W2[key] = np.repeat(heads, group, axis=0).reshape(cfg.num_heads * cfg.head_dim, -1)
        mha = dataclasses.replace(cfg, num_kv_heads=cfg.num_heads)
        worst = max(worst, maxdiff(ref.forward(mha, W2, tok["tokens"]), ref.forward(cfg, W, tok["tokens"])))
    assert worst < TIGHT, worst
    return f"max |GQA - expanded MHA| = {worst:.1e}"


def test_fixture_files():
    """The committed files: layout as §2, header format, logits.npy = reference logits (float32)."""
    lines = []
    for name, d, cfg, W, tok in fixtures():
        tokens = tok["tokens"]
        assert tokens[0] == 2 and all(3 <= t < cfg.vocab_size for t in tokens[1:])
        assert all(1 <= s < len(tokens) for s in tok["splits"])
        mk.check_layout(cfg, {k: v.astype(np.float32) for k, v in W.items()})
        with open(os.path.join(d, "model.safetensors"), "rb") as f:
            raw = f.read()
        n = int.from_bytes(raw[:8], "little")
        header = json.loads(raw[8:8 + n])
        assert n % 8 == 0 and all(v["dtype"] == "F32" for k, v in header.items() if k != "__metadata__")
        assert "lm_head.weight" not in header
        logits = np.load(os.path.join(d, "logits.npy"))
        assert logits.dtype == np.dtype("<f4") and logits.shape == (len(tokens), cfg.vocab_size)
        err = maxdiff(logits, ref.forward(cfg, W, tokens))
        assert err < 1e-5, (name, err)
        assert np.abs(logits).max() >= 20.0, name
        lines.append(f"{name}: max|logit| {np.abs(logits).max():.3f}, |npy - ref| {err:.1e}")
    return "; ".join(lines)


def test_float32_noise():
    """Informational bound on rounding noise: the same reference with float32 weights and (mostly) float32
    activations stays well inside the 1e-4 tolerance the C++ fixture test uses."""
    lines = []
    for name, _, cfg, W, tok in fixtures():
        base = ref.forward(cfg, W, tok["tokens"])
        W32 = {k: v.astype(np.float32) for k, v in W.items()}
        with patched(rope=lambda x, pos, c: _rope(x, pos, c).astype(np.float32)):
            err = maxdiff(ref.forward(cfg, W32, tok["tokens"]), base)
        assert err < TEST_TOL / 1.5, (name, err)
        lines.append(f"{name} {err:.1e}")
    return "max |f32 - f64|: " + ", ".join(lines)


def test_safetensors_roundtrip(tmp="/tmp/griffin_ref_roundtrip.safetensors"):
    rng = np.random.default_rng(5)
    t = {"b": rng.normal(size=(3, 1, 2)).astype(np.float32), "a.weight": rng.normal(size=7).astype(np.float32)}
    write_safetensors(tmp, t, {"format": "pt"})
    back, meta = read_safetensors(tmp)
    os.remove(tmp)
    assert meta == {"format": "pt"} and all(np.array_equal(back[k], t[k]) for k in t)
    return "ok"


# ----------------------------------------------------------------------------------------------------------
# Mistake sensitivity (§13): each mutation, applied to the reference, must move at least one fixture's logits
# by far more than the 1e-4 tolerance of the C++ test. Mutations patch module functions or edit weights/config.

@contextlib.contextmanager
def patched(**attrs):
    old = {k: getattr(ref, k) for k in attrs}
    for k, v in attrs.items():
        setattr(ref, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(ref, k, v)


_gelu, _rms, _rope, _update, _visible = ref.gelu_tanh, ref.rms_norm, ref.rope, ref.rglru_update, ref.is_visible
_erf = np.vectorize(math.erf)


def _rope_interleaved(x, pos, cfg):
    R = cfg.rotary_dims
    omega = cfg.rope_theta ** (-2.0 * np.arange(R // 2) / R)
    ang = np.asarray(pos, dtype=np.float64)[:, None] * omega[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    y = x.copy()
    x1, x2 = x[..., 0:R:2], x[..., 1:R:2]
    y[..., 0:R:2], y[..., 1:R:2] = x1 * cos - x2 * sin, x2 * cos + x1 * sin
    return y


def _edit(W, suffix, fn):
    return {k: (fn(v) if k.endswith(suffix) else v) for k, v in W.items()}


MUTATIONS = {
    "RMSNorm scale g instead of 1+g": dict(patch=dict(rms_norm=lambda x, g, e: _rms(x, g - 1.0, e))),
    "GELU on up_proj instead of gate_proj": dict(patch=dict(mlp=lambda z, W, p: ref.linear(
        ref.linear(z, W, p + "gate_proj") * _gelu(ref.linear(z, W, p + "up_proj")), W, p + "down_proj"))),
    "exact-erf GELU": dict(patch=dict(gelu_tanh=lambda u: 0.5 * u * (1.0 + _erf(u / math.sqrt(2.0))))),
    "exact sqrt(D) instead of bf16": dict(patch=dict(embedding_scale=lambda c: math.sqrt(c.width)
                                                     if c.scale_embeddings else 1.0)),
    "embedding scale ignores the config flag": dict(patch=dict(
        embedding_scale=lambda c: ref.bf16_round(float(np.sqrt(np.float32(c.width)))))),
    "c = 1 instead of 8": dict(patch=dict(RG_LRU_C=1.0)),
    "sqrt(1-a^2) also at position 0": dict(patch=dict(
        rglru_update=lambda h, a, m, iv, reset: m * iv if reset else _update(h, a, m, iv, False))),
    "conv taps reversed": dict(weights=lambda W: _edit(W, "conv_1d.weight", lambda w: w[:, :, ::-1])),
    "gate blocks used as [out, in]": dict(weights=lambda W: _edit(
        _edit(W, "input_gate_weight", lambda w: w.transpose(0, 2, 1)), "recurrent_gate_weight",
        lambda w: w.transpose(0, 2, 1))),
    "window of Wn keys incl. self": dict(patch=dict(
        is_visible=lambda i, j, same, local, wn: _visible(i, j, same, local, wn - 1))),
    "global attention limited to the window": dict(patch=dict(
        is_visible=lambda i, j, same, local, wn: _visible(i, j, same, True, wn))),
    "soft cap omitted / forced to 30": dict(config=lambda c: dataclasses.replace(
        c, soft_cap=0.0 if c.soft_cap else 30.0)),
    "RoPE over the whole head": dict(config=lambda c: dataclasses.replace(c, rotary_dims=c.head_dim)),
    "RoPE on the last dims of the head": dict(patch=dict(rope=lambda x, pos, c: np.roll(
        _rope(np.roll(x, c.rotary_dims, axis=-1), pos, c), -c.rotary_dims, axis=-1))),
    "interleaved RoPE pairs": dict(patch=dict(rope=_rope_interleaved)),
    "rope_theta fixed at 10000": dict(config=lambda c: dataclasses.replace(c, rope_theta=10000.0)),
    "KV head h % KVH instead of h // (H/KVH)": dict(patch=dict(
        kv_head_of=lambda h, c: h % c.num_kv_heads)),
}


def test_mistake_sensitivity(verbose=True):
    fx = list(fixtures())
    rows = []
    for label, mut in MUTATIONS.items():
        deltas = {}
        for name, _, cfg, W, tok in fx:
            base = ref.forward(cfg, W, tok["tokens"])
            c2 = mut.get("config", lambda c: c)(cfg)
            W2 = mut.get("weights", lambda w: w)(W)
            with patched(**mut.get("patch", {})):
                deltas[name] = maxdiff(ref.forward(c2, W2, tok["tokens"]), base)
        rows.append((label, deltas))
        assert max(deltas.values()) > 100 * TEST_TOL, (label, deltas)
    if verbose:
        names = [f[0] for f in fx]
        print("    " + "mistake".ljust(44) + "".join(n.rjust(9) for n in names))
        for label, deltas in rows:
            print("    " + label.ljust(44) + "".join(f"{deltas[n]:9.1e}" for n in names))
    return f"{len(rows)} mistakes, each moves some fixture by > {100 * TEST_TOL:g}"


BASE_CFG = tiny_model(0)[0]

if __name__ == "__main__":
    failed = 0
    for fn in [v for k, v in list(globals().items()) if k.startswith("test_")]:
        try:
            print(f"PASS {fn.__name__}: {fn()}")
        except AssertionError as e:
            failed += 1
            print(f"FAIL {fn.__name__}: {e!r}")
    sys.exit(1 if failed else 0)
