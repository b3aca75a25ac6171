"""`python -m astdp.tune STUDY_FILE [--address ADDRESS] [--cpus-per-trial N]
[--num-samples N] [--root DIR] [--num-cpus N]`: runs a study on Ray Tune (see
`astdp.tune`), then prints one line per trial."""

from __future__ import annotations

import argparse
import sys

from . import StudyError, run_study


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m astdp.tune", description="Run a study of astdp trials on Ray Tune.")
    p.add_argument("study", help="the study file (JSON; docs/scaling.md lists its fields)")
    p.add_argument(
        "--address", help="a running Ray cluster: auto, HOST:PORT or ray://HOST:PORT (default: start Ray here)"
    )
    p.add_argument("--cpus-per-trial", type=int, default=1, help="CPUs (and compute threads) per trial (default 1)")
    p.add_argument("--num-samples", type=int, help="draws of the random axes (default: the study's num_samples)")
    p.add_argument("--root", help="the repository the results go to (default: the current folder)")
    p.add_argument("--num-cpus", type=int, help="CPUs of a Ray started here (default: every core)")
    a = p.parse_args(argv)
    try:
        done = run_study(
            a.study,
            address=a.address,
            cpus_per_trial=a.cpus_per_trial,
            num_samples=a.num_samples,
            root=a.root,
            num_cpus=a.num_cpus,
        )
    except (StudyError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    failed = 0
    for o in done.trials:
        shown = ", ".join(f"{k} {v:.4g}" for k, v in o.metrics.items() if k in ("test_accuracy", "switches", "epoch"))
        if o.error:
            failed += 1
            print(f"{o.name}: FAILED ({o.error.splitlines()[0]})")
        else:
            print(f"{o.name}: {shown}; wrote {o.files[0]}")
    print(f"{len(done.trials)} trials in {done.fit_s:.1f} s (Ray started in {done.ray_start_s:.1f} s)")
    print(f"Tune's checkpoints and logs: {done.storage}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
