"""Where int8 loses greedy agreement: a PyTorch simulation of the runtime's roundings on a checkpoint.

The weights of every nn.Linear and of the tied embedding are rounded the way `griffin-convert --dtype
int8` rounds them (symmetric, one scale per row, or per group of 32 to compare); optionally the input
of every linear map is rounded the way the qd8 kernels round activations (int8 per group of 32, scale
max|x| / 127). The RG-LRU gate blocks stay float, as in the runtime. For each recipe it prints the
perplexity of a text and the share of positions whose argmax matches the unrounded model's.

Usage (from the repository root; ~1 minute per recipe on 2 cores for the bundled model):
    /usr/bin/python3 tools/train/quant_sensitivity.py examples/models/kjv-griffin \
        --text tests/data/kjv/revelation.txt row:0 row:1 f32:1 g32:1
A recipe is WEIGHTS:ACTIVATIONS: WEIGHTS is f32, row (one scale per row) or gN (groups of N);
ACTIVATIONS is 1 to round activations to int8, 0 to keep them float.
Results for the bundled model are in docs/quantization.md.
"""

import argparse
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from griffin_torch import load_hf  # noqa: E402


def round_weights(w, mode):
    if mode == "f32":
        return w
    if mode == "row":
        scale = (w.abs().amax(1, keepdim=True) / 127).clamp_min(1e-30)
        return torch.round(w / scale) * scale
    if mode.startswith("g"):
        g = int(mode[1:])
        n, k = w.shape
        kp = (k + g - 1) // g * g
        groups = F.pad(w, (0, kp - k)).view(n, kp // g, g)
        scale = (groups.abs().amax(2, keepdim=True) / 127).clamp_min(1e-30)
        return (torch.round(groups / scale) * scale).view(n, kp)[:, :k]
    raise SystemExit(f"unknown weight rounding {mode!r}")


def round_activations(x, g=32):
    k = x.shape[-1]
    kp = (k + g - 1) // g * g
    groups = F.pad(x, (0, kp - k)).reshape(*x.shape[:-1], kp // g, g)
    amax = groups.abs().amax(-1, keepdim=True)
    inverse = torch.where(amax > 0, 127 / amax.clamp_min(1e-30), torch.zeros_like(amax))
    return (torch.round(groups * inverse) * (amax / 127)).reshape(*x.shape[:-1], kp)[..., :k]


def logits_with(model_dir, tokens, weights, activations):
    model = load_hf(model_dir)
    model.eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                module.weight.copy_(round_weights(module.weight, weights))
                if activations:
                    module.register_forward_pre_hook(lambda _m, inp: (round_activations(inp[0]),))
        table = model.model.embed_tokens.weight
        table.copy_(round_weights(table, weights))
        if activations:  # the unembedding's input: the final norm's output
            norm = model.model.final_norm
            forward = norm.forward
            norm.forward = lambda x: round_activations(forward(x))
        return model(tokens)[0, :-1]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_dir")
    p.add_argument("--text", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("recipes", nargs="+", help="WEIGHTS:ACTIVATIONS, e.g. row:0")
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.model_dir, "tokenizer.model"))
    with open(args.text, encoding="utf-8") as f:
        ids = sp.encode(f.read())
    bos = load_hf(args.model_dir).cfg.bos_id
    tokens = torch.tensor([[bos] + ids])
    targets = tokens[0, 1:]

    reference = logits_with(args.model_dir, tokens, "f32", False)
    greedy = reference.argmax(-1)

    def report(name, logits):
        nll = -torch.log_softmax(logits.double(), -1)[torch.arange(len(targets)), targets].mean().item()
        agree = (logits.argmax(-1) == greedy).double().mean().item()
        print(f"{name:12s} perplexity {math.exp(nll):.4f}  greedy agreement {100 * agree:.3f} %", flush=True)

    report("f32", reference)
    for recipe in args.recipes:
        weights, _, activations = recipe.partition(":")
        report(recipe, logits_with(args.model_dir, tokens, weights, activations == "1"))


if __name__ == "__main__":
    main()
