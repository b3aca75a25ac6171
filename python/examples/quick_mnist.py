"""The README's quick MNIST net from Python: 784-128-10, the paper's rule with fake
targets, trained on the first 2,000 images for one epoch (the `quick` row of the
results index: 70.10% on the first 1,000 test images), then a few digits recalled with
the label clamped, through a decoder trained for one more epoch (hard-clamped images
never train the weights into the image layer). Draws `quick_mnist.png` (or the path
given)."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import astdp

ROOT = Path(__file__).resolve().parents[2]


def main(out: str = "quick_mnist.png") -> None:
    data = astdp.datasets.load_mnist(train=2000, test=1000)
    net = astdp.Trainer(ROOT / "configs" / "mnist" / "one_layer" / "quick.json", seed=1)
    net.fit(data.X_train, data.y_train, epochs=1)
    ev = net.evaluate(data.X_test, data.y_test)
    print(f"test accuracy {ev['accuracy']:.4f}, settled after {ev['settled_steps_mean']:.1f} ticks")
    net.partial_fit(data.X_train, data.y_train, mode="decoder")
    digits = net.generate(np.arange(10), seed=1)
    fig, axes = plt.subplots(2, 10, figsize=(10, 2.6))
    for k in range(10):
        axes[0, k].imshow(data.X_test[k].reshape(28, 28), cmap="gray")
        axes[0, k].set_title(f"pred {net.predict(data.X_test[k])[0]}", fontsize=8)
        axes[1, k].imshow(digits[k].reshape(28, 28), cmap="gray")
        axes[1, k].set_title(f"recalled {k}", fontsize=8)
    for a in axes.flat:
        a.axis("off")
    fig.suptitle(f"aSTDP 784-128-10 after one epoch of 2,000 images: {100 * ev['accuracy']:.2f}%")
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
