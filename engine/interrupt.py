"""A prompt, clean stop of a long LAMMPS run on SIGINT or SIGTERM.

A ``run N`` inside the LAMMPS library does not return to Python until it ends, so a
Ctrl-C used to take effect only after the whole remaining production (hours) and then
threw that work away.  :func:`run_until` instead advances the run in chunks of about
``chunk_seconds`` of wall time, continued with ``pre no`` (no re-neighbouring, no new
set-up: the trajectory is the one a single ``run`` gives, tests/engine/test_interrupt.py checks
it bit for bit) and ``start``/``stop`` (time-dependent fixes see one run).  Between
chunks the ranks agree (one allreduce) on whether a stop was requested; then the driver
writes a checkpoint and ends with :class:`RunInterrupted`, and a rerun resumes from it.
A kill can therefore lose at most one chunk (seconds) when it is a signal the process
can catch, and at most one checkpoint interval (``restart_every_ps``) when it is SIGKILL.
"""

from __future__ import annotations

import signal
import time
from typing import Self

__all__ = ["RunInterrupted", "StopSignals", "run_until"]

#: Exit status of a run stopped by each signal (shell convention 128 + signal number).
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}


class RunInterrupted(Exception):
    """The run stopped at a chunk boundary on a signal; its folder holds a checkpoint."""

    def __init__(self, signum: int, step: int, checkpoint: str | None):
        self.signum, self.step, self.checkpoint = signum, step, checkpoint
        name = signal.Signals(signum).name
        where = f"checkpoint {checkpoint}" if checkpoint else "its last checkpoint"
        super().__init__(f"stopped by {name} at step {step}; the run resumes from {where} "
                         "when started again (rerun the same command or snakemake)")

    @property
    def exit_status(self) -> int:
        return EXIT_STATUS.get(self.signum, 1)


class StopSignals:
    """While active, SIGINT and SIGTERM only record that a stop was requested.

    Use as a context manager in the main thread (the drivers' command line does, around
    the whole run); the previous handlers come back on exit.  :func:`run_until` reads the
    active one.
    """

    def __init__(self, signals=(signal.SIGINT, signal.SIGTERM)):
        self.signals = tuple(signals)
        self.received: int | None = None
        self._previous: dict = {}

    def _handler(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum

    def __enter__(self) -> Self:
        for sig in self.signals:
            self._previous[sig] = signal.signal(sig, self._handler)
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _ACTIVE.remove(self)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


_ACTIVE: list[StopSignals] = []


def _requested() -> int | None:
    return _ACTIVE[-1].received if _ACTIVE else None


def _agree(comm, requested: int | None, elapsed_s: float) -> tuple[int, float]:
    """(signal number requested on any rank or 0, the largest chunk wall time), collective."""
    if comm is None:
        return (requested or 0), elapsed_s
    from mpi4py import MPI

    return (comm.allreduce(requested or 0, op=MPI.MAX),
            comm.allreduce(elapsed_s, op=MPI.MAX))


def run_until(lmp, upto_step: int, comm, *, align: int = 1,
              chunk_seconds: float = 2.0, first_chunk_steps: int = 100) -> int | None:
    """Run ``lmp`` up to step ``upto_step`` in chunks; return the signal that stopped it.

    Parameters
    ----------
    lmp : lammps.lammps
        The instance, set up for the run (fixes defined).
    upto_step : int
        Last time step of the run (as in ``run N upto``).
    comm : mpi4py communicator or None
        All ranks call this function together.
    align : int
        Chunks end on multiples of this many steps (the sampling interval, so that a
        checkpoint written at a chunk boundary has its sample, as the periodic ones do).
    chunk_seconds : float
        Wall time aimed at per chunk (s): the longest delay before a stop takes effect.
    first_chunk_steps : int
        Steps of the first chunk, from whose speed the next chunk's length is set.

    Returns
    -------
    int or None
        None when the run reached ``upto_step``; otherwise the signal number that an
        active :class:`StopSignals` recorded (on any rank), the run standing at a chunk
        boundary before ``upto_step``.
    """
    begin = int(lmp.extract_global("ntimestep"))
    step, chunk, first = begin, max(1, first_chunk_steps), True
    align = max(1, int(align))
    while step < upto_step:
        target = min(upto_step, -(-(step + chunk) // align) * align)  # rounded up to align
        t0 = time.perf_counter()
        lmp.command(f"run {target} upto start {begin} stop {upto_step} "
                    f"pre {'yes' if first else 'no'} post {'yes' if target == upto_step else 'no'}")
        requested, elapsed = _agree(comm, _requested(), time.perf_counter() - t0)
        first, done = False, target - step
        step = target
        if requested and step < upto_step:
            return requested
        # the same number on every rank (allreduced), so every rank picks the same chunk
        rate = done / max(elapsed, 1e-3)
        chunk = int(min(max(rate * chunk_seconds, 10), 100 * max(done, 1)))
    return None
