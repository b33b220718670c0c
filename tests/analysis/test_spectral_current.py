"""Spectral heat current: sign, units, sum rule, bounded memory and interval coverage.

The test system is a harmonic chain of four atoms (two of mass 40 amu in L, two of
80 amu in R, springs 1 eV/Å², both ends pinned to walls), in three independent
Cartesian copies, with Langevin baths on the end atoms at 60 K (L) and 20 K (R).  It is
a linear stochastic system, dx = A x dt + B dW, so everything is known exactly:
the steady covariance Σ from the Lyapunov equation AΣ + ΣAᵀ + BBᵀ = 0 gives the mean
power k⟨u₁v₂⟩ across the L|R bond, and the velocity cross-spectrum
S(ω) = H BBᵀ H†, H = (−iω − A)⁻¹, gives the true q(ω).  Trajectories are sampled with
the exact discretisation of the process (x ← e^{AΔt} x + ξ, cov ξ = Σ − e^{AΔt} Σ e^{AᵀΔt}),
so the data carry no integrator error and start in the steady state.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy import constants, linalg

from analysis.agf import RAD_PS2_PER_EV_A2_AMU, heat_capacity_ratio
from analysis.spectral_current import (
    SpectralCurrentAccumulator,
    pair_force_constants,
    spectral_current_block,
)
from analysis.units import W_M2_PER_EV_PS_A2

KB_EV_K = constants.k / constants.electron_volt
K_EV_A2 = 1.0
PHI_12 = -K_EV_A2 * np.eye(3)  # Φ between atom 1 (L) and atom 2 (R)
DT_PS, N_STEPS = 0.05, 256  # Nyquist 10 THz, above the chain's ≈ 5 THz
AREA_A2, DELTA_T_K = 10.0, 40.0


class LangevinChain:
    """The four-atom chain of the module docstring, exactly solvable."""

    def __init__(self, t_left_K: float = 60.0, t_right_K: float = 20.0):
        masses = np.array([40.0, 40.0, 80.0, 80.0])
        gamma = np.array([5.0, 0.0, 0.0, 5.0])  # ps⁻¹
        temps = np.array([t_left_K, 0.0, 0.0, t_right_K])
        n = self.n = 4
        phi = 2 * K_EV_A2 * np.eye(n) - K_EV_A2 * (np.eye(n, k=1) + np.eye(n, k=-1))
        self.a = np.zeros((2 * n, 2 * n))
        self.a[:n, n:] = np.eye(n)
        self.a[n:, :n] = -RAD_PS2_PER_EV_A2_AMU * phi / masses[:, None]  # ps⁻²
        self.a[n:, n:] = -np.diag(gamma)
        b = np.zeros((2 * n, 2 * n))
        b[n:, n:] = np.diag(np.sqrt(2 * gamma * KB_EV_K * temps * RAD_PS2_PER_EV_A2_AMU / masses))
        self.bbt = b @ b.T
        self.cov = linalg.solve_continuous_lyapunov(self.a, -self.bbt)
        self.step = linalg.expm(self.a * DT_PS)

    @property
    def power_eV_ps(self) -> float:
        """Exact mean power across the 1|2 bond, 3 directions: 3 k ⟨u₁ v₂⟩."""
        return 3 * K_EV_A2 * self.cov[1, self.n + 2]

    def q_eV_ps_THz(self, frequency_THz: np.ndarray) -> np.ndarray:
        """Exact q(f) = −(2/ω) Σ Φ Im S_{v₂v₁}(ω), three directions."""
        omega = 2 * np.pi * frequency_THz
        h = np.linalg.inv(-1j * omega[:, None, None] * np.eye(2 * self.n) - self.a)
        s = h @ self.bbt @ np.conj(np.swapaxes(h, 1, 2))
        return -3 * (2 / omega) * PHI_12[0, 0] * s[:, self.n + 2, self.n + 1].imag

    def run(self, rng: np.random.Generator, n_runs: int, n_blocks: int):
        """Yield blocks of interface velocities (N_STEPS, n_runs, 2, 3) and direct powers."""
        n2 = 2 * self.n
        noise_cov = self.cov - self.step @ self.cov @ self.step.T
        vals, vecs = np.linalg.eigh(noise_cov)
        noise_root = vecs * np.sqrt(np.clip(vals, 0, None))
        vals, vecs = np.linalg.eigh(self.cov)
        x = rng.standard_normal((n_runs * 3, n2)) @ (vecs * np.sqrt(np.clip(vals, 0, None))).T
        step_t = self.step.T.copy()
        for _ in range(n_blocks):
            noise = rng.standard_normal((N_STEPS, n_runs * 3, n2)) @ noise_root.T
            traj = np.empty_like(noise)
            for s in range(N_STEPS):
                x = x @ step_t + noise[s]
                traj[s] = x
            traj = traj.reshape(N_STEPS, n_runs, 3, n2)
            # direct power F_{2←1}·v₂ = k (u₁ − u₂)·v₂ summed over directions, per sample
            power = K_EV_A2 * np.einsum("srd,srd->sr", traj[..., 1] - traj[..., 2],
                                        traj[..., self.n + 2])
            yield np.moveaxis(traj[..., self.n + 1:self.n + 3], 2, 3), power


def accumulate(chain: LangevinChain, seed: int, n_runs: int, n_blocks: int):
    """Accumulators (one per run) and the directly measured mean powers (eV/ps)."""
    accs = [SpectralCurrentAccumulator([[0, 1]], [PHI_12], DT_PS, N_STEPS)
            for _ in range(n_runs)]
    direct = np.zeros(n_runs)
    for vel, power in chain.run(np.random.default_rng(seed), n_runs, n_blocks):
        direct += power.mean(axis=0) / n_blocks
        for r, acc in enumerate(accs):
            acc.add(vel[:, r])
    return accs, direct


@pytest.fixture(scope="module")
def trials():
    """200 independent seeded runs of 32 blocks (410 ps each)."""
    return accumulate(LangevinChain(), seed=2, n_runs=200, n_blocks=32)


# ---------------------------------------------------------------------------------------
# Convention and sum rule
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("window", ["boxcar", "hann"])
def test_pure_tone_sign_and_units(window):
    """v₁ = A cos ωt, v₂ = A cos(ωt − φ): P = ½⟨v₁Φu₂ − u₁Φv₂⟩ = k A² sin φ/(2ω) > 0
    when the R atom lags (a wave travelling L → R); exact with a boxcar window."""
    n, bin_index, phase, amp = 512, 37, 0.7, 3.0
    t = np.arange(n) * DT_PS
    omega = 2 * np.pi * bin_index / (n * DT_PS)
    vel = np.zeros((n, 2, 3))
    vel[:, 0, 0] = amp * np.cos(omega * t)
    vel[:, 1, 0] = amp * np.cos(omega * t - phase)
    freq, q = spectral_current_block(vel, [[0, 1]], [PHI_12], DT_PS, window=window)
    exact = K_EV_A2 * amp**2 * np.sin(phase) / (2 * omega)  # eV/ps
    total = q.sum() * freq[1]
    assert total > 0
    assert total == pytest.approx(exact, rel=1e-12 if window == "boxcar" else 2e-3)
    # swapping L and R reverses the current
    _, q_rev = spectral_current_block(vel[:, ::-1], [[0, 1]], [PHI_12], DT_PS, window=window)
    np.testing.assert_allclose(q_rev, -q, atol=1e-12 * np.abs(q).max())


def test_exact_spectrum_integrates_to_exact_power():
    """The formula of the module docstring, evaluated on the exact cross-spectrum,
    sums to the exact mean power (a check of the derivation, independent of sampling)."""
    chain = LangevinChain()
    f = np.linspace(1e-4, 10.0, 20001)
    q = chain.q_eV_ps_THz(f)
    assert chain.power_eV_ps > 0  # hot L → cold R
    assert np.trapezoid(q, f) == pytest.approx(chain.power_eV_ps, rel=1e-6)
    assert np.all(q > -1e-9 * q.max())  # a harmonic chain: every frequency carries L → R


def test_sum_rule_against_direct_power_and_sign():
    """One long run each way: ∫q df brackets the directly measured Σ F·v and the exact
    power, positive from hot to cold, and the W conversion is the eV/ps one."""
    for t_left, t_right, sign in ((60.0, 20.0, 1), (20.0, 60.0, -1)):
        chain = LangevinChain(t_left, t_right)
        (acc,), direct = accumulate(chain, seed=7, n_runs=1, n_blocks=128)
        res = acc.integrated_current()
        assert np.sign(res["P_eV_ps"]) == sign == np.sign(chain.power_eV_ps)
        assert res["low_eV_ps"] <= direct[0] <= res["high_eV_ps"]
        wide = acc.integrated_current(confidence=0.999)  # one run: 95 % coverage is tested below
        assert wide["low_eV_ps"] <= chain.power_eV_ps <= wide["high_eV_ps"]
        assert res["se_eV_ps"] < 0.05 * abs(chain.power_eV_ps)  # not a vacuous interval
        assert res["P_W"] == pytest.approx(res["P_eV_ps"] * constants.electron_volt / 1e-12)
        spec = acc.spectrum()
        assert np.trapezoid(np.abs(spec["q_eV_ps_THz"]), spec["frequency_THz"]) > 0
        # the spectrum follows the exact one (Hann smoothing blurs sharp peaks a little)
        f = spec["frequency_THz"][1:]
        exact = chain.q_eV_ps_THz(f)
        band = (f > 0.5) & (f < 4.5)
        rel = np.abs(spec["q_eV_ps_THz"][1:] - exact)[band].sum() / np.abs(exact[band]).sum()
        assert rel < 0.15


def test_spectral_and_quantum_conductance_units():
    chain = LangevinChain()
    (acc,), _ = accumulate(chain, seed=11, n_runs=1, n_blocks=16)
    spec = acc.spectrum()
    g_f = acc.spectral_conductance(DELTA_T_K, AREA_A2)
    np.testing.assert_allclose(g_f["G_W_m2K_THz"],
                               spec["q_eV_ps_THz"] * 1.602176634e13 / (AREA_A2 * DELTA_T_K))
    assert np.all(g_f["low_W_m2K_THz"] <= g_f["high_W_m2K_THz"])
    res = acc.quantum_conductance([1.0, 20.0, 1e5], DELTA_T_K, AREA_A2)
    g_cl = acc.integrated_current()["P_eV_ps"] * W_M2_PER_EV_PS_A2 / (AREA_A2 * DELTA_T_K) / 1e6
    assert res["G_classical_MW_m2K"] == pytest.approx(g_cl, rel=1e-12)
    assert res["G_MW_m2K"][2] == pytest.approx(g_cl, rel=1e-4)  # high T → classical
    assert res["G_MW_m2K"][0] < 1e-3 * g_cl  # ħω ≫ k_BT: frozen out
    assert np.all(np.diff(res["G_MW_m2K"]) > 0)


def test_pair_force_constants_match_finite_differences():
    """Φ_ij of a Lennard-Jones pair equals ∂²E/∂u_i∂u_j by central differences."""
    eps, sig = 0.0104, 3.4
    r_i, r_j = np.zeros(3), np.array([2.9, 1.1, -0.8])

    def energy(ri, rj):
        x = sig / np.linalg.norm(rj - ri)
        return 4 * eps * (x**12 - x**6)

    r = np.linalg.norm(r_j - r_i)
    d1 = 4 * eps * (-12 * sig**12 / r**13 + 6 * sig**6 / r**7)
    d2 = 4 * eps * (156 * sig**12 / r**14 - 42 * sig**6 / r**8)
    phi = pair_force_constants([r_j - r_i], [d1], [d2])[0]
    h, fd = 1e-4, np.zeros((3, 3))
    for a in range(3):
        for b in range(3):
            ea, eb = np.eye(3)[a] * h, np.eye(3)[b] * h
            fd[a, b] = (energy(r_i + ea, r_j + eb) - energy(r_i + ea, r_j - eb)
                        - energy(r_i - ea, r_j + eb) + energy(r_i - ea, r_j - eb)) / (4 * h * h)
    np.testing.assert_allclose(phi, fd, atol=1e-6 * np.abs(fd).max())


# ---------------------------------------------------------------------------------------
# Streaming: batches and memory
# ---------------------------------------------------------------------------------------
def test_batches_merge_and_mean_is_over_all_blocks():
    rng = np.random.default_rng(0)
    acc = SpectralCurrentAccumulator([[0, 1]], [PHI_12], DT_PS, 64, max_batches=8)
    qs = []
    for _ in range(37):
        block = rng.standard_normal((64, 2, 3))
        block[:, 1] += 0.5 * np.roll(block[:, 0], 1, axis=0)  # R lags L: a net current
        qs.append(spectral_current_block(block, [[0, 1]], [PHI_12], DT_PS)[1])
        acc.add(block)
        assert acc.n_batches <= 8
    assert acc.n_blocks == 37
    np.testing.assert_allclose(acc.spectrum()["q_eV_ps_THz"], np.mean(qs, axis=0), rtol=1e-12)
    assert acc.spectrum()["dof"] == acc.n_batches - 1 >= 3


def test_bad_input_fails_clearly():
    acc = SpectralCurrentAccumulator([[0, 1]], [PHI_12], DT_PS, 64)
    with pytest.raises(ValueError, match="shape"):
        acc.add(np.zeros((63, 2, 3)))
    with pytest.raises(ValueError, match="atoms"):
        acc.add(np.zeros((64, 1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        acc.add(np.full((64, 2, 3), np.nan))
    acc.add(np.random.default_rng(1).standard_normal((64, 2, 3)))
    with pytest.raises(ValueError, match="2 complete batches"):
        acc.integrated_current()
    zero = SpectralCurrentAccumulator([[0, 1]], [np.zeros((3, 3))], DT_PS, 64)
    for _ in range(3):
        zero.add(np.random.default_rng(2).standard_normal((64, 2, 3)))
    with pytest.raises(ValueError, match="identically zero"):
        zero.integrated_current()


def _peak_bytes(n_blocks: int) -> int:
    """Peak traced memory while streaming ``n_blocks`` blocks of 20 atoms."""
    pairs = np.array([(i, 10 + i) for i in range(10)])
    phi = np.repeat(PHI_12[None], 10, axis=0)
    rng = np.random.default_rng(3)
    tracemalloc.start()
    acc = SpectralCurrentAccumulator(pairs, phi, DT_PS, N_STEPS, max_batches=16)
    for _ in range(n_blocks):
        acc.add(rng.standard_normal((N_STEPS, 20, 3)))
    acc.integrated_current()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_memory_is_bounded():
    """200 blocks need no more memory than 10 (apart from the ≤ 16 batch spectra)."""
    peak_10, peak_200 = _peak_bytes(10), _peak_bytes(200)
    n_freq = N_STEPS // 2 + 1
    assert peak_200 < peak_10 + 16 * n_freq * 8 * 1.5
    assert peak_200 < 1.2 * peak_10
    # keeping every block's spectrum would have cost more than that margin
    assert 200 * n_freq * 8 > 1.2 * peak_10 - peak_10


# ---------------------------------------------------------------------------------------
# Coverage of the intervals (200 seeded runs, 15 degrees of freedom each)
# ---------------------------------------------------------------------------------------
def _coverage(results, truth, low="low", high="high"):
    return np.mean([(r[low] <= truth) & (truth <= r[high]) for r in results], axis=0)


def test_integrated_current_interval_covers_exact_power(trials):
    accs, direct = trials
    truth = LangevinChain().power_eV_ps
    res = [a.integrated_current() for a in accs]
    assert res[0]["dof"] == 15
    assert 0.90 <= _coverage(res, truth, "low_eV_ps", "high_eV_ps") <= 0.99
    se = np.array([r["se_eV_ps"] for r in res])
    estimates = np.array([r["P_eV_ps"] for r in res])
    assert np.mean(se) < 0.1 * truth  # informative intervals
    assert 0.75 < np.mean(se) / np.std(estimates) < 1.33  # SE matches the real scatter
    assert abs(estimates.mean() - truth) < 3 * np.std(estimates) / np.sqrt(len(res))
    # the direct Σ F·v of the same run lies in the spectral interval nearly always
    inside = [r["low_eV_ps"] <= d <= r["high_eV_ps"] for r, d in zip(res, direct, strict=True)]
    assert np.mean(inside) >= 0.97


def test_quantum_conductance_and_share_intervals_cover(trials):
    accs, _ = trials
    chain = LangevinChain()
    f = np.linspace(1e-4, 10.0, 20001)
    q = chain.q_eV_ps_THz(f)
    temps = np.array([5.0, 20.0, 100.0])
    g_true = np.trapezoid(q * heat_capacity_ratio(2 * np.pi * f, temps), f, axis=1) \
        * W_M2_PER_EV_PS_A2 / (AREA_A2 * DELTA_T_K) / 1e6
    res = [a.quantum_conductance(temps, DELTA_T_K, AREA_A2) for a in accs]
    cov = _coverage(res, g_true, "low_MW_m2K", "high_MW_m2K")
    assert np.all((cov >= 0.90) & (cov <= 0.99)), cov
    cutoff = 2.0  # THz, between the chain's bands of modes
    share_true = np.trapezoid(np.where(f > cutoff, q, 0.0), f) / np.trapezoid(q, f)
    shares = [a.inelastic_share(cutoff) for a in accs]
    assert 0.90 <= _coverage(shares, share_true) <= 0.99
    assert np.mean([s["se"] for s in shares]) < 0.05
