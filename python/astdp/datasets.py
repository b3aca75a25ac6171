"""Data sets: the MNIST files, read by the crate's IDX reader."""

from __future__ import annotations

import os
from typing import NamedTuple, Optional, Union

import numpy as np
import numpy.typing as npt

from . import _astdp


class Mnist(NamedTuple):
    """Both MNIST splits: images float32 (n, 784) in [0, 1], labels uint8 (n,)."""

    X_train: npt.NDArray[np.float32]
    y_train: npt.NDArray[np.uint8]
    X_test: npt.NDArray[np.float32]
    y_test: npt.NDArray[np.uint8]


def load_mnist(
    path: Optional[Union[str, "os.PathLike[str]"]] = None,
    train: Optional[int] = None,
    test: Optional[int] = None,
) -> Mnist:
    """The MNIST files of `path`, else `$ASTDP_MNIST_DIR`, else `data/mnist` (the four
    standard files, gzipped or not): the first `train` and `test` samples (all by
    default). A missing folder or file raises FileNotFoundError, a damaged one
    ValueError, each with the crate's message of what to do."""
    for name, n in (("train", train), ("test", test)):
        if n is not None and n < 0:
            raise ValueError(f"{name} is {n}: give a count of samples >= 0, or None for all")
    big = 2**63 - 1
    (xtr, ytr), (xte, yte) = _astdp.load_mnist(
        None if path is None else os.fspath(path),
        big if train is None else train,
        big if test is None else test,
    )
    return Mnist(xtr, ytr, xte, yte)
