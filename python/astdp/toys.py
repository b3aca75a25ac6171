"""The toy experiments of section 3.2 as functions: a config (a dict of any fields of
the example's config, merged over its defaults; `configs/toys/` spells them out) and
seeds in, each seed's result out as a dict (lists of numbers; `numpy.asarray` them).
The GIL is released while one runs."""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional

from . import _astdp


def _run(name: str, config: Optional[Mapping[str, Any]], seeds: Iterable[int]) -> list[dict[str, Any]]:
    text = json.dumps(dict(config or {}))
    return [json.loads(_astdp.toy(name, text, int(seed))) for seed in seeds]


def stdp_curve(config: Optional[Mapping[str, Any]] = None) -> list[dict[str, Any]]:
    """Figure 6: the six STDP panels (the protocol is deterministic: no seed)."""
    out: list[dict[str, Any]] = json.loads(_astdp.toy("stdp_curve", json.dumps(dict(config or {})), 0))
    return out


def binocular_rivalry(config: Optional[Mapping[str, Any]] = None, seeds: Iterable[int] = (1,)) -> list[dict[str, Any]]:
    """Figure 3, per seed: the trained net, the ambiguous input held with and without
    fake targets, switches, dominance durations and traces."""
    return _run("binocular_rivalry", config, seeds)


def neural_adaptation(config: Optional[Mapping[str, Any]] = None, seeds: Iterable[int] = (1,)) -> list[dict[str, Any]]:
    """Figure 4 (left), per seed: overshoot and undershoot under each variant."""
    return _run("neural_adaptation", config, seeds)


def state_relationships(
    config: Optional[Mapping[str, Any]] = None, seeds: Iterable[int] = (1,)
) -> list[dict[str, Any]]:
    """Tables 3 and 4, per seed: each net's accuracy on each order."""
    return _run("state_relationships", config, seeds)
