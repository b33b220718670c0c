"""The combined spectral records (study.analyse_spectral): resolution flag and the AGF's
conductance against temperature."""

from __future__ import annotations

import numpy as np
import pytest

from study.analyse_spectral import agf_quantum_by_temperature, resolution


def test_an_interval_reaching_zero_is_not_resolved_and_says_how_much_more_to_sample():
    rule = {"ratio": 0.8, "ci95_low": -0.2, "ci95_high": 1.8}  # half-width 1.0
    out = resolution({"low": -5.0}, rule)
    assert out["resolved"] is False
    assert out["sampling_factor_for_half_width_0p5"] == pytest.approx(4.0)  # (1.0/0.5)^2
    tight = resolution({"low": 10.0}, {"ratio": 0.8, "ci95_low": 0.7, "ci95_high": 0.9})
    assert tight["resolved"] is True and tight["sampling_factor_for_half_width_0p5"] == 1.0


def test_agf_quantum_conductance_rises_to_the_classical_one():
    omega = np.linspace(0.05, 50.0, 400)  # rad/ps, up to ~8 THz
    xi = np.where(omega < 45.0, 3.0, 0.0)
    classical = 1e8  # W/m2K, only reported alongside
    agf = {"omega_rad_ps": omega, "transmission": xi, "area_A2": 100.0,
           "classical": {"G_W_m2K": classical}}
    rows = agf_quantum_by_temperature(agf, [10.0, 50.0, 300.0, 3000.0])
    g = [r["G_quantum_plain_MW_m2K"] for r in rows]
    assert g[0] < g[1] < g[2] < g[3]  # the modes freeze out as T falls
    from analysis.agf import classical_conductance_W_m2K

    limit = classical_conductance_W_m2K(omega, xi, 100.0)["G_W_m2K"] * 1e-6
    assert g[3] == pytest.approx(limit, rel=0.01)  # ħω << k_B T: the classical value
    assert all(r["G_classical_plain_MW_m2K"] == pytest.approx(100.0) for r in rows)
