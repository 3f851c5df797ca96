"""How far the subtlest model-math mistakes move the bundled model's score of the test passage.

Injects three mistakes of docs/griffin-math.md §13 into the float64 reference
(tests/reference/griffin_ref.py) and reports, for tests/data/kjv/rev21_1-7.txt scored with
examples/models/kjv-griffin, the relative change of the mean NLL and the largest change of a
per-token log-probability. tests/unit/test_bundled_model.cpp sets its tolerances between these
numbers and the float32 noise of the runtime.

Usage (from the repository root, ~5 s):  /usr/bin/python3 tools/train/mistake_sensitivity.py
"""

import json
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "reference"))
sys.path.insert(0, HERE)

import griffin_ref as g  # noqa: E402
from reference_score import log_probs  # noqa: E402


def main():
    cfg, W = g.load_model(os.path.join(REPO, "examples", "models", "kjv-griffin"))
    with open(os.path.join(REPO, "tests", "data", "kjv", "rev21_1-7.reference.json")) as f:
        tokens = np.array(json.load(f)["tokens"])

    def score():
        lp = log_probs(g.forward(cfg, W, list(tokens)), tokens)
        return -lp.mean(), lp

    base, lp0 = score()
    erf = np.vectorize(math.erf)
    mistakes = [
        ("erf GELU instead of tanh GELU", "gelu_tanh", lambda u: 0.5 * u * (1 + erf(u / math.sqrt(2)))),
        ("sqrt(1-a^2) also at position 0", "rglru_update",
         lambda h, a, m, iv, reset: (m * iv) if reset else a * h + m * iv),
        ("window of Wn keys including self", "is_visible",
         lambda i, j, same, local, w: j <= i and same and (not local or i - j < w)),
    ]
    print(f"mean NLL {base:.9f} over {len(lp0)} tokens")
    for name, attr, fn in mistakes:
        orig = getattr(g, attr)
        setattr(g, attr, fn)
        try:
            nll, lp = score()
        finally:
            setattr(g, attr, orig)
        print(f"{name:36s} mean NLL relative change {abs(nll - base) / base:.2e}, "
              f"largest token change {np.abs(lp - lp0).max():.2e}")


if __name__ == "__main__":
    main()
