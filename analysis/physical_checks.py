"""Is a NEMD replica a physically valid measurement?  Checks before an R_K is accepted.

A run can finish, converge and still measure nothing: a side that melted or evaporated
(a study at 5000 K), baths that pump heat the wrong way, or a heat balance that does not
close.  Each check returns ``ok`` (True, False, or None when the run has no data for it)
and a ``detail`` a reader can act on.  A replica with any failed check keeps its point
estimate but gets no interval, and the combination of replicas leaves it out
(:func:`analysis.replicas.combine_replicas`).

* **crystalline_A / crystalline_B**: the root-mean-square displacement of each side's
  interior atoms from their positions at the start of the production (centre of mass
  removed; computed inside LAMMPS) stays below ``max_rms_displacement_fraction`` × a₀,
  a₀ = (V/N)^(1/3) the mean atomic spacing of that side.  Lindemann's criterion puts
  melting at an rms amplitude of 0.10-0.15 of the nearest-neighbour distance (Lindemann,
  Phys. Z. 11, 609 (1910); Stillinger & Weber, PRB 31, 5262 (1985) for Si), i.e.
  0.11-0.17 a₀ for fcc; the default 0.3 a₀ is twice that, so a hot solid passes and a
  liquid (its rms displacement grows without bound, by Å within picoseconds) fails.
* **bath_powers**: neither bath has the wrong sign beyond 3 standard errors (the hot
  one removing energy, P_hot < −3 SE, or the cold one adding it, P_cold > 3 SE); short
  Langevin runs have powers within noise of zero, which is no failure.
* **energy_balance**: |P_hot + P_cold| / mean |P| below 3 × ``max_flux_imbalance`` (or
  its 3 SE); a smaller imbalance is only a warning (:func:`analysis.flux.heat_flux`).
* **gradients**: no side's temperature rises from the hot bath towards the cold one
  beyond 3 standard errors (thermal resistivity |dT/dz|/J < −3 SE); a conductive side's
  gradient within noise of zero, of either sign, is no failure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

__all__ = ["failed_checks", "physical_checks"]

SIDES = ("A", "B")


def _check(ok: bool | None, detail: str) -> dict:
    return {"ok": None if ok is None else bool(ok), "detail": detail}


def physical_checks(raw: Mapping, record: Mapping, settings: Mapping) -> dict[str, dict]:
    """The checks of one replica.

    Parameters
    ----------
    raw : mapping
        The replica's raw data; ``max_msd_A2`` (largest mean-square displacement of each
        side's interior atoms, Å²) and ``atomic_volume_A3`` (V/N of each interior, Å³)
        when the driver recorded them.
    record : mapping
        The analysis record so far: ``power_hot_eV_ps``, ``power_cold_eV_ps`` and their
        ``_se_``, ``flux_imbalance`` and ``flux_imbalance_se`` (dimensionless),
        ``resistivity_A_mK_W``, ``resistivity_B_mK_W`` and their ``_se_`` (m K/W).
    settings : mapping
        ``max_rms_displacement_fraction`` and ``max_flux_imbalance`` (dimensionless).

    Returns
    -------
    dict
        Check name -> ``{"ok": bool or None, "detail": str}``.
    """
    checks = {}
    msd, volume = raw.get("max_msd_A2"), raw.get("atomic_volume_A3")
    limit = float(settings["max_rms_displacement_fraction"])
    for i, side in enumerate(SIDES):
        if msd is None or volume is None:
            checks[f"crystalline_{side}"] = _check(None, "no displacement record in this run")
            continue
        rms, spacing = math.sqrt(max(float(msd[i]), 0.0)), float(volume[i]) ** (1.0 / 3.0)
        ok = math.isfinite(rms) and rms < limit * spacing
        checks[f"crystalline_{side}"] = _check(ok, (
            f"side {side}: rms displacement {rms:.2f} Å = {rms / spacing:.2f} a₀ "
            f"(a₀ = {spacing:.2f} Å; a solid stays below {limit:g} a₀)"
            + ("" if ok else ": the side melted or evaporated at this temperature; lower "
               "temperatures_K or check the potential")))
    p_hot, p_cold = record.get("power_hot_eV_ps"), record.get("power_cold_eV_ps")
    if p_hot is None or p_cold is None:
        checks["bath_powers"] = _check(None, "bath powers not measured")
    else:
        se_hot = record.get("power_hot_se_eV_ps") or 0.0
        se_cold = record.get("power_cold_se_eV_ps") or 0.0
        # noisy bath powers (short Langevin runs) may sit within noise of zero; only a
        # wrong sign beyond 3 SE is a failure
        ok = not (p_hot < -3 * se_hot or p_cold > 3 * se_cold)
        checks["bath_powers"] = _check(ok, (
            f"bath powers P_hot = {p_hot:.4g} ± {se_hot:.2g} eV/ps, P_cold = {p_cold:.4g} ± "
            f"{se_cold:.2g} eV/ps"
            + ("" if ok else ": the hot bath removes or the cold bath adds energy (beyond "
               "3 SE); check the bath settings and the sign of the flux")))
    imbalance = record.get("flux_imbalance")
    if imbalance is None:
        checks["energy_balance"] = _check(None, "energy balance not checked")
    else:
        bound = max(3.0 * float(settings["max_flux_imbalance"]),
                    3.0 * (record.get("flux_imbalance_se") or 0.0))
        ok = imbalance <= bound
        checks["energy_balance"] = _check(ok, (
            f"|P_hot + P_cold| / mean |P| = {100 * imbalance:.1f} % (limit {100 * bound:.0f} %)"
            + ("" if ok else ": energy leaks between the baths (drift of the integrator or "
               "the barostat); shorten the timestep")))
    wrong, unknown = [], []
    for side in SIDES:
        rho, se = (record.get(f"resistivity_{side}{k}_mK_W") for k in ("", "_se"))
        if rho is None or se is None or not np.isfinite(rho):
            unknown.append(side)
        elif rho < -3.0 * se:  # a gradient within noise of zero (a conductive side) is fine
            wrong.append(side)
    if wrong:
        checks["gradients"] = _check(False, (
            f"side {', '.join(wrong)}: the temperature rises from the hot to the cold bath "
            "beyond 3 SE: heat does not flow from the hot to the cold bath there"))
    elif unknown:
        checks["gradients"] = _check(None, f"gradient sign of side {', '.join(unknown)} not "
                                           "judged (no standard error)")
    else:
        checks["gradients"] = _check(True, "no side's gradient has the wrong sign beyond 3 SE")
    return checks


def failed_checks(checks: Mapping[str, Mapping]) -> list[str]:
    """Details of the checks that failed (empty: the replica is physically valid)."""
    return [c["detail"] for c in checks.values() if c["ok"] is False]
