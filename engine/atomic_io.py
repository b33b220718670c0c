"""Atomic file output: write to a temporary file in the same folder, then rename.

A run killed half-way therefore never leaves a truncated result that looks valid.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from analysis.io import write_rows_csv

__all__ = ["atomic_path", "save_npz", "write_csv", "write_json", "write_text"]


@contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary name keeps the target's suffix, so format-by-suffix writers
    (matplotlib's ``savefig``) produce the right format.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}",
                                 dir=target.parent)
    os.close(handle)
    umask = os.umask(0)  # mkstemp makes 0600 files: give the result the usual umask mode
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def write_json(path: str | os.PathLike, data) -> None:
    """Write ``data`` as indented JSON, atomically (NumPy scalars/arrays allowed)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=False, default=_jsonable) + "\n")


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def save_npz(path: str | os.PathLike, **arrays) -> None:
    """``numpy.savez_compressed`` written atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def write_csv(rows: Sequence[Mapping], columns: Sequence[str], path: str | os.PathLike) -> Path:
    """:func:`analysis.io.write_rows_csv`, atomically: ``rows`` (dicts) with ``columns``
    in that order; None gives an empty cell; returns the path written."""
    path = Path(path)
    with atomic_path(path) as tmp:
        write_rows_csv(rows, columns, tmp)
    return path
