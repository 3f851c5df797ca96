#!/usr/bin/python3
"""Issue 14's speed targets, checked against `griffin-bench --json` results.

    scripts/bench_targets.py DIR_OR_FILE [DIR_OR_FILE ...]

Reads the JSON files that scripts/bench.sh writes (and the same names in
docs/benchmarks/<machine>/stopNN/), every one in each directory given, or the files given:
  speed-<config>-<run>.json      griffin-bench --roofline: decode and prefill fractions
  chunk128-<config>-<run>.json   the same with --chunk 128
  batch8-<config>-<run>.json     griffin-bench --batch 8: speed-up against a lone session in turns
  sessions-<config>[-<run>].json griffin-bench --sessions 2: the same for two sessions
  versus-int4-int8-<run>.json    int8 model with --versus int4: int4 ÷ int8 decode in turns
  llamacpp.csv                   scripts/bench-llamacpp.sh: griffin-rt ÷ llama.cpp, pair by pair
and prints one Markdown table: each target, each configuration, every run's value, and in how
many runs the target was met. Nothing is averaged away: a drifting host shows as a spread.
"""
import csv
import glob
import json
import os
import re
import sys

DECODE_FRACTION = 0.85  # decode_bandwidth_fraction, every weight format
PREFILL_FRACTION = 0.6  # prefill against the int8 dot roof, int8 and int4
INT4_OVER_INT8 = 1.4  # int4 decode tokens/s ÷ int8's
BATCH8_SPEEDUP = 4.0  # 8 sessions in one batch ÷ a lone session, 2B int8
TWO_SESSIONS_SPEEDUP = 1.7  # two sessions on a thread each ÷ one
# griffin-rt ÷ llama.cpp in weight GB/s (decode) and GMAC/s (prefill): ahead means above 1.
AHEAD_OF_LLAMACPP = 1.0


def result_paths(arguments):
    """The JSON files and llamacpp.csv in each directory argument, and each file argument."""
    for argument in arguments:
        if os.path.isdir(argument):
            yield from sorted(glob.glob(os.path.join(argument, "*.json")))
            yield from sorted(glob.glob(os.path.join(argument, "llamacpp.csv")))
        elif os.path.isfile(argument):
            yield argument
        else:
            sys.exit(f"bench_targets: {argument}: no such file or directory")


def load_runs(arguments):
    """{(kind, config): [(run, json), ...]} from every matching file name."""
    pattern = re.compile(r"^(speed|chunk128|batch8|sessions|versus)-(.+?)(?:-(\d+))?\.json$")
    runs = {}
    for path in result_paths(arguments):
        match = pattern.match(os.path.basename(path))
        if not match:
            continue
        kind, config, run = match.group(1), match.group(2), int(match.group(3) or 1)
        try:
            with open(path) as f:
                result = json.load(f)
        except (OSError, ValueError) as error:
            sys.exit(f"bench_targets: {path}: not a griffin-bench JSON result ({error})")
        if not isinstance(result, dict):
            sys.exit(f"bench_targets: {path}: not a griffin-bench JSON result (not an object)")
        result["_path"] = path
        runs.setdefault((kind, config), []).append((run, result))
    for key in runs:
        runs[key].sort(key=lambda pair: pair[0])
    return runs


LLAMACPP_COLUMNS = ("runtime", "config", "run", "decode_weight_gb_per_s", "prefill_gmacs_per_s")


def load_llamacpp(arguments):
    """{(llama.cpp qtype, griffin-rt config): [(llama.cpp row, griffin-rt row), ...]} from
    each llamacpp.csv: bench-llamacpp.sh writes every run as a llama.cpp row, then the griffin-rt
    row measured right after it."""
    pairs = {}
    for path in result_paths(arguments):
        if not re.match(r"^llamacpp.*\.csv$", os.path.basename(path)):
            continue
        try:
            with open(path, newline="") as f:
                rows = list(csv.DictReader(f))
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            sys.exit(f"bench_targets: {path}: not a bench-llamacpp.sh CSV ({error})")
        for line, row in enumerate(rows, start=2):
            missing = [c for c in LLAMACPP_COLUMNS if not row.get(c)]
            if missing:
                sys.exit(f"bench_targets: {path}:{line}: no {', '.join(missing)} "
                         "(not a bench-llamacpp.sh CSV?)")
        if len(rows) % 2:
            sys.exit(f"bench_targets: {path}: {len(rows)} rows, not llama.cpp and griffin-rt pairs")
        for at in range(0, len(rows), 2):
            llama, griffin = rows[at], rows[at + 1]
            if (llama["runtime"], griffin["runtime"]) != ("llama.cpp", "griffin-rt") or \
                    llama["run"] != griffin["run"]:
                sys.exit(f"bench_targets: {path}:{at + 2}: expected a llama.cpp row and then "
                         "the griffin-rt row of the same run")
            try:
                numbers = [float(r[c]) for r in (llama, griffin)
                           for c in ("decode_weight_gb_per_s", "prefill_gmacs_per_s")]
                int(llama["run"])
            except ValueError as error:
                sys.exit(f"bench_targets: {path}:{at + 2}: {error}")
            if min(numbers) <= 0:
                sys.exit(f"bench_targets: {path}:{at + 2}: a rate that is not positive")
            pairs.setdefault((llama["config"], griffin["config"]), []).append((llama, griffin))
    return pairs


def llamacpp_rows(pairs, column, target, unit):
    """A row per pair: every run's griffin-rt ÷ llama.cpp in `column`, and in how many runs
    griffin-rt was ahead."""
    for (qtype, config), results in sorted(pairs.items()):
        values, cells = [], []
        for llama, griffin in results:  # in the order of the files and their rows
            ours, theirs = float(griffin[column]), float(llama[column])
            values.append(ours / theirs)
            cells.append(f"{ours / theirs:.2f} × ({ours:.1f} / {theirs:.1f} {unit})")
        yield row(target, f"{config} against {qtype}", cells, values, AHEAD_OF_LLAMACPP,
                  strictly=True)


def value(result, key):
    """result[key], or a clear exit naming the file and what it lacks."""
    if key not in result:
        hint = " (run griffin-bench with --roofline)" if "fraction" in key else ""
        sys.exit(f"bench_targets: {result['_path']}: no {key}{hint}")
    return result[key]


def verdict(values, at_least, strictly=False):
    met = sum(1 for v in values if (v > at_least if strictly else v >= at_least))
    return f"{met} of {len(values)}"


def row(target, config, cells, values, at_least, strictly=False):
    return (f"| {target} | {config} | {' / '.join(cells)} | "
            f"{verdict(values, at_least, strictly)} |")


# How a file kind names its configurations in the table.
KIND_LABELS = {"chunk128": "{}, --chunk 128"}


def target_rows(runs, kinds, key, target, at_least, describe, include=lambda config: True):
    """A row per configuration of the file kinds given (in that order): every run's cell, and
    in how many runs key ≥ at_least."""
    for kind in kinds:
        for (found, config), results in sorted(runs.items()):
            if found != kind or not include(config):
                continue
            values = [value(r, key) for _, r in results]
            cells = [describe(r) for _, r in results]
            yield row(target, KIND_LABELS.get(kind, "{}").format(config), cells, values, at_least)


def describe_decode(r):
    return (f"{value(r, 'decode_bandwidth_fraction'):.3f} "
            f"({value(r, 'read_bandwidth_gb_per_s'):.0f} GB/s, "
            f"{value(r, 'decode_tokens_per_s'):.1f} tok/s)")


def describe_prefill(r):
    cell = (f"{value(r, 'prefill_int8_roof_fraction'):.3f} "
            f"({value(r, 'prefill_tokens_per_s'):.0f} tok/s)")
    if value(r, "prefill_roof") != "int8_dot":
        cell += f", {value(r, 'prefill_roof_fraction'):.2f} of its {r['prefill_roof']} roof"
    return cell


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    runs = load_runs(argv[1:])
    llamacpp = load_llamacpp(argv[1:])
    if not runs and not llamacpp:
        sys.exit(f"bench_targets: no griffin-bench results in {' '.join(argv[1:])}")
    rows = list(target_rows(runs, ["speed"], "decode_bandwidth_fraction",
                            f"decode ≥ {DECODE_FRACTION} of read bandwidth", DECODE_FRACTION,
                            describe_decode))
    # bf16 has no integer prefill target; default-size chunks first, then --chunk 128.
    rows += target_rows(runs, ["speed", "chunk128"], "prefill_int8_roof_fraction",
                        f"prefill ≥ {PREFILL_FRACTION} of the int8 roof", PREFILL_FRACTION,
                        describe_prefill, include=lambda config: not config.startswith("bf16"))
    rows += target_rows(runs, ["versus"], "versus_speedup",
                        f"int4 decode ≥ {INT4_OVER_INT8} × int8 (in turns)", INT4_OVER_INT8,
                        lambda r: f"{value(r, 'versus_speedup'):.2f} ×")
    rows += target_rows(runs, ["batch8"], "batch_interleaved_speedup",
                        f"batch of 8 ≥ {BATCH8_SPEEDUP:g} × one session (in turns)", BATCH8_SPEEDUP,
                        lambda r: f"{value(r, 'batch_interleaved_speedup'):.2f} × "
                                  f"({value(r, 'batch_ms_per_step'):.0f} ms a step, lone "
                                  f"{value(r, 'batch_lone_tokens_per_s'):.1f} tok/s)")
    rows += target_rows(runs, ["sessions"], "sessions_interleaved_speedup",
                        f"two sessions ≥ {TWO_SESSIONS_SPEEDUP} × one (in turns)",
                        TWO_SESSIONS_SPEEDUP,
                        lambda r: f"{value(r, 'sessions_interleaved_speedup'):.2f} ×")
    rows += llamacpp_rows(llamacpp, "decode_weight_gb_per_s",
                          "decode ahead of llama.cpp (weight GB/s)", "GB/s")
    rows += llamacpp_rows(llamacpp, "prefill_gmacs_per_s",
                          "prefill ahead of llama.cpp (GMAC/s)", "GMAC/s")
    # Every value is read before anything is printed: a bad file leaves no half table.
    print("| target | configuration | each run | met |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
