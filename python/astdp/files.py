"""Writing results files as the crate does: whole or not at all."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any


def write_atomic(path: Path, text: str) -> None:
    """Writes `text` to `path` through a temporary file renamed over it, so a crash or
    Ctrl-C leaves the file as it was or whole; makes the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def report(result: dict[str, Any], out: Path) -> None:
    """A benchmark's result: printed as JSON, written to `out` atomically."""
    text = json.dumps(result, indent=1)
    print(text)
    write_atomic(out, text + "\n")
    print(f"wrote {out}", file=sys.stderr)
