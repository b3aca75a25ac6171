"""Continual learning from Python: the crate's `continual_mnist` run (contexts of
classes in turn; no rehearsal, joint training, replay, or dreams from a memory) on
arrays you give, with the settings of `configs/continual/`."""

from __future__ import annotations

import json
import os
from typing import Any, Optional, Union

from . import _arrays, _astdp
from .learners import Config, _config_text

PathLike = Union[str, "os.PathLike[str]"]


def run(
    config: Config,
    train: tuple[Any, Any],
    test: tuple[Any, Any],
    memories: Optional[PathLike] = None,
) -> dict[str, Any]:
    """Every run of `config` (a dict of any fields of the crate's `ContinualConfig`, or a
    path to one of `configs/continual/`) for every seed on `train = (X, y)` (28 x 28
    images), tested on `test` after each context. With `memories`, each memory's own run
    is kept in that folder and read back by a later call with the same settings. Returns
    the crate's result: per run, the accuracy after each context for each seed, the mean
    and spread of the final accuracy, and a few dreams per memory.

    The run goes on with the GIL released (one thread per seed); Ctrl-C stops it within
    a weight update with KeyboardInterrupt, every file written whole."""
    x, xt = _arrays.images(train[0], "train X"), _arrays.images(test[0], "test X")
    y, yt = _arrays.labels(train[1], x.shape[0], "train y"), _arrays.labels(test[1], xt.shape[0], "test y")
    where = None if memories is None else os.fspath(memories)
    out: dict[str, Any] = json.loads(_astdp.continual(_config_text(config), x, y, xt, yt, where))
    return out
