"""Entry point: build a bonded-interface supercell for one configured system.

Writes the LAMMPS data file (atom types in the order [side A element, side B element])
and a JSON record of the construction (lattice constants from the potential, coincidence,
strains, separation, counts) with provenance.  Serial: the LAMMPS work here (bulk
relaxations, a separation scan on a short stack) takes seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from potentials import get_potential, provenance
from structures import build_bonded_interface, write_lammps_data
from workflow.atomic_io import write_json
from workflow.provenance import provenance_record


def build(system: dict, out_data: Path, out_info: Path) -> dict:
    """Build the interface described by a config ``system`` entry and write it."""
    atoms, info = build_bonded_interface(
        side_a=system["side_a"],
        side_b=system["side_b"],
        potential=system["potential"],
        length_a_A=system["length_a_A"],
        length_b_A=system["length_b_A"],
        max_lateral_A=system["max_lateral_A"],
        max_strain=system["max_strain"],
        separation_A=system.get("separation_A"),
        min_lateral_A=system.get("min_lateral_A", 0.0),
    )
    write_lammps_data(out_data, atoms, info["specorder"])
    record = dict(info)
    record["provenance"] = provenance_record(
        system=system, potential=provenance(get_potential(system["potential"])))
    write_json(out_info, record)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--system", required=True, help="the config's system entry as JSON")
    parser.add_argument("--out-data", required=True, type=Path)
    parser.add_argument("--out-info", required=True, type=Path)
    args = parser.parse_args(argv)
    record = build(json.loads(args.system), args.out_data, args.out_info)
    keys = ("n_atoms", "lattice_constant_a_A", "lattice_constant_b_A", "n_lateral_a", "n_lateral_b",
            "strain_a", "strain_b", "separation_A", "area_A2", "z_interface_A")
    print(json.dumps({k: record.get(k) for k in keys}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
