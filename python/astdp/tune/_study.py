"""A study file: what varies, over which seeds, how trials are judged and stopped;
read and checked in full before any trial starts."""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from .. import _astdp

#: The systems a study can sweep, and the metrics their trials report.
SYSTEMS: dict[str, tuple[str, ...]] = {
    "mnist": ("test_accuracy", "test_accuracy_averaged", "settled_steps_mean", "decision_steps_mean"),
    "binocular_rivalry": ("switches", "control_switches", "mean_duration", "cv", "patterns_recalled", "recall_margin"),
}
#: How an axis of the space is given: a list of values, or a distribution.
AXES = ("grid", "choice", "uniform", "loguniform", "randint")
FIELDS = {
    "name", "system", "base", "space", "seeds", "epochs", "train_samples", "test_samples", "mnist_dir",
    "metric", "mode", "scheduler", "search", "num_samples", "max_failures", "description",
}  # fmt: skip


class StudyError(ValueError):
    """A study file that cannot run, with what to change."""


@dataclass
class Axis:
    """One varied field: dotted path into the system's config, and how it varies."""

    field: str
    kind: str
    values: list[Any]

    def samples(self) -> list[Any]:
        """The values to check before the study runs: every listed one, or both bounds."""
        if self.kind in ("grid", "choice"):
            return self.values
        lo, hi = self.values
        return [lo, hi - 1] if self.kind == "randint" else [lo, hi]


@dataclass
class Study:
    """A checked study: see docs/scaling.md for every field."""

    name: str
    system: str
    base: dict[str, Any]
    axes: list[Axis]
    seeds: list[int]
    epochs: int = 1
    train_samples: int = 60000
    test_samples: int = 10000
    mnist_dir: Optional[str] = None
    metric: str = ""
    mode: str = "max"
    scheduler: Optional[dict[str, Any]] = None
    search: Optional[str] = None
    num_samples: int = 1
    max_failures: int = 3
    source: Optional[Path] = None
    description: str = ""

    def config_for(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The base config with the axes' `values` set (dotted paths)."""
        return with_values(self.base, values)


def with_values(base: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `base` with each dotted path of `values` set."""
    cfg: dict[str, Any] = json.loads(json.dumps(base))
    for path, v in values.items():
        set_path(cfg, path, v)
    return cfg


def set_path(cfg: dict[str, Any], path: str, value: Any) -> None:
    """Sets `a.b.c` in nested dicts, making the dicts on the way."""
    *outer, last = path.split(".")
    for key in outer:
        nxt = cfg.setdefault(key, {})
        if not isinstance(nxt, dict):
            raise StudyError(f"space: {path}: {key} is not a group of settings")
        cfg = nxt
    cfg[last] = value


def _need(cond: bool, msg: str) -> None:
    if not cond:
        raise StudyError(msg)


def _int(raw: Mapping[str, Any], key: str, default: int, least: int) -> int:
    v = raw.get(key, default)
    _need(
        isinstance(v, int) and not isinstance(v, bool) and v >= least,
        f"{key}: give a whole number >= {least}, not {v!r}",
    )
    return int(v)


def _axis(path: str, spec: Any) -> Axis:
    where = f"space.{path}"
    _need(isinstance(spec, dict) and len(spec) == 1, f'{where}: give one of {", ".join(AXES)}, as {{"grid": [...]}}')
    ((kind, values),) = spec.items()
    _need(kind in AXES, f"{where}: {kind!r} is not a kind of axis: give one of {', '.join(AXES)}")
    _need(isinstance(values, list) and len(values) > 0, f"{where}.{kind}: give a non-empty list")
    if kind in ("uniform", "loguniform", "randint"):
        ok = len(values) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        _need(ok and values[0] < values[1], f"{where}.{kind}: give [low, high] with low < high, not {values}")
        _need(kind != "loguniform" or values[0] > 0, f"{where}.loguniform: the low bound must be > 0")
        _need(kind != "randint" or all(isinstance(v, int) for v in values), f"{where}.randint: give whole bounds")
        _need(all(math.isfinite(v) for v in values), f"{where}.{kind}: the bounds must be finite")
    return Axis(path, kind, values)


def load_study(source: Union[str, "os.PathLike[str]", Mapping[str, Any]], root: Optional[Path] = None) -> Study:
    """Reads and checks a study (a JSON file or a dict): every field known, the space
    non-empty, every value of every axis accepted by the system's config (checked by the
    crate, as a run would check it), the seeds, the scheduler and the search."""
    path: Optional[Path] = None
    if isinstance(source, Mapping):
        raw = dict(source)
    else:
        path = Path(source)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(f"no study file {path}") from None
        except json.JSONDecodeError as e:
            raise StudyError(f"{path}: not JSON ({e})") from None
    _need(isinstance(raw, dict), "a study is a JSON object")
    unknown = sorted(set(raw) - FIELDS)
    _need(not unknown, f"unknown field {', '.join(unknown)}: the fields are {', '.join(sorted(FIELDS))}")
    name = raw.get("name", path.stem if path else None)
    if not (isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9_.-]+", name)):
        raise StudyError(f"name: give letters, digits, '_', '.' or '-', not {name!r}")
    system = raw.get("system", "mnist")
    _need(system in SYSTEMS, f"system {system!r}: give one of {', '.join(SYSTEMS)}")
    base = raw.get("base", {})
    if isinstance(base, str):
        where = Path(base) if Path(base).is_absolute() else (root or Path.cwd()) / base
        try:
            base = json.loads(where.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StudyError(f"base: no config file {where}") from None
    _need(isinstance(base, dict), "base: give a config (an object) or the path of one")
    space = raw.get("space")
    if not (isinstance(space, dict) and len(space) > 0):
        raise StudyError("space is empty: name at least one config field to vary")
    axes = [_axis(p, spec) for p, spec in space.items()]
    seeds = raw.get("seeds", [1])
    _need(isinstance(seeds, list) and len(seeds) > 0 and all(isinstance(s, int) and s >= 0 for s in seeds),
          f"seeds: give a non-empty list of whole numbers >= 0, not {seeds!r}")  # fmt: skip
    _need(len(set(seeds)) == len(seeds), f"seeds: {seeds} repeats a seed")
    metric = raw.get("metric", SYSTEMS[system][0])
    _need(metric in SYSTEMS[system], f"metric {metric!r}: a {system} trial reports {', '.join(SYSTEMS[system])}")
    mode = raw.get("mode", "max")
    _need(mode in ("max", "min"), f'mode {mode!r}: give "max" or "min"')
    scheduler = raw.get("scheduler")
    if scheduler is not None:
        _need(system == "mnist", f"scheduler: a {system} trial reports once, so nothing can stop it early")
        _need(isinstance(scheduler, dict) and set(scheduler) == {"asha"} and isinstance(scheduler["asha"], dict),
              "scheduler: give {\"asha\": {\"grace_period\": 1, \"reduction_factor\": 2}}")  # fmt: skip
        bad = sorted(set(scheduler["asha"]) - {"grace_period", "reduction_factor"})
        _need(not bad, f"scheduler.asha: unknown field {', '.join(bad)} (grace_period, reduction_factor)")
    search = raw.get("search")
    _need(search in (None, "random", "optuna"), f'search {search!r}: give "random" (the default) or "optuna"')
    if search == "optuna":
        _need(
            all(a.kind != "grid" for a in axes),
            "search optuna proposes the values: give distributions or choices, not grids",
        )
        _need(
            len(seeds) == 1,
            "search optuna proposes one setting at a time: give one seed (or run the study once per seed)",
        )
    study = Study(
        name=name,
        system=system,
        base=base,
        axes=axes,
        seeds=list(seeds),
        epochs=_int(raw, "epochs", 1, 1),
        train_samples=_int(raw, "train_samples", 60000, 1),
        test_samples=_int(raw, "test_samples", 10000, 1),
        mnist_dir=raw.get("mnist_dir"),
        metric=metric,
        mode=mode,
        scheduler=scheduler,
        search=search,
        num_samples=_int(raw, "num_samples", 1, 1),
        max_failures=_int(raw, "max_failures", 3, 0),
        source=path,
        description=str(raw.get("description", "")),
    )
    # every value the study can take, one axis at a time, through the crate's own check
    _check(study, {})
    for a in axes:
        for v in a.samples():
            _check(study, {a.field: v}, f"space.{a.field} = {v!r}")
    return study


def _check(study: Study, values: Mapping[str, Any], where: str = "base") -> None:
    try:
        cfg = study.config_for(values)
    except StudyError as e:
        raise StudyError(f"{where}: {e}") from None
    try:
        _astdp.full_config(study.system, json.dumps(cfg))
    except ValueError as e:
        raise StudyError(f"{where}: {e}") from None
