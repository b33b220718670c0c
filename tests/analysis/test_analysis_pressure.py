"""Region pressure from LAMMPS' summed per-atom stress (analysis.pressure): units and sign."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.pressure import GPA_PER_BAR, pressure_summary, pressure_tensor_GPa


def test_bar_to_GPa():
    assert GPA_PER_BAR == pytest.approx(1e-4, rel=1e-15)  # 1 bar = 1e5 Pa


def test_pressure_is_minus_stress_over_volume():
    """stress/atom is −(per-atom pressure × volume): a sum of −2e4 bar·Å³ in 10 Å³ is
    +2000 bar = +0.2 GPa (compressed)."""
    sums = np.array([[-2e4, -1e4, 3e4]])
    np.testing.assert_allclose(pressure_tensor_GPa(sums, 10.0), [[0.2, 0.1, -0.3]], rtol=1e-12)
    # 1 eV/Å³ is 160.2 GPa: an atomic-scale stress of 1 eV in 1 Å³ lands there
    ev_per_A3_in_bar = 1.602176634e-19 / 1e-30 / 1e5
    assert pressure_tensor_GPa(-ev_per_A3_in_bar, 1.0) == pytest.approx(160.2176634)
    with pytest.raises(ValueError):
        pressure_tensor_GPa(sums, 0.0)


def test_summary_means_and_errors():
    rng = np.random.default_rng(4)
    p = np.array([0.1, -0.2, 0.4]) + rng.normal(0.0, 0.05, (400, 3))
    summary = pressure_summary(p)
    assert summary["n_samples"] == 400
    for key, truth in {"xx": 0.1, "yy": -0.2, "zz": 0.4, "mean": 0.1}.items():
        assert summary[key] == pytest.approx(truth, abs=5 * summary[f"{key}_se"])
    for key in ("xx", "yy", "zz"):
        assert 0.5 * 0.05 / 20 < summary[f"{key}_se"] < 2 * 0.05 / 20  # ≈ σ/√n
    assert np.isnan(pressure_summary(p[:1])["xx_se"])
