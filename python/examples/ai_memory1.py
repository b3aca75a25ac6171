"""AI-Memory1 from Python: the spec's "0" schedule (conv1 for 1,500 steps, then conv2
for 1,000, on the first 500 zeros of the training set), its features and their memory
states, and how a test zero lights the long-term features. The same settings give the
counts of the crate's `ai_memory1` example (975 features made, 50 long-term). Draws
`ai_memory1.png` (or the path given)."""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import astdp


def main(out: str = "ai_memory1.png") -> None:
    data = astdp.datasets.load_mnist()
    zeros = data.X_train[data.y_train == 0][:500]
    net = astdp.AIMemory1()
    steps = net.learn(zeros)
    totals = net.totals_(0)
    print(f"{steps} steps; conv1: {totals}")
    long = np.flatnonzero(net.states_(0) == 2)
    w = net.features_(0)[long, 0]
    maps = net.transform(data.X_test[data.y_test == 0][:1])[0]  # (features, 11, 11)

    fig = plt.figure(figsize=(10, 4))
    grid = fig.add_gridspec(5, 14)
    for i, f in enumerate(long[:50]):
        a = fig.add_subplot(grid[i // 10, i % 10])
        a.imshow(w[i], cmap="RdBu_r", vmin=-0.2, vmax=0.2)
        a.set_title(f"#{f}", fontsize=6)
        a.axis("off")
    a = fig.add_subplot(grid[:, 10:])
    a.imshow(maps.max(axis=0), cmap="magma")
    a.set_title("a test zero: strongest\nwinning feature per cell", fontsize=8)
    a.axis("off")
    fig.suptitle(f"AI-Memory1 conv1: {len(long)} long-term features of {totals['created']} made")
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
