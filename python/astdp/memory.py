"""Memories: AI-Memory1's feature memory (Jiurl's AI-Memory1; the crate's `memory1`) and
the short-term memory of memory association (a bounded queue of images per class)."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Mapping, Optional, Union

import numpy as np
import numpy.typing as npt

from . import _arrays, _astdp

PathLike = Union[str, "os.PathLike[str]"]
#: `callback(step, steps)` about ten times a second while it learns.
Callback = Callable[[int, int], object]
#: The memory state of a feature slot, by the codes of `states_`.
STATES = ("free", "short", "long")


class AIMemory1:
    """An AI-Memory1 network: convolution layers whose features are each made from one
    image patch, compete across features, and pass from short- to long-term memory when
    often active (no gradients, no labels). `config` is a dict of any fields of the
    crate's `Memory1Config` (default: conv1 7/2 with 300 slots and conv2 11/1 with 100,
    on 28 x 28 images)."""

    def __init__(self, config: Optional[Mapping[str, Any]] = None) -> None:
        self._net = _astdp.Memory1(json.dumps(dict(config or {})))

    def learn(self, images: Any, callback: Optional[Callback] = None) -> int:
        """Every layer's phase in turn: its `steps` images taken in order from `images`
        (wrapping), each step learning, then the end-of-phase trim. Call again to learn
        more on the same net ("1" after "0"). Releases the GIL; Ctrl-C stops it with
        KeyboardInterrupt, the net as the last step left it. Returns the steps run."""
        return self._net.learn(_arrays.images(images, "images"), callback)

    def transform(self, images: Any, layer: int = 0) -> npt.NDArray[np.float32]:
        """The output maps of `layer` (the layers before it run; nothing learns):
        (n, features, height, width), a cell's output where its feature won, else 0."""
        p = self.config_["layers"][layer]
        h, w = ((side - p["kernel"]) // p["stride"] + 1 for side in p["input"])
        out = self._net.forward(_arrays.images(images, "images"), layer)
        return out.reshape(out.shape[0], p["features"], h, w)

    def features_(self, layer: int = 0) -> npt.NDArray[np.float32]:
        """`layer`'s feature weights, (features, channels, kernel, kernel)."""
        p = self.config_["layers"][layer]
        return self._net.features(layer).reshape(p["features"], p["channels"], p["kernel"], p["kernel"])

    def states_(self, layer: int = 0) -> npt.NDArray[np.uint8]:
        """`layer`'s slot states: 0 free, 1 short-term, 2 long-term (names in `STATES`)."""
        return self._net.states(layer)

    def totals_(self, layer: int = 0) -> dict[str, int]:
        """`layer`'s features created, forgotten (by the memory test), refused, and its
        free, short and long slots now."""
        out: dict[str, int] = json.loads(self._net.totals(layer))
        return out

    @property
    def config_(self) -> dict[str, Any]:
        """The settings in force, every field."""
        out: dict[str, Any] = json.loads(self._net.config())
        return out

    def save(self, path: PathLike) -> None:
        """Saves atomically (settings, weights, states, counters)."""
        self._net.save(os.fspath(path))

    @classmethod
    def load(cls, path: PathLike) -> "AIMemory1":
        """A net from `save`'s file or the crate's `ai_memory1 --save`."""
        m = cls.__new__(cls)
        m._net = _astdp.Memory1.load(os.fspath(path))
        return m


class ShortTermMemory:
    """One first-in-first-out queue of at most `capacity` images per class (memory
    association, eq. 1); batches are drawn balanced over the classes present, so a rare
    class is drawn as often as a common one. Draws from `seed`."""

    def __init__(self, classes: int = 10, capacity: int = 100, seed: int = 0) -> None:
        self._mem = _astdp.ShortTermMemory(classes, capacity, seed)
        self.classes = classes

    def push(self, X: Any, y: Any) -> int:
        """Stores each image under its label, in order; returns how many old ones the full
        queues dropped."""
        x = _arrays.rows(X, "X")
        return self._mem.push(x, _arrays.labels(y, x.shape[0], classes=self.classes))

    def sample(self, batch: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.uint8]]:
        """`batch` (images, labels) drawn with replacement, balanced over the classes held."""
        return self._mem.sample(batch)

    @property
    def counts_(self) -> npt.NDArray[np.uint64]:
        """Images held per class."""
        return self._mem.counts()

    @property
    def pushed_(self) -> npt.NDArray[np.uint64]:
        """Images ever pushed per class."""
        return self._mem.pushed()
