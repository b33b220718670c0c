"""Load balancing of multi-rank runs: sub-domains cut along z by neighbour count.

Under ``mpirun -n 2`` the NEMD driver moves the z cut between the ranks so that each holds
about the same number of neighbour pairs (``engine.lammps_setup.balance_along_z``).  The
weights depend on positions only, so two 2-rank runs with the same seeds still agree to
the last bit; a 1-rank run balances nothing.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from tests.conftest import MPIRUN, PYTHON, clean_env, run

pytestmark = pytest.mark.lammps

IMBALANCE = re.compile(r"initial/final imbalance factor\s*=\s*([\d.]+)\s+([\d.]+)")
SHORT = {"equilibration_ps": 0.5, "production_ps": 2.0, "sample_every_ps": 0.5,
         "restart_every_ps": 2.0}


def nemd(lj_stack, outdir, ranks):
    settings = {**lj_stack["settings"], **SHORT}
    done = run([MPIRUN, "-n", str(ranks), PYTHON, "-m", "engine.nemd", "--structure",
                lj_stack["data"], "--info", lj_stack["info"], "--settings",
                json.dumps(settings), "--outdir", outdir], timeout=300,
               env=clean_env(OMP_NUM_THREADS="1"))
    assert done.returncode == 0, done.stderr[-3000:]
    return (outdir / "log.0.lammps").read_text()


def test_two_rank_runs_are_balanced_and_reproducible(lj_stack, tmp_path):
    logs = [nemd(lj_stack, tmp_path / name, 2) for name in ("a", "b")]
    factors = IMBALANCE.findall(logs[0])
    assert factors, "no balance step in the 2-rank log"
    assert float(factors[-1][1]) <= 1.05  # final imbalance of neighbour counts
    raw = [np.load(tmp_path / name / "raw.npz") for name in ("a", "b")]
    for key in raw[0].files:
        assert np.array_equal(raw[0][key], raw[1][key], equal_nan=True), key


def test_one_rank_runs_do_not_balance(lj_stack, tmp_path):
    log = nemd(lj_stack, tmp_path / "serial", 1)
    # the log is the real serial run (not an empty or foreign file) ...
    assert "1 by 1 by 1 MPI processor grid" in log
    assert len(re.findall(r"Loop time of .* on 1 procs", log)) >= 2
    assert (tmp_path / "serial" / "raw.npz").exists()
    # ... and it never balanced (the same pattern finds the 2-rank runs' balance step)
    assert not IMBALANCE.search(log)
    assert not re.search(r"^\s*balance ", log, re.MULTILINE)
