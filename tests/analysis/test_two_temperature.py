"""Steady two-temperature model of a metal/nonmetal cell and the fit of R_pp, R_ep, R_total.

Synthetic profiles come from the closed form with known parameters (a Cu-like metal:
κ_e = 380, κ_p = 20 W/mK, G = 1e17 W/m³K, ℓ ≈ 13.8 nm; a nonmetal with κ = 50 W/mK;
R_pp = 2e-9 m²K/W; J = 5 GW/m² known to 2 %), plus white or AR(1)-correlated bin noise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.two_temperature import (
    MIN_COUPLING_LENGTHS,
    R_ep_majumdar_reddy,
    TwoTemperatureModel,
    fit_two_temperature,
    metal_length_warning,
    model_from_fit,
    side_distances_A,
)

TRUTH = TwoTemperatureModel(T_far_K=320.0, flux_W_m2=5e9, kappa_e_W_mK=380.0,
                            kappa_p_W_mK=20.0, G_ep_W_m3K=1e17, R_pp_m2K_W=2e-9,
                            kappa_nonmetal_W_mK=50.0)
FLUX_SE = 1e8
Z_METAL = np.arange(5.0, 500.0, 10.0)  # lattice bins, Å (metal at high z, interface at 0)
Z_ELECTRON = np.arange(10.0, 500.0, 20.0)  # ttm/mod electron grid, Å
Z_NONMETAL = -np.arange(5.0, 300.0, 10.0)
QUANTITIES = {"R_pp": "m2K_W", "R_ep": "m2K_W", "R_total": "m2K_W", "G_ep": "W_m3K",
              "coupling_length": "nm", "kappa_p": "W_mK", "T_p_interface": "K"}


def truth_values(model=TRUTH):
    return {"R_pp": model.R_pp_m2K_W, "R_ep": model.R_ep_m2K_W, "R_total": model.R_total_m2K_W,
            "G_ep": model.G_ep_W_m3K, "coupling_length": model.coupling_length_nm,
            "kappa_p": model.kappa_p_W_mK, "T_p_interface": model.T_p_interface_K}


def ar1_cov(n, sigma, phi):
    i = np.arange(n)
    return sigma**2 * phi ** np.abs(i[:, None] - i[None, :])


def synthetic(model=TRUTH, *, sigma=0.0, phi=0.0, seed=0, z_interface=0.0, mirror=False,
              electrons=True):
    """Keyword arguments of :func:`fit_two_temperature` for noisy closed-form profiles."""
    rng = np.random.default_rng(seed)
    sign = -1.0 if mirror else 1.0
    blocks = {}
    for name, z in (("metal", Z_METAL), ("electron", Z_ELECTRON), ("nonmetal", Z_NONMETAL)):
        if name == "nonmetal":
            T = model.nonmetal_temperature_K(-z)
        else:
            T_e, T_p = model.metal_temperatures_K(z)
            T = T_e if name == "electron" else T_p
        cov = ar1_cov(z.size, max(sigma, 1e-3), phi)
        if sigma > 0:
            T = T + np.linalg.cholesky(cov) @ rng.standard_normal(z.size)
        blocks[name] = (z_interface + sign * z, T, cov if phi > 0 else np.sqrt(np.diag(cov)))
    flux = model.flux_W_m2 + (FLUX_SE * rng.standard_normal() if sigma > 0 else 0.0)
    kwargs = {
        "z_interface_A": z_interface, "flux_W_m2": flux, "flux_se_W_m2": FLUX_SE,
        "z_metal_A": blocks["metal"][0], "T_metal_K": blocks["metal"][1],
        "T_metal_err_K": blocks["metal"][2],
        "z_nonmetal_A": blocks["nonmetal"][0], "T_nonmetal_K": blocks["nonmetal"][1],
        "T_nonmetal_err_K": blocks["nonmetal"][2]}
    if electrons:
        kwargs |= {"z_electron_A": blocks["electron"][0], "T_electron_K": blocks["electron"][1],
                       "T_electron_err_K": blocks["electron"][2]}
    if math.isfinite(model.metal_length_A):
        kwargs["far_end_A"] = z_interface + sign * model.metal_length_A
    return kwargs


def covers(result, truth):
    return {name: result[f"{name}_ci95_low_{unit}"] <= truth[name]
            <= result[f"{name}_ci95_high_{unit}"] for name, unit in QUANTITIES.items()}


# --- closed form -------------------------------------------------------------------------

@pytest.mark.parametrize("length_A", [math.inf, 400.0])
def test_energy_balance_of_the_closed_form(length_A):
    model = TwoTemperatureModel(**{**TRUTH.__dict__, "metal_length_A": length_A})
    s = np.linspace(0.0, min(length_A, 600.0), 2001)
    flux_e, flux_p = model.fluxes_W_m2(s)
    np.testing.assert_allclose(flux_e + flux_p, model.flux_W_m2, rtol=1e-10)  # J constant
    assert abs(flux_e[0]) < 1e-9 * model.flux_W_m2  # electrons do not cross the interface
    if math.isfinite(length_A):
        assert abs(flux_p[-1]) < 1e-9 * model.flux_W_m2  # all heat electronic at the far end
    # the analytic fluxes are κ dT/ds of the profiles, and the profiles obey the ODEs
    T_e, T_p = model.metal_temperatures_K(s)
    ds_m = (s[1] - s[0]) * 1e-10
    np.testing.assert_allclose(model.kappa_e_W_mK * np.gradient(T_e, ds_m)[1:-1], flux_e[1:-1],
                               atol=2e-4 * model.flux_W_m2)
    exchange = model.G_ep_W_m3K * (T_e - T_p)
    lap_e = np.diff(T_e, 2) / ds_m**2
    lap_p = np.diff(T_p, 2) / ds_m**2
    np.testing.assert_allclose(model.kappa_e_W_mK * lap_e, exchange[1:-1],
                               rtol=1e-3, atol=1e-4 * abs(exchange).max())
    np.testing.assert_allclose(model.kappa_p_W_mK * lap_p, -exchange[1:-1],
                               rtol=1e-3, atol=1e-4 * abs(exchange).max())


def test_resistances_of_the_closed_form():
    m = TRUTH
    ell_m = m.coupling_length_nm * 1e-9
    assert ell_m == pytest.approx(math.sqrt(380 * 20 / (1e17 * 400)), rel=1e-12)
    T_e, T_p = m.metal_temperatures_K(np.array([0.0, 5000.0]))
    # far-field line: T_e and T_p both approach T_far + J s/κ
    far = m.T_far_K + m.flux_W_m2 / 400.0 * 5000e-10
    assert T_e[1] == pytest.approx(far, abs=1e-9) and T_p[1] == pytest.approx(far, abs=1e-9)
    assert (m.T_far_K - T_p[0]) / m.flux_W_m2 == pytest.approx(m.R_ep_m2K_W, rel=1e-12)
    assert (T_e[0] - T_p[0]) / m.flux_W_m2 == pytest.approx(m.R_ep_local_m2K_W, rel=1e-12)
    assert m.R_ep_local_m2K_W == pytest.approx(R_ep_majumdar_reddy(1e17, 20.0, 380.0))
    assert m.R_ep_m2K_W == pytest.approx((380 / 400) ** 1.5 / math.sqrt(1e17 * 20), rel=1e-12)
    jump = T_p[0] - m.nonmetal_temperature_K([0.0])[0]
    assert jump / m.flux_W_m2 == pytest.approx(m.R_pp_m2K_W, rel=1e-12)
    assert R_ep_majumdar_reddy(1e17, 20.0) == pytest.approx(1 / math.sqrt(2e18))


# --- fit: exact data ---------------------------------------------------------------------

@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("length_A", [math.inf, 520.0])
def test_noise_free_fit_recovers_the_model(mirror, length_A):
    model = TwoTemperatureModel(**{**TRUTH.__dict__, "metal_length_A": length_A})
    result = fit_two_temperature(**synthetic(model, z_interface=40.0, mirror=mirror))
    for name, value in truth_values(model).items():
        assert result[f"{name}_{QUANTITIES[name]}"] == pytest.approx(value, rel=1e-4), name
    assert result["kappa_e_W_mK"] == pytest.approx(380.0, rel=1e-3)
    assert result["kappa_nonmetal_W_mK"] == pytest.approx(50.0, rel=1e-6)
    assert result["metal_side"] == ("low z" if mirror else "high z")
    assert result["warnings"] == []
    refit = model_from_fit(result)
    assert refit.R_total_m2K_W == pytest.approx(model.R_total_m2K_W, rel=1e-4)


def test_lattice_profile_alone_determines_the_model():
    result = fit_two_temperature(**synthetic(electrons=False))
    assert result["R_ep_m2K_W"] == pytest.approx(TRUTH.R_ep_m2K_W, rel=1e-4)
    assert result["G_ep_W_m3K"] == pytest.approx(1e17, rel=1e-3)


def test_majumdar_reddy_limit_on_noise_free_data():
    """κ_e ≫ κ_p: the fitted R_ep tends to 1/sqrt(G κ_p) (Majumdar & Reddy 2004)."""
    model = TwoTemperatureModel(**{**TRUTH.__dict__, "kappa_e_W_mK": 2e4})
    result = fit_two_temperature(**synthetic(model))
    limit = R_ep_majumdar_reddy(1e17, 20.0)
    assert result["R_ep_m2K_W"] == pytest.approx(limit, rel=2e-3)
    assert result["R_ep_MR_m2K_W"] == pytest.approx(limit, rel=2e-3)
    # away from the limit the far-field R_ep is smaller by (κ_e/κ)^{3/2}
    assert TRUTH.R_ep_m2K_W / R_ep_majumdar_reddy(1e17, 20.0) == pytest.approx(0.95**1.5)


def test_full_covariance_equals_block_errors():
    kwargs = synthetic(sigma=0.2, phi=0.5, seed=3)
    blocks = [kwargs["T_metal_err_K"], kwargs["T_electron_err_K"], kwargs["T_nonmetal_err_K"]]
    full = np.zeros((sum(b.shape[0] for b in blocks),) * 2)
    start = 0
    for b in blocks:
        full[start:start + b.shape[0], start:start + b.shape[0]] = b
        start += b.shape[0]
    joint = fit_two_temperature(**{**kwargs, "T_metal_err_K": None, "T_electron_err_K": None,
                                   "T_nonmetal_err_K": None, "data_cov_K2": full})
    separate = fit_two_temperature(**kwargs)
    for key in ("R_pp_m2K_W", "R_ep_se_m2K_W", "G_ep_ci95_high_W_m3K"):
        assert joint[key] == pytest.approx(separate[key], rel=1e-6)


# --- fit: noisy data ---------------------------------------------------------------------

def test_noisy_fit_recovers_within_interval_and_bootstrap_agrees():
    kwargs = synthetic(sigma=0.2, phi=0.5, seed=11)
    delta = fit_two_temperature(**kwargs)
    truth = truth_values()
    assert all(covers(delta, truth).values())
    assert 0.3 < delta["p_value"]
    boot = fit_two_temperature(**kwargs, n_bootstrap=80, seed=1)
    assert boot["interval_method"].startswith("parametric bootstrap (80 replicas")
    for name in ("R_pp", "R_ep", "R_total"):
        unit = QUANTITIES[name]
        width_d = delta[f"{name}_ci95_high_{unit}"] - delta[f"{name}_ci95_low_{unit}"]
        width_b = boot[f"{name}_ci95_high_{unit}"] - boot[f"{name}_ci95_low_{unit}"]
        assert 0.6 < width_b / width_d < 1.6, name


def test_relative_sigma_scales_with_chi2():
    kwargs = synthetic(sigma=0.2, seed=5)
    absolute = fit_two_temperature(**kwargs)
    doubled = {**kwargs, "T_metal_err_K": 2 * kwargs["T_metal_err_K"],
               "T_electron_err_K": 2 * kwargs["T_electron_err_K"],
               "T_nonmetal_err_K": 2 * kwargs["T_nonmetal_err_K"]}
    relative = fit_two_temperature(**doubled, absolute_sigma=False)
    assert relative["R_pp_m2K_W"] == pytest.approx(absolute["R_pp_m2K_W"], rel=1e-6)
    assert relative["chi2_red"] == pytest.approx(absolute["chi2_red"] / 4, rel=1e-6)
    # only relative weights matter: 4 × covariance × chi2_red/4 = covariance × chi2_red
    ratio = relative["parameters"]["cov"][4][4] / absolute["parameters"]["cov"][4][4]
    assert ratio == pytest.approx(absolute["chi2_red"], rel=1e-4)


def _coverage(n_trials, phi, first_seed):
    truth = truth_values()
    hits = {name: 0 for name in QUANTITIES}
    for seed in range(first_seed, first_seed + n_trials):
        result = fit_two_temperature(**synthetic(sigma=0.2, phi=phi, seed=seed))
        for name, hit in covers(result, truth).items():
            hits[name] += hit
    return {name: count / n_trials for name, count in hits.items()}


def test_coverage_quick():
    """50 seeded trials (≈ 2 s): a gross error in the intervals would show."""
    coverage = _coverage(50, phi=0.5, first_seed=100)
    assert all(0.86 <= value <= 1.0 for value in coverage.values()), coverage


@pytest.mark.slow
@pytest.mark.parametrize("phi", [0.0, 0.6])
def test_coverage_of_95_intervals(phi):
    """300 trials each with white and AR(1)-correlated bin noise (≈ 10 s each)."""
    coverage = _coverage(300, phi=phi, first_seed=1000)
    assert all(0.90 <= value <= 0.98 for value in coverage.values()), coverage


# --- checks and errors -------------------------------------------------------------------

def test_metal_length_warning():
    assert MIN_COUPLING_LENGTHS == 3.0
    assert metal_length_warning(420.0, 13.8) is None  # 42 nm ≥ 3 × 13.8 nm
    text = metal_length_warning(200.0, 13.8)
    assert "1.45 electron-phonon coupling lengths" in text and "414 Å" in text
    assert metal_length_warning(200.0, 13.8, min_coupling_lengths=1.0) is None
    with pytest.raises(ValueError):
        metal_length_warning(-1.0, 13.8)


def test_fit_warns_when_the_metal_is_short():
    model = TwoTemperatureModel(**{**TRUTH.__dict__, "G_ep_W_m3K": 1e16})  # ℓ ≈ 44 nm
    result = fit_two_temperature(**synthetic(model))
    assert any("coupling lengths" in w for w in result["warnings"])


def test_input_errors():
    kwargs = synthetic()
    with pytest.raises(ValueError, match="straddle"):
        fit_two_temperature(**{**kwargs, "z_interface_A": 100.0})
    with pytest.raises(ValueError, match="one side"):
        fit_two_temperature(**{**kwargs, "z_nonmetal_A": -kwargs["z_nonmetal_A"]})
    with pytest.raises(ValueError, match="non-zero"):
        fit_two_temperature(**{**kwargs, "flux_W_m2": 0.0})
    with pytest.raises(ValueError, match="shape"):
        fit_two_temperature(**{**kwargs, "T_metal_err_K": np.ones(3)})
    with pytest.raises(ValueError, match="beyond every metal bin"):
        fit_two_temperature(**{**kwargs, "far_end_A": 100.0})
    with pytest.raises(ValueError, match="both"):
        fit_two_temperature(**{**kwargs, "T_electron_K": None})
    s, side = side_distances_A([-3.0, -1.0], 0.0)
    assert side == -1 and list(s) == [3.0, 1.0]


def test_an_unbounded_positive_quantity_gets_an_open_interval_not_an_overflow():
    from analysis.two_temperature import _interval

    assert _interval("G_ep", 1e17, 1e21, 1.96) == (0.0, math.inf)
    low, high = _interval("G_ep", 1e17, 1e16, 1.96)
    assert low == pytest.approx(1e17 * math.exp(-0.196)) and high == pytest.approx(
        1e17 * math.exp(0.196))
