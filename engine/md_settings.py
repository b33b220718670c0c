"""Settings shared by the MD drivers: common fields and the step schedule.

Times are converted to whole time steps once, here.  Equilibration, production and the
restart interval are rounded up to whole sampling windows, so that every restart point
and the start of production fall on a sample: the drivers' segment stitching relies on it.

Equilibration may begin with a barostat stage (``npt_ps`` > 0): the cell is equilibrated at
T and zero pressure, and its box is then fixed at the mean of the stage's second half.
``equilibration_steps`` counts everything before production (barostat stage + NVT).

The drivers have no defaults: the config schema (``workflow/schemas/config.schema.yaml``)
is the one place they live, and the study passes complete settings
(``study.config.nemd_settings``/``emd_settings``; ``study.schema.complete_settings``
completes partial ones from the schema).  Every key a driver reads is listed in its
class's :attr:`MdSettings.KEYS`; settings without one of them are refused, naming it.
"""

from __future__ import annotations

__all__ = ["MdSettings"]


class MdSettings:
    """Fields every driver reads (potential, species, T, time step, seeds) and the schedule.

    Subclasses extend :attr:`KEYS` with their own keys, set ``sample_steps`` and then call
    :meth:`_schedule`.
    """

    #: Name of the driver in messages.
    DRIVER = "MD"
    #: Every settings key the driver reads (each must be given: there are no defaults).
    KEYS: tuple[str, ...] = ("potential", "specorder", "temperature_K", "timestep_fs", "seeds",
                             "langevin_damping_ps", "npt_ps", "barostat_damping_ps",
                             "equilibration_ps", "production_ps", "restart_every_ps")

    sample_steps: int

    def __init__(self, settings: dict):
        missing = [key for key in self.KEYS if key not in settings]
        if missing:
            raise ValueError(
                f"{self.DRIVER} settings lack {', '.join(missing)}: the driver has no defaults; "
                "pass complete settings (study.config.nemd_settings/emd_settings for a study, "
                "study.schema.complete_settings to complete partial ones from the schema)")
        self.raw = dict(settings)
        self.potential: str = settings["potential"]
        self.specorder: list[str] = list(settings["specorder"])
        self.temperature_K = float(settings["temperature_K"])
        self.timestep_ps = float(settings["timestep_fs"]) * 1e-3
        self.damping_ps = float(settings["langevin_damping_ps"])
        self.seeds = {k: int(v) for k, v in settings["seeds"].items()}
        self.npt_ps = float(settings["npt_ps"])
        self.barostat_damping_ps = float(settings["barostat_damping_ps"])
        if self.npt_ps < 0 or self.barostat_damping_ps <= 0:
            raise ValueError(f"npt_ps = {self.npt_ps} must be >= 0 and barostat_damping_ps = "
                             f"{self.barostat_damping_ps} > 0")

    def _schedule(self, *, restart_every_ps: float) -> None:
        """Equilibration, production and restart intervals in steps (whole windows).

        The barostat stage (``npt_steps``, 0 when off) is an even number of windows, so that
        the box is averaged over whole windows of its second half.
        """
        self.restart_steps = self._round_up(self._steps(restart_every_ps))
        n = self.sample_steps
        self.npt_steps = 2 * n * -(-self._steps(self.npt_ps) // (2 * n)) if self.npt_ps > 0 else 0
        self.equilibration_steps = self.npt_steps + self._round_up(
            self._steps(float(self.raw["equilibration_ps"])))
        self.production_steps = self._round_up(self._steps(float(self.raw["production_ps"])))

    def _steps(self, time_ps: float) -> int:
        """A duration (ps) as a whole number of time steps (at least 1)."""
        return max(1, round(time_ps / self.timestep_ps))

    def _round_up(self, steps: int) -> int:
        """Round a step count up to a whole number of sampling windows."""
        n = self.sample_steps
        return max(n, -(-steps // n) * n)

    @property
    def npt_average_from_step(self) -> int:
        """The box is averaged over (this step, ``npt_steps``]: the barostat stage's second half."""
        return self.npt_steps // 2

    @property
    def total_steps(self) -> int:
        """Equilibration plus production steps."""
        return self.equilibration_steps + self.production_steps
