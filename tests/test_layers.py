"""The package layers point down: potentials → structures, analysis → engine → study.

Only ``engine`` may import ``lammps`` or ``mpi4py``; ``potentials``, ``structures`` and
``analysis`` import neither ``engine`` nor ``study``; nothing imports the Snakemake
``workflow`` folder as a package.  Read from the source (``ast``), so a lazy import inside
a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Packages each layer must not import (top-level module names).
FORBIDDEN = {
    "potentials": {"structures", "analysis", "engine", "study", "workflow", "lammps", "mpi4py"},
    "structures": {"analysis", "engine", "study", "workflow", "lammps", "mpi4py"},
    "analysis": {"structures", "engine", "study", "workflow", "lammps", "mpi4py",
                 "matplotlib"},
    "engine": {"study", "workflow"},
    "study": {"workflow", "lammps", "mpi4py"},
}


def imported_top_levels(path: Path) -> set[str]:
    """Top-level names of every absolute import in ``path`` (relative imports excluded)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_imported_top_levels_reads_lazy_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import os\nfrom .x import y\ndef f():\n    from lammps import lammps\n")
    assert imported_top_levels(source) == {"os", "lammps"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_down(package):
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        bad = imported_top_levels(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(REPO)} imports {', '.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)


def test_only_engine_and_scripts_import_lammps():
    """Every Python file outside engine/ (tests, benchmarks and entry points included)
    reaches LAMMPS through engine/ only."""
    offenders = []
    for path in sorted(REPO.rglob("*.py")):
        rel = path.relative_to(REPO)
        if rel.parts[0] in {"engine", ".venv", "results", ".snakemake"} or "site-packages" in rel.parts:
            continue
        if rel.parts[0] == "tests" and path.name == Path(__file__).name:
            continue
        bad = imported_top_levels(path) & {"lammps", "mpi4py"}
        if bad:
            offenders.append(f"{rel} imports {', '.join(sorted(bad))}")
    assert not offenders, "\n".join(offenders)


def test_workflow_is_not_a_python_package():
    """Snakemake's ``workflow`` object and a package of the same name used to collide."""
    assert not (REPO / "workflow" / "__init__.py").exists()
