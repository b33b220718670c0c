"""Weighted least-squares straight lines, their covariance and a linearity test.

Standard weighted linear regression (e.g. Bevington & Robinson, *Data Reduction and Error
Analysis*, 3rd ed., ch. 6–7; Press et al., *Numerical Recipes*, §15.2).  The line is
fitted in the centred variable ``x - x̄_w`` for numerical stability and the covariance
transformed back to (intercept, slope) at x = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["LineFit", "fit_line", "linear_functionals", "quadratic_term_test"]


@dataclass(frozen=True)
class LineFit:
    """Result of :func:`fit_line`, ``y = intercept + slope * x``.

    Attributes
    ----------
    slope : float
        Units of y per unit of x.
    intercept : float
        Value at x = 0 (units of y).
    cov : numpy.ndarray, shape (2, 2)
        Covariance of (intercept, slope).
    chi2_red : float
        Weighted residual sum of squares / dof (1 expected when sigma is correct).
    dof : int
        n_points - 2.
    n_points : int
        Points in the fit.
    absolute_sigma : bool
        Whether ``cov`` uses the given sigma as is (True) or is scaled by ``chi2_red``.
    """

    slope: float
    intercept: float
    cov: np.ndarray
    chi2_red: float
    dof: int
    n_points: int
    absolute_sigma: bool

    def value_at(self, x0: float) -> tuple[float, float]:
        """Fitted value at ``x0`` and its standard error (propagated covariance).

        Parameters
        ----------
        x0 : float
            Abscissa (units of x).

        Returns
        -------
        (value, se) : tuple of float
            ``intercept + slope x0`` and ``sqrt([1, x0] C [1, x0]ᵀ)`` (units of y).
        """
        g = np.array([1.0, x0])
        return float(self.intercept + self.slope * x0), float(np.sqrt(g @ self.cov @ g))

    @property
    def slope_se(self) -> float:
        """Standard error of the slope."""
        return float(np.sqrt(self.cov[1, 1]))

    @property
    def ci_dof(self) -> float:
        """Degrees of freedom for a t interval: ``inf`` with absolute sigma, else dof."""
        return np.inf if self.absolute_sigma else float(self.dof)


def _validated(x: ArrayLike, y: ArrayLike, sigma: ArrayLike | None, min_points: int):
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.ones_like(x) if sigma is None else 1.0 / np.asarray(sigma, dtype=float) ** 2
    if x.ndim != 1 or x.shape != y.shape or x.shape != w.shape:
        raise ValueError("x, y and sigma must be one-dimensional and of equal length")
    if x.size < min_points:
        raise ValueError(f"need at least {min_points} points, got {x.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(np.isfinite(w))):
        raise ValueError("x, y and sigma must be finite")
    if np.any(w <= 0):
        raise ValueError("sigma must be positive")
    if np.ptp(x) == 0:
        raise ValueError("x values must not all be equal")
    return x, y, w


def fit_line(
    x: ArrayLike, y: ArrayLike, sigma: ArrayLike | None = None, *, absolute_sigma: bool = True
) -> LineFit:
    """Weighted least-squares fit of a straight line.

    Parameters
    ----------
    x : array_like, shape (n,)
        Abscissae (e.g. bin centres, Å).
    y : array_like, shape (n,)
        Ordinates (e.g. temperatures, K).
    sigma : array_like, shape (n,), optional
        Standard errors of ``y`` (units of y); weights are 1/sigma².  ``None`` means
        equal weights, and then ``absolute_sigma`` is ignored (covariance is scaled).
    absolute_sigma : bool, optional
        True: the covariance is computed from ``sigma`` as given.  False: it is scaled by
        the reduced chi², so only relative weights matter.

    Returns
    -------
    LineFit
        Slope, intercept, covariance, reduced chi².
    """
    x, y, w = _validated(x, y, sigma, 3)
    absolute_sigma = absolute_sigma and sigma is not None
    xm = np.sum(w * x) / np.sum(w)
    u = x - xm
    s_w, s_uu = np.sum(w), np.sum(w * u * u)
    slope = np.sum(w * u * y) / s_uu
    mean_y = np.sum(w * y) / s_w
    resid = y - mean_y - slope * u
    dof = x.size - 2
    chi2_red = float(np.sum(w * resid**2) / dof)
    # Centred parameters (mean_y, slope) are uncorrelated: var = 1/S_w and 1/S_uu.
    jac = np.array([[1.0, -xm], [0.0, 1.0]])  # (intercept, slope) from (mean_y, slope)
    cov = jac @ np.diag([1.0 / s_w, 1.0 / s_uu]) @ jac.T
    if not absolute_sigma:
        cov = cov * chi2_red
    return LineFit(
        slope=float(slope),
        intercept=float(mean_y - slope * xm),
        cov=cov,
        chi2_red=chi2_red,
        dof=dof,
        n_points=int(x.size),
        absolute_sigma=absolute_sigma,
    )


def linear_functionals(
    x: ArrayLike, weights: ArrayLike, x0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficient vectors that give a weighted line fit as dot products.

    For fixed abscissae and weights the least-squares value at ``x0`` and the slope are
    linear in the data: ``value = a @ y``, ``slope = b @ y``.  This evaluates thousands of
    fits (one per time sample) with one matrix product.

    Parameters
    ----------
    x : array_like, shape (n,)
        Abscissae.
    weights : array_like, shape (n,)
        Positive relative weights (e.g. atoms per bin).
    x0 : float
        Abscissa at which the value is wanted.

    Returns
    -------
    (a, b) : tuple of numpy.ndarray, each shape (n,)
        Value coefficients (dimensionless) and slope coefficients (1/units of x).
    """
    x, _, w = _validated(x, np.zeros(np.shape(x)), 1.0 / np.sqrt(weights), 2)
    xm = np.sum(w * x) / np.sum(w)
    u = x - xm
    b = w * u / np.sum(w * u * u)
    a = w / np.sum(w) + (x0 - xm) * b
    return a, b


def quadratic_term_test(
    x: ArrayLike, y: ArrayLike, sigma: ArrayLike | None = None
) -> dict[str, float]:
    """Is a straight line enough?  F-test of an added quadratic term.

    Fits ``y = c0 + c1 x + c2 x²`` and a line with the same weights and compares their
    weighted residual sums: F = (RSS_line − RSS_quad) / (RSS_quad / (n − 3)), distributed
    as F(1, n − 3) under linearity (extra-sum-of-squares test; e.g. Draper & Smith,
    *Applied Regression Analysis*, 3rd ed., §6.2).  Only relative weights enter, so it
    also works when ``sigma`` is known only up to a factor.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Data, n >= 4.
    sigma : array_like, shape (n,), optional
        Standard errors of y (relative weights 1/sigma²).

    Returns
    -------
    dict
        ``p_value`` (small means curvature), ``F``, ``curvature`` (c2, units of y per
        x²) and ``n_points``; ``p_value`` is NaN when the quadratic fits exactly.
    """
    x, y, w = _validated(x, y, sigma, 4)
    u = (x - x.mean()) / np.ptp(x)
    sw = np.sqrt(w)
    rss = []
    coef = None
    for degree in (1, 2):
        design = np.vander(u, degree + 1) * sw[:, None]
        coef, *_ = np.linalg.lstsq(design, y * sw, rcond=None)
        rss.append(float(np.sum((y * sw - design @ coef) ** 2)))
    dof = x.size - 3
    if rss[1] <= 0:
        return {"p_value": float("nan"), "F": float("inf"), "curvature": float("nan"),
                "n_points": int(x.size)}
    f_stat = max(rss[0] - rss[1], 0.0) / (rss[1] / dof)
    return {
        "p_value": float(stats.f.sf(f_stat, 1, dof)),
        "F": float(f_stat),
        "curvature": float(coef[0] / np.ptp(x) ** 2),
        "n_points": int(x.size),
    }
