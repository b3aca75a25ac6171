"""Studies on Ray Tune: a search space over any config field crossed with seeds, each
trial a run of the crate through this package (the GIL released), reporting after every
epoch so that a scheduler (ASHA) can stop it early, checkpointing through Tune so that a
trial whose worker dies goes on from its last epoch. Local by default (Ray starts on this
machine), on a cluster by its address. Every finished trial lands in the crate's own
form: a results file and a row of `results/index.csv` (MNIST), or the example's JSON and
a row of `results/figures.csv` (toys), so `cargo run --example results -- docs` lists it.

    python -m astdp.tune studies/eps.json [--address ADDRESS] [--cpus-per-trial N]

docs/scaling.md has the study file's fields and how to run on a Ray or Slurm cluster.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from .. import datasets
from ..files import write_atomic
from ._study import SYSTEMS, Axis, Study, StudyError, load_study

__all__ = ["Axis", "Study", "StudyError", "StudyRun", "TrialOutcome", "check_address", "load_study", "run_study"]

INDEX_HEADER = ["name", "example", "config", "flags", "seed", "epochs", "resume_from", "status"]
FIGURES_HEADER = ["file", "example", "flags", "features", "what"]


@dataclass
class TrialOutcome:
    """One trial as the study ends: its name, seed, values, last metrics, epochs run, the
    files written (empty for a trial that failed) and its error if it failed."""

    name: str
    seed: int
    values: dict[str, Any]
    metrics: dict[str, Any]
    epochs: int
    files: list[str]
    error: Optional[str] = None
    checkpoint: Optional[str] = None


@dataclass
class StudyRun:
    """A finished study: its trials, the seconds Ray took to start (zero when it was
    running already) and the seconds of the trials' run (`Tuner.fit`), and Tune's
    folder (its checkpoints and logs)."""

    trials: list[TrialOutcome]
    ray_start_s: float
    fit_s: float
    storage: str


def check_address(address: Optional[str]) -> Optional[str]:
    """`None` or "local" (start Ray here), "auto" (the cluster this machine is in),
    `host:port` or `ray://host:port`; anything else is refused before Ray starts."""
    if address in (None, "", "local"):
        return None
    if address == "auto" or re.fullmatch(r"(ray://)?[A-Za-z0-9_.-]+:\d{1,5}", address or ""):
        return address
    raise StudyError(
        f'address {address!r}: give "auto", HOST:PORT (the head\'s GCS port, 6379 by default) or '
        "ray://HOST:PORT (Ray Client, 10001 by default); leave it out to start Ray on this machine"
    )


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        return "-".join(_fmt(x) for x in v)
    return str(v)


def trial_name(values: Mapping[str, Any], seed: int) -> str:
    """`alpha_0.05_hidden_128_seed_1`: each varied field by its last name, then the seed."""
    parts = [f"{path.rsplit('.', 1)[-1]}_{_fmt(v)}" for path, v in values.items()] + [f"seed_{seed}"]
    return re.sub(r"[^A-Za-z0-9_.-]", "", "_".join(parts))


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _append_rows(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    """Adds `rows` to a CSV index, written whole or not at all."""
    old = _read_csv(path)
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    w.writeheader()
    for r in old + rows:
        w.writerow({k: r.get(k, "") for k in header})
    write_atomic(path, out.getvalue())


def _refuse_existing(study: Study, root: Path) -> None:
    if study.system == "mnist":
        taken = [r["name"] for r in _read_csv(root / "results/index.csv")]
        clash = [n for n in taken if n.startswith(f"{study.name}/")]
    else:
        taken = [r["file"] for r in _read_csv(root / "results/figures.csv")]
        clash = [f for f in taken if f.startswith(f"plots/tune/{study.name}/")]
    if clash or (root / "configs" / "tune" / study.name).exists():
        raise StudyError(
            f"study {study.name!r} has results already ({', '.join(clash[:3]) or 'configs/tune/' + study.name}): "
            "rename the study, or remove its rows, configs and results first"
        )


def _param_space(study: Study) -> dict[str, Any]:
    from ray import tune

    def axis(a: Axis) -> Any:
        if a.kind == "grid":
            return tune.grid_search(a.values)
        if a.kind == "choice":
            return tune.choice(a.values)
        if a.kind == "uniform":
            return tune.uniform(*a.values)
        if a.kind == "loguniform":
            return tune.loguniform(*a.values)
        return tune.randint(*a.values)

    seeds = tune.grid_search(study.seeds) if study.search != "optuna" else study.seeds[0]
    return {"values": {a.field: axis(a) for a in study.axes}, "seed": seeds}


def run_study(
    source: Union[Study, str, "os.PathLike[str]", Mapping[str, Any]],
    *,
    address: Optional[str] = None,
    cpus_per_trial: int = 1,
    num_samples: Optional[int] = None,
    root: Union[str, "os.PathLike[str]", None] = None,
    num_cpus: Optional[int] = None,
    callbacks: Sequence[Any] = (),
    verbose: int = 1,
) -> StudyRun:
    """Runs a study on Ray Tune and writes each finished trial in the crate's form under
    `root` (default: the current folder, a clone of the repository). Everything is
    checked before Ray starts: the study, the address, the MNIST files, and that the study
    has no results yet. `num_cpus` caps a local Ray (default: every core)."""
    root = Path(root or Path.cwd()).resolve()
    study = source if isinstance(source, Study) else load_study(source, root)
    address = check_address(address)
    if not (isinstance(cpus_per_trial, int) and cpus_per_trial >= 1):
        raise StudyError(f"cpus per trial: give a whole number >= 1, not {cpus_per_trial!r}")
    if num_samples is not None:
        if num_samples < 1:
            raise StudyError(f"num samples: give a whole number >= 1, not {num_samples}")
        study.num_samples = num_samples
    _refuse_existing(study, root)
    # the folder as this process finds it, made absolute: workers start elsewhere
    mnist_dir: Optional[str] = str(Path(study.mnist_dir or os.environ.get("ASTDP_MNIST_DIR") or "data/mnist").resolve())
    if study.system == "mnist":
        datasets.load_mnist(mnist_dir, train=1, test=1)  # the folder's errors, before any trial
    else:
        mnist_dir = None

    import ray
    from ray import tune

    from ._trials import TRIALS

    env = {"RAYON_NUM_THREADS": str(cpus_per_trial)}
    if mnist_dir:
        env["ASTDP_MNIST_DIR"] = mnist_dir
    started_here = not ray.is_initialized()
    t0 = time.perf_counter()
    if started_here:
        try:
            ray.init(address=address, num_cpus=num_cpus if address is None else None,
                     runtime_env={"env_vars": env}, include_dashboard=False, log_to_driver=verbose > 1)  # fmt: skip
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise StudyError(f"cannot reach Ray at {address!r}: {e}") from None
    shared = {
        "base": study.base,
        "mnist_dir": mnist_dir,
        "epochs": study.epochs,
        "train_samples": study.train_samples,
        "test_samples": study.test_samples,
        "metrics": list(SYSTEMS[study.system]),
    }
    trainable = tune.with_resources(tune.with_parameters(TRIALS[study.system], study=shared), {"cpu": cpus_per_trial})
    scheduler = None
    if study.scheduler is not None:
        from ray.tune.schedulers import ASHAScheduler

        asha = study.scheduler["asha"]
        scheduler = ASHAScheduler(
            max_t=study.epochs,
            grace_period=int(asha.get("grace_period", 1)),
            reduction_factor=float(asha.get("reduction_factor", 2)),
        )
    search_alg = None
    if study.search == "optuna":
        from ray.tune.search.optuna import OptunaSearch

        search_alg = OptunaSearch()
    ray_start_s = time.perf_counter() - t0
    storage = root / "runs" / "tune"
    storage.mkdir(parents=True, exist_ok=True)
    name = f"{study.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    tuner = tune.Tuner(
        trainable,
        param_space=_param_space(study),
        tune_config=tune.TuneConfig(
            metric=study.metric,
            mode=study.mode,
            scheduler=scheduler,
            search_alg=search_alg,
            num_samples=study.num_samples,
            # a finished trial's worker takes the next trial: no new process, no new
            # imports, the MNIST arrays it read still there
            reuse_actors=True,
        ),
        run_config=tune.RunConfig(
            name=name,
            storage_path=str(storage),
            failure_config=tune.FailureConfig(max_failures=study.max_failures),
            checkpoint_config=tune.CheckpointConfig(num_to_keep=2),
            callbacks=list(callbacks),
            verbose=verbose,
        ),
    )
    try:
        t1 = time.perf_counter()
        grid = tuner.fit()
        fit_s = time.perf_counter() - t1
        return StudyRun(_write_results(study, root, grid), ray_start_s, fit_s, str(storage / name))
    finally:
        if started_here:
            ray.shutdown()


def _write_results(study: Study, root: Path, grid: Any) -> list[TrialOutcome]:
    """Names the trials, writes each finished one in the crate's form, and the index rows
    all at once."""
    from ._trials import FIGURE, REPORT

    outcomes: list[TrialOutcome] = []
    rows: list[dict[str, Any]] = []
    used: set[str] = set()
    results = sorted(grid, key=lambda r: (r.config["seed"], json.dumps(r.config["values"], sort_keys=True)))
    for r in results:
        values, seed = dict(r.config["values"]), int(r.config["seed"])
        name = trial_name(values, seed)
        k = 2
        while name in used:
            name, k = f"{trial_name(values, seed)}_{k}", k + 1
        used.add(name)
        metrics = {m: v for m, v in (r.metrics or {}).items() if isinstance(v, (int, float))}
        if r.error is not None or r.checkpoint is None:
            outcomes.append(TrialOutcome(name, seed, values, metrics, 0, [], str(r.error or "no checkpoint")))
            continue
        config_file = f"configs/tune/{study.name}/{name}.json"
        settings = study.config_for(values)
        write_atomic(root / config_file, json.dumps(settings, indent=2) + "\n")
        with r.checkpoint.as_directory() as d:
            if study.system == "mnist":
                report = json.loads((Path(d) / REPORT).read_text())
                n, m, epochs = report["train_samples"], report["test_samples"], int(report["epochs"])
                flags = f"--train-samples {n} --test-samples {m}"
                run = f"--config {config_file} {flags} --seed {seed} --epochs {epochs}"
                report["command"] = f"cargo run --release --example mnist -- {run}"
                file = f"results/scans/{study.name}/{name}.json"
                write_atomic(root / file, json.dumps(report, separators=(",", ":")) + "\n")
                rows.append({"name": f"{study.name}/{name}", "example": "mnist", "config": config_file,
                             "flags": flags, "seed": seed, "epochs": epochs, "resume_from": "",
                             "status": report["status"]})  # fmt: skip
            else:
                folder = f"plots/tune/{study.name}/{name}"
                file = f"{folder}/{study.system}.json"
                write_atomic(root / file, (Path(d) / FIGURE).read_text())
                epochs = 1
                rows.append({"file": file, "example": study.system, "features": "",
                             "flags": f"--config {config_file} --seed {seed} --seeds 1 --out-dir {folder}",
                             "what": f"study {study.name}: {name}"})  # fmt: skip
        outcomes.append(TrialOutcome(name, seed, values, metrics, epochs, [file, config_file], None, r.checkpoint.path))
    if study.system == "mnist":
        _append_rows(root / "results/index.csv", INDEX_HEADER, rows)
    else:
        _append_rows(root / "results/figures.csv", FIGURES_HEADER, rows)
    return outcomes
