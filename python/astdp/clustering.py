"""Clustering neurons and meta-clustering in scikit-learn's style (the write-up
"clustering neurons and meta-clustering"; the crate's `clustering` module).

`ClusteringNeurons` is online k-means run as spiking neurons: each neuron's dendrites
hold a centre, the nearest neuron fires first (eq. C1), silences the others and moves its
centre toward the example (eq. C2). `MetaClustering` runs several such groups on the
same input through soft masks that compete for the inputs (eq. M1-M4), so that each
group comes to own a part of them.

Both start from k-means++ draws on the data of the first `fit` and keep one generator
seeded by `seed` for every draw after it (start, order, exploration): the same seed and
data give the same centres, bit for bit, as the crate's `clustering_mnist` example.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Generic, Optional, TypeVar, Union

import numpy as np
import numpy.typing as npt

from . import _arrays, _astdp

PathLike = Union[str, "os.PathLike[str]"]
#: `callback(done, total)` about ten times a second during a pass.
Callback = Callable[[int, int], object]
M = TypeVar("M", _astdp.Clusterer, _astdp.MetaClusterer)
S = TypeVar("S", bound="_Online[Any]")


class _Online(Generic[M]):
    """Online passes over data: `fit` starts afresh, `partial_fit` adds one pass."""

    _model: Optional[M]
    seed: int
    events: bool

    def _new(self, x: npt.NDArray[np.float32]) -> M:
        raise NotImplementedError

    @property
    def model_(self) -> M:
        """The fitted model (after `fit` or `partial_fit`)."""
        if self._model is None:
            raise ValueError(f"this {type(self).__name__} is not fitted yet: call fit or partial_fit")
        return self._model

    def fit(self: S, X: Any, epochs: int = 1, callback: Optional[Callback] = None) -> S:
        """Starts from k-means++ draws on X, then `epochs` online passes over X, each in a
        fresh shuffled order. Releases the GIL; Ctrl-C stops it with KeyboardInterrupt."""
        x = _arrays.rows(X)
        self._model = self._new(x)
        for _ in range(epochs):
            self._model.epoch(x, self.events, callback)
        return self

    def partial_fit(self: S, X: Any, callback: Optional[Callback] = None) -> S:
        """One more online pass over X (starting from k-means++ draws on X if unfitted)."""
        x = _arrays.rows(X)
        if self._model is None:
            self._model = self._new(x)
        self._model.epoch(x, self.events, callback)
        return self


class ClusteringNeurons(_Online[_astdp.Clusterer]):
    """`n_clusters` clustering neurons: online k-means on the crate's scheduler.

    `eta` is the winner's learning rate (eq. C2): None for `1 / n_w`, the running mean of
    what it won (MacQueen), or a constant in (0, 1]. With probability `p_explore` the
    winner is a neuron drawn at random. `events=True` runs each competition as spike
    events on the scheduler (the reference; the default is the same competition
    computed directly, the same winners)."""

    def __init__(
        self,
        n_clusters: int = 8,
        eta: Optional[float] = None,
        p_explore: float = 0.0,
        events: bool = False,
        seed: int = 1,
    ) -> None:
        self.n_clusters = n_clusters
        self.eta = eta
        self.p_explore = p_explore
        self.events = events
        self.seed = seed
        self._model: Optional[_astdp.Clusterer] = None

    def _new(self, x: npt.NDArray[np.float32]) -> _astdp.Clusterer:
        return _astdp.Clusterer(self.n_clusters, x, self.seed, self.eta, self.p_explore)

    def predict(self, X: Any) -> npt.NDArray[np.int64]:
        """The nearest centre of each row (the neuron that fires first)."""
        return self.model_.nearest(_arrays.rows(X))

    def fit_predict(self, X: Any, epochs: int = 1) -> npt.NDArray[np.int64]:
        """`fit(X, epochs)`, then `predict(X)`."""
        return self.fit(X, epochs).predict(X)

    def transform(self, X: Any) -> npt.NDArray[np.float32]:
        """Each row's distance to every centre, (n, n_clusters)."""
        return np.sqrt(self.model_.sq_distances(_arrays.rows(X)))

    def score(self, X: Any) -> float:
        """Minus the sum of squared distances to the nearest centre (higher is better)."""
        return -float(self.model_.sq_distances(_arrays.rows(X)).min(axis=1).sum(dtype=np.float64))

    @property
    def cluster_centers_(self) -> npt.NDArray[np.float32]:
        """The centres, (n_clusters, features)."""
        return self.model_.centres()

    @property
    def wins_(self) -> npt.NDArray[np.uint64]:
        """Examples each neuron has won."""
        return self.model_.wins()

    def save(self, path: PathLike) -> None:
        """Saves atomically (centres, wins, settings)."""
        self.model_.save(os.fspath(path))

    @classmethod
    def load(cls, path: PathLike, seed: int = 1) -> "ClusteringNeurons":
        """A fitted model from `save`'s file (later passes draw from `seed`)."""
        model = _astdp.Clusterer.load(os.fspath(path), seed)
        cfg = json.loads(model.config())
        eta = cfg["eta"]
        c = cls(cfg["k"], None if eta == "inverse_count" else float(eta["constant"]), cfg["p_explore"], seed=seed)
        c._model = model
        return c


class MetaClustering(_Online[_astdp.MetaClusterer]):
    """`n_clusterers` groups of `n_clusters` clustering neurons on the same input, each
    seeing it through a mask; masks move from the group that predicts an input worse to
    the others (eq. M1-M3) at rate `lam`, halved every `lam_half_life` examples (M4),
    never below `floor` (in [0, 1 / n_clusterers]); `eta`, `p_explore`, `events` as in
    `ClusteringNeurons`."""

    def __init__(
        self,
        n_clusterers: int = 2,
        n_clusters: int = 8,
        lam: float = 1.0,
        floor: float = 0.0,
        lam_half_life: Optional[float] = None,
        eta: Optional[float] = None,
        p_explore: float = 0.0,
        events: bool = False,
        seed: int = 1,
    ) -> None:
        self.n_clusterers = n_clusterers
        self.n_clusters = n_clusters
        self.lam = lam
        self.floor = floor
        self.lam_half_life = lam_half_life
        self.eta = eta
        self.p_explore = p_explore
        self.events = events
        self.seed = seed
        self._model: Optional[_astdp.MetaClusterer] = None

    def _new(self, x: npt.NDArray[np.float32]) -> _astdp.MetaClusterer:
        return _astdp.MetaClusterer(
            self.n_clusterers,
            self.n_clusters,
            x,
            self.seed,
            self.eta,
            self.p_explore,
            self.lam,
            self.floor,
            self.lam_half_life,
        )

    def predict(self, X: Any) -> npt.NDArray[np.int64]:
        """Each group's nearest neuron for each row, seen through its mask: (n, n_clusterers)."""
        return self.model_.nearest(_arrays.rows(X))

    def transform(self, X: Any) -> npt.NDArray[np.float32]:
        """Each row as the groups predict it, `sum_j m_j c_j`: (n, features)."""
        return self.model_.reconstruct(_arrays.rows(X))

    def score(self, X: Any) -> float:
        """Minus the mean squared reconstruction error per input (higher is better)."""
        x = _arrays.rows(X)
        return -float(np.mean((self.model_.reconstruct(x) - x) ** 2, dtype=np.float64))

    @property
    def masks_(self) -> npt.NDArray[np.float32]:
        """The masks, (n_clusterers, features); each input's masks sum to 1."""
        return self.model_.masks()

    @property
    def cluster_centers_(self) -> npt.NDArray[np.float32]:
        """Every group's centres, (n_clusterers, n_clusters, features)."""
        m = self.model_
        return m.centres().reshape(self.n_clusterers, self.n_clusters, m.dim)

    @property
    def n_seen_(self) -> int:
        """Examples presented so far."""
        return self.model_.seen
