"""Delete-one jackknife over independent blocks, for non-linear functions of means.

Used for ratio estimators such as R_K = mean(ΔT)/mean(J): the estimate is the function of
the block means (ratio of means, which matches the time-averaged profile and flux), and
its standard error is the delete-one-block jackknife (Efron & Tibshirani, *An
Introduction to the Bootstrap*, 1993, ch. 11; Quenouille 1956 for the bias).  To first
order it equals the delta-method error including the ΔT–J covariance, but needs no
derivatives and stays usable for κ = J/|∇T|.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["jackknife"]


def jackknife(
    func: Callable[..., np.ndarray], *block_values: ArrayLike
) -> tuple[float, float]:
    """Estimate and jackknife standard error of ``func(mean(a), mean(b), ...)``.

    Parameters
    ----------
    func : callable
        Vectorised function of the block-mean arguments (e.g. ``np.divide``).
    *block_values : array_like, each shape (n_blocks,)
        Per-block values of each argument, n_blocks >= 2, equal weights.

    Returns
    -------
    (estimate, se) : tuple of float
        ``func`` of the full means and
        ``sqrt((n-1)/n Σ_i (θ_(i) − θ̄_(·))²)`` with θ_(i) computed without block i.
    """
    arrays = [np.asarray(v, dtype=float) for v in block_values]
    n = arrays[0].size
    if n < 2 or any(a.shape != (n,) for a in arrays):
        raise ValueError("need equal-length one-dimensional block values, n_blocks >= 2")
    full = [a.mean() for a in arrays]
    leave_one_out = [(a.sum() - a) / (n - 1) for a in arrays]
    theta = np.asarray(func(*leave_one_out), dtype=float)
    se = np.sqrt((n - 1) / n * np.sum((theta - theta.mean()) ** 2))
    return float(func(*full)), float(se)
