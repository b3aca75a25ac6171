"""Clustering, meta-clustering, AI-Memory1, the short-term memory, the CVAEs and a
continual run from Python: their shapes, their invariants, their errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import astdp
from conftest import ROOT


def blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """300 points around three far-apart centres in 2-D."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    labels = rng.integers(0, 3, 300)
    return centres[labels] + rng.normal(0, 0.5, (300, 2)), labels


def test_clustering_neurons_find_separated_blobs_and_are_seeded() -> None:
    x, labels = blobs()
    c = astdp.ClusteringNeurons(3, seed=2).fit(x, epochs=3)
    assert c.cluster_centers_.shape == (3, 2) and c.wins_.sum() == 900
    # every blob is one cluster: the clusters and the blobs are the same partition
    pred = c.predict(x)
    assert len({(p, t) for p, t in zip(pred, labels)}) == 3
    # transform is the distance to each centre; score is minus the sum of squared distances
    d = c.transform(x)
    assert d.shape == (300, 3) and np.array_equal(d.argmin(axis=1), pred)
    assert c.score(x) == pytest.approx(-float((d.min(axis=1).astype(np.float64) ** 2).sum()), rel=1e-5)
    # the same seed, the same centres; partial_fit is one more pass on the same model
    again = astdp.ClusteringNeurons(3, seed=2).fit(x, epochs=2).partial_fit(x)
    assert np.array_equal(again.cluster_centers_, c.cluster_centers_)


def test_the_event_path_picks_the_same_winners() -> None:
    x, _ = blobs(1)
    fast = astdp.ClusteringNeurons(4, p_explore=0.1, seed=5).fit(x, epochs=2)
    events = astdp.ClusteringNeurons(4, p_explore=0.1, events=True, seed=5).fit(x, epochs=2)
    assert np.array_equal(fast.cluster_centers_, events.cluster_centers_)


def test_meta_clustering_masks_sum_to_one_and_reconstruct() -> None:
    rng = np.random.default_rng(0)
    # two independent halves: each a one-hot code of 5
    x = np.zeros((400, 10), np.float32)
    x[np.arange(400), rng.integers(0, 5, 400)] = 1
    x[np.arange(400), 5 + rng.integers(0, 5, 400)] = 1
    m = astdp.MetaClustering(2, 5, lam=0.5, floor=0.01, seed=3).fit(x, epochs=3)
    assert m.masks_.shape == (2, 10) and m.cluster_centers_.shape == (2, 5, 10)
    np.testing.assert_allclose(m.masks_.sum(axis=0), 1.0, rtol=1e-5)
    assert (m.masks_ >= 0.01 - 1e-6).all() and m.n_seen_ == 1200
    assert m.predict(x).shape == (400, 2) and m.transform(x).shape == (400, 10)
    # better than predicting every input by its mean
    assert m.score(x) > -float(np.mean((x - x.mean(axis=0)) ** 2))


def test_clustering_errors_are_value_errors(tmp_path: Path) -> None:
    x, _ = blobs()
    with pytest.raises(ValueError, match="not fitted"):
        astdp.ClusteringNeurons(3).predict(x)
    with pytest.raises(ValueError, match="p_explore"):
        astdp.ClusteringNeurons(3, p_explore=2.0).fit(x)
    c = astdp.ClusteringNeurons(3).fit(x)
    with pytest.raises(ValueError, match="rows of 3 values: this model takes 2"):
        c.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        c.partial_fit(np.full((4, 2), np.nan))
    with pytest.raises(ValueError, match="floor"):
        astdp.MetaClustering(2, 3, floor=0.9).fit(x)
    c.save(tmp_path / "c.json")
    assert np.array_equal(astdp.ClusteringNeurons.load(tmp_path / "c.json").cluster_centers_, c.cluster_centers_)


ONE_LAYER = {
    "layers": [
        {
            "channels": 1,
            "input": [28, 28],
            "kernel": 7,
            "stride": 2,
            "features": 300,
            "min_activation_ratio": 0.78,
            "max_activation_ratio": 0.9,
            "new_feature_min_positive": 15,
            "steps": 200,
        }
    ]
}


def test_ai_memory1_learns_features_and_keeps_its_states(mnist: astdp.datasets.Mnist, tmp_path: Path) -> None:
    net = astdp.AIMemory1(ONE_LAYER)
    zeros = mnist.X_train[mnist.y_train == 0]
    seen: list[tuple[int, int]] = []
    assert net.learn(zeros, callback=lambda *a: seen.append(a)) == 200
    assert seen[-1] == (200, 200)
    totals = net.totals_(0)
    assert totals["created"] > 0 and totals["free"] + totals["short"] + totals["long"] == 300
    states = net.states_(0)
    assert states.shape == (300,) and set(np.unique(states)) <= {0, 1, 2}
    assert (states == 2).sum() == totals["long"]
    # a learned (non-free) feature keeps sum(w+) = P = 1 (spec section 4)
    w = net.features_(0)
    assert w.shape == (300, 1, 7, 7)
    for f in np.flatnonzero(states != 0):
        assert np.clip(w[f], 0, None).sum() == pytest.approx(1.0, abs=1e-4)
    out = net.transform(zeros[:3])
    assert out.shape == (3, 300, 11, 11) and out.min() >= 0
    net.save(tmp_path / "m.json")
    back = astdp.AIMemory1.load(tmp_path / "m.json")
    assert np.array_equal(back.transform(zeros[:3]), out)
    with pytest.raises(ValueError, match="784"):
        net.learn(np.zeros((2, 100), np.float32))
    with pytest.raises(ValueError, match="layer"):
        astdp.AIMemory1({"layers": []})


def test_short_term_memory_is_fifo_and_balanced() -> None:
    mem = astdp.ShortTermMemory(classes=3, capacity=4, seed=1)
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 2])
    assert mem.push(x, y) == 2  # six of class 0 in a queue of four
    assert list(mem.counts_) == [4, 2, 2] and list(mem.pushed_) == [6, 2, 2]
    images, labels = mem.sample(3000)
    assert images.shape == (3000, 2)
    # balanced over classes, not over samples: about a third each
    assert all(abs(np.mean(labels == c) - 1 / 3) < 0.04 for c in range(3))
    # class 0 holds its four newest
    assert set(map(tuple, images[labels == 0])) == {tuple(r) for r in x[2:6]}
    with pytest.raises(ValueError, match="labels"):
        mem.push(x[:1], [7])


def test_cvae_b_classifies_and_recalls_and_type_a_does_not_classify(
    mnist: astdp.datasets.Mnist, tmp_path: Path
) -> None:
    b = astdp.CVAE("b", batch=32, seed=1).fit(mnist.X_train, mnist.y_train, epochs=10)
    # chance is 0.1; measured 0.61-0.64 over seeds 1-3 (160 Adam steps)
    assert b.score(mnist.X_test, mnist.y_test) > 0.4
    g = b.generate([0, 1, 2, 1], seed=2)
    assert g.shape == (4, 784) and np.array_equal(g, b.generate([0, 1, 2, 1], seed=2))
    b.save(tmp_path / "b.json")
    back = astdp.CVAE.load(tmp_path / "b.json")
    assert back.kind == "b" and np.array_equal(back.predict(mnist.X_test), b.predict(mnist.X_test))
    a = astdp.CVAE("a", seed=1).fit(mnist.X_train[:64], mnist.y_train[:64])
    with pytest.raises(ValueError, match="does not classify"):
        a.predict(mnist.X_test)
    with pytest.raises(ValueError, match="give labels 0-9"):
        a.generate([12])


SMALL_CONTINUAL = {
    "plan": {"contexts": [[0, 1], [2, 3]], "updates": 10},
    "runs": [{"learner": "mlp", "strategy": "none"}, {"learner": "mlp", "strategy": "joint"}],
    "seeds": [1],
    "train_samples": 512,
    "test_samples": 256,
}


def test_a_continual_run_from_a_config(mnist: astdp.datasets.Mnist) -> None:
    out = astdp.continual.run(SMALL_CONTINUAL, (mnist.X_train, mnist.y_train), (mnist.X_test, mnist.y_test))
    assert [r["strategy"] for r in out["runs"]] == ["none", "joint"]
    for r in out["runs"]:
        (acc,) = r["accuracy_after_context"]
        assert len(acc) == 2 and all(0 <= a <= 1 for a in acc)
    with pytest.raises(ValueError, match="unknown field"):
        astdp.continual.run({"bogus": 1}, (mnist.X_train, mnist.y_train), (mnist.X_test, mnist.y_test))


CONTINUAL_SCRIPT = """
import sys, astdp
d = astdp.datasets.load_mnist(train=5000, test=500)
cfg = {"plan": {"contexts": [[0, 1], [2, 3], [4, 5]], "updates": 100000}, "seeds": [1],
       "runs": [{"learner": "mlp", "strategy": "none"}], "train_samples": 5000, "test_samples": 500}
print("ready", flush=True)
try:
    astdp.continual.run(cfg, (d.X_train, d.y_train), (d.X_test, d.y_test))
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""


def test_ctrl_c_stops_a_continual_run_within_a_second(mnist: astdp.datasets.Mnist) -> None:
    p = subprocess.Popen(
        [sys.executable, "-c", CONTINUAL_SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ),
        cwd=ROOT,
    )
    assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    time.sleep(2.0)
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    assert p.stdout.readline().strip() == "interrupted"
    assert p.wait(timeout=10) == 3
    assert time.perf_counter() - sent < 1.0


def test_ai_memory1_gives_the_rust_examples_counts(tmp_path: Path) -> None:
    """The committed default run of the crate's `ai_memory1` example (the "0" schedule)
    against the same schedule from Python: the same features made, forgotten and kept."""
    import json

    try:
        data = astdp.datasets.load_mnist()
    except FileNotFoundError:
        pytest.skip("MNIST not found: set ASTDP_MNIST_DIR")
    rust = json.loads((ROOT / "plots" / "ai_memory1.json").read_text())
    cfg = rust["config"]
    net = astdp.AIMemory1(cfg["network"])
    net.learn(data.X_train[data.y_train == cfg["digit"]][: cfg["images"]])
    t = net.totals_(0)
    assert (t["created"], t["forgotten"], t["forgotten_by_test"], t["long"]) == (
        rust["created_total"],
        rust["forgotten_total"],
        rust["forgotten_by_test"],
        rust["long_term_features"],
    )
