"""Studies on Ray Tune (local Ray, 2 CPUs, tiny configs): results in the crate's form,
early stopping, a killed worker resumed bit for bit, bad study files refused first."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import astdp

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'ray[tune]'")
from ray import tune  # noqa: E402

from astdp import tune as studies  # noqa: E402
from conftest import ROOT  # noqa: E402

QUICK = json.loads((ROOT / "configs" / "mnist" / "one_layer" / "quick.json").read_text())
TINY = {"hidden": [32], "batch": 16, "free_iters": 10, "clamped_iters": 10, "test_iters": 20, "model": {"alpha": 0.05}}


@pytest.fixture(autouse=True)
def needs_mnist(mnist: astdp.datasets.Mnist) -> None:
    """Every study here trains on MNIST (skipped with the other MNIST tests)."""


def study(name: str, **over: Any) -> dict[str, Any]:
    s: dict[str, Any] = {
        "name": name,
        "base": TINY,
        "space": {"model.alpha": {"grid": [0.05, 0.1]}},
        "seeds": [1, 2],
        "epochs": 2,
        "train_samples": 256,
        "test_samples": 128,
    }
    s.update(over)
    return s


def rows(root: Path, name: str = "index.csv") -> list[dict[str, str]]:
    with (root / "results" / name).open(newline="") as f:
        return list(csv.DictReader(f))


def timeless(report: dict[str, Any]) -> dict[str, Any]:
    """A report without what differs from one run to another: times and the command."""
    out = {k: v for k, v in report.items() if k not in ("wall_s", "samples_per_s", "command")}
    out["history"] = [{k: v for k, v in r.items() if k != "train_wall_s"} for r in report["history"]]
    return out


def test_a_four_trial_study_writes_four_results_and_rows_as_the_rust_example(examples: Path, tmp_path: Path) -> None:
    run = studies.run_study(study("four"), root=tmp_path, num_cpus=2, verbose=0)
    assert len(run.trials) == 4 and all(t.error is None for t in run.trials)
    index = rows(tmp_path)
    assert sorted(r["name"] for r in index) == sorted(f"four/{t.name}" for t in run.trials)
    files = sorted((tmp_path / "results" / "scans" / "four").glob("*.json"))
    assert len(files) == 4
    # the row's command, run by the Rust example, gives the trial's report
    row = next(r for r in index if r["name"] == "four/alpha_0.1_seed_2")
    assert row["flags"] == "--train-samples 256 --test-samples 128" and row["epochs"] == "2"
    out = tmp_path / "rust.json"
    args = [str(examples / "mnist"), "--config", str(tmp_path / row["config"]), *row["flags"].split()]
    subprocess.run([*args, "--seed", "2", "--epochs", "2", "--out", str(out)], check=True, capture_output=True)
    trial = json.loads((tmp_path / "results/scans/four/alpha_0.1_seed_2.json").read_text())
    assert timeless(trial) == timeless(json.loads(out.read_text()))
    # and the crate's results tools list the rows
    subprocess.run([str(examples / "results"), "docs"], cwd=tmp_path, check=True, capture_output=True)
    assert "four/alpha_0.1_seed_2" in (tmp_path / "docs" / "results.md").read_text()
    # the same study again would write over its results: refused
    with pytest.raises(studies.StudyError, match="has results already"):
        studies.run_study(study("four"), root=tmp_path)


def test_asha_stops_the_worse_trials_early(tmp_path: Path) -> None:
    s = study(
        "asha",
        base=QUICK,
        space={"model.alpha": {"grid": [0.05, 0.0]}},  # alpha 0: no learning, chance
        seeds=[1, 2],
        epochs=4,
        train_samples=512,
        scheduler={"asha": {"grace_period": 1, "reduction_factor": 2}},
    )
    run = studies.run_study(s, root=tmp_path, num_cpus=2, verbose=0)
    good = [t for t in run.trials if t.values["model.alpha"] == 0.05]
    bad = [t for t in run.trials if t.values["model.alpha"] == 0.0]
    seen = [(t.name, t.epochs, t.metrics["test_accuracy"]) for t in run.trials]
    # the two good trials start first (grid order, two CPUs), so every bad one meets a
    # rung where a good one is recorded; between the two good ones ASHA may stop the
    # lower (it halves near-equal trials too): the better one runs to the end
    assert all(t.epochs < 4 for t in bad), seen
    assert max(t.epochs for t in good) == 4, seen
    assert min(t.metrics["test_accuracy"] for t in good) > max(t.metrics["test_accuracy"] for t in bad), seen
    # a stopped trial is written as far as it ran
    assert {r["epochs"] for r in rows(tmp_path) if "alpha_0_" in r["name"]} == {str(t.epochs) for t in bad}


class KillOnce(tune.Callback):
    """Kills the seed-1 trial's worker once, as soon as its first checkpoint is kept
    (the worker is then in its second epoch)."""

    def __init__(self) -> None:
        self.pid: dict[str, int] = {}
        self.killed: list[int] = []

    def on_trial_result(
        self, iteration: int, trials: list[Any], trial: Any, result: dict[str, Any], **info: Any
    ) -> None:
        self.pid[trial.trial_id] = int(result["pid"])

    def on_checkpoint(self, iteration: int, trials: list[Any], trial: Any, checkpoint: Any, **info: Any) -> None:
        if not self.killed and trial.config["seed"] == 1:
            self.killed.append(self.pid[trial.trial_id])
            os.kill(self.killed[0], signal.SIGKILL)


def test_a_killed_worker_resumes_from_its_checkpoint_bit_for_bit(tmp_path: Path) -> None:
    s = study("kill", space={"model.alpha": {"grid": [0.05]}}, seeds=[1], epochs=3)
    killer = KillOnce()
    run = studies.run_study(s, root=tmp_path / "a", num_cpus=2, callbacks=[killer], verbose=0)
    assert killer.killed, "the worker was not killed"
    [t] = run.trials
    assert t.error is None and t.epochs == 3
    # resumed, not restarted: the worker after the kill began past epoch 1
    lines = [json.loads(x) for x in (Path(t.checkpoint or "").parent / "result.json").read_text().splitlines()]
    after = [x for x in lines if x["pid"] != killer.killed[0]]
    assert after and after[0]["epoch"] > 1 and after[-1]["epoch"] == 3, [(x["epoch"], x["pid"]) for x in lines]
    clean = studies.run_study(s | {"name": "clean"}, root=tmp_path / "b", num_cpus=2, verbose=0).trials[0]
    killed = json.loads((tmp_path / "a" / t.files[0]).read_text())
    uninterrupted = json.loads((tmp_path / "b" / clean.files[0]).read_text())
    assert timeless(killed) == timeless(uninterrupted)
    w1 = astdp.Trainer.load(Path(t.checkpoint or "") / "trainer.json").weights_
    w2 = astdp.Trainer.load(Path(clean.checkpoint or "") / "trainer.json").weights_
    assert all(np.array_equal(w1[k], w2[k]) for k in w1)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"colour": "red"}, "unknown field colour"),
        ({"space": {}}, "space is empty"),
        ({"space": {"model.alpha": {"grid": []}}}, "non-empty list"),
        ({"space": {"model.alpah": {"grid": [0.1]}}}, "model.alpah"),
        ({"space": {"hidden": {"grid": [[0]]}}}, "hidden"),
        ({"space": {"model.alpha": {"uniform": [0.2, 0.1]}}}, "low < high"),
        ({"seeds": []}, "seeds"),
        ({"system": "weather"}, "system"),
        ({"scheduler": {"hyperband": {}}}, "asha"),
    ],
)
def test_a_bad_study_is_refused_before_ray_starts(change: dict[str, Any], says: str, tmp_path: Path) -> None:
    with pytest.raises(studies.StudyError, match=says):
        studies.run_study(study("bad") | change, root=tmp_path)
    assert not ray.is_initialized()
    assert not (tmp_path / "results").exists()


def test_a_bad_address_and_a_missing_study_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(studies.StudyError, match="address"):
        studies.run_study(study("addr"), root=tmp_path, address="not an address")
    with pytest.raises(FileNotFoundError, match="no study file"):
        studies.run_study(tmp_path / "missing.json", root=tmp_path)
    p = subprocess.run(
        [sys.executable, "-m", "astdp.tune", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert p.returncode == 2 and "no study file" in p.stderr
    assert not ray.is_initialized()


def test_a_rivalry_study_writes_the_examples_json(examples: Path, tmp_path: Path) -> None:
    s = {
        "name": "rivalry",
        "system": "binocular_rivalry",
        "base": {"test_ticks": 2000},
        "space": {"hysteresis": {"grid": [0.05]}},
        "seeds": [1, 2],
        "metric": "switches",
    }
    run = studies.run_study(s, root=tmp_path, num_cpus=2, verbose=0)
    assert len(run.trials) == 2 and all(t.error is None for t in run.trials)
    figures = rows(tmp_path, "figures.csv")
    assert len(figures) == 2
    row = next(r for r in figures if r["file"].endswith("seed_2/binocular_rivalry.json"))
    trial = json.loads((tmp_path / row["file"]).read_text())
    assert trial["runs"][0]["seed"] == 2 and trial["config"]["hysteresis"] == pytest.approx(0.05)
    # the row's command (the crate's example) writes the same file again
    (tmp_path / row["file"]).unlink()
    subprocess.run(
        [str(examples / "binocular_rivalry"), *row["flags"].split()], cwd=tmp_path, check=True, capture_output=True
    )
    assert json.loads((tmp_path / row["file"]).read_text()) == trial


def test_an_optuna_search_proposes_values_within_its_distribution(tmp_path: Path) -> None:
    pytest.importorskip("optuna", reason="Optuna is not installed: pip install optuna")
    s = study(
        "optuna",
        space={"model.alpha": {"loguniform": [0.01, 0.2]}},
        seeds=[3],
        epochs=1,
        search="optuna",
        num_samples=3,
    )
    run = studies.run_study(s, root=tmp_path, num_cpus=2, verbose=0)
    assert len(run.trials) == 3 and all(t.error is None for t in run.trials)
    alphas = [t.values["model.alpha"] for t in run.trials]
    assert all(0.01 <= a <= 0.2 for a in alphas) and len(set(alphas)) == 3
    assert len(rows(tmp_path)) == 3
    with pytest.raises(studies.StudyError, match="one seed"):
        studies.load_study(s | {"seeds": [1, 2]})


@pytest.mark.parametrize("path", sorted((ROOT / "studies").glob("*.json")), ids=lambda p: p.name)
def test_the_committed_studies_are_valid(path: Path) -> None:
    s = studies.load_study(path, root=ROOT)
    assert s.axes and s.seeds and s.description
