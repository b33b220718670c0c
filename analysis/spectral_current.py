"""Spectral heat current across an interface from MD velocities (streaming Welch average).

Two slabs L and R interact through harmonic force constants Φ_ij (3×3 blocks,
Φ_ij^{αβ} = ∂²V/∂u_iα ∂u_jβ, i ∈ L, j ∈ R, eV/Å²; for a pair spring of stiffness k
along r̂, Φ_ij = −k r̂r̂).  The power that L delivers to R through them is

    P = ½ Σ_{i∈L, j∈R} (v_i·Φ_ij u_j − u_i·Φ_ij v_j)

(−dE_L/dt with the cross energy u_i·Φ_ij u_j shared equally; other splittings change P
by the derivative of a bounded function, which averages to zero and has no spectral
weight).  With x̂(ω) = ∫ x(t) e^{iωt} dt over a record of length t_s and û = i v̂/ω,
the time average is P = ∫₀^∞ q(ω) dω/2π with

    q(ω) = −(2/(t_s ω)) Σ_{i∈L, j∈R} Σ_{αβ} Im[v̂_iα(ω)* Φ_ij^{αβ} v̂_jβ(ω)]

(Sääskilahti, Oksanen, Tulkki & Volz, PRB 90, 134312, 2014; Fan et al., PRB 95,
144309, 2017).  NumPy's FFT uses e^{−iωt}, i.e. the complex conjugate for real
signals, so in code q = +(2/(t_s ω)) Σ Im[conj(V_i) Φ_ij V_j] with V = rfft.

Conventions
-----------
* Sign: q > 0 means heat flowing from L to R; ∫ q df is the time-averaged power from
  L to R (positive when L is hot).
* Units: velocities in Å/ps, Φ in eV/Å², time step in ps.  q is per unit ordinary
  frequency, f = ω/2π in THz: ``q_eV_ps_THz`` in (eV/ps)/THz, P = ∫₀^∞ q df in eV/ps
  (1 (eV/ps)/THz = 1.602e-7 W/THz; :func:`analysis.units.power_W`).
* Spectral conductance per unit area G(f) = q(f)/(A ΔT) in W m⁻² K⁻¹ THz⁻¹, so that
  G = ∫ G(f) df; quantum-corrected G_q(T) = ∫ G(f) c_q(ω, T)/k_B df with
  c_q/k_B = x² eˣ/(eˣ − 1)², x = ħω/k_BT (Sääskilahti et al. 2014).

Estimation (Welch): each block of n_steps samples has its time mean removed
(detrending; the centre-of-mass drift carries no heat), is multiplied by a window w
(Hann by default) and Fourier transformed, V = Δt · rfft(w v); t_s is replaced by the
window's effective duration Δt Σ w².  The ω = 0 bin is set to zero.  The frequency
resolution is 1/(n_steps Δt); blocks should be much longer than the correlation time
of the interfacial vibrations.

Uncertainty: blocks are grouped into at most ``max_batches`` equal batches (pairs of
batches merge when the limit is reached, so memory is bounded by
``max_batches`` × n_freq floats for any run length); every quantity is a functional of
the batch means, with the standard error from their scatter and a Student-t interval
with n_batches − 1 degrees of freedom.  The temperature difference ΔT and the area
are taken as exact here; combine their errors downstream.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import signal

from .agf import heat_capacity_ratio
from .blocking import t_interval
from .units import W_M2_PER_EV_PS_A2, power_W

__all__ = [
    "SpectralCurrentAccumulator",
    "pair_force_constants",
    "spectral_current_block",
]

#: Largest temporary (n_freq × pairs × 3) complex array built at once, in elements.
_CHUNK_ELEMENTS = 2**20


def pair_force_constants(separations_A: ArrayLike, dphi_dr_eV_A: ArrayLike,
                         d2phi_dr2_eV_A2: ArrayLike) -> np.ndarray:
    """Cross force-constant blocks Φ_ij of pair interactions φ(|r_j − r_i|).

    Φ_ij = ∂²φ/∂u_i∂u_j = −[φ'' r̂r̂ + (φ'/r)(I − r̂r̂)] with r = r_j − r_i.

    Parameters
    ----------
    separations_A : (n_pairs, 3) float
        r_j − r_i (Å).
    dphi_dr_eV_A, d2phi_dr2_eV_A2 : (n_pairs,) float
        φ'(r) (eV/Å) and φ''(r) (eV/Å²).

    Returns
    -------
    numpy.ndarray, shape (n_pairs, 3, 3)
        Φ_ij (eV/Å²).
    """
    r_vec = np.atleast_2d(np.asarray(separations_A, dtype=float))
    r = np.linalg.norm(r_vec, axis=1)
    rr = np.einsum("pa,pb->pab", r_vec / r[:, None], r_vec / r[:, None])
    d1 = np.asarray(dphi_dr_eV_A, dtype=float)[:, None, None]
    d2 = np.asarray(d2phi_dr2_eV_A2, dtype=float)[:, None, None]
    return -(d2 * rr + (d1 / r[:, None, None]) * (np.eye(3) - rr))


def _check_pairs(pairs: ArrayLike, force_constants_eV_A2: ArrayLike) -> tuple[np.ndarray,
                                                                              np.ndarray]:
    """Check and convert pairs (n_pairs, 2) int and force constants (n_pairs, 3, 3)."""
    pairs = np.atleast_2d(np.asarray(pairs, dtype=int))
    phi = np.asarray(force_constants_eV_A2, dtype=float).reshape(-1, 3, 3)
    if pairs.ndim != 2 or pairs.shape[1] != 2 or len(pairs) != len(phi) or len(pairs) == 0:
        raise ValueError("need pairs of shape (n_pairs, 2) and force constants of shape "
                         "(n_pairs, 3, 3), n_pairs >= 1")
    return pairs, phi


def _window(window: str | ArrayLike, n_steps: int) -> np.ndarray:
    """Periodic window of length ``n_steps`` (a scipy name or the values)."""
    w = signal.get_window(window, n_steps) if isinstance(window, str) else np.asarray(
        window, dtype=float)
    if w.shape != (n_steps,) or not np.sum(w**2) > 0:
        raise ValueError(f"window must have {n_steps} values, not all zero")
    return w


def _block_spectrum(velocities: np.ndarray, pairs: np.ndarray, phi: np.ndarray, dt_ps: float,
                    window: np.ndarray) -> np.ndarray:
    """Compute q of one block, (n_freq,), (eV/ps)/THz (:func:`spectral_current_block`)."""
    v = velocities - velocities.mean(axis=0)
    spec = dt_ps * np.fft.rfft(v * window[:, None, None], axis=0)  # (n_freq, n_atoms, 3), Å
    n_freq = spec.shape[0]
    cross = np.zeros(n_freq)
    chunk = max(1, _CHUNK_ELEMENTS // (3 * n_freq))
    for start in range(0, len(pairs), chunk):
        p = pairs[start:start + chunk]
        cross += np.einsum("fpa,pab,fpb->f", spec[:, p[:, 0]].conj(), phi[start:start + chunk],
                           spec[:, p[:, 1]]).imag  # eV
    t_eff = dt_ps * np.sum(window**2)
    omega = 2 * np.pi * np.fft.rfftfreq(len(v), dt_ps)  # rad/ps
    q = np.zeros(n_freq)
    q[1:] = 2.0 * cross[1:] / (t_eff * omega[1:])
    return q


def spectral_current_block(velocities_A_ps: ArrayLike, pairs: ArrayLike,
                           force_constants_eV_A2: ArrayLike, dt_ps: float, *,
                           window: str | ArrayLike = "hann") -> tuple[np.ndarray, np.ndarray]:
    """Spectral heat current L → R of one block of velocities.

    Parameters
    ----------
    velocities_A_ps : (n_steps, n_atoms, 3) float
        Velocities (Å/ps) of the atoms named in ``pairs``, sampled every ``dt_ps``.
    pairs : (n_pairs, 2) int
        (i, j): i an atom of L, j an atom of R (indices along axis 1 of the
        velocities); each interacting pair once.
    force_constants_eV_A2 : (n_pairs, 3, 3) float
        Φ_ij = ∂²V/∂u_i∂u_j (eV/Å²), e.g. :func:`pair_force_constants`.
    dt_ps : float
        Sampling interval (ps); the Nyquist frequency 1/(2 dt) must exceed the phonons'.
    window : str or (n_steps,) array
        Window (a :func:`scipy.signal.get_window` name, default Hann, or values).

    Returns
    -------
    frequency_THz : (n_steps//2 + 1,) float
        f = ω/2π (THz).
    q_eV_ps_THz : (n_steps//2 + 1,) float
        q(f) ((eV/ps)/THz), positive for heat from L to R; Σ q Δf with
        Δf = 1/(n_steps dt) is the block's estimate of the mean power (eV/ps).
    """
    v = np.asarray(velocities_A_ps, dtype=float)
    if v.ndim != 3 or v.shape[2] != 3 or v.shape[0] < 4:
        raise ValueError(f"velocities must have shape (n_steps >= 4, n_atoms, 3), got {v.shape}")
    pairs, phi = _check_pairs(pairs, force_constants_eV_A2)
    if pairs.min() < 0 or pairs.max() >= v.shape[1]:
        raise ValueError("pair indices outside the atoms of the velocity block")
    if not np.all(np.isfinite(v)):
        raise ValueError("velocities contain NaN or inf")
    q = _block_spectrum(v, pairs, phi, dt_ps, _window(window, len(v)))
    return np.fft.rfftfreq(len(v), dt_ps), q


class SpectralCurrentAccumulator:
    """Streaming Welch average of the spectral heat current L → R with batch-means errors.

    Parameters
    ----------
    pairs : (n_pairs, 2) int
        (i ∈ L, j ∈ R) atom indices into axis 1 of each velocity block.
    force_constants_eV_A2 : (n_pairs, 3, 3) float
        Φ_ij (eV/Å²).
    dt_ps : float
        Sampling interval of the velocities (ps).
    n_steps : int
        Samples per block; frequency resolution 1/(n_steps dt) THz.
    window : str or (n_steps,) array
        FFT window (default Hann).
    max_batches : int
        Even bound on the batches kept (memory ≈ max_batches × n_freq floats).

    Notes
    -----
    Feed blocks with :meth:`add`; read :meth:`spectrum`, :meth:`integrated_current`,
    :meth:`inelastic_share`, :meth:`spectral_conductance` and
    :meth:`quantum_conductance`, each with a Student-t interval (module docstring).
    """

    def __init__(self, pairs: ArrayLike, force_constants_eV_A2: ArrayLike, dt_ps: float,
                 n_steps: int, *, window: str | ArrayLike = "hann", max_batches: int = 32):
        """Set up the block FFT and empty batches."""
        self.pairs, self.force_constants_eV_A2 = _check_pairs(pairs, force_constants_eV_A2)
        if not dt_ps > 0 or n_steps < 4:
            raise ValueError("need dt_ps > 0 and n_steps >= 4")
        if max_batches < 4 or max_batches % 2:
            raise ValueError(f"max_batches must be even and >= 4, got {max_batches}")
        self.dt_ps, self.n_steps, self.max_batches = float(dt_ps), int(n_steps), int(max_batches)
        self.window = _window(window, self.n_steps)
        self.frequency_THz = np.fft.rfftfreq(self.n_steps, self.dt_ps)
        self._sum = np.zeros_like(self.frequency_THz)
        self._n_blocks = 0
        self._batches: list[np.ndarray] = []
        self._batch_size = 1
        self._pending = np.zeros_like(self.frequency_THz)
        self._pending_n = 0

    # -- input -----------------------------------------------------------------------
    def add(self, velocities_A_ps: ArrayLike) -> None:
        """Add one block of velocities, shape (n_steps, n_atoms, 3) (Å/ps)."""
        v = np.asarray(velocities_A_ps, dtype=float)
        if v.ndim != 3 or v.shape[0] != self.n_steps or v.shape[2] != 3:
            raise ValueError(f"block must have shape ({self.n_steps}, n_atoms, 3), got {v.shape}")
        if self.pairs.max() >= v.shape[1]:
            raise ValueError(f"pairs name atom {self.pairs.max()}, block has {v.shape[1]} atoms")
        if not np.all(np.isfinite(v)):
            raise ValueError("velocities contain NaN or inf")
        q = _block_spectrum(v, self.pairs, self.force_constants_eV_A2, self.dt_ps, self.window)
        self._sum += q
        self._n_blocks += 1
        self._pending += q
        self._pending_n += 1
        if self._pending_n == self._batch_size:
            self._batches.append(self._pending / self._batch_size)
            self._pending = np.zeros_like(self._pending)
            self._pending_n = 0
            if len(self._batches) == self.max_batches:
                self._batches = [(a + b) / 2 for a, b in zip(self._batches[::2],
                                                            self._batches[1::2], strict=True)]
                self._batch_size *= 2

    # -- bookkeeping -------------------------------------------------------------------
    @property
    def n_blocks(self) -> int:
        """Blocks added so far."""
        return self._n_blocks

    @property
    def n_batches(self) -> int:
        """Complete batches (the degrees of freedom of the intervals plus one)."""
        return len(self._batches)

    @property
    def delta_f_THz(self) -> float:
        """Frequency resolution Δf = 1/(n_steps dt) (THz)."""
        return 1.0 / (self.n_steps * self.dt_ps)

    @property
    def omega_rad_ps(self) -> np.ndarray:
        """Angular frequencies ω = 2πf (rad/ps), shape (n_freq,)."""
        return 2 * np.pi * self.frequency_THz

    def _functional(self, weights: np.ndarray | None,
                    confidence: float) -> dict[str, np.ndarray]:
        """Mean, SE, dof and interval of Σ_k weights[..., k] q_k (None: q_k itself)."""
        if self.n_batches < 2:
            raise ValueError(f"need at least 2 complete batches for an interval, have "
                             f"{self.n_batches} ({self.n_blocks} blocks)")
        mean_q = self._sum / self._n_blocks
        if not np.any(mean_q):
            raise ValueError("the spectral current is identically zero: check pairs and "
                             "force constants")
        values = np.asarray(self._batches)  # (n_batches, n_freq)
        mean = mean_q
        if weights is not None:
            values, mean = values @ np.asarray(weights).T, mean_q @ np.asarray(weights).T
        se = np.std(values, axis=0, ddof=1) * np.sqrt(self._batch_size / self._n_blocks)
        dof = self.n_batches - 1
        low, high = t_interval(mean, se, dof, confidence)
        return {"mean": mean, "se": se, "dof": dof, "low": low, "high": high}

    # -- results -------------------------------------------------------------------------
    def spectrum(self, confidence: float = 0.95) -> dict[str, np.ndarray]:
        """Mean q(f) with its pointwise interval.

        Returns
        -------
        dict
            ``frequency_THz`` (n_freq,); ``q_eV_ps_THz``, ``se_eV_ps_THz``,
            ``low_eV_ps_THz``, ``high_eV_ps_THz`` (n_freq,) in (eV/ps)/THz; ``dof``;
            ``n_blocks``.
        """
        r = self._functional(None, confidence)
        return {"frequency_THz": self.frequency_THz, "q_eV_ps_THz": r["mean"],
                "se_eV_ps_THz": r["se"], "low_eV_ps_THz": r["low"], "high_eV_ps_THz": r["high"],
                "dof": r["dof"], "n_blocks": self.n_blocks}

    def integrated_current(self, confidence: float = 0.95) -> dict[str, float]:
        """Sum rule: P = ∫₀^∞ q df, the mean harmonic power from L to R.

        Returns
        -------
        dict
            ``P_eV_ps``, ``se_eV_ps``, ``low_eV_ps``, ``high_eV_ps``, ``dof`` and the same
            in watts (``P_W``, ``se_W``, ``low_W``, ``high_W``).
        """
        r = self._functional(np.full(len(self.frequency_THz), self.delta_f_THz), confidence)
        out = {f"{k}_eV_ps": float(r[k]) for k in ("se", "low", "high")}
        out.update({f"{k}_W": float(power_W(r[k])) for k in ("se", "low", "high")})
        return {"P_eV_ps": float(r["mean"]), "P_W": float(power_W(r["mean"])), **out,
                "dof": r["dof"]}

    def inelastic_share(self, cutoff_THz: float, confidence: float = 0.95) -> dict[str, float]:
        """Fraction of ∫q above ``cutoff_THz`` (e.g. the softer side's highest frequency).

        Ratio of two functionals; its standard error by linearisation over the batches,
        z_b = (A_b − s B_b)/B̄ with s = Ā/B̄.

        Returns
        -------
        dict
            ``share`` (dimensionless), ``se``, ``low``, ``high``, ``dof``, ``cutoff_THz``.
        """
        above = np.where(self.frequency_THz > cutoff_THz, self.delta_f_THz, 0.0)
        total = np.full(len(self.frequency_THz), self.delta_f_THz)
        mean_a = float(self._sum @ above / self._n_blocks)
        mean_b = float(self._sum @ total / self._n_blocks)
        if mean_b == 0:
            raise ValueError("the integrated current is zero: the share is undefined")
        share = mean_a / mean_b
        r = self._functional((above - share * total) / mean_b, confidence)
        low, high = t_interval(share, r["se"], r["dof"], confidence)
        return {"share": share, "se": float(r["se"]), "low": float(low), "high": float(high),
                "dof": r["dof"], "cutoff_THz": float(cutoff_THz)}

    def spectral_conductance(self, delta_T_K: float, area_A2: float,
                             confidence: float = 0.95) -> dict[str, np.ndarray]:
        """G(f) = q(f)/(A ΔT) per unit area, in W m⁻² K⁻¹ THz⁻¹ (G = ∫ G(f) df).

        Parameters
        ----------
        delta_T_K : float
            Temperature difference T_L − T_R across the interface (K), non-zero.
        area_A2 : float
            Interface area (Å²).

        Returns
        -------
        dict
            ``frequency_THz``; ``G_W_m2K_THz``, ``se_W_m2K_THz``, ``low_W_m2K_THz``,
            ``high_W_m2K_THz`` (n_freq,); ``dof``.
        """
        scale = self._conductance_scale(delta_T_K, area_A2)
        s = self.spectrum(confidence)
        low, high = s["low_eV_ps_THz"] * scale, s["high_eV_ps_THz"] * scale
        return {"frequency_THz": self.frequency_THz, "G_W_m2K_THz": s["q_eV_ps_THz"] * scale,
                "se_W_m2K_THz": s["se_eV_ps_THz"] * abs(scale),
                "low_W_m2K_THz": np.minimum(low, high),
                "high_W_m2K_THz": np.maximum(low, high), "dof": s["dof"]}

    def quantum_conductance(self, temperatures_K: ArrayLike, delta_T_K: float, area_A2: float,
                            confidence: float = 0.95) -> dict[str, np.ndarray]:
        """Quantum-corrected G_q(T) = ∫ G(f) c_q(ω, T)/k_B df, and the classical G.

        The classical harmonic spectrum re-weighted mode by mode with the quantum heat
        capacity (Sääskilahti et al., PRB 90, 134312, 2014); → the classical G
        at high T.

        Parameters
        ----------
        temperatures_K : (n_T,) float
            Temperatures (K).
        delta_T_K, area_A2 : float
            As in :meth:`spectral_conductance`.

        Returns
        -------
        dict
            ``temperature_K`` (n_T,); ``G_MW_m2K``, ``se_MW_m2K``, ``low_MW_m2K``,
            ``high_MW_m2K`` (n_T,); ``G_classical_MW_m2K`` with ``..._se``, ``..._low``,
            ``..._high``; ``dof``.
        """
        temps = np.atleast_1d(np.asarray(temperatures_K, dtype=float))
        scale = self._conductance_scale(delta_T_K, area_A2) * 1e-6  # → MW m⁻² K⁻¹ THz⁻¹
        ratio = heat_capacity_ratio(self.omega_rad_ps, temps)  # (n_T, n_freq)
        weights = np.vstack([ratio, np.ones_like(self.frequency_THz)]) * self.delta_f_THz * scale
        r = self._functional(weights, confidence)
        low, high = np.minimum(r["low"], r["high"]), np.maximum(r["low"], r["high"])
        return {"temperature_K": temps, "G_MW_m2K": r["mean"][:-1], "se_MW_m2K": r["se"][:-1],
                "low_MW_m2K": low[:-1], "high_MW_m2K": high[:-1],
                "G_classical_MW_m2K": float(r["mean"][-1]),
                "G_classical_se_MW_m2K": float(r["se"][-1]),
                "G_classical_low_MW_m2K": float(low[-1]),
                "G_classical_high_MW_m2K": float(high[-1]), "dof": r["dof"]}

    @staticmethod
    def _conductance_scale(delta_T_K: float, area_A2: float) -> float:
        """(W m⁻² K⁻¹ THz⁻¹) per ((eV/ps)/THz) for the given ΔT and area."""
        if not area_A2 > 0 or delta_T_K == 0 or not np.isfinite(delta_T_K):
            raise ValueError("need area_A2 > 0 and a finite, non-zero delta_T_K")
        return W_M2_PER_EV_PS_A2 / (area_A2 * delta_T_K)
