"""Clustering neurons and meta-clustering on MNIST from Python: 20 neurons learn the
first 10,000 training images online (two passes), each cluster votes its majority
label, and the test images are scored by their nearest neuron's vote; then two
clusterers share the pixels through competing masks. Draws `clustering.png` (or the
path given): the centres, and the two masks."""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import astdp


def main(out: str = "clustering.png", train: str = "10000") -> None:
    data = astdp.datasets.load_mnist(train=int(train), test=2000)
    neurons = astdp.ClusteringNeurons(n_clusters=20, seed=1).fit(data.X_train, epochs=2)
    # each cluster votes the label most of its training images carry
    votes = np.array(
        [np.bincount(data.y_train[neurons.predict(data.X_train) == k], minlength=10).argmax() for k in range(20)]
    )
    purity = float(np.mean(votes[neurons.predict(data.X_test)] == data.y_test))
    print(f"20 clustering neurons: test purity {purity:.4f}, wins {neurons.wins_.tolist()}")
    meta = astdp.MetaClustering(n_clusterers=2, n_clusters=10, lam=0.5, floor=0.01, seed=1).fit(data.X_train)
    print(f"meta-clustering: reconstruction error {-meta.score(data.X_test):.4f} per pixel")

    fig, axes = plt.subplots(3, 10, figsize=(10, 3.6))
    for k, a in enumerate(axes[:2].flat):
        a.imshow(neurons.cluster_centers_[k].reshape(28, 28), cmap="gray")
        a.set_title(f"votes {votes[k]}", fontsize=7)
    for j in range(10):
        a = axes[2, j]
        if j < 2:
            a.imshow(meta.masks_[j].reshape(28, 28), cmap="viridis", vmin=0, vmax=1)
            a.set_title(f"mask {j}", fontsize=7)
    for a in axes.flat:
        a.axis("off")
    fig.suptitle(f"Clustering neurons' centres (purity {100 * purity:.1f}%) and meta-clustering's masks")
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
