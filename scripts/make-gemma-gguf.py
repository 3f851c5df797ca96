#!/usr/bin/python3
"""Writes a Gemma-2B-shaped GGUF file with random f16 weights, for llama.cpp's llama-bench.

Issue 14 compares griffin-rt with llama.cpp on "a Gemma-shaped 2.56e9-parameter file".
RecurrentGemma is not a llama.cpp architecture, so scripts/bench-llamacpp.sh measures llama.cpp
on the plain Gemma-2B shape (width 2,048, 18 layers, MLP 16,384, 8 query heads and one KV head of
256, vocabulary 256,000, tied embedding) and compares rates per weight byte, not per token.

The weights are random (seeded, different in every tensor: this host merges identical memory
pages, and speed does not depend on the values). The vocabulary is placeholder pieces: llama-bench
feeds random token ids and never tokenizes text. Needs numpy and gguf-py (llama.cpp's
`gguf-py` directory on PYTHONPATH, or `pip install gguf`).

usage: make-gemma-gguf.py OUT.gguf [--seed N] [--layers N]
"""
import argparse
import sys

import numpy as np

try:
    import gguf
except ImportError:
    sys.exit("make-gemma-gguf.py: needs gguf-py: put llama.cpp's gguf-py directory on PYTHONPATH "
             "or `pip install gguf`")

WIDTH = 2048
LAYERS = 18
MLP = 16384
HEADS = 8
KV_HEADS = 1
HEAD_DIM = 256
VOCAB = 256000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--layers", type=int, default=LAYERS)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)

    def weights(rows, cols):
        # GGUF lists dimensions fastest first; numpy's [rows, cols] is written as {cols, rows}.
        values = rng.standard_normal((rows, cols), dtype=np.float32)
        values *= 0.02
        return values.astype(np.float16)

    def norm():
        return (1.0 + 0.1 * rng.standard_normal(WIDTH, dtype=np.float32)).astype(np.float32)

    writer = gguf.GGUFWriter(args.out, "gemma")
    writer.add_name("gemma-2b-shape-random")
    writer.add_context_length(8192)
    writer.add_embedding_length(WIDTH)
    writer.add_block_count(args.layers)
    writer.add_feed_forward_length(MLP)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_key_length(HEAD_DIM)
    writer.add_value_length(HEAD_DIM)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

    writer.add_tokenizer_model("llama")
    tokens = ["<pad>", "<eos>", "<bos>", "<unk>"] + [f"<piece{i}>" for i in range(4, VOCAB)]
    types = [gguf.TokenType.CONTROL] * 3 + [gguf.TokenType.UNKNOWN] + [gguf.TokenType.NORMAL] * (VOCAB - 4)
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * VOCAB)
    writer.add_token_types(types)
    writer.add_pad_token_id(0)
    writer.add_eos_token_id(1)
    writer.add_bos_token_id(2)
    writer.add_unk_token_id(3)
    writer.add_add_bos_token(True)

    writer.add_tensor("token_embd.weight", weights(VOCAB, WIDTH))
    for layer in range(args.layers):
        print(f"{args.out}: layer {layer + 1} of {args.layers}", file=sys.stderr)
        prefix = f"blk.{layer}."
        writer.add_tensor(prefix + "attn_norm.weight", norm())
        writer.add_tensor(prefix + "attn_q.weight", weights(HEADS * HEAD_DIM, WIDTH))
        writer.add_tensor(prefix + "attn_k.weight", weights(KV_HEADS * HEAD_DIM, WIDTH))
        writer.add_tensor(prefix + "attn_v.weight", weights(KV_HEADS * HEAD_DIM, WIDTH))
        writer.add_tensor(prefix + "attn_output.weight", weights(WIDTH, HEADS * HEAD_DIM))
        writer.add_tensor(prefix + "ffn_norm.weight", norm())
        writer.add_tensor(prefix + "ffn_gate.weight", weights(MLP, WIDTH))
        writer.add_tensor(prefix + "ffn_up.weight", weights(MLP, WIDTH))
        writer.add_tensor(prefix + "ffn_down.weight", weights(WIDTH, MLP))
    writer.add_tensor("output_norm.weight", norm())

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    print(f"{args.out}: writing", file=sys.stderr)
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    main()
