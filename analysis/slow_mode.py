"""The slow collective mode of an NEMD run: its time scale and the error it puts on a mean.

In a NEMD stack the energy difference of the two sides relaxes through the interface on
the lumped-capacitance time

    τ_slow = C_eff R_K / A,   C_eff = C_A C_B / (C_A + C_B),   C_X = 3 N_X k_B

(classical heat capacity of the atoms of side X that no thermostat holds; Rajabpour &
Volz, J. Appl. Phys. 108, 094324 (2010) for the two-reservoir picture).  Its thermal
fluctuations, of variance k_B T²/C_eff, move the whole temperature jump for tens of ps in
small cells: a 25 ps mode of ±15 K amplitude is invisible to blocks of a few ps.

Standard error of a mean under that mode.  The series (ΔT per sample, or the linearised
R_K contribution) is cut into m blocks of b samples and treated as stationary AR(1) with
lag-1 coefficient φ = exp(−Δt/τ_slow) — the sampled Ornstein–Uhlenbeck process.  For a
unit-variance AR(1) the covariance matrix Σ of the block means is known in closed form
(:func:`ou_block_covariance`).  With Q = I − 11ᵀ/m, the sample variance s² of the block
means has E[s²] = σ² tr(QΣ)/(m − 1), and the variance of the grand mean is σ² 1ᵀΣ1/m²; so

    Var̂(mean) = s² (m − 1) 1ᵀΣ1 / (m² tr(QΣ))

is unbiased whatever the block length, and its Satterthwaite degrees of freedom are
ν = tr(QΣ)²/tr(QΣQΣ) (Satterthwaite, Biometrics Bull. 2, 110 (1946); the quadratic-form
moments of a Gaussian vector).  This is the batch-means method (Schmeiser, Oper. Res. 30,
556 (1982)) with its bias and dof made exact for an exponential autocorrelation instead
of assumed away; faster additional noise only makes it conservative.  Underestimating
τ_slow makes it optimistic, so callers evaluate τ_slow at the upper end of the R_K
interval (see :mod:`analysis.nemd`); tests/analysis/test_coverage.py shows 92–98 % coverage on
profiles with the slow mode.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants

__all__ = ["OuMean", "integrated_time_samples", "ou_batch_mean", "ou_block_covariance",
           "slow_relaxation_time_ps", "transient_test"]

_KB_J_PER_K = constants.k  # [J/K]


def slow_relaxation_time_ps(n_atoms_a: float, n_atoms_b: float, R_K_m2K_W: float,
                            area_A2: float) -> float:
    """Relaxation time τ_slow = C_eff R_K / A of the side-energy difference (ps).

    Parameters
    ----------
    n_atoms_a, n_atoms_b : float
        Atoms of each side that carry the mode (not held by a thermostat); C = 3 N k_B.
    R_K_m2K_W : float
        Kapitza resistance (m²K/W), > 0.
    area_A2 : float
        Cross-section (Å²).

    Returns
    -------
    float
        τ_slow in ps (NaN unless R_K > 0 and both sides hold atoms).
    """
    if not (R_K_m2K_W > 0 and n_atoms_a > 0 and n_atoms_b > 0 and area_A2 > 0):
        return float("nan")
    c_a, c_b = 3.0 * n_atoms_a * _KB_J_PER_K, 3.0 * n_atoms_b * _KB_J_PER_K  # [J/K]
    c_eff = c_a * c_b / (c_a + c_b)
    area_m2 = area_A2 * constants.angstrom**2
    return float(c_eff * R_K_m2K_W / area_m2 / constants.pico)


def ou_block_covariance(n_blocks: int, block_samples: int, phi: float) -> np.ndarray:
    """Covariance matrix of the block means of a unit-variance AR(1) series.

    Parameters
    ----------
    n_blocks, block_samples : int
        m blocks of b consecutive samples.
    phi : float
        Lag-1 autocorrelation, 0 <= φ < 1 (φ = exp(−Δt/τ) for an OU process sampled at Δt).

    Returns
    -------
    numpy.ndarray, shape (m, m)
        Σ_jk = b⁻² Σ_{s∈j, t∈k} φ^|s−t|: on the diagonal
        (b(1+φ)/(1−φ) − 2φ(1−φᵇ)/(1−φ)²)/b², off it φ^((l−1)b+1) ((1−φᵇ)/(1−φ))²/b² at a
        block lag l >= 1.
    """
    m, b = int(n_blocks), int(block_samples)
    if m < 1 or b < 1 or not 0.0 <= phi < 1.0:
        raise ValueError("need n_blocks >= 1, block_samples >= 1 and 0 <= phi < 1")
    lags = np.arange(m)
    geometric = (1.0 - phi**b) / (1.0 - phi)
    diag = (b * (1.0 + phi) / (1.0 - phi) - 2.0 * phi * geometric / (1.0 - phi)) / b**2
    off = phi ** ((lags - 1.0) * b + 1.0) * geometric**2 / b**2
    per_lag = np.where(lags == 0, diag, off)
    return per_lag[np.abs(np.subtract.outer(lags, lags))]


class OuMean:
    """Mean of a series with its slow-mode-corrected standard error (see module docstring).

    Attributes
    ----------
    mean, se : float
        Mean of the kept samples and its standard error (units of the series).
    dof : float
        Satterthwaite degrees of freedom of ``se``.
    n_blocks, block_samples : int
        Blocks used and their length (samples).
    inflation : float
        se / naive batch-means SE (>= 1 when blocks are short against τ).
    block_means : numpy.ndarray, shape (n_blocks,)
        The block means.
    variance : float
        Estimated stationary variance σ² of the slow mode (units of the series squared).
    """

    def __init__(self, mean, se, dof, n_blocks, block_samples, inflation, block_means,
                 variance=float("nan")):
        self.mean, self.se, self.dof = float(mean), float(se), float(dof)
        self.n_blocks, self.block_samples = int(n_blocks), int(block_samples)
        self.inflation = float(inflation)
        self.block_means = block_means
        self.variance = float(variance)


def ou_batch_mean(x: ArrayLike, block_samples: int, phi: float) -> OuMean:
    """Batch-means mean and standard error, exact for an AR(1) autocorrelation φ.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        Evenly sampled series; a leftover shorter than a block is dropped at the start.
    block_samples : int
        Samples per block, 1 <= b <= n_samples // 2.
    phi : float
        Lag-1 autocorrelation of the slow mode per sample, exp(−Δt/τ_slow).

    Returns
    -------
    OuMean
        The mean of the kept samples, its corrected standard error and dof.
    """
    x = np.asarray(x, dtype=float)
    b = int(block_samples)
    m = x.size // b if b >= 1 else 0
    if m < 2:
        raise ValueError(f"need at least 2 blocks of {b} samples, have {x.size} samples")
    blocks = x[x.size - m * b:].reshape(m, b).mean(axis=1)
    sigma = ou_block_covariance(m, b, phi)
    q_sigma = sigma - sigma.mean(axis=0, keepdims=True)  # (I − 11ᵀ/m) Σ
    trace = float(np.trace(q_sigma))
    var_mean = float(blocks.var(ddof=1)) * (m - 1) * sigma.sum() / (m**2 * trace)
    naive = float(blocks.var(ddof=1)) / m
    dof = trace**2 / float(np.sum(q_sigma * q_sigma.T))
    inflation = np.sqrt(var_mean / naive) if naive > 0 else 1.0
    variance = float(blocks.var(ddof=1)) * (m - 1) / trace
    return OuMean(blocks.mean(), np.sqrt(var_mean), dof, m, b, inflation, blocks, variance)


def _mean_variance(n: int, phi: float) -> float:
    """Variance of the mean of n consecutive samples of a unit-variance AR(1)."""
    return (n * (1.0 + phi) / (1.0 - phi) - 2.0 * phi * (1.0 - phi**n) / (1.0 - phi) ** 2) / n**2


def transient_test(x: ArrayLike, phi: float, variance: float, dof: float, *,
                   first: float = 0.25, last: float = 0.5) -> float:
    """p-value of "the first part of the window has the mean of the last part".

    Geweke's diagnostic (Geweke, in *Bayesian Statistics 4*, Oxford 1992, pp. 169–193):
    z = (x̄_first − x̄_last)/sd, here with the sd of the difference exact for the slow mode
    (AR(1) coefficient φ, variance σ² from :func:`ou_batch_mean`), including the
    covariance of the two segment means, φ^(g+1) (1−φ^a)(1−φ^b)/((1−φ)² a b) for segments
    of a and b samples g samples apart.  A remaining transient or a drift shows as a small
    p-value; a stationary slow mode gives p-values uniform on [0, 1] (the drift test of
    :mod:`analysis.steady_state`, on batches shorter than τ, does not: its false alarms
    grow with τ).  Two-sided Student t with ``dof`` (the dof of σ²).

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        The steady window.
    phi, variance, dof : float
        Slow-mode AR(1) coefficient per sample, its variance (units² of x) and the dof of
        that variance.
    first, last : float, optional
        Fractions of the window compared (Geweke: 0.1 and 0.5; 0.25 gives more power
        against a transient when the window holds only a few τ).

    Returns
    -------
    float
        Two-sided p-value (1.0 when the variance is zero and the means agree).
    """
    from scipy import stats

    x = np.asarray(x, dtype=float)
    n = x.size
    a, b = max(1, int(first * n)), max(1, int(last * n))
    if a + b > n:
        raise ValueError("the compared parts overlap")
    gap = n - a - b
    cov = phi ** (gap + 1) * (1.0 - phi**a) * (1.0 - phi**b) / ((1.0 - phi) ** 2 * a * b)
    var_diff = variance * (_mean_variance(a, phi) + _mean_variance(b, phi) - 2.0 * cov)
    diff = float(x[:a].mean() - x[n - b:].mean())
    if not var_diff > 0:
        return 1.0 if diff == 0 else 0.0
    return float(2.0 * stats.t.sf(abs(diff) / np.sqrt(var_diff), dof))


def integrated_time_samples(x: ArrayLike, *, window_factor: float = 5.0) -> float:
    """Integrated autocorrelation time of a series, in samples (Sokal's windowing).

    τ_int(M) = 1/2 + Σ_{k=1}^{M} ρ(k), with the window M the smallest lag such that
    M ≥ ``window_factor`` τ_int(M) (A. Sokal, "Monte Carlo methods in statistical
    mechanics", in *Functional Integration*, Springer 1997, §3).  For an exponential
    autocorrelation e^{−k/τ} it is ≈ τ (exactly (1+φ)/(2(1−φ)) with φ = e^{−1/τ}).  Used as
    a floor under the model τ_slow, so that a mode slower than the model predicts is not
    missed; on a short series it is biased low, which is why it is only a floor.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        Evenly sampled series, n_samples >= 4.
    window_factor : float, optional
        Sokal's c (5 for a nearly exponential autocorrelation).

    Returns
    -------
    float
        τ_int in samples (>= 0.5).
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 4:
        raise ValueError("need at least 4 samples")
    y = x - x.mean()
    spectrum = np.fft.rfft(y, 2 * n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    if not acf[0] > 0:
        return 0.5
    rho = acf / acf[0]
    tau = 0.5 + np.cumsum(rho[1:])
    lags = np.arange(1, n)
    stop = np.flatnonzero(lags >= window_factor * tau)
    return float(max(0.5, tau[stop[0]] if stop.size else tau[-1]))
