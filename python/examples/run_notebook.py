"""Executes a notebook top to bottom (CI runs the tour this way): any cell that raises
fails the run."""

from __future__ import annotations

import sys

import nbclient
import nbformat


def main(path: str = "tour.ipynb", timeout: str = "600") -> None:
    nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    nbclient.NotebookClient(nb, timeout=int(timeout), kernel_name="python3").execute()
    print(f"{path}: {sum(c.cell_type == 'code' for c in nb.cells)} code cells ran")


if __name__ == "__main__":
    main(*sys.argv[1:])
