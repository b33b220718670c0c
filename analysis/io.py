"""Reading replica data and writing results: npz in, JSON and CSV out."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

__all__ = ["load_replica", "to_jsonable", "write_json", "write_profile_csv", "write_rows_csv"]


def load_replica(path: str | Path) -> dict:
    """Load one replica's raw NEMD data from an ``.npz`` file.

    Parameters
    ----------
    path : str or Path
        File written with ``np.savez`` using the keys of the input contract
        (see :func:`analysis.nemd.validate_replica`).

    Returns
    -------
    dict
        Arrays by key; 0-d arrays become Python floats.
    """
    with np.load(path, allow_pickle=False) as data:
        return {k: (float(v) if v.ndim == 0 else v.copy()) for k, v in data.items()}


def to_jsonable(obj):
    """Arrays → lists, NumPy scalars → Python ones, NaN/±inf → None, recursively.

    Parameters
    ----------
    obj : object
        Nested mappings, sequences, arrays and scalars.

    Returns
    -------
    object
        The same structure built from dict, list, str, int, float, bool and None.
    """
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, str):
        return str(obj)
    return obj


def write_json(result: Mapping, path: str | Path) -> Path:
    """Write a result dict as strict JSON (no NaN) and return the path."""
    path = Path(path)
    path.write_text(json.dumps(to_jsonable(result), indent=2, allow_nan=False) + "\n")
    return path


def _cell(value) -> object:
    """A CSV cell: None -> empty; floats keep full (round-trip) precision."""
    if value is None:
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def write_rows_csv(rows: Sequence[Mapping], columns: Sequence[str], path: str | Path) -> Path:
    """Write ``rows`` (dicts) with ``columns`` in that order as CSV.

    Parameters
    ----------
    rows : sequence of mapping
        One dict per line; missing keys and None give empty cells.
    columns : sequence of str
        Column names, units in the names (``R_K_m2K_W``).
    path : str or Path
        Output file (see :func:`engine.atomic_io.write_csv` for the atomic version).

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return path


def write_profile_csv(table: Mapping[str, list], path: str | Path) -> Path:
    """Write a column-wise table (e.g. :func:`analysis.nemd.profile_table`) as CSV.

    ``table`` maps column names (in order) to equal-length lists; None gives an empty
    cell.  Returns the path written.
    """
    columns = list(table)
    lengths = {len(table[c]) for c in columns}
    if len(lengths) != 1:
        raise ValueError(f"columns differ in length: {sorted(lengths)}")
    rows = [dict(zip(columns, values, strict=True))
            for values in zip(*(table[c] for c in columns), strict=True)]
    return write_rows_csv(rows, columns, path)
