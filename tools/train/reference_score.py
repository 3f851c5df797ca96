"""Score a text with the float64 NumPy reference (tests/reference/griffin_ref.py), the way griffin-score does.

The text is tokenized with SentencePiece (python3-sentencepiece, the same library as the runtime) and
BOS is put first, like `griffin-score --file`. For t = 1..T-1 the log-probability of token t under the
logits of position t-1 is taken (log-softmax in float64); the mean NLL is minus their mean and the
perplexity exp(mean NLL). The model is an HF checkpoint directory (config.json, model.safetensors,
tokenizer.model), read by the reference itself.

Two reference paths compute the logits: `forward` (full sequence with attention masks; O(T^2) Python
work, fine up to ~1000 tokens) and `decode` (token by token with explicit state, linear in T: used for
the whole held-out book). `--path both` runs both and reports their largest logit difference.

Usage (from the repository root):
    /usr/bin/python3 tools/train/reference_score.py MODEL_DIR --text FILE [--path forward|decode|both]
        [--out RESULT.json] [--per-token]

The result JSON holds the token ids, the counts, total log-probability, mean NLL and perplexity, the
sha256 of the weights file, the command, and with --per-token every log-probability.
"""

import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "reference"))

import griffin_ref  # noqa: E402


def tokenize(model_dir, text, bos):
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "tokenizer.model"))
    return [bos] + sp.encode(text)


def log_probs(logits, tokens):
    """logprob[t-1] = log softmax(logits[t-1])[tokens[t]] for t = 1..T-1, in float64."""
    rows = logits[:-1]
    m = rows.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(rows - m).sum(axis=1))
    return rows[np.arange(len(tokens) - 1), tokens[1:]] - lse


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model_dir")
    p.add_argument("--text", required=True, help="UTF-8 text file to score (BOS is prepended)")
    p.add_argument("--path", choices=["forward", "decode", "both"], default="forward")
    p.add_argument("--out", help="write the result as JSON here")
    p.add_argument("--per-token", action="store_true", help="include every log-probability in the JSON")
    args = p.parse_args()

    cfg, W = griffin_ref.load_model(args.model_dir)
    with open(os.path.join(args.model_dir, "config.json")) as f:
        bos = json.load(f).get("bos_token_id", 2)
    with open(args.text, encoding="utf-8") as f:
        text = f.read()
    tokens = tokenize(args.model_dir, text, bos)
    t0 = time.time()
    results = {}
    if args.path in ("forward", "both"):
        results["forward"] = griffin_ref.forward(cfg, W, tokens)
    if args.path in ("decode", "both"):
        results["decode"] = griffin_ref.decode_all(cfg, W, tokens)
    seconds = time.time() - t0
    logits = results["forward" if "forward" in results else "decode"]
    lp = log_probs(logits, np.asarray(tokens))
    total = float(lp.sum())
    nll = -total / len(lp)
    with open(os.path.join(args.model_dir, "model.safetensors"), "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    out = {
        "description": "float64 reference (tests/reference/griffin_ref.py) score of the text, BOS first, "
                       "as griffin-score computes it",
        "command": "/usr/bin/python3 tools/train/reference_score.py " + " ".join(sys.argv[1:]),
        "model_dir": args.model_dir,
        "model_safetensors_sha256": digest,
        "text_file": args.text,
        "reference_path": args.path,
        "token_count": len(tokens),
        "scored_tokens": len(lp),
        "total_logprob": total,
        "mean_nll": nll,
        "perplexity": math.exp(nll),
        "tokens": tokens,
    }
    if len(results) == 2:
        out["forward_vs_decode_max_abs_logit_diff"] = float(np.abs(results["forward"] - results["decode"]).max())
        lp2 = log_probs(results["decode"], np.asarray(tokens))
        out["decode_mean_nll"] = -float(lp2.sum()) / len(lp2)
    if args.per_token:
        out["logprobs"] = [float(x) for x in lp]
    print(f"tokens: {len(tokens)} ({len(lp)} scored), reference path {args.path}, {seconds:.1f} s")
    print(f"total logprob: {total:.6f}")
    print(f"mean NLL: {nll:.9f} nats/token")
    print(f"perplexity: {math.exp(nll):.9g}")
    if "forward_vs_decode_max_abs_logit_diff" in out:
        print(f"forward vs decode: max |logit diff| {out['forward_vs_decode_max_abs_logit_diff']:.3g}, "
              f"decode mean NLL {out['decode_mean_nll']:.9f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
