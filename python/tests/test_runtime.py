"""Long calls as a Python user expects: the GIL released, Ctrl-C within a second,
progress through a callback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import astdp
from conftest import ROOT

QUICK = ROOT / "configs" / "mnist" / "one_layer" / "quick.json"


def test_fit_reports_progress_after_every_batch(mnist: astdp.datasets.Mnist) -> None:
    seen: list[tuple[int, int, int, float]] = []
    astdp.Trainer(QUICK).fit(mnist.X_train[:64], mnist.y_train[:64], epochs=2, callback=lambda *a: seen.append(a))
    batch = astdp.Trainer(QUICK).fit(mnist.X_train[:16], mnist.y_train[:16]).config_["batch"]
    per_epoch = 64 // batch
    assert [s[0] for s in seen] == [1] * per_epoch + [2] * per_epoch
    assert [s[1] for s in seen[:per_epoch]] == [batch * (k + 1) for k in range(per_epoch)]
    assert all(s[2] == 64 for s in seen)


def test_a_callback_that_raises_stops_fit_with_its_error(mnist: astdp.datasets.Mnist) -> None:
    def stop(epoch: int, done: int, total: int, metric: float) -> None:
        raise RuntimeError(f"stopped at {done}")

    net = astdp.Trainer(QUICK)
    try:
        net.fit(mnist.X_train[:64], mnist.y_train[:64], callback=stop)
    except RuntimeError as e:
        assert "stopped at" in str(e)
    else:
        raise AssertionError("the callback's error was lost")
    assert net.epochs_done_ == 0


def test_fit_releases_the_gil(mnist: astdp.datasets.Mnist) -> None:
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    th = threading.Thread(target=count)
    th.start()
    start = time.perf_counter()
    astdp.Trainer(QUICK).fit(mnist.X_train, mnist.y_train)
    took = time.perf_counter() - start
    done.set()
    th.join()
    # another Python thread ran meanwhile: at least a tick per 10 ms of training
    assert ticks >= took / 0.01, f"{ticks} ticks in {took:.2f} s"


SCRIPT = """
import sys, astdp
d = astdp.datasets.load_mnist(train=60000, test=0)
print("ready", flush=True)
try:
    astdp.Trainer(sys.argv[1]).fit(d.X_train, d.y_train, epochs=50)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""


def test_ctrl_c_during_fit_raises_keyboard_interrupt_within_a_second(mnist: astdp.datasets.Mnist) -> None:
    p = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(QUICK)], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    assert p.stdout is not None
    assert p.stdout.readline().strip() == "ready"
    time.sleep(1.5)  # well inside the first epoch
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    code = p.wait(timeout=10)
    took = time.perf_counter() - sent
    assert code == 3 and p.stdout.read().strip() == "interrupted"
    assert took < 1.0, f"KeyboardInterrupt after {took:.2f} s"


def test_ctrl_c_leaves_a_file_being_saved_whole(mnist: astdp.datasets.Mnist, tmp_path: Path) -> None:
    net = astdp.Trainer(QUICK).fit(mnist.X_train[:64], mnist.y_train[:64])
    path = tmp_path / "net.json"
    net.save(path)
    before = path.read_bytes()
    script = (
        "import sys, astdp\n"
        "t = astdp.Trainer.load(sys.argv[1])\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    t.save(sys.argv[1])\n"
    )
    p = subprocess.Popen(
        [sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=10)
    # whatever moment the signal came, the file is one whole checkpoint
    assert path.read_bytes() == before
    assert astdp.Trainer.load(path).epochs_done_ == 1
