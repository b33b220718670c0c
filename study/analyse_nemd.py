"""Entry point: analyse one NEMD replica -> JSON result, binned-profile CSV and figure.

The physics and statistics live in :mod:`analysis` (pure functions); this module reads
the driver's ``raw.npz`` and ``run.json``, calls :func:`analysis.analyse_replica`, and
writes the outputs atomically with the run's provenance attached.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analysis import analyse_replica, load_replica, profile_table
from analysis.io import to_jsonable
from analysis.nemd import mean_temperature_note
from potentials.metals import physics_note
from study.figures import profile
from study.figures import style as fs
from study.outputs import analysis_arguments, write_analysis_outputs


def analyse(raw_path: Path, run_path: Path, settings: dict) -> tuple[dict, dict]:
    """Analyse one replica; return (result record, profile table)."""
    run = json.loads(run_path.read_text())
    # the bath kind decides which atoms carry the slow mode (thermostatted ones do not)
    settings = {**settings, "bath": run["settings"].get("bath", "langevin")}
    result = analyse_replica(load_replica(raw_path), settings)
    offset = mean_temperature_note(result["T_mean_K"], run["settings"]["temperature_K"])
    if offset is not None:
        result["warnings"] = [*result["warnings"], offset]
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


def plot(record: dict, path: Path) -> Path:
    """The run's profile figure (:mod:`study.figures.profile`, the drawing of the paper
    figure too)."""
    with fs.style("quick"):
        return fs.save_quick(profile.figure([record], style="quick")[0], path)


def main(argv: list[str] | None = None) -> int:
    args = analysis_arguments(__doc__.split("\n")[0], argv)
    record, table = analyse(args.raw, args.run, json.loads(args.analysis))
    write_analysis_outputs(args, record, table, lambda path: plot(record, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
