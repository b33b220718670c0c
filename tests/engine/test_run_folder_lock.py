"""One writer per run folder (issue 14, case 2): a second NEMD driver started on a folder
that a live driver is writing refuses with the holder's PID; once the holder is gone
(SIGKILL, as when an orphaned rank is finally killed) the folder is free again."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from engine.run_state import RunFolderBusy, RunFolderLock
from tests.conftest import PYTHON, REPO, clean_env, kill_group, run


def test_lock_names_its_holder_and_dies_with_it(tmp_path):
    script = ("import time; from engine.run_state import RunFolderLock; "
              f"RunFolderLock({str(tmp_path)!r}).acquire(); print('locked', flush=True); "
              "time.sleep(120)")
    holder = subprocess.Popen([PYTHON, "-c", script], cwd=REPO, env=clean_env(),
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RunFolderBusy, match=rf"pid {holder.pid} on "):
            RunFolderLock(tmp_path).acquire()
    finally:
        kill_group(holder)  # SIGKILL: no clean-up code runs in the holder
    lock = RunFolderLock(tmp_path).acquire()  # the kernel dropped the dead holder's lock
    lock.release()


@pytest.mark.lammps
def test_second_nemd_driver_on_a_busy_folder_refuses(lj_stack, tmp_path):
    settings = lj_stack["settings"] | {"equilibration_ps": 5.0, "production_ps": 2000.0,
                                       "restart_every_ps": 5.0}
    outdir = tmp_path / "rep0"
    command = [PYTHON, "-m", "engine.nemd", "--structure", str(lj_stack["data"]),
               "--info", str(lj_stack["info"]), "--settings", json.dumps(settings),
               "--outdir", str(outdir)]
    first = subprocess.Popen(command, cwd=REPO, env=clean_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (outdir / "log.0.lammps").exists() and time.monotonic() < deadline:
            assert first.poll() is None, "the first driver stopped early"
            time.sleep(0.1)
        second = run(command, timeout=120)
        assert second.returncode != 0
        assert "is being written by another process" in second.stderr
        assert f"pid {first.pid} on" in second.stderr
        assert first.poll() is None, "the refused second driver must not stop the first"
        assert not (outdir / "segment.1.json").exists(), "the second driver touched the folder"
    finally:
        kill_group(first)
