"""Entry point: analyse one NEMD replica -> JSON result, binned-profile CSV and figure.

The physics and statistics live in :mod:`analysis` (pure functions); this module reads
the driver's ``raw.npz`` and ``run.json``, calls :func:`analysis.analyse_replica`, and
writes the outputs atomically with the run's provenance attached.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analysis import analyse_replica, load_replica, plot_nemd_profile, profile_table
from analysis.io import to_jsonable
from study.outputs import analysis_arguments, write_analysis_outputs

METALS = frozenset({"Cu", "Al", "Ag", "Au", "Fe", "Mg", "Ni", "Pd", "Pt", "Ti", "W", "Mo", "Ta", "Zr"})


def physics_note(elements: list[str]) -> str:
    """What a reader must know about the heat carriers in this classical-MD result."""
    metals = [e for e in elements if e in METALS]
    if metals:
        return (f"Classical MD: heat is carried by phonons only; the electrons of {', '.join(metals)} "
                "and the electron-phonon coupling at the interface are absent, so this is the "
                "phonon-phonon boundary resistance.")
    return "Classical MD: phonon transport with classical (equipartition) statistics."


def analyse(raw_path: Path, run_path: Path, settings: dict) -> tuple[dict, dict]:
    """Analyse one replica; return (result record, profile table)."""
    run = json.loads(run_path.read_text())
    # the bath kind decides which atoms carry the slow mode (thermostatted ones do not)
    settings = {**settings, "bath": run["settings"].get("bath", "langevin")}
    result = analyse_replica(load_replica(raw_path), settings)
    record = {
        "method": "nemd",
        "temperature_K": run["settings"]["temperature_K"],
        "replica": run["settings"].get("replica"),
        "potential": run["settings"]["potential"],
        "specorder": run["settings"]["specorder"],
        "note": physics_note(run["settings"]["specorder"]),
        **to_jsonable(result),
        # the cell's own caveats (e.g. a cross-section below the recommended size) and the
        # per-side pressures at the run temperature
        "warnings": [f"structure: {w}" for w in run.get("structure_warnings") or []]
        + result["warnings"],
        "box": run.get("box"),
        "side_pressure_GPa": run.get("side_pressure_GPa"),
        "provenance": {k: run.get(k) for k in ("code", "dependencies", "host", "created_utc",
                                                "potential", "settings", "segments", "timing",
                                                "n_atoms")},
    }
    return record, profile_table(result)


def main(argv: list[str] | None = None) -> int:
    args = analysis_arguments(__doc__.split("\n")[0], argv)
    record, table = analyse(args.raw, args.run, json.loads(args.analysis))
    write_analysis_outputs(args, record, table,
                           lambda path: plot_nemd_profile(table, record, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
