"""Steady two-temperature model of a metal next to a nonmetal, and its fit to NEMD profiles.

In a metal heat is carried by electrons (κ_e) and by the lattice (κ_p); the two exchange
energy at the rate G (T_e − T_p) per volume (electron–phonon coupling factor G = G_ep).
Electrons cannot cross into a nonmetal, so next to the interface the heat must pass from
the electrons to the lattice, and the lattice then crosses with the phonon–phonon jump
ΔT_pp = R_pp J.  Two-temperature NEMD (LAMMPS ``fix ttm/mod``) reproduces this; classical
MD alone misses it.

Geometry and signs.  ``s`` is the distance from the interface plane into either side
(s ≥ 0), whichever side of z the metal sits on.  J is the heat flux from the metal into the
nonmetal (W/m², negative when the nonmetal side is the hot one; every formula is linear in
J).  Steady state, one dimension, no source inside the metal:

    κ_e T_e'' = G (T_e − T_p),        κ_p T_p'' = −G (T_e − T_p).

Their sum says the total flux κ_e T_e' + κ_p T_p' = J is constant (heat flows towards
s = 0 when T rises with s), so the conductivity-weighted mean
T_m = (κ_e T_e + κ_p T_p)/κ, κ = κ_e + κ_p, is exactly linear: T_m = T_far + J s/κ.
The difference θ = T_e − T_p obeys θ'' = θ/ℓ² with the coupling length

    ℓ = sqrt(κ_e κ_p / (G (κ_e + κ_p)))

(Majumdar & Reddy, Appl. Phys. Lett. 84, 4768 (2004)).  Boundary conditions: at the
interface the electron flux vanishes, κ_e T_e'(0) = 0, hence κ_p T_p'(0) = J; optionally,
at a far-end plane s = L where the heat enters (or leaves) through the electrons only,
κ_p T_p'(L) = 0.  With g_e = J/κ_e, g_p = J/κ_p and q = exp(−L/ℓ) (q = 0 for a
semi-infinite metal):

    θ(s)  = A e^{−s/ℓ} + B e^{−(L−s)/ℓ},  A = ℓ (g_p + q g_e)/(1 − q²),  B = ℓ g_e + q A,
    T_e(s) = T_far + J s/κ + (κ_p/κ) θ(s),
    T_p(s) = T_far + J s/κ − (κ_e/κ) θ(s).

For L → ∞: T_e = T_far + (J/κ)(s + ℓ e^{−s/ℓ}) and
T_p = T_far + J s/κ − (J ℓ κ_e/(κ κ_p)) e^{−s/ℓ}.  The nonmetal (phonons only, κ_n) is
linear: T_n(s) = T_p(0) − R_pp J − J s/κ_n.  (The same closed form, with an extra direct
electron–phonon channel at the interface, is solved by Lombard, Detcheverry & Merabia,
J. Phys.: Condens. Matter 27, 015007 (2015); here that channel is absent, as in ttm/mod.)

Resistances (per unit area, m²K/W).  T_far is where the far-field electron (and lattice)
temperature line of the metal, extrapolated to the interface, arrives; the nonmetal line
arrives at T_n(0).  Then

    R_total = (T_far − T_n(0))/J = R_pp + R_ep,
    R_ep    = (T_far − T_p(0))/J = (κ_e/κ) ℓ/κ_p = (κ_e/κ)^{3/2} / sqrt(G κ_p),

evaluated for a semi-infinite metal (the intrinsic value; a finite cell changes θ(0) by
terms of order q).  The local electron–lattice temperature difference at the interface
gives the related R_ep,local = θ(0)/J = ℓ/κ_p = 1/sqrt(G κ_p (1 + κ_p/κ_e)).  Both tend to
the Majumdar–Reddy estimate R_ep,MR = 1/sqrt(G κ_p) when κ_e ≫ κ_p (their
h_ep = sqrt(G k_p)); R_ep = (κ_e/κ) R_ep,local.

Fit.  For a fixed ℓ the semi-infinite model is linear in (T_far, a = J/κ, b = J κ_e/(κ κ_p),
ΔT_pp, g_n = J/κ_n), because the lattice exponential is −ℓ b e^{−s/ℓ} and the electron one
+ℓ a e^{−s/ℓ}.  The fit therefore scans ℓ (generalised least squares for the linear
parameters at each ℓ) and then refines all six parameters, (T_far, ln ℓ, a, b, ΔT_pp, g_n),
by Levenberg–Marquardt on the residuals whitened with the Cholesky factor of the data
covariance (possibly correlated bins).  The temperatures alone fix these six numbers; the
flux converts them: κ = J/a, κ_p = J/(a + b), κ_e = J b/(a (a + b)), κ_n = J/g_n,
G = J b/(ℓ² (a + b)²), R_pp = ΔT_pp/J, R_ep = ℓ b/J.

Uncertainties.  Delta method: the parameter covariance (JᵀΣ⁻¹J)⁻¹ (scaled by the reduced
χ² when ``absolute_sigma`` is False) and the flux variance, independent of the profile
noise, are propagated through numerical gradients of each derived quantity.  Resistances
and temperatures get symmetric intervals; the positive quantities G, ℓ and the κ's get
intervals symmetric in their logarithm (less skewed when ℓ is poorly resolved).  A
parametric bootstrap (redraw the data from the fitted model with the given covariance and
the flux from N(J, σ_J²), refit, percentile intervals) is available for checks; it costs
``n_bootstrap`` fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import linalg, optimize, stats

from potentials.electrons import coupling_length_nm

__all__ = [
    "MIN_COUPLING_LENGTHS",
    "R_ep_majumdar_reddy",
    "TwoTemperatureModel",
    "fit_two_temperature",
    "metal_length_warning",
    "model_from_fit",
    "side_distances_A",
]

#: Metal length, in coupling lengths, below which :func:`metal_length_warning` warns.  At
#: s = 3ℓ the non-equilibrium θ has decayed to e⁻³ ≈ 5 % of its interface value: the
#: far-field line (which defines R_ep) is then visible over the outer part of the metal,
#: and a far-end electron source perturbs the interface region by terms of order e⁻³.
MIN_COUPLING_LENGTHS = 3.0

_NM_PER_A = 0.1
_M_PER_NM = 1e-9
_PARAMETERS = ("T_far_K", "ln_coupling_length_nm", "a_K_per_nm", "b_K_per_nm",
               "delta_T_pp_K", "g_nonmetal_K_per_nm")
_RESISTANCES = ("R_pp", "R_ep", "R_ep_local", "R_ep_MR", "R_total")
_POSITIVE = {"G_ep": "W_m3K", "coupling_length": "nm", "kappa_e": "W_mK", "kappa_p": "W_mK",
             "kappa_metal": "W_mK", "kappa_nonmetal": "W_mK"}
_TEMPERATURES = ("T_far", "T_p_interface", "T_e_interface", "T_nonmetal_interface")


def R_ep_majumdar_reddy(
    G_ep_W_m3K: float, kappa_p_W_mK: float, kappa_e_W_mK: float | None = None
) -> float:
    """Electron–phonon resistance of a metal next to a nonmetal, Majumdar–Reddy form.

    Majumdar & Reddy, Appl. Phys. Lett. 84, 4768 (2004): h_ep = sqrt(G κ_p), i.e.
    R_ep = 1/sqrt(G κ_p), valid when κ_e ≫ κ_p.  With ``kappa_e_W_mK`` the finite-κ_e
    form of the local electron–lattice difference at the interface is returned,
    R = ℓ/κ_p = 1/sqrt(G κ_p (1 + κ_p/κ_e)) (module docstring).  The far-field
    definition used by :func:`fit_two_temperature` is smaller by κ_e/(κ_e + κ_p).

    Parameters
    ----------
    G_ep_W_m3K : float
        Electron–phonon coupling factor (W/(m³K)).
    kappa_p_W_mK : float
        Lattice thermal conductivity of the metal (W/(m K)).
    kappa_e_W_mK : float, optional
        Electronic thermal conductivity (W/(m K)); ``None`` for the κ_e ≫ κ_p limit.

    Returns
    -------
    float
        R_ep (m²K/W).
    """
    if G_ep_W_m3K <= 0 or kappa_p_W_mK <= 0:
        raise ValueError("G_ep and kappa_p must be positive")
    factor = 1.0
    if kappa_e_W_mK is not None:
        if kappa_e_W_mK <= 0:
            raise ValueError("kappa_e must be positive")
        factor += kappa_p_W_mK / kappa_e_W_mK
    return 1.0 / math.sqrt(G_ep_W_m3K * kappa_p_W_mK * factor)


def metal_length_warning(
    metal_length_A: float, coupling_length_nm: float, *,
    min_coupling_lengths: float = MIN_COUPLING_LENGTHS,
) -> str | None:
    """Is the metal side several coupling lengths long?

    Parameters
    ----------
    metal_length_A : float
        Length of the metal between the interface and the far-end electron source/sink (Å).
    coupling_length_nm : float
        ℓ (nm), e.g. from :func:`potentials.electrons.metal_coupling_length_nm`.
    min_coupling_lengths : float, optional
        Required L/ℓ (:data:`MIN_COUPLING_LENGTHS` = 3: θ decays to e⁻³ ≈ 5 %).

    Returns
    -------
    str or None
        ``None`` when L ≥ min_coupling_lengths ℓ, else a warning naming the numbers and the
        length needed.
    """
    if metal_length_A <= 0 or coupling_length_nm <= 0:
        raise ValueError("metal length and coupling length must be positive")
    ratio = metal_length_A * _NM_PER_A / coupling_length_nm
    if ratio >= min_coupling_lengths:
        return None
    needed_A = min_coupling_lengths * coupling_length_nm / _NM_PER_A
    return (f"metal side is {metal_length_A:.0f} Å = {ratio:.2f} electron-phonon coupling "
            f"lengths (ℓ = {coupling_length_nm:.1f} nm); at least {min_coupling_lengths:g} ℓ "
            f"= {needed_A:.0f} Å are needed for the electrons and the lattice to reach their "
            f"common far-field profile, so R_ep is not separable from the far-end source")


def side_distances_A(z_A: ArrayLike, z_interface_A: float) -> tuple[np.ndarray, int]:
    """Distances of bin centres from the interface and the side they lie on.

    Parameters
    ----------
    z_A : array_like, shape (n,)
        Bin centres (Å), all on one side of the interface (or on it).
    z_interface_A : float
        Interface plane (Å).

    Returns
    -------
    (s_A, side) : tuple
        ``|z − z_i|`` (Å) and +1 (bins at z ≥ z_i) or −1 (z ≤ z_i).  Raises ``ValueError``
        when the bins straddle the interface.
    """
    d = np.asarray(z_A, dtype=float) - z_interface_A
    if d.ndim != 1 or d.size == 0 or not np.all(np.isfinite(d)):
        raise ValueError("bin centres must be a non-empty finite 1-D array")
    if np.all(d >= 0):
        return d, 1
    if np.all(d <= 0):
        return -d, -1
    raise ValueError(f"bins straddle the interface at z = {z_interface_A} Å")


def _theta(s_nm, ell_nm, g_e, g_p, length_nm):
    """θ = T_e − T_p (K) for gradients g_e = J/κ_e, g_p = J/κ_p (K/nm)."""
    s_nm = np.asarray(s_nm, dtype=float)
    if not math.isfinite(length_nm):
        return ell_nm * g_p * np.exp(-s_nm / ell_nm)
    q = math.exp(-length_nm / ell_nm)
    amp_a = ell_nm * (g_p + q * g_e) / (1.0 - q * q)
    amp_b = ell_nm * g_e + q * amp_a
    return amp_a * np.exp(-s_nm / ell_nm) + amp_b * np.exp(-(length_nm - s_nm) / ell_nm)


def _metal_profiles(s_nm, T_far, ell_nm, a, b, length_nm):
    """(T_e, T_p) in K from the fit parameters (a, b in K/nm, lengths in nm)."""
    s_nm = np.asarray(s_nm, dtype=float)
    g_p = a + b
    if math.isfinite(length_nm):
        g_e = a * g_p / b
        theta = _theta(s_nm, ell_nm, g_e, g_p, length_nm)
        line = T_far + a * s_nm
        return line + (a / g_p) * theta, line - (b / g_p) * theta
    decay = ell_nm * np.exp(-s_nm / ell_nm)
    return T_far + a * (s_nm + decay), T_far + a * s_nm - b * decay


@dataclass(frozen=True)
class TwoTemperatureModel:
    """Closed-form steady profiles of a metal/nonmetal cell (module docstring).

    Attributes
    ----------
    T_far_K : float
        Far-field metal line (T_m = T_far + J s/κ) at the interface plane (K).
    flux_W_m2 : float
        Heat flux from the metal into the nonmetal (W/m²).
    kappa_e_W_mK, kappa_p_W_mK : float
        Electronic and lattice conductivities of the metal (W/(m K)).
    G_ep_W_m3K : float
        Electron–phonon coupling factor (W/(m³K)).
    R_pp_m2K_W : float
        Phonon–phonon interface resistance (m²K/W).
    kappa_nonmetal_W_mK : float
        Conductivity of the nonmetal (W/(m K)).
    metal_length_A : float
        Distance from the interface to the far-end plane where all the heat is electronic
        (Å); ``inf`` for a semi-infinite metal.
    """

    T_far_K: float
    flux_W_m2: float
    kappa_e_W_mK: float
    kappa_p_W_mK: float
    G_ep_W_m3K: float
    R_pp_m2K_W: float
    kappa_nonmetal_W_mK: float
    metal_length_A: float = math.inf

    @property
    def coupling_length_nm(self) -> float:
        """ℓ = sqrt(κ_e κ_p/(G (κ_e + κ_p))) (nm)."""
        return coupling_length_nm(self.kappa_p_W_mK, self.kappa_e_W_mK, self.G_ep_W_m3K)

    @property
    def kappa_metal_W_mK(self) -> float:
        """κ = κ_e + κ_p (W/(m K))."""
        return self.kappa_e_W_mK + self.kappa_p_W_mK

    @property
    def R_ep_m2K_W(self) -> float:
        """Far-field electron–phonon resistance (κ_e/κ) ℓ/κ_p, semi-infinite metal (m²K/W)."""
        return self.kappa_e_W_mK / self.kappa_metal_W_mK * self.R_ep_local_m2K_W

    @property
    def R_ep_local_m2K_W(self) -> float:
        """θ(0)/J = ℓ/κ_p for a semi-infinite metal (m²K/W)."""
        return self.coupling_length_nm * _M_PER_NM / self.kappa_p_W_mK

    @property
    def R_total_m2K_W(self) -> float:
        """R_pp + R_ep (m²K/W)."""
        return self.R_pp_m2K_W + self.R_ep_m2K_W

    def _gradients_K_per_nm(self) -> tuple[float, float]:
        return (self.flux_W_m2 / self.kappa_e_W_mK * _M_PER_NM,
                self.flux_W_m2 / self.kappa_p_W_mK * _M_PER_NM)

    def metal_temperatures_K(self, s_A: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """(T_e, T_p) in K at distances ``s_A`` (Å) from the interface into the metal."""
        s_nm = np.asarray(s_A, dtype=float) * _NM_PER_A
        g_e, g_p = self._gradients_K_per_nm()
        length_nm = self.metal_length_A * _NM_PER_A
        theta = _theta(s_nm, self.coupling_length_nm, g_e, g_p, length_nm)
        line = self.T_far_K + self.flux_W_m2 / self.kappa_metal_W_mK * _M_PER_NM * s_nm
        w_p = self.kappa_p_W_mK / self.kappa_metal_W_mK
        return line + w_p * theta, line - (1.0 - w_p) * theta

    @property
    def T_p_interface_K(self) -> float:
        """Lattice temperature of the metal at the interface (K)."""
        return float(self.metal_temperatures_K([0.0])[1][0])

    def nonmetal_temperature_K(self, s_A: ArrayLike) -> np.ndarray:
        """Nonmetal (lattice) temperature at distances ``s_A`` (Å) from the interface (K)."""
        s_m = np.asarray(s_A, dtype=float) * _NM_PER_A * _M_PER_NM
        return (self.T_p_interface_K - self.R_pp_m2K_W * self.flux_W_m2
                - self.flux_W_m2 / self.kappa_nonmetal_W_mK * s_m)

    def fluxes_W_m2(self, s_A: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """(electron, lattice) heat fluxes towards the interface, κ_i dT_i/ds (W/m²).

        Analytic derivatives of the profiles; their sum is J everywhere.
        """
        s_nm = np.asarray(s_A, dtype=float) * _NM_PER_A
        ell = self.coupling_length_nm
        g_e, g_p = self._gradients_K_per_nm()
        length_nm = self.metal_length_A * _NM_PER_A
        if math.isfinite(length_nm):
            q = math.exp(-length_nm / ell)
            amp_a = ell * (g_p + q * g_e) / (1.0 - q * q)
            amp_b = ell * g_e + q * amp_a
            dtheta = (-amp_a * np.exp(-s_nm / ell) + amp_b * np.exp(-(length_nm - s_nm) / ell))
        else:
            dtheta = -ell * g_p * np.exp(-s_nm / ell)
        dtheta = dtheta / ell  # K/nm
        mean = self.flux_W_m2 / self.kappa_metal_W_mK * _M_PER_NM
        w_p = self.kappa_p_W_mK / self.kappa_metal_W_mK
        grad_e, grad_p = mean + w_p * dtheta, mean - (1.0 - w_p) * dtheta
        return (self.kappa_e_W_mK * grad_e / _M_PER_NM, self.kappa_p_W_mK * grad_p / _M_PER_NM)


def _as_covariance(err: ArrayLike | None, n: int, name: str) -> np.ndarray:
    if err is None:
        raise ValueError(f"{name}: give per-bin standard errors or a covariance (or data_cov_K2)")
    err = np.asarray(err, dtype=float)
    if err.shape == (n,):
        if np.any(~np.isfinite(err)) or np.any(err <= 0):
            raise ValueError(f"{name}: standard errors must be positive and finite")
        return np.diag(err**2)
    if err.shape == (n, n):
        return err
    raise ValueError(f"{name}: expected shape ({n},) or ({n}, {n}), got {err.shape}")


def _parameters_from_linear(beta, ell_nm):
    T_far, a, b, d_pp, g_n = beta
    return np.array([T_far, math.log(ell_nm), a, b, d_pp, g_n])


class _Problem:
    """Whitened residuals of the six-parameter model for one data set."""

    def __init__(self, s_p, s_e, s_n, y, cov, length_nm):
        self.s_p, self.s_e, self.s_n, self.length_nm = s_p, s_e, s_n, length_nm
        self.y = y
        try:
            self.chol = linalg.cholesky(cov, lower=True)
        except linalg.LinAlgError as error:
            raise ValueError("the data covariance is not positive definite") from error
        # L⁻¹ once: whitening is then one product (the data sets are small)
        self.white = linalg.solve_triangular(self.chol, np.eye(y.size), lower=True)

    def whiten(self, v):
        return self.white @ v

    def model(self, p, length_nm=None):
        length_nm = self.length_nm if length_nm is None else length_nm
        T_far, ln_ell, a, b, d_pp, g_n = p
        ell = math.exp(ln_ell)
        _, T_p = _metal_profiles(self.s_p, T_far, ell, a, b, length_nm)
        T_e, _ = _metal_profiles(self.s_e, T_far, ell, a, b, length_nm)
        T_p0 = _metal_profiles(np.zeros(1), T_far, ell, a, b, length_nm)[1][0]
        T_n = T_p0 - d_pp - g_n * self.s_n
        return np.concatenate([T_p, T_e, T_n])

    def residuals(self, p, y=None):
        with np.errstate(all="ignore"):
            r = self.whiten((self.y if y is None else y) - self.model(p))
        return r if np.all(np.isfinite(r)) else np.full_like(r, 1e6)

    def jacobian(self, p, y=None):
        jac = np.empty((self.y.size, p.size))
        for i in range(p.size):
            h = 1e-6 * max(1.0, abs(p[i]))
            up, down = p.copy(), p.copy()
            up[i] += h
            down[i] -= h
            jac[:, i] = (self.residuals(up, y) - self.residuals(down, y)) / (2 * h)
        return jac

    def linear_scan(self, y=None):
        """Best semi-infinite parameters over a grid of ℓ (variable projection)."""
        y = self.y if y is None else y
        yw = self.whiten(y)
        s_all = np.concatenate([self.s_p, self.s_e])
        spacing = np.diff(np.unique(s_all))
        lo = max(float(spacing.min()) if spacing.size else 0.1, 1e-3) / 2
        hi = 3.0 * (self.length_nm if math.isfinite(self.length_nm) else float(s_all.max()))
        best = None
        for ell in np.geomspace(lo, hi, 60):
            decay_p, decay_e = ell * np.exp(-self.s_p / ell), ell * np.exp(-self.s_e / ell)
            n_p, n_e, n_n = self.s_p.size, self.s_e.size, self.s_n.size
            design = np.zeros((n_p + n_e + n_n, 5))
            design[:, 0] = 1.0
            design[:n_p, 1], design[:n_p, 2] = self.s_p, -decay_p
            design[n_p:n_p + n_e, 1] = self.s_e + decay_e
            design[n_p + n_e:, 2], design[n_p + n_e:, 3] = -ell, -1.0
            design[n_p + n_e:, 4] = -self.s_n
            design_w = self.whiten(design)
            beta, *_ = np.linalg.lstsq(design_w, yw, rcond=None)
            chi2 = float(np.sum((yw - design_w @ beta) ** 2))
            if best is None or chi2 < best[0]:
                best = (chi2, _parameters_from_linear(beta, ell))
        return best[1], (lo, hi)

    def solve(self, start, y=None):
        result = optimize.least_squares(
            self.residuals, start, jac=self.jacobian, method="lm", args=(y,),
            x_scale="jac", max_nfev=2000)
        return result.x, result.success


def _derived(p, flux_W_m2, length_nm):
    """Physical quantities (SI, K, nm) from fit parameters and the flux."""
    T_far, ln_ell, a, b, d_pp, g_n = p
    ell_nm = math.exp(ln_ell)
    ell_m = ell_nm * _M_PER_NM
    a_si, b_si, g_n_si = a / _M_PER_NM, b / _M_PER_NM, g_n / _M_PER_NM  # K/m
    j = flux_W_m2
    kappa_p = j / (a_si + b_si)
    kappa_e = j * b_si / (a_si * (a_si + b_si))
    G = j * b_si / (ell_m**2 * (a_si + b_si) ** 2)
    T_e0, T_p0 = (v[0] for v in _metal_profiles(np.zeros(1), T_far, ell_nm, a, b, length_nm))
    with np.errstate(all="ignore"):
        r_mr = 1.0 / math.sqrt(G * kappa_p) if G * kappa_p > 0 else math.nan
    return {
        "R_pp": d_pp / j,
        "R_ep": ell_nm * b / j,
        "R_ep_local": ell_nm * (a + b) / j,
        "R_ep_MR": r_mr,
        "R_total": (d_pp + ell_nm * b) / j,
        "G_ep": G,
        "coupling_length": ell_nm,
        "kappa_e": kappa_e,
        "kappa_p": kappa_p,
        "kappa_metal": j / a_si,
        "kappa_nonmetal": j / g_n_si,
        "T_far": T_far,
        "T_p_interface": T_p0,
        "T_e_interface": T_e0,
        "T_nonmetal_interface": T_p0 - d_pp,
    }


def _unit(name: str) -> str:
    if name in _RESISTANCES:
        return "m2K_W"
    return _POSITIVE.get(name, "K")


def _delta_method(p, cov_p, flux, flux_se, length_nm):
    """Values and standard errors of every derived quantity (delta method)."""
    theta = np.append(p, flux)
    cov = np.zeros((theta.size, theta.size))
    cov[:-1, :-1] = cov_p
    cov[-1, -1] = flux_se**2
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    base = _derived(p, flux, length_nm)
    grads = {name: np.zeros(theta.size) for name in base}
    for i in range(theta.size):
        h = 1e-3 * sd[i] if sd[i] > 0 else 1e-8 * max(1.0, abs(theta[i]))
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        plus, minus = _derived(up[:-1], up[-1], length_nm), _derived(down[:-1], down[-1], length_nm)
        for name in base:
            grads[name][i] = (plus[name] - minus[name]) / (2 * h)
    se = {name: float(np.sqrt(max(g @ cov @ g, 0.0))) for name, g in grads.items()}
    return base, se


def _interval(name, value, se, quantile):
    if name in _POSITIVE and value > 0 and se > 0:
        half = quantile * se / value
        if half > 700.0:  # the data do not bound it: (0, inf), not an overflow
            return 0.0, math.inf
        return value * math.exp(-half), value * math.exp(half)
    return value - quantile * se, value + quantile * se


def _data(z_interface_A, blocks, data_cov_K2):
    s, ys, covs, sides = [], [], [], []
    for name, z, T, err in blocks:
        if z is None:
            s.append(np.zeros(0))
            ys.append(np.zeros(0))
            covs.append(np.zeros((0, 0)))
            continue
        s_A, side = side_distances_A(z, z_interface_A)
        T = np.asarray(T, dtype=float)
        if T.shape != s_A.shape or not np.all(np.isfinite(T)):
            raise ValueError(f"{name}: temperatures must be finite and match the bins")
        s.append(s_A * _NM_PER_A)
        ys.append(T)
        sides.append((name, side))
        covs.append(None if data_cov_K2 is not None else _as_covariance(err, T.size, name))
    metal_sides = {side for name, side in sides if name != "nonmetal"}
    nonmetal_side = next(side for name, side in sides if name == "nonmetal")
    if len(metal_sides) != 1 or nonmetal_side in metal_sides:
        raise ValueError("metal (lattice and electron) bins must lie on one side of the "
                         "interface and the nonmetal bins on the other")
    y = np.concatenate(ys)
    if data_cov_K2 is not None:
        cov = np.asarray(data_cov_K2, dtype=float)
        if cov.shape != (y.size, y.size):
            raise ValueError(f"data_cov_K2 must have shape ({y.size}, {y.size}), got {cov.shape}")
    else:
        cov = linalg.block_diag(*covs)
    return s, y, cov, metal_sides.pop()


def fit_two_temperature(
    *,
    z_interface_A: float,
    z_metal_A: ArrayLike,
    T_metal_K: ArrayLike,
    T_metal_err_K: ArrayLike | None,
    z_nonmetal_A: ArrayLike,
    T_nonmetal_K: ArrayLike,
    T_nonmetal_err_K: ArrayLike | None,
    flux_W_m2: float,
    flux_se_W_m2: float,
    z_electron_A: ArrayLike | None = None,
    T_electron_K: ArrayLike | None = None,
    T_electron_err_K: ArrayLike | None = None,
    data_cov_K2: ArrayLike | None = None,
    far_end_A: float | None = None,
    absolute_sigma: bool = True,
    n_bootstrap: int = 0,
    seed: int | None = None,
) -> dict:
    """Fit the two-temperature closed form to steady NEMD profiles; R_pp, R_ep, R_total.

    Parameters
    ----------
    z_interface_A : float
        Interface plane (Å).
    z_metal_A, T_metal_K : array_like, shape (n_p,)
        Lattice temperature bins of the metal: centres (Å) and temperatures (K).  Keep
        out the thermostatted/fixed layers and, without ``far_end_A``, the far-end
        electron source region.
    T_metal_err_K : array_like, shape (n_p,) or (n_p, n_p), or None
        Standard errors (K) or covariance matrix (K²) of ``T_metal_K``.
    z_nonmetal_A, T_nonmetal_K, T_nonmetal_err_K : array_like
        The same for the nonmetal lattice (keep out the bath next to it); shape (n_n,).
    flux_W_m2 : float
        Heat flux from the metal into the nonmetal (W/m²; negative when the nonmetal is hot).
    flux_se_W_m2 : float
        Its standard error (W/m²), taken as independent of the profile noise.
    z_electron_A, T_electron_K, T_electron_err_K : array_like, optional
        Electron temperature of the metal (the ttm/mod grid), shape (n_e,).  Optional: the
        lattice profile alone determines the model, the electrons sharpen it.
    data_cov_K2 : array_like, shape (n, n), optional
        Full covariance (K²) of the stacked data [metal lattice, electrons, nonmetal], e.g.
        with cross-correlations between blocks; replaces the per-block errors.
    far_end_A : float, optional
        Plane (Å) where all the heat is electronic (centre of a thin electron source/sink);
        ``None`` treats the metal as semi-infinite.
    absolute_sigma : bool, optional
        True: the errors are absolute (normal intervals).  False: the covariance is scaled
        by the reduced χ² and intervals use Student t with n − 6 degrees of freedom.
    n_bootstrap : int, optional
        Parametric bootstrap replicas; when > 0 the ``*_ci95_*`` bounds are their 2.5/97.5
        percentiles instead of the delta-method ones (standard errors stay delta-method).
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    dict
        For X in R_pp, R_ep (far-field definition), R_ep_local, R_ep_MR (1/sqrt(G κ_p)
        from the fitted G, κ_p), R_total: ``X_m2K_W``, ``X_se_m2K_W``, ``X_ci95_low_m2K_W``,
        ``X_ci95_high_m2K_W``.  Likewise ``G_ep_*W_m3K``, ``coupling_length_*nm``,
        ``kappa_e_*W_mK``, ``kappa_p_*W_mK``, ``kappa_metal_*W_mK``,
        ``kappa_nonmetal_*W_mK`` and the temperatures ``T_far_*K`` (far-field metal line at
        the interface), ``T_p_interface_*K``, ``T_e_interface_*K``,
        ``T_nonmetal_interface_*K``.  Also ``parameters`` (names, values, covariance),
        ``chi2``, ``dof``, ``chi2_red``, ``p_value``, ``n_points``, ``metal_length_A``,
        ``interval_method`` and ``warnings`` (list of str).
    """
    if not math.isfinite(flux_W_m2) or flux_W_m2 == 0:
        raise ValueError("the heat flux must be finite and non-zero")
    if (z_electron_A is None) != (T_electron_K is None):
        raise ValueError("give both z_electron_A and T_electron_K, or neither")
    blocks = [("metal", z_metal_A, T_metal_K, T_metal_err_K),
              ("electron", z_electron_A, T_electron_K, T_electron_err_K),
              ("nonmetal", z_nonmetal_A, T_nonmetal_K, T_nonmetal_err_K)]
    (s_p, s_e, s_n), y, cov, side = _data(z_interface_A, blocks, data_cov_K2)
    length_nm = math.inf
    if far_end_A is not None:
        length_nm = (far_end_A - z_interface_A) * side * _NM_PER_A
        if length_nm <= 0 or length_nm < max(s_p.max(initial=0), s_e.max(initial=0)):
            raise ValueError(f"far_end_A = {far_end_A} Å must lie beyond every metal bin")
    n_points = y.size
    if n_points <= len(_PARAMETERS) or s_p.size < 3 or s_n.size < 2:
        raise ValueError("need >= 3 metal lattice bins, >= 2 nonmetal bins and more data "
                         "points than the 6 parameters")
    problem = _Problem(s_p, s_e, s_n, y, cov, length_nm)
    start, ell_range = problem.linear_scan()
    p, success = problem.solve(start)
    jac = problem.jacobian(p)
    chi2 = float(np.sum(problem.residuals(p) ** 2))
    dof = n_points - len(_PARAMETERS)
    cov_p = np.linalg.pinv(jac.T @ jac)
    if not absolute_sigma:
        cov_p = cov_p * chi2 / dof
    quantile = float(stats.t.ppf(0.975, np.inf if absolute_sigma else dof))
    values, ses = _delta_method(p, cov_p, flux_W_m2, flux_se_W_m2, length_nm)
    bounds = {name: _interval(name, values[name], ses[name], quantile) for name in values}
    method = "delta"
    warnings = []
    if n_bootstrap > 0:
        bounds, n_failed = _bootstrap(problem, p, flux_W_m2, flux_se_W_m2, n_bootstrap, seed)
        method = f"parametric bootstrap ({n_bootstrap} replicas, {n_failed} failed)"
    out: dict = {}
    for name, value in values.items():
        unit = _unit(name)
        out |= {f"{name}_{unit}": float(value), f"{name}_se_{unit}": ses[name],
                f"{name}_ci95_low_{unit}": float(bounds[name][0]),
                f"{name}_ci95_high_{unit}": float(bounds[name][1])}
    ell_nm = values["coupling_length"]
    if not success:
        warnings.append("the least-squares refinement did not report convergence")
    if not ell_range[0] * 1.01 < ell_nm < ell_range[1] / 1.01:
        warnings.append(f"coupling length {ell_nm:.3g} nm at the edge of the resolvable range "
                        f"{ell_range[0]:.3g}-{ell_range[1]:.3g} nm: G_ep is not determined")
    extent_A = (length_nm if math.isfinite(length_nm)
                      else float(max(s_p.max(), s_e.max(initial=0)))) / _NM_PER_A
    if ell_nm > 0:
        short = metal_length_warning(extent_A, ell_nm)
        if short:
            warnings.append(short)
    return out | {
        "parameters": {"names": list(_PARAMETERS), "values": p.tolist(), "cov": cov_p.tolist()},
        "flux_W_m2": float(flux_W_m2),
        "flux_se_W_m2": float(flux_se_W_m2),
        "chi2": chi2,
        "dof": dof,
        "chi2_red": chi2 / dof,
        "p_value": float(stats.chi2.sf(chi2, dof)),
        "n_points": int(n_points),
        "metal_length_A": length_nm / _NM_PER_A,
        "metal_extent_A": extent_A,
        "metal_side": "high z" if side > 0 else "low z",
        "interval_method": method,
        "warnings": warnings,
    }


def _bootstrap(problem, p, flux, flux_se, n_bootstrap, seed):
    """Percentile 95 % bounds of every derived quantity from parametric replicas."""
    rng = np.random.default_rng(seed)
    mean = problem.model(p)
    draws, failed = [], 0
    for _ in range(n_bootstrap):
        y_star = mean + problem.chol @ rng.standard_normal(mean.size)
        p_star, ok = problem.solve(p.copy(), y_star)
        if not ok:
            failed += 1
            continue
        draws.append(_derived(p_star, flux + flux_se * rng.standard_normal(),
                              problem.length_nm))
    if len(draws) < 10:
        raise RuntimeError(f"parametric bootstrap: only {len(draws)} of {n_bootstrap} refits "
                           "converged")
    bounds = {}
    for name in draws[0]:
        column = np.array([d[name] for d in draws])
        bounds[name] = tuple(np.nanpercentile(column, [2.5, 97.5]))
    return bounds, failed


def model_from_fit(result: dict) -> TwoTemperatureModel:
    """The best-fit :class:`TwoTemperatureModel` of a :func:`fit_two_temperature` result."""
    return TwoTemperatureModel(
        T_far_K=result["T_far_K"],
        flux_W_m2=result["flux_W_m2"],
        kappa_e_W_mK=result["kappa_e_W_mK"],
        kappa_p_W_mK=result["kappa_p_W_mK"],
        G_ep_W_m3K=result["G_ep_W_m3K"],
        R_pp_m2K_W=result["R_pp_m2K_W"],
        kappa_nonmetal_W_mK=result["kappa_nonmetal_W_mK"],
        metal_length_A=result["metal_length_A"],
    )
