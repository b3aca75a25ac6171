"""Binocular rivalry (figure 3) from Python: the toy net trained on four patterns, then
an ambiguous input (patterns A and B at once) held with fake targets; the visible
neurons swing between the two percepts. Draws `rivalry.png` (or the path given)."""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import astdp


def main(out: str = "rivalry.png", test_ticks: str = "20000") -> None:
    [run] = astdp.toys.binocular_rivalry({"test_ticks": int(test_ticks)}, seeds=[1])
    rec = run["recording"]
    ticks = np.asarray(rec["ticks"])
    weak = np.asarray(rec["s_weak"])
    print(f"seed 1: {run['switches']} switches with fake targets, {run['control_switches']} without")
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.plot(ticks, weak[0], label="visible 0 (pattern A)")
    ax.plot(ticks, weak[1], label="visible 1 (pattern B)")
    ax.set_xlabel("tick")
    ax.set_ylabel("s_weak")
    ax.legend(loc="upper right")
    ax.set_title("Binocular rivalry: the percept alternates under an ambiguous input")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
