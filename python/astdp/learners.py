"""The learners as estimators in scikit-learn's style: built from their settings alone,
`fit`, `partial_fit`, `predict`, `score`, `save` and `load`; what they learned ends in
an underscore. Each is a thin layer over the crate's learner of the same name, so the
same settings and seed give the same weights, bit for bit, as the Rust examples."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Generic, Mapping, Optional, Protocol, TypeVar, Union

import numpy as np
import numpy.typing as npt

from . import _arrays, _astdp

PathLike = Union[str, "os.PathLike[str]"]
Config = Union[None, Mapping[str, Any], PathLike]
#: `callback(epoch, done, total, metric)` after every batch; tqdm's `update` fits.
Callback = Callable[[int, int, int, float], object]


def _config_text(config: Config) -> str:
    """Settings as JSON text: a dict of any fields (merged over the defaults), a path to a
    JSON file of the schema of `configs/`, or None for the defaults."""
    if config is None:
        return "{}"
    if isinstance(config, Mapping):
        return json.dumps(dict(config))
    with open(os.fspath(config), encoding="utf-8") as f:
        return f.read()


class _Net(Protocol):
    """What the compiled nets share."""

    def predict(self, images: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]: ...
    def save(self, path: str) -> None: ...


N = TypeVar("N", bound=_Net)


class _Classifier(Generic[N]):
    """What every estimator here shares: the net it wraps, predicting, scoring, saving."""

    _net: Optional[N]

    @property
    def net_(self) -> N:
        """The trained net (after `fit`, `partial_fit` or `load`)."""
        if self._net is None:
            name = type(self).__name__
            raise ValueError(f"this {name} is not trained yet: call fit or partial_fit, or {name}.load")
        return self._net

    def predict(self, X: Any) -> npt.NDArray[np.uint8]:
        """The class of each image (a test pass: it never changes the net)."""
        return self.net_.predict(_arrays.images(X))

    def score(self, X: Any, y: Any) -> float:
        """Accuracy on (X, y)."""
        x = _arrays.images(X)
        return float(np.mean(self.net_.predict(x) == _arrays.labels(y, x.shape[0])))

    def save(self, path: PathLike) -> None:
        """Saves atomically: a crash or Ctrl-C leaves the file as it was or whole."""
        self.net_.save(os.fspath(path))


class Trainer(_Classifier[_astdp.Trainer]):
    """The aSTDP trainer: a net of `pixels - hidden - 10` (hidden sizes, batch, iterations
    and every knob from `config`, the schema of `configs/mnist/`) that learns with the
    local aSTDP rule (arXiv 2206.14137, Algorithm 2). Weights come from `seed`."""

    def __init__(self, config: Config = None, seed: int = 1) -> None:
        self.config = config
        self.seed = seed
        self._net: Optional[_astdp.Trainer] = None

    def _built(self, pixels: int) -> _astdp.Trainer:
        if self._net is None:
            self._net = _astdp.Trainer(_config_text(self.config), pixels, self.seed)
        return self._net

    def fit(self, X: Any, y: Any, epochs: int = 1, callback: Optional[Callback] = None) -> "Trainer":
        """Trains a fresh net for `epochs` epochs over (X, y), each in a shuffled order.
        Releases the GIL; Ctrl-C stops it within a batch with KeyboardInterrupt."""
        self._net = None
        for _ in range(epochs):
            self.partial_fit(X, y, callback=callback)
        return self

    def partial_fit(self, X: Any, y: Any, mode: str = "supervised", callback: Optional[Callback] = None) -> "Trainer":
        """One more epoch over (X, y) (one pass, shuffled), on the net so far."""
        x = _arrays.images(X)
        labels = _arrays.labels(y, x.shape[0])
        self.last_metric_ = self._built(x.shape[1]).train_epoch(x, labels, mode, callback)
        return self

    def evaluate(self, X: Any, y: Any) -> dict[str, Any]:
        """The test pass's figures: accuracy, the step counts, accuracy at each read-out."""
        x = _arrays.images(X)
        out: dict[str, Any] = json.loads(self.net_.evaluate(x, _arrays.labels(y, x.shape[0])))
        return out

    def generate(
        self, labels: Any, seed: int = 0, variety: Optional[Mapping[str, Any]] = None
    ) -> npt.NDArray[np.float32]:
        """One image per label, recalled with the label clamped (figure 2)."""
        lab = _arrays.labels(labels, np.asarray(labels).shape[0], "labels")
        return self.net_.generate(lab, seed, "" if variety is None else json.dumps(dict(variety)))

    @property
    def weights_(self) -> dict[tuple[int, int], npt.NDArray[np.float32]]:
        """The weights of each block, keyed (receiving layer, sending layer); layers are
        0 input, 1 output, 2... hidden."""
        return {(post, pre): w for post, pre, w in self.net_.weights()}

    @property
    def config_(self) -> dict[str, Any]:
        """The settings in force, every field."""
        out: dict[str, Any] = json.loads(self.net_.config())
        return out

    @property
    def epochs_done_(self) -> int:
        """Epochs completed."""
        return self.net_.epochs_done

    @classmethod
    def load(cls, path: PathLike) -> "Trainer":
        """A trainer from a checkpoint written by `save` or by the crate's `mnist --save`."""
        net = _astdp.Trainer.load(os.fspath(path))
        t = cls(config=json.loads(net.config()), seed=net.seed)
        t._net = net
        return t


class MLP(_Classifier[_astdp.Mlp]):
    """The backprop MLP baseline (`pixels - hidden - 10`, sigmoid hidden units, minibatch
    SGD; the schema of the crate's `MlpConfig`), with the Trainer's shape."""

    def __init__(self, config: Config = None, seed: int = 1) -> None:
        self.config = config
        self.seed = seed
        self._net: Optional[_astdp.Mlp] = None

    def fit(self, X: Any, y: Any, epochs: int = 1) -> "MLP":
        """Trains a fresh net for `epochs` epochs over (X, y)."""
        self._net = None
        for _ in range(epochs):
            self.partial_fit(X, y)
        return self

    def partial_fit(self, X: Any, y: Any) -> "MLP":
        """One more epoch over (X, y)."""
        x = _arrays.images(X)
        labels = _arrays.labels(y, x.shape[0])
        if self._net is None:
            self._net = _astdp.Mlp(_config_text(self.config), x.shape[1], 10, self.seed)
        self.last_loss_ = self._net.train_epoch(x, labels)
        return self

    @classmethod
    def load(cls, path: PathLike, seed: int = 1) -> "MLP":
        """An MLP from a file written by `save` (`seed` drives the order of later epochs)."""
        net = _astdp.Mlp.load(os.fspath(path), seed)
        m = cls(config=json.loads(net.config()), seed=seed)
        m._net = net
        return m


class CVAE(_Classifier[_astdp.Cvae]):
    """A conditional VAE of memory association (the long-term memory of the crate's
    `learners::cvae`): `kind` "b" (its encoder classifies; the latent holds one direction
    per class) or "a" (the label in encoder and decoder: it recalls, it does not
    classify). `config` holds any other field of the crate's `CvaeConfig` (hidden,
    latent, lambda_prior, lambda_mse, lr); `batch` samples per Adam step; weights and
    noise from `seed`."""

    def __init__(self, kind: str = "b", config: Config = None, batch: int = 64, seed: int = 1) -> None:
        if kind.lower() not in ("a", "b"):
            raise ValueError(f'kind {kind!r}: give "a" or "b"')
        self.kind = kind
        self.config = config
        self.batch = batch
        self.seed = seed
        self._net: Optional[_astdp.Cvae] = None

    def _settings(self) -> str:
        cfg = json.loads(_config_text(self.config))
        cfg["kind"] = self.kind.lower()
        return json.dumps(cfg)

    def fit(self, X: Any, y: Any, epochs: int = 1, callback: Optional[Callable[[int, int], object]] = None) -> "CVAE":
        """Trains a fresh net for `epochs` epochs over (X, y), each in a shuffled order;
        `callback(done, total)` after every batch. Releases the GIL; Ctrl-C stops it."""
        self._net = None
        for _ in range(epochs):
            self.partial_fit(X, y, callback)
        return self

    def partial_fit(self, X: Any, y: Any, callback: Optional[Callable[[int, int], object]] = None) -> "CVAE":
        """One more epoch over (X, y)."""
        x = _arrays.images(X)
        labels = _arrays.labels(y, x.shape[0])
        if self._net is None:
            self._net = _astdp.Cvae(self._settings(), self.batch, x.shape[1], 10, self.seed)
        self._net.train_epoch(x, labels, callback)
        return self

    def generate(self, labels: Any, seed: int = 0) -> npt.NDArray[np.float32]:
        """One image per label, decoded from its class's prior with noise from `seed`."""
        lab = _arrays.labels(labels, np.asarray(labels).shape[0], "labels")
        return self.net_.generate(lab, seed)

    @classmethod
    def load(cls, path: PathLike, seed: int = 1) -> "CVAE":
        """A CVAE from `save`'s file (`seed` drives the order of later epochs)."""
        net = _astdp.Cvae.load(os.fspath(path), seed)
        cfg = json.loads(net.config())
        c = cls(kind=str(cfg.pop("kind")), config=cfg, seed=seed)
        c._net = net
        return c
