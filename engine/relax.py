"""Entry point: minimise the energy of an interface supercell (MPI-parallel).

Conjugate-gradient minimisation of all atomic positions at fixed box (the lateral cell
is set by the coincidence lattice; z is non-periodic), then the interface plane is
located again as the midpoint between the highest side-A atom and the lowest side-B atom.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from engine.atomic_io import write_json
from engine.lammps_setup import load_structure
from engine.runtime import mpi_world, new_lammps, run_entry_point
from structures.sides import on_side

__all__ = ["relax_interface"]


def relax_interface(data: Path, info: dict, out_data: Path, *, etol: float = 0.0,
                    ftol_eV_A: float = 1e-4, max_iterations: int = 5000,
                    z_margin_A: float = 2.0) -> dict:
    """Minimise ``data``; write ``out_data`` atomically; return the updated info dict.

    ``ftol_eV_A`` is the force tolerance (eV/Å); ``z_margin_A`` the empty space (Å) left
    between the outermost atoms and the fixed z boundaries of the written box.
    """
    comm = mpi_world()
    rank = comm.Get_rank() if comm is not None else 0
    lmp = new_lammps(comm=comm)
    # Shrink-wrapped z while minimising: the free end surfaces may relax outwards.
    load_structure(lmp, data_file=data, potential=info["potential"], specorder=info["specorder"],
                   boundary="p p s")
    lmp.command("thermo_style custom step pe fmax")
    lmp.command("run 0 post no")
    energy_before = float(lmp.get_thermo("pe"))
    lmp.command(f"minimize {etol} {ftol_eV_A} {max_iterations} {10 * max_iterations}")
    energy_after = float(lmp.get_thermo("pe"))
    fmax = float(lmp.get_thermo("fmax"))
    x = np.asarray(lmp.gather_atoms("x", 1, 3)).reshape(-1, 3)
    types = np.asarray(lmp.gather_atoms("type", 0, 1))
    # Back to a fixed z boundary with a margin, as the NEMD driver reads it.
    lmp.command("change_box all boundary p p f")
    lmp.command(f"change_box all z delta {-z_margin_A} {z_margin_A} units box")
    tmp = out_data.with_name(f".{out_data.name}.tmp")
    lmp.command(f"write_data {tmp} nocoeff")  # interactions come from the registry
    lmp.close()
    z_a_top = x[on_side(types, info, "A"), 2].max()
    z_b_bottom = x[on_side(types, info, "B"), 2].min()
    updated = dict(info)
    updated.update(
        z_interface_A=float(0.5 * (z_a_top + z_b_bottom)),
        separation_relaxed_A=float(z_b_bottom - z_a_top),
        relaxation={"energy_before_eV": energy_before, "energy_after_eV": energy_after,
                    "max_force_eV_A": fmax, "ftol_eV_A": ftol_eV_A},
    )
    if rank == 0:
        os.replace(tmp, out_data)
    return updated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--info", required=True, type=Path)
    parser.add_argument("--out-data", required=True, type=Path)
    parser.add_argument("--out-info", required=True, type=Path)
    args = parser.parse_args(argv)
    info = json.loads(args.info.read_text())
    updated = relax_interface(args.data, info, args.out_data)
    comm = mpi_world()
    if comm is None or comm.Get_rank() == 0:
        write_json(args.out_info, updated)
        print(json.dumps(updated["relaxation"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(run_entry_point(main))
