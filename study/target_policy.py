"""Run to a target precision: when to stop, and how much longer to run (pure functions).

A study with ``nemd.target`` (``workflow/schemas/config.schema.yaml``) runs the replicas
of one system x temperature in rounds (:mod:`study.nemd_target`).  After each round
the replicas are analysed and combined, and :func:`decide` says one of

* ``target_met``: every replica is converged and the combined 95% interval of R_K has a
  half-width of at most ``rel_half_width`` x R_K;
* ``budget_exhausted``: the target is not met and the budget (production per replica
  ``max_production_ps``, CPU core-hours ``max_core_hours``) allows no further extension;
* ``continue``: run every replica on to a new, longer production.

How much longer:

* a replica is not converged (its steady window holds too few slow relaxation times):
  at least what it misses, ``required_window_ps - steady_window_ps``, times ``margin``
  (the relaxation time is itself an estimate that may grow with the data).  The
  production grows by exactly what the steady window gains: the transient is already
  behind;
* every replica is converged but the interval is too wide: the half-width falls as
  1/sqrt(steady window) (independent blocks of a stationary series), so the steady
  window must grow by the factor ``(half_width / target)**2``, times ``margin``.  All
  replicas are extended equally, so the summed window, which sets the combined interval
  (inverse-variance weights are proportional to the window), grows by that factor when
  each grows by ``mean window x (factor - 1)``.  When replicas disagree the combined
  interval rests on their scatter (n - 1 degrees of freedom) and shrinks more slowly
  than the law says; the next round measures again and extends again;
* at least ``step_ps`` (default ``restart_every_ps``) in any case.

The new end of the run (equilibration + production) is rounded up to a whole number of
restart intervals, so that each round ends on a checkpoint and the next continues from
there without redoing any step.  It is then capped by the budget: ``max_production_ps``
exactly; ``max_core_hours`` at the last restart point whose predicted cost (core-hours
per ps measured so far, all replicas) still fits.  A cap that leaves no room for any
extension means ``budget_exhausted``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["STATUSES", "TargetDecision", "decide", "relative_half_width"]

#: Final states of a run to a target (``continue`` is not final).
STATUSES = ("target_met", "budget_exhausted")

#: Production lengths closer than this are equal (ps): float noise of the rounding.
_TOLERANCE_PS = 1e-6


@dataclass(frozen=True)
class TargetDecision:
    """Outcome of one round.

    Attributes
    ----------
    status : str
        ``target_met``, ``budget_exhausted`` or ``continue``.
    production_ps : float
        Production per replica for the next round (``continue``), else the current one.
    reason : str
        Why, in words (for the log and the ``target.json`` record).
    rel_half_width : float or None
        Half-width of the combined 95% interval / |R_K| now; None when there is no
        interval (a replica not converged).
    """

    status: str
    production_ps: float
    reason: str
    rel_half_width: float | None

    @property
    def done(self) -> bool:
        return self.status in STATUSES


def relative_half_width(combined: Mapping) -> float | None:
    """Half-width of the combined 95% interval of R_K over |R_K|; None without an interval."""
    low, high = combined.get("R_K_ci95_low_m2K_W"), combined.get("R_K_ci95_high_m2K_W")
    value = combined.get("R_K_m2K_W")
    if low is None or high is None or not value:
        return None
    width = (float(high) - float(low)) / 2 / abs(float(value))
    return width if math.isfinite(width) else None


def _missing_window_ps(replicas: Sequence[Mapping]) -> tuple[float | None, list[int]]:
    """Largest steady window still missing among the replicas not converged (ps; None
    when none of them says), and their indices."""
    missing, which = None, []
    for index, replica in enumerate(replicas):
        if replica.get("converged"):
            continue
        which.append(index)
        conv = replica.get("convergence") or {}
        required, window = conv.get("required_window_ps"), conv.get("steady_window_ps")
        if required is not None and window is not None:
            missing = max(missing or 0.0, float(required) - float(window))
    return missing, which


def _mean_window_ps(replicas: Sequence[Mapping], production_ps: float) -> float:
    """Mean steady window of the replicas (ps); the production when they do not say."""
    windows = [float(w) for r in replicas
               if (w := (r.get("convergence") or {}).get("steady_window_ps")) is not None]
    return sum(windows) / len(windows) if windows else float(production_ps)


def _round_up_end(production_ps: float, equilibration_ps: float, restart_every_ps: float) -> float:
    """Production whose end (equilibration + production) is the next restart point."""
    end = equilibration_ps + production_ps
    return math.ceil(end / restart_every_ps - 1e-9) * restart_every_ps - equilibration_ps


def _budget_cap(target: Mapping, *, production_ps: float, equilibration_ps: float,
                restart_every_ps: float, core_hours_used: float) -> tuple[float, str]:
    """Longest production the budget allows (ps) and which budget sets it."""
    cap, which = math.inf, "no budget"
    if target.get("max_production_ps") is not None:
        cap, which = float(target["max_production_ps"]), "max_production_ps"
    if target.get("max_core_hours") is not None:
        remaining = float(target["max_core_hours"]) - core_hours_used
        simulated = equilibration_ps + production_ps
        rate = core_hours_used / simulated if simulated > 0 else 0.0  # core-h per ps, all replicas
        if remaining <= 0:
            hours_cap = production_ps
        elif rate <= 0:  # nothing measured yet: no prediction, only the spent hours count
            hours_cap = math.inf
        else:
            end = simulated + remaining / rate
            hours_cap = (math.floor(end / restart_every_ps + 1e-9) * restart_every_ps
                         - equilibration_ps)
        if hours_cap < cap:
            cap, which = hours_cap, "max_core_hours"
    return cap, which


def decide(combined: Mapping, replicas: Sequence[Mapping], *, production_ps: float,
           equilibration_ps: float, restart_every_ps: float, core_hours_used: float,
           target: Mapping) -> TargetDecision:
    """Stop (target met or budget exhausted) or continue with a longer production.

    Parameters
    ----------
    combined : mapping
        The combined record (:func:`analysis.combine_replicas`): ``converged``,
        ``R_K_m2K_W``, ``R_K_ci95_low_m2K_W``, ``R_K_ci95_high_m2K_W`` (None when not
        converged).
    replicas : sequence of mapping
        Per-replica results (:func:`analysis.analyse_replica`): ``converged`` and
        ``convergence`` = {``steady_window_ps``, ``required_window_ps``, ...}.
    production_ps : float
        Production per replica of the round just analysed (ps).
    equilibration_ps, restart_every_ps : float
        The runs' equilibration and checkpoint interval (ps).
    core_hours_used : float
        CPU core-hours of LAMMPS spent so far by all replicas.
    target : mapping
        The ``nemd.target`` block: ``rel_half_width``, ``max_production_ps``,
        ``max_core_hours``, ``step_ps`` (None = ``restart_every_ps``), ``margin``.

    Returns
    -------
    TargetDecision
    """
    goal = float(target["rel_half_width"])
    margin = float(target.get("margin") or 1.0)
    step = float(target.get("step_ps") or restart_every_ps)
    width = relative_half_width(combined)
    converged = bool(combined.get("converged")) and all(r.get("converged") for r in replicas)
    shown = "none" if width is None else f"{width:.1%}"
    if converged and width is not None and width <= goal:
        return TargetDecision("target_met", production_ps, f"all {len(replicas)} replicas "
                              f"converged, half-width {shown} <= {goal:.1%}", width)
    if not converged:
        missing, which = _missing_window_ps(replicas)
        extension = max(step, margin * (missing or 0.0))
        why = f"replica(s) {which} not converged" if which else "combination not converged"
        if missing is not None:
            why += f", missing {missing:.4g} ps of steady window"
    elif width is None:
        extension, why = step, "no interval for R_K"
    else:
        factor = margin * (width / goal) ** 2
        extension = max(step, _mean_window_ps(replicas, production_ps) * (factor - 1.0))
        why = f"half-width {shown} > {goal:.1%}"
    wanted = _round_up_end(production_ps + extension, equilibration_ps, restart_every_ps)
    cap, budget = _budget_cap(target, production_ps=production_ps,
                              equilibration_ps=equilibration_ps,
                              restart_every_ps=restart_every_ps, core_hours_used=core_hours_used)
    if min(wanted, cap) <= production_ps + _TOLERANCE_PS:
        return TargetDecision("budget_exhausted", production_ps,
                              f"{why}; {budget} allows no extension beyond {production_ps:g} ps "
                              f"({core_hours_used:.3g} core-hours used)", width)
    new = min(wanted, cap)
    capped = f", capped by {budget}" if new < wanted else ""
    return TargetDecision("continue", new, f"{why}: {production_ps:g} -> {new:g} ps{capped}",
                          width)
