"""Pressure tensor of a region from LAMMPS' per-atom stress, in GPa.

LAMMPS' ``compute stress/atom`` gives, for each atom, the *negative* of its contribution
to the pressure tensor times volume (kinetic plus virial), in pressure × volume units:
bar·Å³ in ``metal`` units.  Summed over the atoms of a region of volume V (``compute
reduce sum``), the region's pressure tensor is P_ab = −Σ_i s_ab,i / V (LAMMPS manual,
``compute stress/atom``).  The conversion to GPa is made here, once.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants

__all__ = ["COMPONENTS", "GPA_PER_BAR", "pressure_summary", "pressure_tensor_GPa"]

#: 1 bar = 1e5 Pa = 1e-4 GPa.  [GPa/bar]
GPA_PER_BAR = constants.bar / constants.giga

#: Diagonal components, in the column order of ``compute stress/atom`` (c_ID[1..3]).
COMPONENTS = ("xx", "yy", "zz")


def pressure_tensor_GPa(stress_sum_bar_A3: ArrayLike, volume_A3: float) -> np.ndarray:
    """Pressure tensor components (GPa) of a region from its summed per-atom stress.

    Parameters
    ----------
    stress_sum_bar_A3 : array_like, any shape
        Σ over the region's atoms of ``compute stress/atom`` components (bar·Å³, metal
        units), e.g. shape (n_samples, 3) for xx, yy, zz.
    volume_A3 : float
        Volume of the region (Å³).

    Returns
    -------
    numpy.ndarray, same shape
        P = −Σ s / V in GPa (positive = compressed).
    """
    if not volume_A3 > 0:
        raise ValueError(f"volume must be positive, got {volume_A3} Å³")
    return -np.asarray(stress_sum_bar_A3, dtype=float) / float(volume_A3) * GPA_PER_BAR


def pressure_summary(pressure_GPa: ArrayLike, *, n_blocks: int = 10) -> dict:
    """Time mean of sampled diagonal pressures with block standard errors.

    Parameters
    ----------
    pressure_GPa : array_like, shape (n_samples, 3)
        P_xx, P_yy, P_zz per sample (GPa), in time order.
    n_blocks : int
        Contiguous blocks for the standard error (fewer if there are fewer samples).

    Returns
    -------
    dict
        ``xx``, ``yy``, ``zz`` and ``mean`` (hydrostatic, trace/3) in GPa, each with a
        ``<key>_se`` block standard error (NaN with fewer than 2 samples), and
        ``n_samples``.  The error is meaningful only when a block is much longer than the
        pressure's correlation time: a small stack's longitudinal breathing (a few ps)
        makes the errors of runs of a few ps too small.
    """
    p = np.asarray(pressure_GPa, dtype=float)
    if p.ndim != 2 or p.shape[1] != 3 or p.shape[0] == 0:
        raise ValueError(f"expected pressures of shape (n_samples, 3), got {p.shape}")
    series = {**{c: p[:, i] for i, c in enumerate(COMPONENTS)}, "mean": p.mean(axis=1)}
    blocks = min(n_blocks, p.shape[0])
    out: dict = {}
    for key, x in series.items():
        out[key] = float(x.mean())
        means = np.array([b.mean() for b in np.array_split(x, blocks)]) if blocks >= 2 else []
        out[f"{key}_se"] = float(means.std(ddof=1) / np.sqrt(blocks)) if blocks >= 2 else float("nan")
    out["n_samples"] = int(p.shape[0])
    return out
