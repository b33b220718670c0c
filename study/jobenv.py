"""Environment of the jobs Snakemake starts (used by workflow/rules/common.smk)."""

from __future__ import annotations

import os

__all__ = ["export_project_path"]


def export_project_path(root: str) -> None:
    """Prepend the checkout ``root`` to PYTHONPATH for every job started from here on.

    The project's packages (potentials, structures, analysis, engine, study) then import in
    every job, also in a conda environment (``--sdm conda``) or on a cluster node where
    the package was not pip-installed.
    """
    current = os.environ.get("PYTHONPATH", "")
    parts = [root] + [p for p in current.split(os.pathsep) if p and p != root]
    os.environ["PYTHONPATH"] = os.pathsep.join(parts)
