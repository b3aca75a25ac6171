"""What one trial runs, inside a Ray worker: the crate through the Python package, one
report per epoch, a checkpoint with each report."""

from __future__ import annotations

import functools
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from ray import tune

from .. import _astdp, datasets, toys
from ..learners import Trainer
from ._study import with_values

TRAINER = "trainer.json"  # the crate's atomic checkpoint of the net
REPORT = "report.json"  # the crate's results report of the run so far
FIGURE = "figure.json"  # a toy trial's summary, as its example writes it
CLOCK = "clock.json"  # the trial's time so far, kept across restarts


@functools.lru_cache(maxsize=2)
def _mnist(path: Optional[str], train: int, test: int) -> datasets.Mnist:
    """The MNIST arrays, read once per worker process (a reused worker keeps them)."""
    return datasets.load_mnist(path, train=train, test=test)


def settings_of(config: dict[str, Any], study: dict[str, Any]) -> dict[str, Any]:
    """The trial's config: the study's base with the trial's values set."""
    return with_values(study["base"], config["values"])


def mnist_epochs(
    settings: dict[str, Any], seed: int, study: dict[str, Any], restore: Optional[Path] = None
) -> Iterator[tuple[dict[str, Any], Callable[[Path], None]]]:
    """The work of an MNIST trial, epoch by epoch, as the crate's `mnist` example runs it
    (the same epochs, tests and history): after each epoch its metrics and a function
    that writes the checkpoint (the net, the report so far, the time) into a folder. From
    the checkpoint in `restore` if given, read at once (the folder may go away)."""
    data = _mnist(study["mnist_dir"], study["train_samples"], study["test_samples"])
    wall = 0.0
    if restore is None:
        net = Trainer(settings, seed=seed)
        net._built(data.X_train.shape[1])
    else:
        net = Trainer.load(restore / TRAINER)
        wall = float(json.loads((restore / CLOCK).read_text())["wall_s"])
    return _epochs(net, data, wall, study["epochs"])


def _epochs(
    net: Trainer, data: datasets.Mnist, wall: float, epochs: int
) -> Iterator[tuple[dict[str, Any], Callable[[Path], None]]]:
    n_train, n_test = data.X_train.shape[0], data.X_test.shape[0]
    while net.epochs_done_ < epochs:
        start = time.perf_counter()
        record = json.loads(net.net_.tested_epoch(data.X_train, data.y_train, data.X_test, data.y_test))
        wall += time.perf_counter() - start
        test, averaged = record["test"], record.get("test_averaged")
        metrics = {
            "epoch": record["epoch"],
            "test_accuracy": test["accuracy"],
            "test_accuracy_averaged": averaged["accuracy"] if averaged else float("nan"),
            "settled_steps_mean": test["settled_steps_mean"],
            "decision_steps_mean": test["decision_steps_mean"],
            "train_wall_s": record["train_wall_s"],
        }
        # the command is set when the study names the trial and writes its config
        report = net.net_.report("supervised", n_train, n_test, wall, "")

        def save(d: Path, report: str = report, wall: float = wall) -> None:
            net.save(d / TRAINER)
            (d / REPORT).write_text(report)
            (d / CLOCK).write_text(json.dumps({"wall_s": wall}))

        yield metrics, save


def mnist_trial(config: dict[str, Any], study: dict[str, Any]) -> None:
    """A Tune trial of `mnist_epochs`: a report with a checkpoint after every epoch; a
    trial restarted (its worker lost) goes on from its last checkpoint."""
    settings, seed = settings_of(config, study), int(config["seed"])
    checkpoint = tune.get_checkpoint()
    if checkpoint is None:
        steps = mnist_epochs(settings, seed, study)
    else:
        with checkpoint.as_directory() as d:
            steps = mnist_epochs(settings, seed, study, Path(d))
    for metrics, save in steps:
        with tempfile.TemporaryDirectory() as d:
            save(Path(d))
            tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(d))


def rivalry_trial(config: dict[str, Any], study: dict[str, Any]) -> None:
    """One seed of binocular rivalry (figure 3): its summary as metrics, and the JSON the
    crate's `binocular_rivalry` example writes for that config and seed."""
    settings, seed = settings_of(config, study), int(config["seed"])
    start = time.perf_counter()
    [run] = toys.binocular_rivalry(settings, seeds=[seed])
    # the result is the summary (flattened) with the traces beside it
    summary = {k: v for k, v in run.items() if k not in ("recording", "hidden_recorded", "hysteresis")}
    metrics = {k: float(summary[k]) for k in study["metrics"] if isinstance(summary.get(k), (int, float))}
    metrics["wall_s"] = time.perf_counter() - start
    full = json.loads(_astdp.full_config("binocular_rivalry", json.dumps(settings)))
    figure = {"config": full, "runs": [summary], "first_seed_traces": run["recording"]}
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / FIGURE).write_text(json.dumps(figure, separators=(",", ":")))
        tune.report(metrics, checkpoint=tune.Checkpoint.from_directory(d))


TRIALS = {"mnist": mnist_trial, "binocular_rivalry": rivalry_trial}
