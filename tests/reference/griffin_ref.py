"""Independent float64 NumPy reference for Griffin / RecurrentGemma, written from docs/griffin-math.md.

Implements the OFFICIAL semantics (docs/griffin-math.md §12): local attention sees itself plus up to Wn previous
tokens, the soft cap is skipped when 0, `embeddings_scale_by_sqrt_dim` is honoured. Block types per layer:
"recurrent" (§7.1-7.3), "attention" (local MQA/GQA, §7.4) and "global_attention" (our extension: full
causal attention, for the paper's MQA-Transformer baseline). Two independent paths: `forward` (whole
sequence, optionally packed documents, §10) and `decode_step` (token by token with explicit state, §9).

Usage:  /usr/bin/python3 tests/reference/griffin_ref.py MODEL_DIR TOKEN [TOKEN ...]
"""

import dataclasses
import json
import math
import os
import sys

import numpy as np

from safetensors_io import read_safetensors

BLOCK_TYPES = ("recurrent", "attention", "global_attention")
RG_LRU_C = 8.0  # §7.3: hard-coded constant c


# ----------------------------------------------------------------------------------------------------------
# Configuration (§1)

@dataclasses.dataclass(frozen=True)
class Config:
    vocab_size: int
    width: int            # D
    depth: int
    num_heads: int        # H (also the number of RG-LRU gate blocks)
    num_kv_heads: int     # KVH, divides H
    head_dim: int         # hd
    lru_width: int        # L
    mlp_width: int        # E (= HF intermediate_size // 2)
    conv_width: int       # K
    window: int           # Wn
    rope_theta: float
    rotary_dims: int      # R = int(hd * partial_rotary_factor), even
    soft_cap: float       # 0 = no cap
    eps: float
    scale_embeddings: bool
    block_types: tuple    # one entry per layer


def config_from_hf(d, weights=None):
    """Config from an HF config.json dict. With `weights`, the KV head count and E are cross-checked
    against tensor shapes (§1: a missing num_key_value_heads must come from k_proj, not default to H)."""
    D = d["hidden_size"]
    H = d["num_attention_heads"]
    hd = d.get("head_dim", D // H)
    depth = d["num_hidden_layers"]
    pattern = d.get("block_types", d.get("_block_types"))
    if not pattern:
        raise ValueError("config has neither block_types nor _block_types")
    blocks = tuple(pattern[i % len(pattern)] for i in range(depth))  # §1: pattern cycles over layers
    for b in blocks:
        if b not in BLOCK_TYPES:
            raise ValueError(f"unknown block type {b!r}")
    kvh = d.get("num_key_value_heads")
    E = d["intermediate_size"] // 2  # §1/§12.2: HF intermediate_size = 2E
    if weights is not None:
        attn = [i for i, b in enumerate(blocks) if b != "recurrent"]
        if attn:
            rows = weights[f"model.layers.{attn[0]}.temporal_block.k_proj.weight"].shape[0]
            if kvh is None:
                kvh = rows // hd
            elif rows != kvh * hd:
                raise ValueError(f"k_proj has {rows} rows, expected {kvh}*{hd}")
        e_w = weights["model.layers.0.mlp_block.gate_proj.weight"].shape[0]
        if e_w != E:
            raise ValueError(f"gate_proj has {e_w} rows but intermediate_size//2 = {E}")
    if kvh is None:
        kvh = H
    if H % kvh:
        raise ValueError(f"{kvh} KV heads do not divide {H} heads")
    rot = int(hd * d.get("partial_rotary_factor", 0.5))  # HF: rotary dim = int(factor * head_dim)
    if rot % 2 and any(b != "recurrent" for b in blocks):
        raise ValueError(f"rotary dims {rot} must be even")
    L = d.get("lru_width") or D
    if L % H:
        raise ValueError(f"lru_width {L} not divisible by {H} gate blocks")
    return Config(
        vocab_size=d["vocab_size"], width=D, depth=depth, num_heads=H, num_kv_heads=kvh, head_dim=hd,
        lru_width=L, mlp_width=E, conv_width=d["conv1d_width"], window=d["attention_window_size"],
        rope_theta=float(d.get("rope_theta", 10000.0)), rotary_dims=rot,
        soft_cap=float(d.get("logits_soft_cap", 30.0) or 0.0), eps=float(d.get("rms_norm_eps", 1e-6)),
        scale_embeddings=bool(d.get("embeddings_scale_by_sqrt_dim", True)), block_types=blocks)


def load_model(model_dir):
    """Read config.json + model.safetensors from an HF-layout directory. Weights become float64."""
    weights, _ = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = config_from_hf(json.load(f), weights)
    return cfg, weights


# ----------------------------------------------------------------------------------------------------------
# Elementwise pieces

def bf16_round(x):
    """Round a float to float32, then to bfloat16 with round-to-nearest-even (§3)."""
    bits = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    bits = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000) & 0xFFFFFFFF
    return float(np.array([bits], dtype=np.uint32).view(np.float32)[0])


def embedding_scale(cfg):
    """§3: x = E_tok[t] * bf16(sqrt(D)), sqrt taken in float32; 1 when the config disables scaling."""
    if not cfg.scale_embeddings:
        return 1.0
    return bf16_round(float(np.sqrt(np.float32(cfg.width))))


def rms_norm(x, g, eps):
    """§5: x / sqrt(mean(x^2) + eps) * (1 + g), over the last axis."""
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * (1.0 + g)


def gelu_tanh(u):
    """§6: tanh-approximated GELU (torch approximate='tanh', JAX default)."""
    return 0.5 * u * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (u + 0.044715 * u ** 3)))


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softplus(x):
    return np.logaddexp(0.0, x)


def soft_cap(logits, cap):
    """§8: cap * tanh(logits / cap); skipped when cap == 0 (official)."""
    return cap * np.tanh(logits / cap) if cap > 0 else logits


def linear(x, W, prefix, bias=True):
    """nn.Linear convention: weight [out, in], y = x W^T + b."""
    y = x @ W[prefix + ".weight"].T
    return y + W[prefix + ".bias"] if bias else y


# ----------------------------------------------------------------------------------------------------------
# Blocks shared by the full pass and the decode step

def mlp(z, W, pre):
    """§6: down(gelu_tanh(gate(z)) * up(z)); all three projections have biases."""
    return linear(gelu_tanh(linear(z, W, pre + "gate_proj")) * linear(z, W, pre + "up_proj"), W, pre + "down_proj")


def block_diag(v, w, b):
    """§7.3 BD: v [..., L] split into H chunks; chunk h -> chunk_h @ w[h] + b[h], w laid out [block, in, out]."""
    nb, bw, _ = w.shape
    vb = v.reshape(v.shape[:-1] + (nb, bw))
    return (np.einsum("...hi,hio->...ho", vb, w) + b).reshape(v.shape)


def rglru_coeffs(v, W, pre):
    """§7.3 gates for input v [..., L]: returns (a_t, m_t, i_t * v_t)."""
    r = sigmoid(block_diag(v, W[pre + "rg_lru.recurrent_gate_weight"], W[pre + "rg_lru.recurrent_gate_bias"]))
    i = sigmoid(block_diag(v, W[pre + "rg_lru.input_gate_weight"], W[pre + "rg_lru.input_gate_bias"]))
    log_a = -RG_LRU_C * r * softplus(W[pre + "rg_lru.recurrent_param"])
    a = np.exp(log_a)
    m = np.sqrt(-np.expm1(2.0 * log_a))  # sqrt(1 - a^2)
    return a, m, i * v


def rglru_update(h_prev, a, m, iv, reset):
    """§7.3/§10: h = i*v at a document start (decay 0, multiplier 1), else a*h + m*i*v."""
    return iv if reset else a * h_prev + m * iv


def rope(x, pos, cfg):
    """§7.4 RoPE on x [..., T, heads, hd] at positions pos [T]: first R dims, halves layout (j pairs j+R/2),
    angle pos * theta^(-2j/R). Dims R..hd-1 pass through."""
    R = cfg.rotary_dims
    if R == 0:
        return x
    half = R // 2
    omega = cfg.rope_theta ** (-2.0 * np.arange(half) / R)             # [R/2]
    ang = np.asarray(pos, dtype=np.float64)[:, None] * omega[None, :]  # [T, R/2]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]        # broadcast over heads
    x1, x2 = x[..., :half], x[..., half:R]
    return np.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin, x[..., R:]], axis=-1)


def kv_head_of(h, cfg):
    """GQA/MQA: query head h reads KV head h // (H / KVH)."""
    return h // (cfg.num_heads // cfg.num_kv_heads)


def attend(q, k, v, cfg):
    """One query position: q [H, hd] against keys/values [n, KVH, hd] that are all visible. Returns [H*hd]."""
    out = np.empty((cfg.num_heads, cfg.head_dim))
    for h in range(cfg.num_heads):
        g = kv_head_of(h, cfg)
        s = k[:, g, :] @ q[h] / math.sqrt(cfg.head_dim)
        p = np.exp(s - s.max())
        out[h] = (p / p.sum()) @ v[:, g, :]
    return out.reshape(-1)


def is_visible(i, j, same_doc, local, window):
    """§7.4 official visibility of key j from query i: causal, same document, and i - j <= Wn if local."""
    return j <= i and same_doc and (not local or i - j <= window)


def qkv(z, W, pre, cfg):
    """Projections without bias, reshaped to heads: q [T, H, hd], k/v [T, KVH, hd]."""
    T = z.shape[0]
    q = linear(z, W, pre + "q_proj", bias=False).reshape(T, cfg.num_heads, cfg.head_dim)
    k = linear(z, W, pre + "k_proj", bias=False).reshape(T, cfg.num_kv_heads, cfg.head_dim)
    v = linear(z, W, pre + "v_proj", bias=False).reshape(T, cfg.num_kv_heads, cfg.head_dim)
    return q, k, v


def final_logits(x, W, cfg, capped=True):
    """§3 steps 3-5: final RMSNorm, tied projection with the unscaled table, soft cap."""
    logits = rms_norm(x, W["model.final_norm.weight"], cfg.eps) @ W["model.embed_tokens.weight"].T
    return soft_cap(logits, cfg.soft_cap) if capped else logits


# ----------------------------------------------------------------------------------------------------------
# Full-sequence pass (§3, §4, §7, §10)

def conv1d_full(u, W, pre, segments):
    """§7.2: v[t] = b + sum_k w[:, 0, k] * u[t-(K-1)+k]; u[s] = 0 for s < 0 or (official, packed) for s in an
    earlier document than t."""
    w, b = W[pre + "conv_1d.weight"], W[pre + "conv_1d.bias"]
    K = w.shape[2]
    T = u.shape[0]
    v = np.tile(b, (T, 1))
    for t in range(T):
        for k in range(K):
            s = t - (K - 1) + k
            if s >= 0 and segments[s] == segments[t]:
                v[t] += w[:, 0, k] * u[s]
    return v


def recurrent_full(z, W, pre, positions, segments):
    """§7.1: out = linear_out(RG-LRU(Conv1D(linear_x z)) * gelu(linear_y z)). Also returns (u, h_last)."""
    y = gelu_tanh(linear(z, W, pre + "linear_y"))
    u = linear(z, W, pre + "linear_x")
    v = conv1d_full(u, W, pre, segments)
    a, m, iv = rglru_coeffs(v, W, pre)
    h = np.zeros_like(v)
    prev = np.zeros(v.shape[1])
    for t in range(v.shape[0]):
        prev = rglru_update(prev, a[t], m[t], iv[t], positions[t] == 0)
        h[t] = prev
    return linear(h * y, W, pre + "linear_out"), u, prev


def attention_full(z, W, pre, cfg, positions, segments, local):
    """§7.4: masked softmax attention over all T positions; RoPE at in-document positions."""
    q, k, v = qkv(z, W, pre, cfg)
    q, k = rope(q, positions, cfg), rope(k, positions, cfg)
    T = z.shape[0]
    out = np.empty((T, cfg.num_heads * cfg.head_dim))
    for i in range(T):
        keep = [j for j in range(T) if is_visible(i, j, segments[i] == segments[j], local, cfg.window)]
        out[i] = attend(q[i], k[keep], v[keep], cfg)
    return linear(out, W, pre + "o_proj"), k, v


def forward(cfg, W, tokens, positions=None, capped=True, return_state=False):
    """Logits [T, V] for `tokens`. `positions` (default 0..T-1) may restart at 0 to pack documents (§10).
    With return_state, also returns the decode state a prefill of these tokens leaves behind (§9)."""
    tokens = np.asarray(tokens)
    T = len(tokens)
    positions = np.arange(T) if positions is None else np.asarray(positions)
    segments = np.cumsum(positions == 0)  # §10: running count of document starts
    x = W["model.embed_tokens.weight"][tokens] * embedding_scale(cfg)
    state = DecodeState(cfg) if return_state else None
    for li, kind in enumerate(cfg.block_types):
        pre = f"model.layers.{li}."
        z = rms_norm(x, W[pre + "temporal_pre_norm.weight"], cfg.eps)
        tb = pre + "temporal_block."
        if kind == "recurrent":
            out, u, h_last = recurrent_full(z, W, tb, positions, segments)
            if state is not None:
                state.set_recurrent(li, u, h_last)
        else:
            out, k, v = attention_full(z, W, tb, cfg, positions, segments, kind == "attention")
            if state is not None:
                state.set_attention(li, k, v)
        r = x + out                                                       # §4 residual 1
        x = r + mlp(rms_norm(r, W[pre + "channel_pre_norm.weight"], cfg.eps), W, pre + "mlp_block.")
    logits = final_logits(x, W, cfg, capped)
    if state is not None:
        state.n = T
        return logits, state
    return logits


# ----------------------------------------------------------------------------------------------------------
# Token-by-token decode with explicit state (§9). Written independently of the full pass: no masks, a
# conv window buffer, an RG-LRU state, Wn-slot KV ring buffers for local attention, a growing global cache.

class DecodeState:
    def __init__(self, cfg):
        self.cfg = cfg
        self.n = 0  # tokens seen = position of the next token (single document)
        self.layers = []
        for kind in cfg.block_types:
            if kind == "recurrent":
                self.layers.append({"conv": np.zeros((cfg.conv_width - 1, cfg.lru_width)),
                                    "h": np.zeros(cfg.lru_width)})
            elif kind == "attention":
                shape = (cfg.window, cfg.num_kv_heads, cfg.head_dim)
                self.layers.append({"k": np.zeros(shape), "v": np.zeros(shape)})
            else:
                self.layers.append({"k": [], "v": []})

    def set_recurrent(self, li, u, h_last):
        """§9 prefill -> state: last K-1 pre-conv rows (zero rows in front when T < K-1), last h."""
        K1 = self.cfg.conv_width - 1
        padded = np.concatenate([np.zeros((K1, u.shape[1])), u])
        self.layers[li]["conv"] = padded[len(padded) - K1:].copy()
        self.layers[li]["h"] = h_last.copy()

    def set_attention(self, li, k, v):
        """§9 prefill -> state: post-RoPE keys of the last min(T, Wn) positions p in slot p mod Wn."""
        st, T = self.layers[li], k.shape[0]
        if self.cfg.block_types[li] == "global_attention":
            st["k"], st["v"] = list(k), list(v)
            return
        for p in range(max(0, T - self.cfg.window), T):
            st["k"][p % self.cfg.window] = k[p]
            st["v"][p % self.cfg.window] = v[p]


def decode_step(cfg, W, state, token):
    """Feed one token at position p = state.n; returns its logits [V] and advances the state."""
    p = state.n
    x = W["model.embed_tokens.weight"][token] * embedding_scale(cfg)
    for li, kind in enumerate(cfg.block_types):
        pre = f"model.layers.{li}."
        tb = pre + "temporal_block."
        st = state.layers[li]
        z = rms_norm(x, W[pre + "temporal_pre_norm.weight"], cfg.eps)
        if kind == "recurrent":
            y = gelu_tanh(linear(z, W, tb + "linear_y"))
            u = linear(z, W, tb + "linear_x")
            window = np.concatenate([st["conv"], u[None, :]])             # [K, L], oldest first
            v = W[tb + "conv_1d.bias"] + np.einsum("ck,kc->c", W[tb + "conv_1d.weight"][:, 0, :], window)
            st["conv"] = window[1:]
            a, m, iv = rglru_coeffs(v, W, tb)
            st["h"] = rglru_update(st["h"], a, m, iv, p == 0)
            out = linear(st["h"] * y, W, tb + "linear_out")
        else:
            q, k, v = qkv(z[None, :], W, tb, cfg)
            q, k, v = rope(q, [p], cfg)[0], rope(k, [p], cfg)[0], v[0]     # [H, hd], [KVH, hd], [KVH, hd]
            if kind == "attention":
                Wn = cfg.window
                past = range(max(0, p - Wn), p)                          # cached positions still visible
                slots = [s % Wn for s in past]
                keys = np.concatenate([st["k"][slots], k[None]])
                vals = np.concatenate([st["v"][slots], v[None]])
                o = attend(q, keys, vals, cfg)
                st["k"][p % Wn], st["v"][p % Wn] = k, v                    # overwrites position p - Wn
            else:
                st["k"].append(k)
                st["v"].append(v)
                o = attend(q, np.stack(st["k"]), np.stack(st["v"]), cfg)
            out = linear(o, W, tb + "o_proj")
        r = x + out
        x = r + mlp(rms_norm(r, W[pre + "channel_pre_norm.weight"], cfg.eps), W, pre + "mlp_block.")
    state.n = p + 1
    return final_logits(x, W, cfg)


def decode_all(cfg, W, tokens, state=None):
    """Logits [T, V] from feeding tokens one at a time (from a fresh state unless one is given)."""
    state = DecodeState(cfg) if state is None else state
    return np.stack([decode_step(cfg, W, state, int(t)) for t in tokens])


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cfg_, W_ = load_model(sys.argv[1])
    lg = forward(cfg_, W_, [int(t) for t in sys.argv[2:]])
    np.set_printoptions(precision=6, suppress=True, linewidth=120)
    print("argmax per position:", lg.argmax(-1).tolist())
    print("max |logit|:", float(np.abs(lg).max()))
