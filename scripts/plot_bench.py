#!/usr/bin/python3
"""Plots of scripts/bench-paper.sh's tables (docs/benchmarks.md): decode ms/token and session
memory against position, and decode tokens/s against batch size, one line per model.

    /usr/bin/python3 scripts/plot_bench.py docs/benchmarks

Reads position.csv and batch.csv from the directory and writes position_ms.png,
position_relative.png (when position.csv has the interleaved ratio column),
session_memory.png and batch_throughput.png next to them (Debian's python3-matplotlib)."""
import csv
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 (after choosing the backend)

LABELS = {"griffin": "Griffin", "hawk": "Hawk", "mqa": "MQA Transformer"}


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def by_model(rows, x, y):
    """{model label: sorted (x, y)}; rows without a y value are left out. Rows appended from
    an earlier run of bench-paper.sh (no relative_to_first column value) are labelled so."""
    series = {}
    for row in rows:
        if not row.get(y):
            continue
        label = LABELS.get(row["model"], row["model"])
        if "relative_to_first" in row and not row["relative_to_first"]:
            label += " (earlier run)"
        series.setdefault(label, []).append((float(row[x]), float(row[y])))
    return {label: sorted(points) for label, points in series.items()}


def plot(series, xlabel, ylabel, title, path, log_x=False):
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, points in series.items():
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
    if log_x:
        ax.set_xscale("log", base=2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks"
    machine = {}
    machine_path = os.path.join(directory, "machine.json")
    if os.path.exists(machine_path):
        with open(machine_path) as f:
            machine = json.load(f)
    note = " (quick)" if machine.get("quick") else ""
    if machine.get("tiny"):
        note = " (tiny: pipeline check)"
    positions = read(os.path.join(directory, "position.csv"))
    plot(by_model(positions, "position", "decode_ms_per_token"), "position (tokens)",
         "decode ms/token", "Decode time per token against position" + note,
         os.path.join(directory, "position_ms.png"), log_x=True)
    if positions and "relative_to_first" in positions[0]:
        plot(by_model(positions, "position", "relative_to_first"), "position (tokens)",
             "ms/token ÷ ms/token at the first position",
             "Decode time relative to the first position,\nmeasured side by side" + note,
             os.path.join(directory, "position_relative.png"), log_x=True)
    memory = [dict(row, session_mb=float(row["session_bytes"]) / 1e6) for row in positions]
    plot(by_model(memory, "position", "session_mb"), "position (tokens)", "session memory (MB)",
         "Session memory against position" + note,
         os.path.join(directory, "session_memory.png"), log_x=True)
    batches = read(os.path.join(directory, "batch.csv"))
    plot(by_model(batches, "batch", "decode_tokens_per_s"), "batch size (sessions)",
         "decode tokens/s (all sessions)", "Batched decode throughput" + note,
         os.path.join(directory, "batch_throughput.png"), log_x=True)


if __name__ == "__main__":
    main()
