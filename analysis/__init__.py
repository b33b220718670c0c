"""NEMD analysis for the Kapitza workflow: steady state, blocks, ΔT, J, R_K, G, κ.

Internal units are LAMMPS ``metal`` (Å, ps, eV, K); results leave in SI-derived units
named in their keys (``R_K_m2K_W``, ``G_MW_m2K``, ``flux_W_m2``, ``kappa_A_W_mK``).
Conversions live in :mod:`analysis.units` only.
"""

from __future__ import annotations

from .blocking import (
    BlockingResult,
    block_means,
    flyvbjerg_petersen,
    mean_ci,
    t_interval,
    welch_satterthwaite_dof,
)
from .flux import heat_flux, sample_powers
from .io import load_replica, to_jsonable, write_json, write_profile_csv
from .jackknife import jackknife
from .jump import fit_windows, hot_side, temperature_jump
from .linear_fit import LineFit, fit_line, linear_functionals, quadratic_term_test
from .nemd import (
    DEFAULT_SETTINGS,
    PROFILE_COLUMNS,
    analyse_replica,
    profile_table,
    validate_replica,
)
from .replicas import combine_replicas, weighted_mean_birge
from .steady_state import detect_steady_state, drift_p_value, mser_truncation
from .synthetic import synthetic_replica
from .units import conductance_MW_m2K, flux_W_m2, kappa_W_mK, power_W, resistance_m2K_W

__all__ = [
    "DEFAULT_SETTINGS",
    "PROFILE_COLUMNS",
    "BlockingResult",
    "LineFit",
    "analyse_replica",
    "block_means",
    "combine_replicas",
    "conductance_MW_m2K",
    "detect_steady_state",
    "drift_p_value",
    "fit_line",
    "fit_windows",
    "flux_W_m2",
    "flyvbjerg_petersen",
    "heat_flux",
    "hot_side",
    "jackknife",
    "kappa_W_mK",
    "linear_functionals",
    "load_replica",
    "mean_ci",
    "mser_truncation",
    "power_W",
    "profile_table",
    "quadratic_term_test",
    "resistance_m2K_W",
    "sample_powers",
    "synthetic_replica",
    "t_interval",
    "temperature_jump",
    "to_jsonable",
    "validate_replica",
    "weighted_mean_birge",
    "welch_satterthwaite_dof",
    "write_json",
    "write_profile_csv",
]
