"""Input arrays as the compiled module takes them: contiguous float32 images, one row
each, and uint8 labels 0-9. Anything else is converted when that loses nothing, or
refused with a message that names the array and what to give."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def images(x: Any, name: str = "X") -> npt.NDArray[np.float32]:
    """`x` as a contiguous (n, pixels) float32 array (a single image becomes one row)."""
    a = np.asarray(x)
    if a.dtype == np.bool_ or np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name} holds {a.dtype} values: give float pixels in [0, 1] (for uint8 images, {name} / 255)")
    return rows(a, name, "pixels")


def rows(x: Any, name: str = "X", what: str = "features") -> npt.NDArray[np.float32]:
    """`x` as a contiguous (n, width) float32 array of finite values (a single row becomes
    one row; (n, rows, cols) images are flattened); integer data is converted."""
    a = np.asarray(x)
    if a.dtype == np.bool_ or not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise ValueError(f"{name} holds {a.dtype} values: give a float array of {what}")
    if a.ndim == 1:
        a = a[np.newaxis, :]
    elif a.ndim == 3:
        a = a.reshape(a.shape[0], -1)
    if a.ndim != 2 or a.shape[1] == 0:
        raise ValueError(f"{name} has shape {a.shape}: give (n, {what}) or (n, rows, cols)")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return np.ascontiguousarray(a, dtype=np.float32)


def labels(y: Any, n: int, name: str = "y", classes: int = 10) -> npt.NDArray[np.uint8]:
    """`y` as a contiguous (n,) uint8 array of labels `0..classes` (0-9 by default)."""
    a = np.asarray(y)
    if a.ndim != 1 or a.shape[0] != n:
        raise ValueError(f"{name} has shape {a.shape}: give one label per image, ({n},)")
    if not np.issubdtype(a.dtype, np.integer):
        if np.issubdtype(a.dtype, np.floating) and np.all(a == np.round(a)):
            a = a.astype(np.int64)
        else:
            raise ValueError(f"{name} holds {a.dtype} values: give integer labels 0-{classes - 1}")
    if a.size and (a.min() < 0 or a.max() >= classes):
        raise ValueError(f"{name} holds labels from {a.min()} to {a.max()}: give labels 0-{classes - 1}")
    return np.ascontiguousarray(a, dtype=np.uint8)
