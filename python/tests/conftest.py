"""Shared fixtures: the MNIST files (CI points ASTDP_MNIST_DIR at them; a run without
them skips the tests that read MNIST unless ASTDP_REQUIRE_MNIST is set) and the Rust
example binaries (ASTDP_EXAMPLES, default target/release/examples)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import astdp

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def mnist() -> astdp.datasets.Mnist:
    try:
        return astdp.datasets.load_mnist(train=512, test=256)
    except FileNotFoundError:
        if os.environ.get("ASTDP_REQUIRE_MNIST"):
            raise
        pytest.skip("MNIST not found: set ASTDP_MNIST_DIR")


@pytest.fixture(scope="session")
def examples() -> Path:
    d = Path(os.environ.get("ASTDP_EXAMPLES", ROOT / "target" / "release" / "examples"))
    if not (d / "mnist").exists():
        pytest.skip(f"the Rust examples are not built in {d}: cargo build --release --examples")
    return d
