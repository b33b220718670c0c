"""Synthetic NEMD replicas with a known Kapitza resistance, for tests and dry runs.

The steady profile is linear on each side with a known jump ΔT at the interface, plus
exponential deviations next to the baths (which the fit windows must exclude).  The
transient relaxes from a uniform temperature with time constant τ; the bin temperatures
carry AR(1) noise in time (variance ∝ 1/atoms); the bath powers are P (1 + 2 e^{−t/τ})
with AR(1) noise, accumulated into the cumulative tallies of the input contract.

The slow collective mode of a real run is there too: the two sides exchange energy
through the interface, so their mean temperatures move in opposite directions (energy
conserving, C_A δT_A + C_B δT_B = 0) as an Ornstein–Uhlenbeck process of the jump with
relaxation time τ_slow = C_eff R_K / A and variance k_B T²/C_eff, C = 3 N k_B
(:mod:`analysis.slow_mode`).  Both follow from the cell by default, as in MD; either can
be set to mimic a measured run.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from .slow_mode import slow_relaxation_time_ps
from .units import W_M2_PER_EV_PS_A2, kappa_W_mK

__all__ = ["ar1_noise", "synthetic_replica"]


def ar1_noise(
    rng: np.random.Generator, n_samples: int, shape: tuple[int, ...], phi: float, sd: float
) -> np.ndarray:
    """Stationary AR(1) noise x_t = φ x_{t−1} + sqrt(1 − φ²) sd ε_t along axis 0.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    n_samples : int
        Length of the series.
    shape : tuple of int
        Shape of the extra (independent) axes.
    phi : float
        Lag-1 autocorrelation, 0 <= phi < 1; integrated correlation time
        τ_int = (1 + φ)/(2(1 − φ)) samples.
    sd : float or array_like broadcastable to ``shape``
        Stationary standard deviation.

    Returns
    -------
    numpy.ndarray, shape (n_samples, *shape)
        Noise with stationary start.
    """
    eps = rng.standard_normal((n_samples, *shape))
    eps[0] /= np.sqrt(1.0 - phi**2)  # stationary first value
    return lfilter([np.sqrt(1.0 - phi**2)], [1.0, -phi], eps, axis=0) * sd


def synthetic_replica(
    *,
    seed: int,
    hot_side: str = "A",
    n_samples: int = 800,
    dt_ps: float = 1.0,
    length_A: float = 200.0,
    bin_width_A: float = 4.0,
    fixed_A: float = 5.0,
    bath_A: float = 20.0,
    z_interface_A: float = 100.0,
    T_mean_K: float = 300.0,
    delta_T_K: float = 10.0,
    grad_A_K_per_A: float = 0.10,
    grad_B_K_per_A: float = 0.05,
    flux_W_m2: float = 1.0e10,
    area_A2: float = 900.0,
    atoms_A: int = 60,
    atoms_B: int = 40,
    noise_K: float = 3.0,
    noise_phi: float = 0.5,
    power_noise: float = 0.3,
    power_phi: float = 0.5,
    transient_tau_ps: float = 40.0,
    bath_bump_K: float = 8.0,
    bump_length_A: float = 1.5,
    slow_mode: bool = True,
    slow_tau_ps: float | None = None,
    slow_amplitude_K: float | None = None,
) -> tuple[dict, dict]:
    """One synthetic replica in the raw-data contract and the truth it was built from.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    hot_side : {"A", "B"}
        Side (low z / high z) of the hot bath.
    grad_A_K_per_A, grad_B_K_per_A : float
        Magnitudes of the temperature gradients on each side (K/Å).
    noise_K : float
        Per-sample temperature noise SD of a 50-atom bin (K); scales as sqrt(50/atoms).
    noise_phi, power_phi : float
        AR(1) coefficients of the temperature and bath-power noise.
    power_noise : float
        Per-sample bath-power noise SD relative to the steady power.
    n_samples, dt_ps : int, float
        Number of samples and averaging window (ps).
    length_A, bin_width_A, fixed_A, bath_A, z_interface_A : float
        Stack length, bin width, fixed-layer and bath thicknesses, interface plane (Å).
    T_mean_K, delta_T_K : float
        Mean temperature and the jump at the interface (K).
    flux_W_m2, area_A2 : float
        Heat flux (W/m²) and cross-section (Å²).
    atoms_A, atoms_B : int
        Atoms per bin on each side.
    transient_tau_ps : float
        Relaxation time of the start-up transient (ps).
    bath_bump_K, bump_length_A : float
        Amplitude (K) and decay length (Å) of the bends next to the baths.
    slow_mode : bool
        Add the slow collective mode of the jump (module docstring).
    slow_tau_ps, slow_amplitude_K : float, optional
        Its relaxation time (ps) and standard deviation of the jump (K); default
        C_eff R_K / A and sqrt(k_B T² / C_eff) from the atoms of the cell.

    Returns
    -------
    (raw, truth) : tuple of dict
        ``raw`` follows :func:`analysis.nemd.validate_replica`; ``truth`` holds
        ``R_K_m2K_W``, ``delta_T_K``, ``flux_W_m2``, ``kappa_A_W_mK``, ``kappa_B_W_mK``,
        ``dTdz_A_K_per_A``, ``dTdz_B_K_per_A`` (signed), ``power_eV_ps``,
        ``transient_tau_ps``.
    """
    rng = np.random.default_rng(seed)
    n_bins = round(length_A / bin_width_A)
    z = (np.arange(n_bins) + 0.5) * bin_width_A
    if not np.isclose(z_interface_A / bin_width_A, round(z_interface_A / bin_width_A)):
        raise ValueError("the interface must be a bin edge")
    flow = 1.0 if hot_side == "A" else -1.0
    grads = {"A": -flow * grad_A_K_per_A, "B": -flow * grad_B_K_per_A}  # dT/dz
    T_hot_i, T_cold_i = T_mean_K + delta_T_K / 2, T_mean_K - delta_T_K / 2
    T_i = {"A": T_hot_i if hot_side == "A" else T_cold_i,
           "B": T_cold_i if hot_side == "A" else T_hot_i}
    low_bath = (fixed_A, fixed_A + bath_A)
    high_bath = (length_A - fixed_A - bath_A, length_A - fixed_A)
    # Flat inside each bath; in between, the lines plus bends towards the baths.
    edge_low, edge_high = low_bath[1], high_bath[0]
    zc = np.clip(z, edge_low, edge_high)
    on_a = z < z_interface_A
    T_ss = (np.where(on_a, T_i["A"] + grads["A"] * (zc - z_interface_A),
                     T_i["B"] + grads["B"] * (zc - z_interface_A))
            + flow * bath_bump_K * np.exp(-(zc - edge_low) / bump_length_A)
            - flow * bath_bump_K * np.exp(-(edge_high - zc) / bump_length_A))
    atoms = np.where(on_a, atoms_A, atoms_B).astype(float)
    fixed = (z < fixed_A) | (z > length_A - fixed_A)
    atoms[fixed] = 0.0

    time = dt_ps * np.arange(1, n_samples + 1)
    decay = np.exp(-(time - dt_ps / 2) / transient_tau_ps)[:, None]
    sd = noise_K * np.sqrt(50.0 / np.where(atoms > 0, atoms, 1.0))
    T = T_ss + (T_mean_K - T_ss) * decay + ar1_noise(rng, n_samples, (n_bins,), noise_phi, sd)
    n_a, n_b = float(atoms[on_a].sum()), float(atoms[~on_a].sum())
    r_k = delta_T_K / flux_W_m2
    tau_slow = slow_tau_ps or slow_relaxation_time_ps(n_a, n_b, r_k, area_A2)
    amplitude = slow_amplitude_K
    if amplitude is None:
        amplitude = T_mean_K * np.sqrt((1.0 / n_a + 1.0 / n_b) / 3.0)  # sqrt(k_B T²/C_eff)
    if slow_mode:
        # x: fluctuation of T_A − T_B; side A takes C_B/(C_A+C_B) of it, side B the rest.
        x = ar1_noise(rng, n_samples, (), np.exp(-dt_ps / tau_slow), amplitude)
        T += x[:, None] * np.where(on_a, n_b / (n_a + n_b), -n_a / (n_a + n_b))[None, :]
    T[:, fixed] = np.nan

    power = flux_W_m2 * area_A2 / W_M2_PER_EV_PS_A2  # eV/ps
    shape = power * (1.0 + 2.0 * decay[:, 0])
    noise = ar1_noise(rng, n_samples, (2,), power_phi, power_noise * power)
    e_hot = np.cumsum((shape + noise[:, 0]) * dt_ps)
    e_cold = -np.cumsum((shape + noise[:, 1]) * dt_ps)
    hot_region, cold_region = (low_bath, high_bath) if hot_side == "A" else (high_bath,
                                                                            low_bath)
    raw = {"time_ps": time, "z_A": z, "temperature_K": T, "atoms_per_bin": atoms,
           "energy_hot_eV": e_hot, "energy_cold_eV": e_cold, "area_A2": area_A2,
           "z_interface_A": z_interface_A, "hot_region_A": hot_region,
           "cold_region_A": cold_region}
    truth = {"R_K_m2K_W": delta_T_K / flux_W_m2, "delta_T_K": delta_T_K,
             "flux_W_m2": flux_W_m2,
             "kappa_A_W_mK": float(kappa_W_mK(flux_W_m2, grad_A_K_per_A)),
             "kappa_B_W_mK": float(kappa_W_mK(flux_W_m2, grad_B_K_per_A)),
             "dTdz_A_K_per_A": grads["A"], "dTdz_B_K_per_A": grads["B"],
             "power_eV_ps": power, "transient_tau_ps": transient_tau_ps,
             "slow_tau_ps": tau_slow, "slow_amplitude_K": float(amplitude)}
    return raw, truth
