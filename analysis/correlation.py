"""Correlation primitives for equilibrium-MD series: autocorrelation functions, their
running integrals and exponential fits.

All functions take series sampled at a constant step ``dt_ps`` (ps) and return arrays in
the series' units (squared for an ACF, times ps for an integral).  The FFT autocorrelation
pads to avoid circular wrap-around (Allen & Tildesley, *Computer Simulation of Liquids*,
2nd ed. (2017), §8.3).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize
from scipy.fft import irfft, next_fast_len, rfft

__all__ = ["autocorrelation", "block_autocorrelation", "fit_exponential", "running_integral"]


def autocorrelation(x: ArrayLike, *, max_lag: int | None = None,
                    subtract_mean: bool = True) -> np.ndarray:
    """Unbiased autocorrelation ⟨x(t+k) x(t)⟩ by FFT (Wiener-Khinchin), O(N log N).

    The series is zero-padded to at least 2N (no circular wrap-around) and the lag-k sum
    is divided by the number of pairs N − k.

    Parameters
    ----------
    x : array_like, shape (n,)
        Evenly sampled series (any unit u).
    max_lag : int, optional
        Largest lag returned (samples); default n − 1.
    subtract_mean : bool, optional
        Correlate the fluctuation x − mean(x) (default).

    Returns
    -------
    numpy.ndarray, shape (max_lag + 1,)
        C(k) in u², k = 0 .. max_lag.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError("x must be a one-dimensional series of at least 2 samples")
    n = x.size
    max_lag = n - 1 if max_lag is None else int(min(max_lag, n - 1))
    if subtract_mean:
        x = x - x.mean()
    size = next_fast_len(2 * n, real=True)
    spectrum = rfft(x, size)
    acf = irfft(spectrum.real**2 + spectrum.imag**2, size)[: max_lag + 1]
    return acf / (n - np.arange(max_lag + 1))


def block_autocorrelation(x: ArrayLike, n_blocks: int, max_lag: int) -> np.ndarray:
    """Autocorrelation of each of ``n_blocks`` contiguous blocks (mean of the whole series removed).

    Parameters
    ----------
    x : array_like, shape (n,)
        Series (unit u); leftover samples at the start are dropped.
    n_blocks : int
        Number of blocks, >= 2.
    max_lag : int
        Largest lag (samples), below the block length.

    Returns
    -------
    numpy.ndarray, shape (n_blocks, max_lag + 1)
        Per-block C(k) (u²).
    """
    x = np.asarray(x, dtype=float)
    length = x.size // n_blocks
    if n_blocks < 2 or length <= max_lag:
        raise ValueError(f"{n_blocks} blocks of {length} samples cannot hold lag {max_lag}")
    fluct = x[x.size - n_blocks * length:] - x.mean()
    return np.array([autocorrelation(block, max_lag=max_lag, subtract_mean=False)
                     for block in fluct.reshape(n_blocks, length)])


def running_integral(acf: ArrayLike, dt_ps: float) -> np.ndarray:
    """Cumulative trapezoid integral ∫₀^t C(t') dt', I(0) = 0.

    Parameters
    ----------
    acf : array_like, shape (m,)
        Correlation function at lags 0, dt, 2 dt, ... (unit u²).
    dt_ps : float
        Lag spacing (ps).

    Returns
    -------
    numpy.ndarray, shape (m,)
        Running integral (u² ps).
    """
    c = np.asarray(acf, dtype=float)
    out = np.zeros_like(c)
    out[1:] = np.cumsum(0.5 * (c[1:] + c[:-1])) * dt_ps
    return out


def fit_exponential(acf: ArrayLike, dt_ps: float, *, start: int = 0,
                    window_taus: float = 1.5, max_iter: int = 4) -> tuple[float, float, int]:
    """Fit a e^{−t/τ} to a decaying ACF from lag ``start`` to ``start + window_taus τ``.

    The window end is refined with τ (the relative noise of an ACF grows with lag).

    Parameters
    ----------
    acf : array_like, shape (m,)
        Correlation function (unit u²), lags 0 .. m − 1 in steps of ``dt_ps``.
    dt_ps : float
        Lag spacing (ps).
    start : int
        First lag fitted (skips a fast initial drop).
    window_taus : float
        Window length in units of the fitted τ.
    max_iter : int
        Window refinements.

    Returns
    -------
    (amplitude, tau_ps, end) : tuple
        a (u², extrapolated to t = 0), τ (ps), last lag fitted.
    """
    c = np.asarray(acf, dtype=float)
    if not 0 <= start < c.size - 3 or not c[start] > 0:
        raise ValueError("the ACF must be positive at the first fitted lag")
    below = np.nonzero(c[start:] < c[start] / np.e)[0]
    tau = (below[0] if below.size else c.size - start) * dt_ps
    amplitude = c[start]
    end = c.size - 1
    for _ in range(max_iter):
        end = int(min(c.size - 1, max(start + 4, start + round(window_taus * tau / dt_ps))))
        t = np.arange(start, end + 1) * dt_ps
        (amplitude, tau), _ = optimize.curve_fit(
            lambda t, a, s: a * np.exp(-t / s), t, c[start:end + 1], p0=(amplitude, tau),
            bounds=((0.0, 1e-3 * dt_ps), (np.inf, np.inf)))
    return float(amplitude), float(tau), end
