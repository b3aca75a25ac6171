"""The toy experiments from Python give the Rust examples' numbers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import astdp


def test_rivalry_equals_the_rust_example(examples: Path, tmp_path: Path) -> None:
    cfg = {"train_rounds": 100, "test_ticks": 3000}
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    subprocess.run(
        [
            str(examples / "binocular_rivalry"),
            "--config",
            str(tmp_path / "cfg.json"),
            "--seeds",
            "1",
            "--seed",
            "2",
            "--out-dir",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    rust = json.loads((tmp_path / "binocular_rivalry.json").read_text())
    [py] = astdp.toys.binocular_rivalry(cfg, seeds=[2])
    summary = rust["runs"][0]
    assert summary["seed"] == 2 and summary["patterns_recalled"] >= 0
    assert {k: py[k] for k in summary} == summary


def test_stdp_curve_and_a_bad_toy_config() -> None:
    panels = astdp.toys.stdp_curve({"dt_max": 20})
    assert len(panels) == 6 and all(p["ltp_peak"] > 0 > p["ltd_peak"] for p in panels)
    with pytest.raises(ValueError, match="dt_maxx"):
        astdp.toys.stdp_curve({"dt_maxx": 20})
