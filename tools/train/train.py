"""Train a small Griffin on the King James Bible and write a Hugging Face RecurrentGemma checkpoint.

End to end, on the CPU (Debian python3-torch), deterministic given --seed and --threads:

1. data: `bible` (Debian bible-kjv + bible-kjv-text) -> WORK/data/train.txt (Genesis..Jude, 30,698
   verses) and WORK/data/heldout.txt (Revelation, 404 verses), one verse per line (kjv_data.py);
2. tokenizer: Debian `spm_train` on train.txt only -> WORK/tokenizer.model (BPE, 4000 pieces, Gemma's
   pad 0 / eos 1 / bos 2 / unk 3, byte fallback, <start_of_turn>/<end_of_turn>, identity normalization
   plus one rule: newline -> space);
3. check: the PyTorch model against the float64 reference in tests/reference/ on random weights
   (check_against_reference.py); training does not start unless it passes;
4. training: AdamW on random windows of the token stream, each [BOS] + T-1 tokens starting at a verse;
   progress every --log-every steps, held-out loss every --eval-every steps (for information only:
   nothing is selected on it), a resumable checkpoint WORK/ckpt.pt every --ckpt-every steps;
5. export: WORK/hf/{config.json, model.safetensors (BF16 unless --f32), tokenizer.model} plus
   WORK/train_summary.json; `griffin-convert WORK/hf -o MODEL.griffin --dtype bf16` then converts it.

Usage (from the repository root; see tools/train/README.md):
    /usr/bin/python3 tools/train/train.py --work /tmp/kjv-train
    /usr/bin/python3 tools/train/train.py --work /tmp/kjv-train --resume       # after an interruption
    /usr/bin/python3 tools/train/train.py --work /tmp/kjv-bench --bench 5      # time 5 steps only
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import kjv_data  # noqa: E402
from griffin_torch import GriffinConfig, GriffinLM, init_weights, save_hf  # noqa: E402

SPM_ARGS = [
    "--vocab_size={vocab}", "--model_type=bpe", "--character_coverage=1.0", "--byte_fallback=true",
    "--pad_id=0", "--eos_id=1", "--bos_id=2", "--unk_id=3",
    "--user_defined_symbols=<start_of_turn>,<end_of_turn>",
    "--normalization_rule_tsv={rules}", "--num_threads=1", "--minloglevel=1",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", required=True, help="working directory (data, tokenizer, checkpoints, output)")
    p.add_argument("--seed", type=int, default=1611)
    p.add_argument("--threads", type=int, default=2, help="BLAS threads (matrix products)")
    p.add_argument("--torch-threads", type=int, default=1, help="PyTorch intra-op threads (elementwise ops)")
    p.add_argument("--vocab", type=int, default=4000)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--depth", type=int, default=6)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--lru-width", type=int, default=256)
    p.add_argument("--mlp-width", type=int, default=768)
    p.add_argument("--window", type=int, default=64)
    p.add_argument("--seq-len", type=int, default=512, help="tokens per training sequence, BOS included")
    p.add_argument("--batch", type=int, default=4, help="sequences per step")
    p.add_argument("--steps", type=int, default=1200)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--min-lr-ratio", type=float, default=0.1)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--ckpt-every", type=int, default=100)
    p.add_argument("--resume", action="store_true", help="continue from WORK/ckpt.pt")
    p.add_argument("--bench", type=int, default=0, help="time this many steps, write nothing else")
    p.add_argument("--skip-check", action="store_true", help="do not run check_against_reference.py")
    p.add_argument("--f32", action="store_true", help="write model.safetensors as F32 instead of BF16")
    return p.parse_args()


# ----------------------------------------------------------------------------------------------------------
# Data and tokenizer

def prepare_data(work):
    data = os.path.join(work, "data")
    os.makedirs(data, exist_ok=True)
    train, heldout = kjv_data.split(kjv_data.read_verses())
    kjv_data.write_text(os.path.join(data, "train.txt"), train)
    kjv_data.write_text(os.path.join(data, "heldout.txt"), heldout)
    return [v[3] for v in train], [v[3] for v in heldout]


def train_tokenizer(work, vocab):
    """spm_train runs inside WORK with relative paths: the model stores its trainer arguments, so the
    file's bytes do not depend on where WORK is."""
    with open(os.path.join(work, "newline_to_space.tsv"), "w") as f:
        f.write("0A\t20\n")  # identity normalization except U+000A -> U+0020
    args = ["spm_train", "--input=data/train.txt", "--model_prefix=tokenizer"]
    args += [a.format(vocab=vocab, rules="newline_to_space.tsv") for a in SPM_ARGS]
    subprocess.run(args, check=True, cwd=work)
    return os.path.join(work, "tokenizer.model")


def tokenize_stream(sp, verses):
    """Token ids of the verses as running text, and the index where each verse starts. Encoding verse
    by verse equals encoding the joined text (BPE does not merge across spaces; each verse starts with
    '\u2581'); checked on the first 2000 verses."""
    ids, starts = [], []
    for v in verses:
        starts.append(len(ids))
        ids.extend(sp.encode(v))
    n = min(2000, len(verses))
    probe = sp.encode("\n".join(verses[:n]))
    assert probe == ids[: starts[n] if n < len(verses) else len(ids)], "verse-by-verse encoding differs"
    return np.array(ids, dtype=np.int64), np.array(starts, dtype=np.int64)


# ----------------------------------------------------------------------------------------------------------
# Training

def batch_at(stream, starts, rng, batch, seq_len, bos):
    """[B, T] inputs ([BOS] + T-1 tokens) and [B, T] targets (the same T tokens shifted by one)."""
    ok = starts[starts + seq_len <= len(stream)]
    picks = rng.integers(0, len(ok), batch)
    rows = np.stack([stream[ok[i]: ok[i] + seq_len] for i in picks])
    inputs = np.concatenate([np.full((batch, 1), bos), rows[:, :-1]], axis=1)
    return torch.from_numpy(inputs), torch.from_numpy(rows)


def heldout_loss(model, stream, seq_len, bos, max_rows=16):
    """Mean NLL over consecutive windows [BOS] + T-1 held-out tokens (for monitoring only)."""
    model.eval()
    n = min(max_rows, len(stream) // seq_len)
    rows = stream[: n * seq_len].reshape(n, seq_len)
    inputs = torch.from_numpy(np.concatenate([np.full((n, 1), bos), rows[:, :-1]], axis=1))
    with torch.no_grad():
        logits = model(inputs)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                                 torch.from_numpy(rows).reshape(-1)).item()
    model.train()
    return loss


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (args.min_lr_ratio + (1 - args.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))


def make_optimizer(model, args):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        # Matrices (embedding, linears, gate blocks) decay; norms, biases, conv taps and decay rates do not.
        (decay if p.dim() >= 2 and "conv_1d" not in name else no_decay).append(p)
    return torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}],
                             lr=args.lr, betas=(0.9, 0.95), eps=1e-8)


def setup_threads(args):
    """Matrix products dominate a step and go to BLAS; PyTorch's own threads only run elementwise ops.
    Measured on the 2-core build machine while other jobs were compiling (load 6): torch 1 thread +
    OpenBLAS 2 threads 757 tokens/s; torch 2 (OMP_WAIT_POLICY=PASSIVE) + OpenBLAS 2: 560; torch 2 +
    OpenBLAS 2 with spinning OpenMP threads: 183. With Debian's reference BLAS (libblas3) and glibc
    malloc: 31 (every fresh large tensor costs page faults there, 25 ns per element on this VM).
    run.sh preloads tcmalloc and puts OpenBLAS first when they are present (README.md)."""
    import ctypes
    torch.set_num_threads(args.torch_threads)
    try:
        blas = ctypes.CDLL("libblas.so.3")
        blas.openblas_set_num_threads(args.threads)
        kind = blas.openblas_get_config
        kind.restype = ctypes.c_char_p
        print(f"BLAS: {kind().decode()}, {args.threads} threads; torch threads {args.torch_threads}", flush=True)
    except (OSError, AttributeError):
        print("WARNING: libblas.so.3 is not OpenBLAS: training will be many times slower. Install "
              "libopenblas0-pthread or run through tools/train/run.sh (see README.md).", flush=True)
    if "tcmalloc" not in os.environ.get("LD_PRELOAD", ""):
        print("WARNING: tcmalloc is not preloaded; large temporary tensors may be slow to allocate "
              "(run through tools/train/run.sh).", flush=True)


def main():
    args = parse_args()
    setup_threads(args)
    torch.manual_seed(args.seed)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    t_start = time.time()

    if not args.skip_check and not args.bench:
        print("== checking the PyTorch model against tests/reference (float64 NumPy)", flush=True)
        subprocess.run([sys.executable, os.path.join(HERE, "check_against_reference.py")], check=True)

    print("== data and tokenizer", flush=True)
    train_verses, heldout_verses = prepare_data(work)
    tok_path = train_tokenizer(work, args.vocab)
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=tok_path)
    assert (sp.pad_id(), sp.eos_id(), sp.bos_id(), sp.unk_id()) == (0, 1, 2, 3)
    stream, starts = tokenize_stream(sp, train_verses)
    held, _ = tokenize_stream(sp, heldout_verses)
    print(f"tokenizer: {sp.get_piece_size()} pieces; training stream {len(stream)} tokens, "
          f"held out {len(held)} tokens", flush=True)

    cfg = GriffinConfig(vocab_size=sp.get_piece_size(), width=args.width, depth=args.depth, num_heads=args.heads,
                        num_kv_heads=1, head_dim=args.width // args.heads, lru_width=args.lru_width,
                        mlp_width=args.mlp_width, conv_width=4, window=args.window)
    model = GriffinLM(cfg)
    init_weights(model, torch.Generator().manual_seed(args.seed))
    opt = make_optimizer(model, args)
    rng = np.random.default_rng(args.seed)
    step, log, elapsed_before = 0, [], 0.0
    ckpt_path = os.path.join(work, "ckpt.pt")
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        rng.bit_generator.state = ck["rng"]
        torch.set_rng_state(ck["torch_rng"])
        step, log, elapsed_before = ck["step"], ck["log"], ck["elapsed"]
        print(f"resumed at step {step}", flush=True)
    print(f"model: {model.num_parameters():,} parameters; {cfg}", flush=True)

    total = args.bench or args.steps
    tokens_per_step = args.batch * args.seq_len
    model.train()
    t0 = time.time()
    window_loss, window_t, window_steps = 0.0, time.time(), 0
    while step < total:
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        inputs, targets = batch_at(stream, starts, rng, args.batch, args.seq_len, cfg.bos_id)
        logits = model(inputs)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, cfg.vocab_size), targets.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip).item()
        opt.step()
        step += 1
        window_loss += loss.item()
        window_steps += 1
        log.append({"step": step, "loss": loss.item(), "grad_norm": gnorm})
        if step % args.log_every == 0 or step == total:
            now = time.time()
            elapsed = elapsed_before + now - t0
            tps = window_steps * tokens_per_step / (now - window_t)
            print(f"step {step:5d}/{total}  loss {window_loss / window_steps:.4f}  lr {lr_at(step - 1, args):.2e}  "
                  f"|g| {gnorm:.2f}  {tps:,.0f} tok/s  elapsed {elapsed / 60:.1f} min  "
                  f"eta {(total - step) * tokens_per_step / tps / 60:.1f} min", flush=True)
            window_loss, window_t, window_steps = 0.0, time.time(), 0
        if not args.bench and (step % args.eval_every == 0 or step == total):
            hl = heldout_loss(model, held, args.seq_len, cfg.bos_id)
            log[-1]["heldout_loss"] = hl
            print(f"          held-out loss {hl:.4f} (perplexity {math.exp(hl):.2f}; monitoring only)", flush=True)
            window_t = time.time()
        if not args.bench and (step % args.ckpt_every == 0 or step == total):
            torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "rng": rng.bit_generator.state,
                        "torch_rng": torch.get_rng_state(), "step": step, "log": log,
                        "elapsed": elapsed_before + time.time() - t0}, ckpt_path + ".tmp")
            os.replace(ckpt_path + ".tmp", ckpt_path)
            window_t = time.time()
    train_seconds = elapsed_before + time.time() - t0
    if args.bench:
        print(f"bench: {total} steps in {train_seconds:.1f} s, {total * tokens_per_step / train_seconds:,.0f} tok/s")
        return

    hf = os.path.join(work, "hf")
    save_hf(model, hf, dtype="F32" if args.f32 else "BF16")
    shutil.copyfile(tok_path, os.path.join(hf, "tokenizer.model"))
    last = log[-50:]
    summary = {
        "seed": args.seed, "threads": args.threads, "steps": step, "batch": args.batch, "seq_len": args.seq_len,
        "tokens_seen": step * tokens_per_step, "train_stream_tokens": int(len(stream)),
        "epochs": step * tokens_per_step / len(stream), "heldout_tokens": int(len(held)),
        "parameters": model.num_parameters(), "train_seconds": train_seconds,
        "total_seconds": time.time() - t_start,
        "final_train_loss_last50": sum(r["loss"] for r in last) / len(last),
        "final_heldout_loss_windows": log[-1].get("heldout_loss"),
        "args": vars(args), "config": cfg.to_hf(), "log": log,
    }
    with open(os.path.join(work, "train_summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"== wrote {hf} ({step} steps, {train_seconds / 60:.1f} min of training, "
          f"final train loss {summary['final_train_loss_last50']:.4f})", flush=True)


if __name__ == "__main__":
    main()
