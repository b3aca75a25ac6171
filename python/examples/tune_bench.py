"""What Ray Tune costs: 8 MNIST trials (the quick config, seeds 1-8, 2,000 training and
500 test images, 2 epochs) run one after another in this process, each alone with one
compute thread (their own run times), then as a study on local Ray with 2 CPUs and one
CPU per trial. Prints one JSON object and writes it to `plots/tune_bench.json` (the
default run; any flag: `runs/tune_bench/`, or `--out`):

- `ratio`: the study's time (`Tuner.fit`) over the sum of the trials' own times; two at a
  time on two CPUs, the ideal is 0.5;
- `overhead_per_trial_s`: what Ray adds per trial, `(2 x fit - sum of own) / 8`: the
  CPU-seconds of the study not spent in a trial's work, per trial;
- `ray_only_overhead_per_trial_s`: the same against the trials' times inside Ray (two
  trials at once on two cores each run slower than alone: that share is the machine's);
- `ray_start_s`: starting the local Ray (once per study, not per trial).

    python python/examples/tune_bench.py        # on an otherwise idle machine
"""

from __future__ import annotations

import os

os.environ["RAYON_NUM_THREADS"] = "1"  # one compute thread, as a trial with one CPU has

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from astdp import files
from astdp import tune as studies
from astdp.tune._trials import mnist_epochs

ROOT = Path(__file__).resolve().parents[2]
QUICK = json.loads((ROOT / "configs" / "mnist" / "one_layer" / "quick.json").read_text())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=8)
    p.add_argument("--train-samples", type=int, default=2000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--out", type=Path)
    a = p.parse_args()
    default_run = (a.trials, a.train_samples, a.epochs) == (8, 2000, 2)
    out = a.out or (ROOT / ("plots" if default_run else "runs/tune_bench") / "tune_bench.json")
    shared = {
        "base": QUICK,
        "mnist_dir": os.environ.get("ASTDP_MNIST_DIR"),
        "epochs": a.epochs,
        "train_samples": a.train_samples,
        "test_samples": 500,
    }
    own = []
    for seed in range(1, a.trials + 1):
        start = time.perf_counter()
        for _, save in mnist_epochs(QUICK, seed, shared):
            with tempfile.TemporaryDirectory() as d:
                save(Path(d))
        own.append(time.perf_counter() - start)
        print(f"trial {seed} alone: {own[-1]:.1f} s", file=sys.stderr)
    study = {
        "name": "bench",
        "base": QUICK,
        "space": {"model.alpha": {"grid": [QUICK["model"]["alpha"]]}},
        "seeds": list(range(1, a.trials + 1)),
        "epochs": a.epochs,
        "train_samples": a.train_samples,
        "test_samples": 500,
    }
    with tempfile.TemporaryDirectory() as root:
        run = studies.run_study(study, root=root, num_cpus=2, cpus_per_trial=1, verbose=0)
    failed = [t.name for t in run.trials if t.error]
    if failed:
        sys.exit(f"trials failed: {failed}")
    result = {
        "command": "python python/examples/tune_bench.py"
        + ("" if default_run else f" --trials {a.trials} --train-samples {a.train_samples} --epochs {a.epochs}"),
        "config": "configs/mnist/one_layer/quick.json",
        "trials": a.trials,
        "train_samples": a.train_samples,
        "test_samples": 500,
        "epochs": a.epochs,
        "own_s": own,
        "own_sum_s": sum(own),
        "ray_start_s": run.ray_start_s,
        "fit_s": run.fit_s,
        "ratio": run.fit_s / sum(own),
        "overhead_per_trial_s": (2 * run.fit_s - sum(own)) / a.trials,
        # each trial's own time inside Ray (Tune's time_total_s): two at once on two
        # cores run slower than one alone (shared caches, memory, clock), which is the
        # machine's cost, not Ray's
        "in_ray_s": [t.metrics.get("time_total_s") for t in run.trials],
        "ray_only_overhead_per_trial_s": (2 * run.fit_s - sum(t.metrics.get("time_total_s", 0.0) for t in run.trials))
        / a.trials,
        "cpus": 2,
        "cpus_per_trial": 1,
    }
    files.report(result, out)


if __name__ == "__main__":
    main()
