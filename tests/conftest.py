"""Shared helpers for the integration tests: paths, clean subprocess environments, a
runner that kills the whole process group on timeout (no orphaned MPI ranks), and
config copies that write into a temporary results folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MPIRUN = str(Path(sys.executable).parent / "mpirun")
SNAKEMAKE = [PYTHON, "-m", "snakemake"]

# Variables by which an MPI launcher tells a process it is one of several ranks; a test
# started under mpirun must not leak them into the serial subprocesses it starts.
_MPI_VARS = ("PMI_", "OMPI_", "SLURM_", "MPI_LOCALNRANKS", "HYDRA_", "MPIR_")


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without LD_LIBRARY_PATH and MPI launcher variables."""
    env = {k: v for k, v in os.environ.items()
           if k != "LD_LIBRARY_PATH" and not k.startswith(_MPI_VARS)}
    env.update(extra)
    return env


def run(cmd: list[str], *, timeout: float, cwd: Path | str = REPO,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` capturing text output; on timeout kill its process group and fail."""
    proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env or clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        out, err = proc.communicate()
        pytest.fail(f"{' '.join(map(str, cmd))[:300]} did not finish within {timeout} s\n"
                    f"stdout:\n{out[-3000:]}\nstderr:\n{err[-3000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group of ``proc`` (started with ``start_new_session=True``)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def write_config(source: Path, dest: Path, results_dir: Path, **changes) -> Path:
    """Copy the YAML config ``source`` to ``dest`` with ``results_dir`` and top-level
    ``changes`` (a dict value is merged one level deep) replaced."""
    config = yaml.safe_load(Path(source).read_text())
    config["results_dir"] = str(results_dir)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key] = {**config[key], **value}
        else:
            config[key] = value
    dest.write_text(yaml.safe_dump(config, sort_keys=False))
    return dest


@pytest.fixture(scope="session")
def lj_stack(tmp_path_factory) -> dict:
    """A relaxed 576-atom LJ A/B interface built by the workflow's own entry points.

    Returns the data and info paths and the NEMD settings of config/test_lj.yaml at 40 K.
    """
    from study.config import load_config, nemd_settings

    folder = tmp_path_factory.mktemp("lj_stack")
    config = load_config(REPO / "config" / "test_lj.yaml")
    system = {"name": "LJ-AB", **config["systems"]["LJ-AB"], "length_a_A": 40.0,
              "length_b_A": 40.0}
    built = run([PYTHON, "-m", "study.build_structure", "--system", json.dumps(system),
                 "--out-data", folder / "built.data", "--out-info", folder / "built.json"],
                timeout=120)
    assert built.returncode == 0, built.stderr[-3000:]
    relaxed = run([PYTHON, "-m", "engine.relax", "--data", folder / "built.data",
                   "--info", folder / "built.json", "--out-data", folder / "relaxed.data",
                   "--out-info", folder / "relaxed.json"], timeout=120)
    assert relaxed.returncode == 0, relaxed.stderr[-3000:]
    return {"data": folder / "relaxed.data", "info": folder / "relaxed.json",
            "settings": nemd_settings(config, "LJ-AB", 40.0, 0)}


def pytest_configure(config):
    """``KAPITZA_PURE_TESTS=1`` (``make test-fast``): fail any test that reaches LAMMPS,
    MPI or Snakemake without its marker (:mod:`tests.pure_guard`)."""
    from . import pure_guard

    if pure_guard.ACTIVE:
        pure_guard.install()
