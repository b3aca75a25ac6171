"""Python against Rust on the same MNIST training: the quick config (784-128-10, the
paper's rule) for one epoch over the first `--samples` training images, seed 1, once
through the crate's `mnist` example and once through `astdp.Trainer.fit`, alternated
for `--rounds` rounds on an otherwise idle machine. Rust's samples/s is the example's
own (training time only); Python's is the samples over the wall time of `fit` (its
array checks and copies included). Prints one JSON object and writes it to
`plots/python_bench.json` (the default run; any flag: `runs/python_bench/`, or
`--out`).

    cargo build --release --example mnist && python python/examples/bench_vs_rust.py
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import astdp
from astdp import files

ROOT = Path(__file__).resolve().parents[2]
QUICK = ROOT / "configs" / "mnist" / "one_layer" / "quick.json"


def rust_run(binary: Path, samples: int) -> float:
    """Samples/s of one Rust training epoch (the example's own measure)."""
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "run.json"
        args = [str(binary), "--config", str(QUICK), "--train-samples", str(samples), "--test-samples", "100"]
        subprocess.run([*args, "--epochs", "1", "--seed", "1", "--out", str(out)], check=True, capture_output=True)
        return float(json.loads(out.read_text())["samples_per_s"])


def python_run(data: astdp.datasets.Mnist) -> float:
    """Samples/s of one Python training epoch (the wall time of `fit`)."""
    start = time.perf_counter()
    astdp.Trainer(QUICK, seed=1).fit(data.X_train, data.y_train, epochs=1)
    return float(data.X_train.shape[0]) / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=4000, help="training images per epoch (default 4000)")
    p.add_argument("--rounds", type=int, default=5, help="alternated Rust/Python pairs (default 5)")
    p.add_argument("--out", type=Path, help="the JSON file (default: see above)")
    p.add_argument(
        "--examples", type=Path, default=Path(os.environ.get("ASTDP_EXAMPLES", ROOT / "target/release/examples"))
    )
    a = p.parse_args()
    default_run = a.samples == 4000 and a.rounds == 5
    out = a.out or (
        ROOT / "plots" / "python_bench.json" if default_run else ROOT / "runs" / "python_bench" / "python_bench.json"
    )
    binary = a.examples / "mnist"
    if not binary.exists():
        sys.exit(f"{binary} not found: cargo build --release --example mnist (or set ASTDP_EXAMPLES)")
    data = astdp.datasets.load_mnist(train=a.samples, test=0)
    rust, python = [], []
    for r in range(a.rounds):
        # alternate which goes first, so neither always runs on a warmer machine
        for side in ("rust", "python") if r % 2 == 0 else ("python", "rust"):
            if side == "rust":
                rust.append(rust_run(binary, a.samples))
            else:
                python.append(python_run(data))
        print(f"round {r + 1}: rust {rust[-1]:.1f}, python {python[-1]:.1f} samples/s", file=sys.stderr)
    result = {
        "command": "python python/examples/bench_vs_rust.py"
        + ("" if default_run else f" --samples {a.samples} --rounds {a.rounds}"),
        "config": str(QUICK.relative_to(ROOT)),
        "samples": a.samples,
        "seed": 1,
        "rust_samples_per_s": rust,
        "python_samples_per_s": python,
        "rust_median": statistics.median(rust),
        "python_median": statistics.median(python),
        "python_over_rust": statistics.median(python) / statistics.median(rust),
        "cores": os.cpu_count(),
    }
    files.report(result, out)


if __name__ == "__main__":
    main()
