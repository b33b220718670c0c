"""Relaxation time and amplitude of a sampled Ornstein-Uhlenbeck process seen through fast noise.

Model
-----
A series x sampled every dt (ΔT = T_A − T_B of an EMD run, or the side energy) is

    x(t) = μ + X(t) + ε(t),

with X an Ornstein-Uhlenbeck (OU) process of variance σ² and correlation e^{−|t|/τ} (the
lumped two-reservoir exchange of :mod:`analysis.green_kubo`) and ε a fast noise that
decorrelates within a time t_f (the kinetic/potential exchange that makes the
instantaneous kinetic temperature of N atoms fluctuate, with a variance comparable to σ²).

The series is reduced to means y_k of bins of m samples that start every s = m + g samples
(bin width b = m dt, gap g dt >= t_f).  For the OU part they have exactly

    Cov(y_k, y_{k+j}) = σ² c(τ) φ^j  (j ≥ 1),    Var(y_k) = σ² g₀(τ),    φ = e^{−s dt/τ},

the double sums of the sampled exponential over two bins and over one
(:func:`binned_ou_covariance`; c, g₀ → 1 for b ≪ τ).  The gap makes the bin means of the
fast noise uncorrelated, so they add a white variance at lag 0 only: the bin means are a
first-order autoregression plus white noise, an ARMA(1,1) whose autoregressive root is
the OU's (aggregation keeps it: Amemiya & Wu, JASA 67, 628 (1972)); only the lags beyond
the fast decorrelation inform τ.  Without the gap the fast noise leaks into lag 1 and
biases G (by ~+15 % at 20 τ and +7 % at 100 τ for a noise correlation time of b/7).

The noise parameter
-------------------
The white part is η σ² (η: the variance of the bin-averaged fast noise over σ², plus the
small negative g₀ − c of the bin-averaged OU itself; both absorbed in one free parameter).
η is estimated with τ and may go negative, not stopped at "no fast noise": at that
boundary the estimate piles up (half the runs of 20 τ without fast noise), the bias of τ̂
jumps from −5 % to +5 % between η = 0 and η = 0.1, and a bootstrap at the fitted η cannot
reproduce it (the bootstrap is inconsistent at a boundary of the parameter space:
Andrews, Econometrica 68, 399 (2000)).  Without the boundary the median bias of τ̂ is a
smooth function of η (about +5 % in G at 20 τ for η <= 0.1, +10 % for η ~ 1), which the
bootstrap below follows.  η stops halfway to the edge of positive definiteness (where
the ARMA(1,1) gets a moving-average unit root and the likelihood spurious dips).

Likelihood
----------
Exact Gaussian likelihood of the bin means by the prediction-error decomposition of the
state-space form x_k = φ x_{k−1} + w_k, y_k = x_k + e_k (Kalman filter; Durbin & Koopman,
*Time Series Analysis by State Space Methods*, 2nd ed. 2012, §7.2); the filter reaches its
steady state within tens of bins, after which the innovations are a first-order
recursive filter (:func:`scipy.signal.lfilter`).  The unknown mean is handled by
restricted (residual) maximum likelihood, REML (Patterson & Thompson, Biometrika 58, 545
(1971); Harville, Biometrika 61, 383 (1974)):

    −2 ℓ_R = log|Σ| + log(1ᵀΣ⁻¹1) + (n − 1) log s + r̂ᵀΣ₀⁻¹r̂ / s,   Σ = s Σ₀,

r̂ the generalised-least-squares residuals, the scale s profiled analytically.  The
ordinary ML estimate of an autoregressive coefficient with an estimated mean carries the
small-sample bias
−(1 + 3φ)/n (Marriott & Pope, Biometrika 41, 390 (1954); Kendall, Biometrika 41, 403
(1954)); REML removes most of it (Cheang & Reinsel, JASA 95, 1173 (2000)).  η is profiled
by a one-dimensional search, so τ has a profile likelihood ℓ_p(τ).

Median bias
-----------
What REML leaves is of order τ/T (+5 % in G at 20 τ).  It is removed by a parametric
bootstrap of the fitted model, the simulation counterpart of Andrews' median-unbiased
autoregression (Econometrica 61, 139 (1993)): ``n_bootstrap`` series of bin means are drawn
exactly from the fitted OU + noise (innovations form of the same filter), refitted by the
same restricted likelihood on a (ln τ, η) grid, and the median of their ln τ̂ minus
the ln τ they were drawn with is subtracted from ln τ̂.  The same draws give the median
bias and the spread of ln σ² and of any product σ^{2a} τ^{b}.

Intervals
---------
τ: the profile-likelihood (likelihood-ratio) interval
{τ : 2 [ℓ_p(τ̂) − ℓ_p(τ)] ≤ c}, with c the 95 % quantile of the same statistic over the
bootstrap draws (evaluated at the τ they were drawn with) instead of χ²₁(0.95) = 3.84:
Beran's prepivoting (JASA 83, 687 (1988)), which corrects the χ² approximation where a
run of 20 τ leaves the likelihood skewed.  The interval is not moved by the median
correction (it is the likelihood's; tests/analysis/test_green_kubo.py shows its coverage at 20, 50
and 100 τ).  Amplitude and products: median-corrected estimate ± z × the bootstrap
standard deviation of the log (normal parametric-bootstrap interval; Efron & Tibshirani,
*An Introduction to the Bootstrap*, 1993, ch. 13).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats
from scipy.signal import lfilter

__all__ = ["ETA_MAX", "MIN_BINS", "OuNoiseFit", "bin_means", "binned_ou_covariance",
           "fit_ou_noise", "simulate_binned"]

#: Relative change of the Kalman prediction variance below which the filter is steady.
_STEADY_TOL = 1e-12
#: Bootstrap refit grid: ln τ nodes, η nodes, and the ln τ half-width in standard
#: deviations of the profile likelihood (η: see :func:`_eta_range`).
_GRID_LOG_TAU, _GRID_ETA, _GRID_SDS = 19, 12, 3.2
#: Largest noise ratio η searched.
ETA_MAX = 100.0
#: Fraction of the way to the positive-definite edge (a moving-average unit root) that η
#: may not go: the likelihood has spurious dips next to the edge.
_PD_MARGIN = 0.5
#: Largest half-width of the refit grid in ln τ.
_GRID_MAX_HALF_WIDTH = 1.5
#: Fewest bins a fit accepts.
MIN_BINS = 16


def bin_means(x: ArrayLike, samples_per_bin: int, stride: int | None = None) -> np.ndarray:
    """Means of bins of ``samples_per_bin`` samples that start every ``stride`` samples.

    Parameters
    ----------
    x : array_like, shape (n,)
        Evenly sampled series (unit u).
    samples_per_bin : int
        m >= 1.
    stride : int, optional
        Samples from the start of one bin to the next, >= m (default m: contiguous bins;
        larger leaves a gap of stride − m samples between bins).

    Returns
    -------
    numpy.ndarray, shape (k,)
        Bin means (u); the last sample of the series ends the last bin, leading samples
        that do not fill a stride are dropped.
    """
    x = np.asarray(x, dtype=float)
    m = int(samples_per_bin)
    stride = m if stride is None else int(stride)
    if m < 1 or stride < m:
        raise ValueError("need 1 <= samples_per_bin <= stride")
    k = (x.size + stride - m) // stride
    tail = x[x.size - (k - 1) * stride - m:]
    padded = np.concatenate([tail, np.zeros(stride - m)]).reshape(k, stride)
    return padded[:, :m].mean(axis=1)


def binned_ou_covariance(tau_ps: float, dt_ps: float, samples_per_bin: int,
                         stride: int | None = None) -> tuple[float, float, float]:
    """Covariance of bin means of a unit-variance OU process sampled every ``dt_ps``.

    With r = e^{−dt/τ}, m samples per bin and bins starting every s samples (s = m:
    contiguous): Var = (m + 2 Σ_{k=1}^{m−1} (m − k) r^k)/m² and Cov(lag j ≥ 1) = c φ^j with
    c = r^{1−m} (Σ_{u<m} r^u)²/m², φ = r^s.

    Parameters
    ----------
    tau_ps : float
        Correlation time τ (ps), > 0.
    dt_ps : float
        Sampling interval (ps).
    samples_per_bin : int
        m >= 1 (m = 1: no binning, g₀ = c = 1).
    stride : int, optional
        s >= m (default m).

    Returns
    -------
    (g0, c, phi) : tuple of float
        Lag-0 variance, lag-j amplitude extrapolated to j = 0, and the bin-to-bin
        autoregressive coefficient (dimensionless).
    """
    m = int(samples_per_bin)
    a = float(dt_ps) / float(tau_ps)
    k = np.arange(1, m)
    g0 = (m + 2.0 * float(np.sum((m - k) * np.exp(-a * k)))) / m**2
    geometric = math.expm1(-m * a) / math.expm1(-a) if a > 0 else float(m)
    c = geometric**2 * math.exp(a * (m - 1)) / m**2
    return g0, c, math.exp(-(m if stride is None else int(stride)) * a)


def _gains(phi: float, rho: float, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Innovation variances F_k and Kalman gains K_k (unit scale) until the filter is steady.

    State x_k = φ x_{k−1} + w_k (Var x = 1), observation y_k = x_k + e_k (Var e = ρ, which
    may be negative as long as the covariance stays positive definite).  None when it
    does not (some F_k <= 0).
    """
    q = 1.0 - phi * phi
    p = 1.0
    fs, ks = [], []
    for _ in range(n):
        f = p + rho
        if not f > 0.0:
            return None
        k = p / f
        fs.append(f)
        ks.append(k)
        p_next = phi * phi * p * (1.0 - k) + q
        if abs(p_next - p) <= _STEADY_TOL * p:
            break
        p = p_next
    return np.asarray(fs), np.asarray(ks)


def _innovations(y: np.ndarray, phi: float, rho: float):
    """One-step prediction errors of every column of ``y`` (n, k) and their variances F (n,).

    The transient part uses the closed form of the time-varying first-order recursion
    (cumulative products), the steady part :func:`scipy.signal.lfilter`.
    """
    n = y.shape[0]
    gains = _gains(phi, rho, n)
    if gains is None:
        return None
    fs, ks = gains
    n0 = min(fs.size, n)
    f = np.empty(n)
    f[:n0] = fs[:n0]
    # pred_{i+1} = a_i pred_i + b_i y_i with a_i = φ(1 − K_i), b_i = φ K_i, pred_0 = 0
    a, b = phi * (1.0 - ks[:n0]), phi * ks[:n0]
    prod = np.concatenate(([1.0], np.cumprod(a)))  # A_i = Π_{l<i} a_l
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        weights = (b / prod[1:])[:, None] * y[:n0]
        summed = np.cumsum(weights, axis=0)
    pred = np.zeros((n0 + 1, y.shape[1]))
    pred[1:] = prod[1:, None] * summed
    if not np.all(np.isfinite(pred)):  # extreme transients: plain recursion
        pred[0] = 0.0
        for i in range(n0):
            pred[i + 1] = a[i] * pred[i] + b[i] * y[i]
    v = np.empty_like(y)
    v[:n0] = y[:n0] - pred[:n0]
    if n0 < n:
        k = ks[-1]
        f[n0:] = fs[-1]
        p, _ = lfilter([0.0, phi * k], [1.0, -phi * (1.0 - k)], y[n0:], axis=0,
                       zi=pred[n0][None, :])
        v[n0:] = y[n0:] - p
    return v, f


def _reml(z: np.ndarray, phi: float, rho: float, scale: float | None = None):
    """Restricted negative log-likelihood of each data column of ``z``, constants dropped.

    ``z`` (n, k + 1) holds k series and, last, a column of ones (the mean's regressor).
    Covariance s (φ^|i−j| + ρ δ_ij); the scale s is profiled (``scale=None``) or fixed.

    Returns
    -------
    (nll, s) : tuple of numpy.ndarray, shape (k,)
        inf where the covariance is not positive definite; s the REML scale.
    """
    n, k = z.shape[0], z.shape[1] - 1
    out = _innovations(z, phi, rho)
    if out is None:
        return np.full(k, np.inf), np.full(k, np.nan)
    v, f = out
    w = 1.0 / f
    v1, vy = v[:, -1], v[:, :-1]
    a = float(np.dot(w, v1 * v1))
    cross = (w * v1) @ vy
    ssq = np.einsum("i,ij,ij->j", w, vy, vy) - cross**2 / a
    dof = n - 1
    logdet = float(np.sum(np.log(f))) + math.log(a)
    s = ssq / dof
    if scale is None:
        return 0.5 * (dof * np.log(s) + dof + logdet), s
    return 0.5 * (dof * math.log(scale) + ssq / scale + logdet), s


def _with_ones(y: np.ndarray) -> np.ndarray:
    """Columns of ``y`` (n, k) followed by a column of ones, for :func:`_reml`."""
    return np.column_stack([y, np.ones(y.shape[0])])


class _Model:
    """Binned OU + white noise: (ln τ, η) → filter parameters (φ, ρ) and c(τ)."""

    def __init__(self, dt_ps: float, samples_per_bin: int, stride: int):
        self.dt_ps, self.m, self.stride = float(dt_ps), int(samples_per_bin), int(stride)
        self.bin_ps = self.dt_ps * self.m
        self.spacing_ps = self.dt_ps * self.stride

    def covariance(self, log_tau: float) -> tuple[float, float, float]:
        """(g₀, c, φ) of :func:`binned_ou_covariance` at τ = e^{log_tau}."""
        return binned_ou_covariance(math.exp(log_tau), self.dt_ps, self.m, self.stride)

    @staticmethod
    def eta_min(cov: tuple[float, float, float]) -> float:
        """Smallest η that keeps c (φ^|i−j| + ρ δ_ij) positive definite (with a margin)."""
        g0, c, phi = cov
        return -(g0 - c) - (1.0 - _PD_MARGIN) * c * (1.0 - phi) / (1.0 + phi)

    def params(self, log_tau: float, eta: float) -> tuple[float, float, float, float]:
        """(φ, ρ, c, g₀) of the unit-scale filter; the data scale is s = σ² c."""
        g0, c, phi = self.covariance(log_tau)
        return phi, (g0 - c + eta) / c, c, g0

    def nll(self, z: np.ndarray, log_tau: float, eta: float):
        """:func:`_reml` of the columns of ``z`` (ones last) at (ln τ, η): (nll, s)."""
        phi, rho, _, _ = self.params(log_tau, eta)
        return _reml(z, phi, rho)

    def profile(self, z: np.ndarray, log_tau: float,
                guess: float | None = None) -> tuple[float, float]:
        """min over η ∈ (η_min, ETA_MAX] of the restricted nll of one series: (nll, η̂).

        η = η_min + u²; Brent from ``guess`` (a nearby η̂) when given, else bounded.
        """
        cov = self.covariance(log_tau)
        g0, c, phi = cov
        lowest = self.eta_min(cov)
        top = math.sqrt(ETA_MAX - lowest)

        def f(u):
            if abs(u) > top:
                return math.inf
            return float(_reml(z, phi, (g0 - c + lowest + u * u) / c)[0][0])

        res = None
        if guess is not None and guess > lowest:
            u0 = math.sqrt(guess - lowest)
            try:
                res = optimize.minimize_scalar(f, bracket=(u0, 1.05 * u0 + 1e-3),
                                               method="brent", options={"xtol": 1e-4})
            except (ValueError, RuntimeError):
                res = None
        if res is None or not np.isfinite(res.fun):
            res = optimize.minimize_scalar(f, bounds=(0.0, top), method="bounded",
                                           options={"xatol": 1e-4})
        return float(res.fun), lowest + float(res.x) ** 2


@dataclass
class OuNoiseFit:
    """Result of :func:`fit_ou_noise` (ln τ of τ in ps; amplitudes in the series' unit²).

    Attributes
    ----------
    tau_ps : float
        Median-unbiased relaxation time (bootstrap-corrected).
    tau_ml_ps : float
        Restricted-maximum-likelihood τ̂ before the correction.
    tau_ci95_ps : tuple of float
        Profile-likelihood interval (low, high); an end is 0 or inf when the likelihood
        does not close within the searched range.
    amplitude : float
        Median-unbiased OU variance σ² (unit²).
    amplitude_ml : float
        REML σ̂².
    noise_ratio : float
        η̂: the white (lag-0) variance of the bin means beyond the OU's, over σ²; it can
        come out slightly negative (module docstring).
    log_tau_bias : float
        Median bias of ln τ̂ removed (bootstrap).
    lr_statistic : float
        The likelihood-ratio level that sets ``tau_ci95_ps``: the ``level`` quantile of the
        draws' statistics (χ²₁(level) = 3.84 without a bootstrap).
    bootstrap : dict
        ``log_tau`` and ``log_amplitude`` of every refitted draw (arrays), the values the
        draws were made with (``true_log_tau``, ``true_log_amplitude``: the REML fit) and
        ``edge_fraction`` (refits on the edge of the τ grid); empty without a bootstrap.
    profile_log_tau, profile_delta_nll : numpy.ndarray
        The profile likelihood −ℓ_p(τ) + ℓ_p(τ̂) at the ln τ the searches visited (around
        τ̂ and past both ends of the interval; for combining runs).
    n_bins, bin_ps, spacing_ps, duration_ps : int, float, float, float
        Bins fitted, their width, the interval between their starts, and the span they
        cover (n_bins × spacing_ps).
    warnings : list of str
    """

    tau_ps: float
    tau_ml_ps: float
    tau_ci95_ps: tuple[float, float]
    amplitude: float
    amplitude_ml: float
    noise_ratio: float
    log_tau_bias: float
    lr_statistic: float
    bootstrap: dict
    profile_log_tau: np.ndarray
    profile_delta_nll: np.ndarray
    n_bins: int
    bin_ps: float
    spacing_ps: float
    duration_ps: float
    warnings: list = field(default_factory=list)

    @property
    def length_taus(self) -> float:
        """Run length in relaxation times, T/τ (the convergence criterion)."""
        return self.duration_ps / self.tau_ps

    @property
    def noise_variance(self) -> float:
        """η̂ σ̂²: the white variance of the bin means (unit²)."""
        return self.noise_ratio * self.amplitude_ml

    def product_interval(self, amplitude_power: float, tau_power: float,
                         level: float = 0.95) -> tuple[float, float, float]:
        """Median-unbiased σ^{2a} τ^{b} with its parametric-bootstrap interval.

        Parameters
        ----------
        amplitude_power, tau_power : float
            a and b (e.g. (1, −1) for σ²/τ).
        level : float
            Confidence level.

        Returns
        -------
        (value, low, high) : tuple of float
            The ends are NaN when there was no bootstrap (τ̂ outside the run).
        """
        boot = self.bootstrap
        q_ml = (amplitude_power * math.log(self.amplitude_ml)
                + tau_power * math.log(self.tau_ml_ps))
        if not boot:
            return math.exp(q_ml), math.nan, math.nan
        q_true = (amplitude_power * boot["true_log_amplitude"]
                  + tau_power * boot["true_log_tau"])
        q = amplitude_power * boot["log_amplitude"] + tau_power * boot["log_tau"]
        centre = q_ml - (float(np.median(q)) - q_true)
        spread = float(np.std(q, ddof=1)) * float(stats.norm.ppf(0.5 + level / 2))
        return math.exp(centre), math.exp(centre - spread), math.exp(centre + spread)


def simulate_binned(rng: np.random.Generator, *, tau_ps: float, amplitude: float,
                    noise_ratio: float, dt_ps: float, samples_per_bin: int, n_bins: int,
                    n_series: int, stride: int | None = None) -> np.ndarray:
    """Exact draws of bin means of OU (σ² = ``amplitude``, τ) + white noise (η σ²), mean 0.

    Drawn from the innovations form of the Kalman filter (y_k = ŷ_k + √F_k z_k), exact for
    the binned covariance of :func:`binned_ou_covariance` whatever b/τ.  ``stride`` as in
    :func:`bin_means`.

    Returns
    -------
    numpy.ndarray, shape (n_bins, n_series)
    """
    model = _Model(dt_ps, samples_per_bin, samples_per_bin if stride is None else stride)
    phi, rho, c, _ = model.params(math.log(tau_ps), noise_ratio)
    fs, ks = _gains(phi, rho, n_bins)
    z = rng.standard_normal((n_bins, n_series))
    y = np.empty_like(z)
    pred = np.zeros(n_series)
    n0 = min(fs.size, n_bins)
    for i in range(n0):
        e = math.sqrt(fs[i]) * z[i]
        y[i] = pred + e
        pred = phi * (pred + ks[i] * e)
    if n0 < n_bins:
        e = math.sqrt(fs[-1]) * z[n0:]
        p, _ = lfilter([0.0, phi * ks[-1]], [1.0, -phi], e, axis=0, zi=pred[None, :])
        y[n0:] = p + e
    return y * math.sqrt(amplitude * c)


def _pilot_log_tau(y: np.ndarray, spacing_ps: float) -> float:
    """ln of a rough τ: first lag >= 1 where the ACF drops below e⁻¹ × its lag-1 value."""
    d = y - y.mean()
    n = d.size
    lags = np.arange(1, max(3, n // 3))
    acf = np.array([np.dot(d[: n - k], d[k:]) / n for k in lags])
    if not acf[0] > 0:
        return math.log(spacing_ps)
    below = np.nonzero(acf < acf[0] / math.e)[0]
    return math.log(max(1.0, float(lags[below[0]] if below.size else lags[-1])) * spacing_ps)


def _minimise_profile(model: _Model, z: np.ndarray, centre: float, lowest: float):
    """Grid then Brent search of the profile nll over ln τ (>= ``lowest``)."""
    cache: dict[float, tuple[float, float]] = {}

    def prof(lt):
        if lt not in cache:
            near = min(cache, key=lambda k: abs(k - lt)) if cache else None
            cache[lt] = model.profile(z, lt, None if near is None else cache[near][1])
        return cache[lt][0]

    step, span = 0.5, 1.5
    grid = [lt for lt in centre + np.arange(-span, span + 1e-9, step) if lt >= lowest]
    values = [prof(lt) for lt in grid]
    i = int(np.argmin(values))
    while i in (0, len(grid) - 1):  # extend the grid past an edge minimum
        new = grid[0] - step if i == 0 else grid[-1] + step
        if (i == 0 and new < lowest) or abs(new - centre) > 12.0:
            break
        if i == 0:
            grid.insert(0, new)
            values.insert(0, prof(new))
        else:
            grid.append(new)
            values.append(prof(new))
        i = int(np.argmin(values))
    if 0 < i < len(grid) - 1:
        res = optimize.minimize_scalar(prof, bracket=(grid[i - 1], grid[i], grid[i + 1]),
                                       options={"xtol": 1e-4})
        best = float(res.x)
    else:
        best = grid[i]
    prof.cache = cache
    return best, prof(best), cache[best][1], prof


def _lr_interval(prof, best: float, nll_min: float, level: float, lowest: float,
                 statistic: float | None = None):
    """Profile-likelihood interval of ln τ: ends where 2(−ℓ_p + ℓ_p,max) reaches
    ``statistic`` (default χ²₁(level))."""
    cut = (float(stats.chi2.ppf(level, 1)) if statistic is None else statistic) / 2.0

    def excess(lt):
        return prof(lt) - nll_min - cut

    ends = []
    for direction in (-1.0, 1.0):
        inner, step, end = best, 0.25, math.nan
        while abs(inner - best) < 12.0:
            outer = inner + direction * step
            if direction < 0 and outer < lowest:
                break
            if excess(outer) >= 0.0:
                end = optimize.brentq(excess, min(inner, outer), max(inner, outer), xtol=1e-4)
                break
            inner, step = outer, step * 1.5
        ends.append(end)
    return ends[0], ends[1]


def _grid_minimum(x: np.ndarray, values: np.ndarray, aux: np.ndarray):
    """Per column: parabolic minimum of ``values`` (len(x), k) over x, and ``aux`` there.

    Returns (x_min, value_min, aux_at_min), each shape (k,); ``aux`` is interpolated
    linearly between the nodes that bracket x_min.  A minimum on the first or last node
    stays there.
    """
    cols = np.arange(values.shape[1])
    raw = np.argmin(values, axis=0)
    i = np.clip(raw, 1, x.size - 2)
    x0, x1, x2 = x[i - 1], x[i], x[i + 1]
    y0, y1, y2 = values[i - 1, cols], values[i, cols], values[i + 1, cols]
    d = (x0 - x1) * (x0 - x2) * (x1 - x2)
    qa = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / d
    qb = (x2**2 * (y0 - y1) + x1**2 * (y2 - y0) + x0**2 * (y1 - y2)) / d
    qc = (x1 * x2 * (x1 - x2) * y0 + x2 * x0 * (x2 - x0) * y1 + x0 * x1 * (x0 - x1) * y2) / d
    with np.errstate(divide="ignore", invalid="ignore"):
        xm = np.where(qa > 0, -qb / (2 * qa), x1)
    xm = np.clip(np.where(np.isfinite(xm), xm, x1), x0, x2)
    # a parabola through a kink (the nll near the positive-definite edge) can dip far below
    # the function: no deeper than the smaller rise to a neighbour (true for any parabola
    # whose vertex lies within 0.41 spacings of the lowest node)
    vm = np.maximum(qa * xm**2 + qb * xm + qc, y1 - np.minimum(y0 - y1, y2 - y1))
    nodes = np.stack([y0, y1, y2])
    pick = np.argmin(nodes, axis=0)
    plain = ~(qa > 0) | ~np.isfinite(vm) | (raw != i)
    xm = np.where(plain, np.choose(pick, [x0, x1, x2]), xm)
    vm = np.where(plain, nodes.min(axis=0), vm)
    left = xm < x1
    xa, xb = np.where(left, x0, x1), np.where(left, x1, x2)
    aa = np.where(left, aux[i - 1, cols], aux[i, cols])
    ab = np.where(left, aux[i, cols], aux[i + 1, cols])
    t = (xm - xa) / (xb - xa)
    return xm, vm, aa + t * (ab - aa)


def _grid_fits(model: _Model, y: np.ndarray, log_taus: np.ndarray,
               eta_range: tuple[float, float]):
    """REML estimates of every column of ``y`` on a (ln τ, η) grid, parabolic refinement.

    At each ln τ the η nodes are spread evenly over ``eta_range``, cut at the
    positive-definite edge.

    Returns
    -------
    (log_tau, log_amplitude, profile, minimum) : tuple of numpy.ndarray
        ln τ̂ and ln σ̂² per column (k,), the profile nll over ``log_taus`` (len, k), and
        its minimum per column (k,).
    """
    z = _with_ones(y)
    shape = (log_taus.size, _GRID_ETA, y.shape[1])
    nll, log_amp = np.empty(shape), np.empty(shape)
    prof = np.empty((log_taus.size, y.shape[1]))
    prof_la = np.empty_like(prof)
    for i, lt in enumerate(log_taus):
        cov = model.covariance(lt)
        g0, c, phi = cov
        low = max(eta_range[0], model.eta_min(cov) + 0.02 * (eta_range[1] - eta_range[0]))
        etas = np.linspace(low, max(eta_range[1], low + 1e-3), _GRID_ETA)
        for j, eta in enumerate(etas):
            nll[i, j], s = _reml(z, phi, (g0 - c + eta) / c)
            log_amp[i, j] = np.log(s / c)
        _, prof[i], prof_la[i] = _grid_minimum(etas, nll[i], log_amp[i])
    lt_hat, minimum, la_hat = _grid_minimum(log_taus, prof, prof_la)
    return lt_hat, la_hat, prof, minimum


def _eta_range(model: _Model, z: np.ndarray, best: float, eta_hat: float,
               log_taus: np.ndarray) -> tuple[float, float]:
    """η values the refits need: the data's profile η̂ at the ends of the ln τ grid and at
    τ̂, widened by 4 standard deviations of η̂ (from the curvature of the nll at the fit)."""
    ends = [model.profile(z, lt)[1] for lt in (log_taus[0], log_taus[-1])] + [eta_hat]
    cov = model.covariance(best)
    step = 0.01 + 0.05 * abs(eta_hat)
    low = eta_hat - step
    if low <= model.eta_min(cov):  # at the lower end of η: a one-sided difference
        low, eta_hat = eta_hat, eta_hat + step
    values = [float(model.nll(z, best, e)[0][0]) for e in (low, eta_hat, eta_hat + step)]
    curvature = (values[0] - 2.0 * values[1] + values[2]) / step**2
    sd = 1.0 / math.sqrt(curvature) if curvature > 0 else 1.0
    return min(ends) - 4.0 * sd, max(ends) + 4.0 * sd


def _bootstrap(model: _Model, col: np.ndarray, best: float, eta_hat: float, log_amp: float,
               interval: tuple[float, float], level: float, n_draws: int, seed: int | None,
               notes: list) -> dict:
    """Draws from the fitted model refitted on a (ln τ, η) grid (module docstring).

    Returns
    -------
    dict
        ``bootstrap`` as in :class:`OuNoiseFit`, with ``likelihood_ratio`` (each draw's
        statistic at its true τ); empty when τ̂ lies outside the run.
    """
    lo, hi = interval
    duration = col.shape[0] * model.spacing_ps
    lowest = math.log(0.2 * model.spacing_ps)
    zq = float(stats.norm.ppf(0.5 + level / 2))
    half = max(best - lo if math.isfinite(lo) else 1.5, hi - best if math.isfinite(hi) else 1.5)
    # ±_GRID_SDS profile standard deviations, at most ±_GRID_MAX_HALF_WIDTH in ln τ: draws
    # beyond sit on its edge, which leaves their median alone while they are few
    sd = min(max(half / zq, 0.03), _GRID_MAX_HALF_WIDTH / _GRID_SDS)
    grid = best + sd * np.linspace(-_GRID_SDS, _GRID_SDS, _GRID_LOG_TAU)
    inside = grid[(grid >= lowest) & (grid <= math.log(duration))]
    if inside.size < 5:
        notes.append("τ̂ is not inside the run (0.2 b < τ < T): no median-bias correction")
        return {}
    eta_range = _eta_range(model, _with_ones(col), best, eta_hat, inside)
    rng = np.random.default_rng(zlib.crc32(col.tobytes()) if seed is None else seed)
    draws = simulate_binned(rng, tau_ps=math.exp(best), amplitude=math.exp(log_amp),
                            noise_ratio=eta_hat, dt_ps=model.dt_ps, samples_per_bin=model.m,
                            n_bins=col.shape[0], n_series=n_draws, stride=model.stride)
    lt, la, prof, minimum = _grid_fits(model, draws, inside, eta_range)
    # likelihood-ratio statistic of each draw at the τ it was drawn with
    lr = 2.0 * (np.array([np.interp(best, inside, prof[:, j])
                          for j in range(prof.shape[1])]) - minimum)
    edge = float(np.mean((lt <= inside[0] + 1e-9) | (lt >= inside[-1] - 1e-9)))
    if edge > 0.05:
        notes.append(f"{edge:.0%} of the bootstrap refits sit on the edge of the τ grid: the "
                     "median-bias correction is approximate")
    # biases are taken against the values the draws were made with
    return {"log_tau": lt, "log_amplitude": la, "true_log_tau": best,
            "true_log_amplitude": log_amp, "edge_fraction": edge,
            "likelihood_ratio": np.maximum(lr, 0.0)}


def fit_ou_noise(x: ArrayLike, dt_ps: float, *, bin_ps: float, gap_ps: float,
                 n_bootstrap: int = 200, seed: int | None = None,
                 level: float = 0.95) -> OuNoiseFit:
    """Fit OU + fast noise to a series by restricted likelihood (module docstring).

    Parameters
    ----------
    x : array_like, shape (n,)
        Evenly sampled series (unit u), e.g. ΔT (K) or a side energy (eV).
    dt_ps : float
        Sampling interval (ps).
    bin_ps : float
        Bin width b (ps), well below τ.  Rounded to whole samples (at least one).
    gap_ps : float
        Time left out between consecutive bins (ps, rounded to whole samples): at least
        the decorrelation time of the fast noise, so that its bin means are uncorrelated.
    n_bootstrap : int
        Draws of the parametric bootstrap (median bias, amplitude spread); >= 20.
    seed : int, optional
        Seed of the bootstrap draws; default a checksum of the binned series, so the
        result is reproducible and independent runs get independent draws.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    OuNoiseFit

    Raises
    ------
    ValueError
        Fewer than :data:`MIN_BINS` bins, a constant series, or ``n_bootstrap`` < 20.
    """
    m = max(1, round(bin_ps / dt_ps))
    gap = max(0, round(gap_ps / dt_ps))
    y = bin_means(x, m, m + gap)
    if y.size < MIN_BINS or not np.ptp(y) > 0:
        raise ValueError(f"{y.size} bins of {m * dt_ps:.3g} ps: need at least {MIN_BINS} "
                         "bins of a fluctuating series")
    if n_bootstrap < 20:
        raise ValueError("n_bootstrap must be >= 20")
    model = _Model(dt_ps, m, m + gap)
    col = (y - y.mean())[:, None]
    z = _with_ones(col)
    lowest = math.log(0.2 * model.spacing_ps)
    best, nll_min, eta_hat, prof = _minimise_profile(
        model, z, _pilot_log_tau(y, model.spacing_ps), lowest)
    lo, hi = _lr_interval(prof, best, nll_min, level, lowest)
    notes = []
    s_hat = float(model.nll(z, best, eta_hat)[1][0])
    log_amp = math.log(s_hat / model.params(best, eta_hat)[2])
    boot = _bootstrap(model, col, best, eta_hat, log_amp, (lo, hi), level, int(n_bootstrap),
                      seed, notes)
    statistic = float(stats.chi2.ppf(level, 1))
    if boot:  # the χ² cut calibrated on the draws (Beran's prepivoting)
        statistic = float(np.quantile(boot["likelihood_ratio"], level))
        lo, hi = _lr_interval(prof, best, nll_min, level, lowest, statistic)
    # the exact profile at every ln τ the searches visited: around τ̂ and out past both
    # ends of the interval (for combining runs)
    visited = np.array(sorted(prof.cache))
    visited_nll = np.array([prof.cache[lt][0] for lt in visited])
    if not (math.isfinite(lo) and math.isfinite(hi)):
        notes.append("the profile likelihood of τ does not close within the searched range: "
                     "τ is not resolved by this run")
    if model.spacing_ps > math.exp(best) / 3:
        notes.append(f"bins every {model.spacing_ps:.3g} ps are coarse against τ = "
                     f"{math.exp(best):.3g} ps: use smaller bin_ps/gap_ps if the fast noise "
                     "allows")
    bias = float(np.median(boot["log_tau"])) - best if boot else 0.0
    amp_bias = float(np.median(boot["log_amplitude"])) - log_amp if boot else 0.0
    return OuNoiseFit(
        tau_ps=math.exp(best - bias), tau_ml_ps=math.exp(best),
        tau_ci95_ps=(math.exp(lo) if math.isfinite(lo) else 0.0,
                     math.exp(hi) if math.isfinite(hi) else math.inf),
        amplitude=math.exp(log_amp - amp_bias), amplitude_ml=math.exp(log_amp),
        noise_ratio=eta_hat, log_tau_bias=bias, lr_statistic=statistic, bootstrap=boot,
        profile_log_tau=visited, profile_delta_nll=visited_nll - nll_min,
        n_bins=int(y.size), bin_ps=model.bin_ps,
        spacing_ps=model.spacing_ps, duration_ps=y.size * model.spacing_ps, warnings=notes)
