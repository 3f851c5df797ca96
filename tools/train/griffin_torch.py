"""Griffin / RecurrentGemma in PyTorch, for training small models on the CPU.

This is the third implementation of the model math in griffin-rt (after the C++ runtime and the float64
NumPy reference in tests/reference/). It follows docs/griffin-math.md, official semantics:

- RMSNorm x / sqrt(mean(x^2) + eps) * (1 + g);
- MLP down(gelu_tanh(gate(z)) * up(z)), HF intermediate_size = 2 * E;
- recurrent block linear_out(RG-LRU(conv1d(linear_x z)) * gelu_tanh(linear_y z)); causal depthwise conv
  with conv_1d.weight[c, 0, K-1] on the current token; RG-LRU with c = 8, block-diagonal gates laid out
  [block, in, out], h_t = a_t h_{t-1} + sqrt(1 - a_t^2) i_t v_t and h_0 = i_0 v_0 (reset at position 0);
- local multi-query attention: a query sees itself and up to Wn previous tokens; RoPE on the first
  partial_rotary_factor * head_dim dims of each head, halves layout; scores scaled by 1/sqrt(head_dim);
- embeddings scaled by bf16(sqrt(D)); tied output projection; logits soft-capped by cap * tanh(x / cap).

Every sequence in a batch is one document starting at position 0. The parameter names of `GriffinLM`
are exactly the Hugging Face checkpoint names (`model.layers.N.temporal_block.rg_lru.recurrent_param`,
...), so `state_dict()` is the checkpoint; `write_safetensors` writes it as F32 or BF16 without the
safetensors package (Debian has none).

The RG-LRU scan is a Hillis-Steele parallel scan over time (log2 T steps of elementwise products), so
autograd sees a few dozen large operations instead of T small ones.
"""

import dataclasses
import json
import math
import struct

import torch
import torch.nn.functional as F
from torch import nn

RG_LRU_C = 8.0


@dataclasses.dataclass
class GriffinConfig:
    vocab_size: int = 4000
    width: int = 256            # D, hidden_size
    depth: int = 6
    num_heads: int = 4          # H: attention heads and RG-LRU gate blocks
    num_kv_heads: int = 1
    head_dim: int = 64
    lru_width: int = 256        # L
    mlp_width: int = 768        # E (HF intermediate_size = 2 * E)
    conv_width: int = 4         # K
    window: int = 64            # Wn: a query sees itself and up to Wn previous tokens
    block_pattern: tuple = ("recurrent", "recurrent", "attention")
    rope_theta: float = 10000.0
    partial_rotary_factor: float = 0.5
    soft_cap: float = 30.0
    eps: float = 1e-6
    bos_id: int = 2
    eos_id: int = 1
    pad_id: int = 0

    def block_types(self):
        return [self.block_pattern[i % len(self.block_pattern)] for i in range(self.depth)]

    @property
    def rotary_dims(self):
        return int(self.head_dim * self.partial_rotary_factor)

    def to_hf(self, torch_dtype="bfloat16"):
        """An HF RecurrentGemma config.json dict (keys as in tests/data/fixtures/*/config.json)."""
        return {
            "architectures": ["RecurrentGemmaForCausalLM"],
            "attention_bias": False,
            "attention_dropout": 0.0,
            "attention_window_size": self.window,
            "block_types": list(self.block_pattern),
            "bos_token_id": self.bos_id,
            "conv1d_width": self.conv_width,
            "embeddings_scale_by_sqrt_dim": True,
            "eos_token_id": self.eos_id,
            "final_w_init_variance_scale": 2.0 / self.depth,
            "head_dim": self.head_dim,
            "hidden_activation": "gelu_pytorch_tanh",
            "hidden_size": self.width,
            "intermediate_size": 2 * self.mlp_width,
            "logits_soft_cap": self.soft_cap,
            "lru_width": self.lru_width,
            "model_type": "recurrent_gemma",
            "num_attention_heads": self.num_heads,
            "num_hidden_layers": self.depth,
            "num_key_value_heads": self.num_kv_heads,
            "pad_token_id": self.pad_id,
            "partial_rotary_factor": self.partial_rotary_factor,
            "rms_norm_eps": self.eps,
            "rope_theta": self.rope_theta,
            "tie_word_embeddings": True,
            "torch_dtype": torch_dtype,
            "use_cache": True,
            "vocab_size": self.vocab_size,
            "w_init_variance_scale": 0.01,
        }

    @staticmethod
    def from_hf(d):
        pattern = tuple(d.get("block_types") or d["_block_types"])
        return GriffinConfig(
            vocab_size=d["vocab_size"], width=d["hidden_size"], depth=d["num_hidden_layers"],
            num_heads=d["num_attention_heads"], num_kv_heads=d.get("num_key_value_heads", 1),
            head_dim=d.get("head_dim", d["hidden_size"] // d["num_attention_heads"]),
            lru_width=d.get("lru_width") or d["hidden_size"], mlp_width=d["intermediate_size"] // 2,
            conv_width=d.get("conv1d_width", 4), window=d.get("attention_window_size", 2048),
            block_pattern=pattern, rope_theta=float(d.get("rope_theta", 10000.0)),
            partial_rotary_factor=float(d.get("partial_rotary_factor", 0.5)),
            soft_cap=float(d.get("logits_soft_cap", 30.0)), eps=float(d.get("rms_norm_eps", 1e-6)),
            bos_id=d.get("bos_token_id", 2), eos_id=d.get("eos_token_id", 1), pad_id=d.get("pad_token_id", 0))


def embedding_scale(width):
    """bf16(sqrt(D)): sqrt in float32, rounded to bfloat16 (torch rounds to nearest even)."""
    s = torch.sqrt(torch.tensor(float(width), dtype=torch.float32))
    return float(s.to(torch.bfloat16).to(torch.float32))


def gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.zeros(dim))  # stored zero-centred: the scale is 1 + g

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * (1.0 + self.weight)


class MLPBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.width, cfg.mlp_width)
        self.up_proj = nn.Linear(cfg.width, cfg.mlp_width)
        self.down_proj = nn.Linear(cfg.mlp_width, cfg.width)

    def forward(self, z):
        return self.down_proj(gelu_tanh(self.gate_proj(z)) * self.up_proj(z))


class _SqrtBoundDerivative(torch.autograd.Function):
    """sqrt(x) whose gradient is bounded (the official RG-LRU's SqrtBoundDerivative, max gradient 1000):
    1 - a^2 reaches 0 when the recurrence gate closes, where d sqrt/dx is infinite. Forward is exact."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.sqrt(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / torch.sqrt(torch.clamp(x, min=1.0 / (4.0 * 1000.0 ** 2))) / 2.0


def linear_scan(a, b):
    """h_t = a_t h_{t-1} + b_t with h_{-1} = 0, over dim 1 of [B, T, L], by Hillis-Steele doubling."""
    T = a.shape[1]
    d = 1
    while d < T:
        # After this step, (a_t, b_t) composes the updates of steps t-2d+1 .. t.
        b = torch.cat([b[:, :d], b[:, d:] + a[:, d:] * b[:, :-d]], dim=1)
        a = torch.cat([a[:, :d], a[:, d:] * a[:, :-d]], dim=1)
        d *= 2
    return b


class RGLRU(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        H, L = cfg.num_heads, cfg.lru_width
        bw = L // H
        self.recurrent_param = nn.Parameter(torch.zeros(L))
        self.recurrent_gate_weight = nn.Parameter(torch.zeros(H, bw, bw))  # [block, in, out]
        self.recurrent_gate_bias = nn.Parameter(torch.zeros(H, bw))
        self.input_gate_weight = nn.Parameter(torch.zeros(H, bw, bw))
        self.input_gate_bias = nn.Parameter(torch.zeros(H, bw))

    @staticmethod
    def _block_diag(v, w, b):
        B, T, L = v.shape
        H, bw, _ = w.shape
        out = torch.einsum("bthi,hio->btho", v.reshape(B, T, H, bw), w) + b
        return out.reshape(B, T, L)

    def forward(self, v):
        """v [B, T, L], every row a document starting at position 0. The scan runs in float32 at least."""
        acc = torch.float64 if v.dtype == torch.float64 else torch.float32
        v = v.to(acc)
        r = torch.sigmoid(self._block_diag(v, self.recurrent_gate_weight.to(acc), self.recurrent_gate_bias.to(acc)))
        i = torch.sigmoid(self._block_diag(v, self.input_gate_weight.to(acc), self.input_gate_bias.to(acc)))
        log_a = -RG_LRU_C * r * F.softplus(self.recurrent_param.to(acc))
        a = torch.exp(log_a)
        m = _SqrtBoundDerivative.apply(-torch.expm1(2.0 * log_a))  # sqrt(1 - a^2)
        iv = i * v
        # Reset at position 0: multiplier 1 and decay 0 (h_{-1} = 0 already, so only b_0 changes).
        b = torch.cat([iv[:, :1], m[:, 1:] * iv[:, 1:]], dim=1)
        a = torch.cat([torch.zeros_like(a[:, :1]), a[:, 1:]], dim=1)
        return linear_scan(a, b)


class RecurrentBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        L, K = cfg.lru_width, cfg.conv_width
        self.linear_y = nn.Linear(cfg.width, L)
        self.linear_x = nn.Linear(cfg.width, L)
        self.linear_out = nn.Linear(L, cfg.width)
        self.conv_1d = nn.Conv1d(L, L, K, groups=L, padding=K - 1)  # weight [L, 1, K]
        self.rg_lru = RGLRU(cfg)

    def forward(self, z):
        T = z.shape[1]
        y = gelu_tanh(self.linear_y(z))
        u = self.linear_x(z)
        # Cross-correlation over [K-1 zeros, u]: output t = sum_k w[k] u[t-(K-1)+k]; keep the first T.
        v = self.conv_1d(u.transpose(1, 2))[..., :T].transpose(1, 2)
        h = self.rg_lru(v).to(z.dtype)
        return self.linear_out(h * y)


def rope(x, positions, rotary_dims, theta):
    """x [B, T, heads, hd]: rotate the first `rotary_dims` dims, halves layout (j pairs j + R/2)."""
    R = rotary_dims
    if R == 0:
        return x
    half = R // 2
    omega = theta ** (-2.0 * torch.arange(half, dtype=torch.float64) / R)
    ang = positions.to(torch.float64)[:, None] * omega[None, :]          # [T, R/2]
    cos = torch.cos(ang).to(x.dtype)[None, :, None, :]
    sin = torch.sin(ang).to(x.dtype)[None, :, None, :]
    x1, x2, rest = x[..., :half], x[..., half:R], x[..., R:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin, rest], dim=-1)


class AttentionBlock(nn.Module):
    """Local multi-query attention, computed in query blocks of `block` rows so that long sequences
    (scoring a whole book) need O(T * (block + Wn)) memory."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.q_proj = nn.Linear(cfg.width, cfg.num_heads * cfg.head_dim, bias=False)
        self.k_proj = nn.Linear(cfg.width, cfg.num_kv_heads * cfg.head_dim, bias=False)
        self.v_proj = nn.Linear(cfg.width, cfg.num_kv_heads * cfg.head_dim, bias=False)
        self.o_proj = nn.Linear(cfg.num_heads * cfg.head_dim, cfg.width, bias=True)

    def forward(self, z, block=512):
        cfg = self.cfg
        B, T, _ = z.shape
        H, G, hd, Wn = cfg.num_heads, cfg.num_kv_heads, cfg.head_dim, cfg.window
        pos = torch.arange(T)
        q = rope(self.q_proj(z).view(B, T, H, hd), pos, cfg.rotary_dims, cfg.rope_theta)
        k = rope(self.k_proj(z).view(B, T, G, hd), pos, cfg.rotary_dims, cfg.rope_theta)
        v = self.v_proj(z).view(B, T, G, hd)
        # [B, G, H/G, T, hd] queries against [B, G, 1, T, hd] keys: query head h reads KV head h // (H/G).
        q = q.view(B, T, G, H // G, hd).permute(0, 2, 3, 1, 4)
        k = k.permute(0, 2, 1, 3).unsqueeze(2)
        v = v.permute(0, 2, 1, 3).unsqueeze(2)
        outs = []
        for s in range(0, T, block):
            e = min(T, s + block)
            ks = max(0, s - Wn)
            scores = torch.matmul(q[..., s:e, :], k[..., ks:e, :].transpose(-1, -2)) / math.sqrt(hd)
            qi = torch.arange(s, e)[:, None]
            kj = torch.arange(ks, e)[None, :]
            visible = (kj <= qi) & (qi - kj <= Wn)
            scores = scores.masked_fill(~visible, float("-inf"))
            p = torch.softmax(scores.to(torch.float64 if z.dtype == torch.float64 else torch.float32), dim=-1)
            outs.append(torch.matmul(p.to(z.dtype), v[..., ks:e, :]))
        o = torch.cat(outs, dim=-2)                                       # [B, G, H/G, T, hd]
        o = o.permute(0, 3, 1, 2, 4).reshape(B, T, H * hd)
        return self.o_proj(o)


class ResidualBlock(nn.Module):
    def __init__(self, cfg, kind):
        super().__init__()
        self.temporal_pre_norm = RMSNorm(cfg.width, cfg.eps)
        self.temporal_block = RecurrentBlock(cfg) if kind == "recurrent" else AttentionBlock(cfg)
        self.channel_pre_norm = RMSNorm(cfg.width, cfg.eps)
        self.mlp_block = MLPBlock(cfg)

    def forward(self, x, attn_block=512):
        z = self.temporal_pre_norm(x)
        if isinstance(self.temporal_block, AttentionBlock):
            r = x + self.temporal_block(z, attn_block)
        else:
            r = x + self.temporal_block(z)
        return r + self.mlp_block(self.channel_pre_norm(r))


class _Backbone(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.width)
        self.layers = nn.ModuleList(ResidualBlock(cfg, kind) for kind in cfg.block_types())
        self.final_norm = RMSNorm(cfg.width, cfg.eps)


class GriffinLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        for kind in cfg.block_types():
            if kind not in ("recurrent", "attention"):
                raise ValueError(f"block type {kind!r} is not supported by the trainer")
        self.cfg = cfg
        self.model = _Backbone(cfg)
        self.scale = embedding_scale(cfg.width)

    def forward(self, tokens, attn_block=512):
        """tokens [B, T] (each row one document at positions 0..T-1) -> soft-capped logits [B, T, V].
        `attn_block`: query rows per attention block (memory only; the result does not depend on it)."""
        x = self.model.embed_tokens(tokens) * self.scale
        for layer in self.model.layers:
            x = layer(x, attn_block)
        x = self.model.final_norm(x)
        logits = F.linear(x, self.model.embed_tokens.weight)  # tied, unscaled table
        cap = self.cfg.soft_cap
        return cap * torch.tanh(logits / cap) if cap > 0 else logits

    def num_parameters(self):
        return sum(p.numel() for p in self.parameters())


def init_weights(model, generator):
    """Initialisation after the official Griffin code: N(0, 1/fan_in) linears (output projections of each
    residual branch scaled by final_w_init_variance_scale = 2/depth), embeddings N(0, 1/D) (so scaled
    embeddings have unit variance), zero biases and norm scales, gate blocks N(0, 1/block), conv taps
    N(0, 1/K), RG-LRU base decay a = sigma(-recurrent_param) with a^2 uniform in [0.9^2, 0.999^2]."""
    cfg = model.cfg
    final_scale = 2.0 / cfg.depth

    def normal_(p, std):
        with torch.no_grad():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=torch.float64) * std)

    for name, p in model.named_parameters():
        if name.endswith("embed_tokens.weight"):
            normal_(p, 1.0 / math.sqrt(cfg.width))
        elif name.endswith("norm.weight") or name.endswith(".bias") or name.endswith("_gate_bias"):
            with torch.no_grad():
                p.zero_()
        elif name.endswith("conv_1d.weight"):
            normal_(p, 1.0 / math.sqrt(cfg.conv_width))
        elif name.endswith("_gate_weight"):
            normal_(p, 1.0 / math.sqrt(p.shape[1]))
        elif name.endswith("recurrent_param"):
            u = torch.rand(p.shape, generator=generator, dtype=torch.float64)
            a = torch.sqrt(0.9 ** 2 + u * (0.999 ** 2 - 0.9 ** 2))
            with torch.no_grad():
                p.copy_(torch.log(1.0 / a - 1.0))  # a = exp(-softplus(p)) = sigmoid(-p)
        elif name.endswith(".weight"):
            fan_in = p.shape[1]
            scale = final_scale if any(k in name for k in ("linear_out", "o_proj", "down_proj")) else 1.0
            normal_(p, math.sqrt(scale / fan_in))
        else:
            raise AssertionError(f"no initialiser for {name}")


# ----------------------------------------------------------------------------------------------------------
# Checkpoint files

def _bf16_bytes(t):
    """float32 tensor -> little-endian bfloat16 bytes, round to nearest even (torch's conversion)."""
    return t.detach().to(torch.float32).to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()


def write_safetensors(path, tensors, dtype="F32", metadata=None):
    """Write {name: tensor} as safetensors (F32 or BF16), in name order, header padded to 8 bytes."""
    header = {"__metadata__": {str(k): str(v) for k, v in (metadata or {"format": "pt"}).items()}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if dtype == "F32":
            raw = t.to(torch.float32).numpy().astype("<f4").tobytes()
        elif dtype == "BF16":
            raw = _bf16_bytes(t)
        else:
            raise ValueError(dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """{name: float32 tensor} from an F32 or BF16 safetensors file."""
    import numpy as np
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        raw = data[8 + n + b: 8 + n + e]
        if info["dtype"] == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        else:
            raise ValueError(f"{name}: dtype {info['dtype']}")
        out[name] = torch.from_numpy(arr.reshape(info["shape"]).copy())
    return out


def save_hf(model, directory, dtype="BF16"):
    """config.json + model.safetensors (the state dict under its HF names; no lm_head: it is tied)."""
    import os
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(model.cfg.to_hf("bfloat16" if dtype == "BF16" else "float32"), f, indent=2, sort_keys=True)
        f.write("\n")
    write_safetensors(os.path.join(directory, "model.safetensors"), model.state_dict(), dtype=dtype)


def load_hf(directory):
    import os
    with open(os.path.join(directory, "config.json")) as f:
        cfg = GriffinConfig.from_hf(json.load(f))
    model = GriffinLM(cfg)
    model.load_state_dict(read_safetensors(os.path.join(directory, "model.safetensors")), strict=True)
    return model
