"""The estimators: the same numbers as Rust, native errors, save and load."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import astdp
from conftest import ROOT

QUICK = ROOT / "configs" / "mnist" / "one_layer" / "quick.json"


def test_fit_gives_the_rust_examples_weights_and_accuracy_bit_for_bit(
    mnist: astdp.datasets.Mnist, examples: Path, tmp_path: Path
) -> None:
    # the Rust example on the same files, samples and seed
    ckpt, out = tmp_path / "ckpt.json", tmp_path / "run.json"
    subprocess.run(
        [
            str(examples / "mnist"),
            "--config",
            str(QUICK),
            "--train-samples",
            "512",
            "--test-samples",
            "256",
            "--seed",
            "3",
            "--epochs",
            "2",
            "--save",
            str(ckpt),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    net = astdp.Trainer(QUICK, seed=3).fit(mnist.X_train, mnist.y_train, epochs=2)
    rust = astdp.Trainer.load(ckpt)
    assert net.weights_.keys() == rust.weights_.keys()
    for k, w in net.weights_.items():
        assert np.array_equal(w, rust.weights_[k]), f"block {k} differs"
    report = json.loads(out.read_text())
    assert net.evaluate(mnist.X_test, mnist.y_test)["accuracy"] == report["test_accuracy"]
    assert net.score(mnist.X_test, mnist.y_test) == report["test_accuracy"]


def test_predict_score_generate_and_a_saved_net(mnist: astdp.datasets.Mnist, tmp_path: Path) -> None:
    net = astdp.Trainer(QUICK, seed=1).fit(mnist.X_train, mnist.y_train)
    p = net.predict(mnist.X_test)
    assert p.dtype == np.uint8 and p.shape == (256,) and p.max() <= 9
    # a test never changes the net: the same answer twice
    assert np.array_equal(p, net.predict(mnist.X_test))
    assert net.score(mnist.X_test, mnist.y_test) > 0.3  # 10% is chance; about 0.48 measured
    images = net.generate([0, 7, 7], seed=5)
    assert images.shape == (3, 784) and images.dtype == np.float32
    net.save(tmp_path / "net.json")
    back = astdp.Trainer.load(tmp_path / "net.json")
    assert np.array_equal(back.predict(mnist.X_test), p)
    assert back.epochs_done_ == 1 and back.config_["batch"] == net.config_["batch"]


def test_mlp_has_the_same_shape(mnist: astdp.datasets.Mnist, tmp_path: Path) -> None:
    m = astdp.MLP({"hidden": 32, "batch": 16}, seed=2).fit(mnist.X_train, mnist.y_train, epochs=3)
    assert m.score(mnist.X_test, mnist.y_test) > 0.5  # about 0.73 measured
    m.save(tmp_path / "mlp.json")
    assert np.array_equal(astdp.MLP.load(tmp_path / "mlp.json").predict(mnist.X_test), m.predict(mnist.X_test))


@pytest.mark.parametrize(
    ("x", "says"),
    [
        (np.zeros((4, 784), dtype=np.uint8), "X / 255"),
        (np.zeros((4, 783), dtype=np.float32), "not square"),
        (np.full((4, 784), np.nan, dtype=np.float32), "NaN"),
        (np.zeros((2, 4, 784), dtype=np.float32).reshape(2, 4, 28, 28), "shape"),
        (np.array(["a"] * 784), "float array"),
    ],
)
def test_bad_images_are_refused_naming_what_to_give(x: object, says: str) -> None:
    net = astdp.Trainer({"hidden": [4], "batch": 2})
    with pytest.raises(ValueError, match=says):
        net.fit(x, np.zeros(4, dtype=np.int64))


def test_bad_labels_and_configs_are_refused(tmp_path: Path) -> None:
    x = np.zeros((4, 16), dtype=np.float32)
    with pytest.raises(ValueError, match="one label per image"):
        astdp.Trainer({"hidden": [4], "batch": 2}).fit(x, [0, 1])
    with pytest.raises(ValueError, match="labels 0-9"):
        astdp.Trainer({"hidden": [4], "batch": 2}).fit(x, [0, 1, 2, 12])
    with pytest.raises(ValueError, match="`batch` is 0"):
        astdp.Trainer({"batch": 0}).fit(x, [0, 1, 2, 3])
    with pytest.raises(ValueError, match="hiden"):
        astdp.Trainer({"hiden": [4]}).fit(x, [0, 1, 2, 3])
    with pytest.raises(FileNotFoundError):
        astdp.Trainer(tmp_path / "missing.json").fit(x, [0, 1, 2, 3])
    with pytest.raises(ValueError, match="not trained yet"):
        astdp.Trainer().predict(x)
    (tmp_path / "bad.json").write_text('{"cfg": ')
    with pytest.raises(ValueError, match="not valid JSON"):
        astdp.Trainer.load(tmp_path / "bad.json")
    with pytest.raises(FileNotFoundError):
        astdp.Trainer.load(tmp_path / "none.json")


def test_mnist_folder_errors_are_native(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="MNIST"):
        astdp.datasets.load_mnist(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03garbage")
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01")
    with pytest.raises((ValueError, FileNotFoundError)):
        astdp.datasets.load_mnist(tmp_path)
    with pytest.raises(ValueError, match="count"):
        astdp.datasets.load_mnist(tmp_path, train=-1)


def test_clustering_neurons_give_the_rust_examples_centres_bit_for_bit(
    mnist: astdp.datasets.Mnist, examples: Path, tmp_path: Path
) -> None:
    config, saved = tmp_path / "config.json", tmp_path / "neurons.json"
    config.write_text(json.dumps({"ks": [10], "epochs": 2, "lloyd_rounds": 3}))
    subprocess.run(
        [
            str(examples / "clustering_mnist"),
            "--config",
            str(config),
            "--train-samples",
            "512",
            "--test-samples",
            "256",
            "--seed",
            "4",
            "--save",
            str(saved),
            "--out-dir",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    py = astdp.ClusteringNeurons(10, seed=4).fit(mnist.X_train, epochs=2)
    rust = astdp.ClusteringNeurons.load(saved)
    assert np.array_equal(py.cluster_centers_, rust.cluster_centers_)
    assert np.array_equal(py.wins_, rust.wins_) and py.wins_.sum() == 2 * 512
    assert np.array_equal(py.predict(mnist.X_test), rust.predict(mnist.X_test))
