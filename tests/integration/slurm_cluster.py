"""A private one-node SLURM cluster on this machine, for tests/integration/test_slurm.py.

Debian's SLURM 22.05 (``slurmctld slurmd slurm-client munge``, installed with apt-get if
``sbatch`` is missing and ``KAPITZA_SLURM_INSTALL=1``, never unasked on a user's machine),
one node on 127.0.0.1 with 2 CPUs, no accounting, state, spool
and logs in a folder of the caller's.  The daemons run in the foreground as children of
the test process and are stopped by PID.  Jobs read ``/etc/slurm/slurm.conf`` (they do
not see ``SLURM_CONF``), so the file is written there and restored (or removed) at stop.

    cluster = LocalSlurm(folder)
    cluster.start()          # SlurmUnavailable: the machine cannot have SLURM (skip)
    ...                      # sbatch/srun/squeue work
    cluster.stop()           # cancels the jobs, stops what start() started
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

APT_PACKAGES = ("slurmctld", "slurmd", "slurm-client", "munge")
SLURM_CONF = Path("/etc/slurm/slurm.conf")
MUNGE_KEY = Path("/etc/munge/munge.key")
MUNGE_DIRS = (Path("/run/munge"), Path("/var/lib/munge"), Path("/var/log/munge"))
_SBIN_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
# apt-get output that means "no package source reachable", not "broken install"
_NETWORK_ERRORS = re.compile(r"Temporary failure resolving|Could not resolve|Failed to fetch|"
                             r"Network is unreachable|Connection (timed out|refused)|"
                             r"Unable to locate package")


class SlurmUnavailable(RuntimeError):
    """This machine cannot run SLURM (no root, no apt-get, no package source): skip."""


def which(name: str) -> str | None:
    return shutil.which(name, path=_SBIN_PATH)


def _missing_tools() -> list[str]:
    tools = ("sbatch", "srun", "squeue", "sinfo", "scontrol", "scancel",
             "slurmctld", "slurmd", "munged", "munge", "unmunge")
    return [t for t in tools if which(t) is None]


def install_packages(timeout: float = 900) -> None:
    """Install Debian's SLURM and munge packages unless their programs are there."""
    missing = _missing_tools()
    if not missing:
        return
    if os.environ.get("KAPITZA_SLURM_INSTALL") != "1":
        raise SlurmUnavailable(f"SLURM is not installed ({', '.join(missing)} missing); the "
                               "test installs Debian's SLURM daemons with apt-get only when "
                               "asked: KAPITZA_SLURM_INSTALL=1 make test (.ci/run sets it)")
    if os.geteuid() != 0:
        raise SlurmUnavailable(f"SLURM is not installed ({', '.join(missing)} missing) and "
                               "the tests do not run as root, so cannot apt-get install it")
    apt = which("apt-get")
    if apt is None:
        raise SlurmUnavailable(f"SLURM is not installed ({', '.join(missing)} missing) and "
                               "there is no apt-get to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "--no-install-recommends", *APT_PACKAGES]
    result = subprocess.run(install, check=False, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:  # stale or empty package lists: update once, then retry
        update = subprocess.run([apt, "update"], check=False, env=env, capture_output=True, text=True,
                                timeout=timeout)
        result = subprocess.run(install, check=False, env=env, capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode != 0:
            output = update.stdout + update.stderr + result.stdout + result.stderr
            if _NETWORK_ERRORS.search(output):
                raise SlurmUnavailable("cannot install SLURM: no package source reachable "
                                       f"({_NETWORK_ERRORS.search(output).group(0)})")
            raise RuntimeError(f"{' '.join(install)} failed:\n{output[-3000:]}")
    still = _missing_tools()
    if still:
        raise RuntimeError(f"installed {' '.join(APT_PACKAGES)} but {', '.join(still)} missing")


def _pids_of(name: str) -> list[int]:
    """PIDs of running processes whose command name is exactly ``name``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _stop(proc: subprocess.Popen, grace_s: float = 15.0) -> None:
    """SIGTERM ``proc``; SIGKILL it if it has not exited after ``grace_s``."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait(predicate, timeout_s: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    tail = ""
    if log is not None and log.exists():
        tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
    raise RuntimeError(f"{what} not ready within {timeout_s:.0f} s{tail}")


class LocalSlurm:
    """One controller and one compute node on 127.0.0.1, private to a test session."""

    def __init__(self, folder: Path, cpus: int = 2, partition: str = "test"):
        self.folder = Path(folder)
        self.cpus = cpus
        self.partition = partition
        self.node = socket.gethostname().split(".")[0]
        self._procs: dict[str, subprocess.Popen] = {}
        self._conf_backup: str | None = None
        self._conf_written = False

    # -- set-up -------------------------------------------------------------------------
    def config_text(self) -> str:
        f = self.folder
        return "\n".join([
            "# Written by tests/integration/slurm_cluster.py for the test suite; removed at its end.",
            "ClusterName=kapitza-test",
            f"SlurmctldHost={self.node}(127.0.0.1)",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            f"StateSaveLocation={f / 'state'}",
            f"SlurmdSpoolDir={f / 'spool'}",
            f"SlurmctldPidFile={f / 'slurmctld.pid'}",
            f"SlurmdPidFile={f / 'slurmd.pid'}",
            f"SlurmctldLogFile={f / 'slurmctld.log'}",
            f"SlurmdLogFile={f / 'slurmd.log'}",
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            # srun speaks PMI-2 to the ranks: the mpich wheel's MPI_Init joins them
            "MpiDefault=pmi2",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "JobCompType=jobcomp/none",
            # finished jobs stay visible to squeue/scontrol this long (the plugin's squeue
            # status command needs >= 3 x its first status-check delay; the test reads
            # the jobs' records after the whole run)
            "MinJobAge=3600",
            "ReturnToService=2",
            # take CPUs/RealMemory below as given, whatever the hardware reports
            "SlurmdParameters=config_overrides",
            (f"NodeName={self.node} NodeAddr=127.0.0.1 CPUs={self.cpus} RealMemory=8000 "
             "State=UNKNOWN"),
            (f"PartitionName={self.partition} Nodes={self.node} Default=YES "
             "MaxTime=INFINITE State=UP"),
            "",
        ])

    def _write_config(self) -> None:
        if SLURM_CONF.exists():
            self._conf_backup = SLURM_CONF.read_text()
        SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
        self._conf_written = True
        SLURM_CONF.write_text(self.config_text())

    def _munge_works(self) -> bool:
        munge, unmunge = which("munge"), which("unmunge")
        try:
            cred = subprocess.run([munge, "-n"], check=False, capture_output=True, timeout=5)
            if cred.returncode != 0:
                return False
            check = subprocess.run([unmunge], check=False, input=cred.stdout, capture_output=True,
                                   timeout=5)
        except subprocess.TimeoutExpired:
            return False
        return check.returncode == 0

    def _start_munge(self) -> None:
        if self._munge_works():  # a munged of the system's: use it, leave it running
            return
        user = pwd.getpwnam("munge")
        if not MUNGE_KEY.exists():
            MUNGE_KEY.parent.mkdir(parents=True, exist_ok=True)
            MUNGE_KEY.write_bytes(os.urandom(1024))
            os.chown(MUNGE_KEY, user.pw_uid, user.pw_gid)
            MUNGE_KEY.chmod(0o400)
        for folder in MUNGE_DIRS:
            folder.mkdir(parents=True, exist_ok=True)
            os.chown(folder, user.pw_uid, user.pw_gid)
        self._spawn("munged", [which("munged"), "--foreground"], user="munge",
                    group="munge", extra_groups=[])
        _wait(self._munge_works, 20, "munged", self.folder / "munged.out")

    def _spawn(self, name: str, cmd: list[str], **kwargs) -> None:
        with open(self.folder / f"{name}.out", "w") as log:  # the daemon keeps its copy
            self._procs[name] = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                                 stdin=subprocess.DEVNULL, **kwargs)

    def _node_idle(self) -> bool:
        for name, proc in self._procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}: "
                                   f"{(self.folder / f'{name}.out').read_text()[-2000:]}")
        out = subprocess.run([which("sinfo"), "-h", "-N", "-o", "%N %t"], check=False,
                             capture_output=True, text=True, timeout=10)
        return out.returncode == 0 and f"{self.node} idle" in out.stdout

    def start(self) -> None:
        """Install if needed, configure, start munged, slurmctld and slurmd."""
        install_packages()
        running = {n: _pids_of(n) for n in ("slurmctld", "slurmd")}
        if any(running.values()):
            raise SlurmUnavailable(f"SLURM daemons already run on this machine {running}: "
                                   "the test starts its own private cluster only when "
                                   "none runs (stop them first)")
        for sub in ("state", "spool"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        try:
            self._write_config()
            self._start_munge()
            self._spawn("slurmctld", [which("slurmctld"), "-D", "-i"])
            self._spawn("slurmd", [which("slurmd"), "-D", "-N", self.node])
            _wait(self._node_idle, 60, "SLURM node", self.folder / "slurmctld.log")
        except BaseException:
            self.stop()
            raise

    # -- tear-down ----------------------------------------------------------------------
    def _cancel_jobs(self) -> None:
        if "slurmctld" not in self._procs or self._procs["slurmctld"].poll() is not None:
            return

        def jobs() -> list[str]:
            out = subprocess.run([which("squeue"), "-h", "-o", "%i %t"], check=False,
                                 capture_output=True, text=True, timeout=10)
            return [line.split()[0] for line in out.stdout.splitlines()
                    if line.split() and line.split()[1] not in ("CD", "F", "CA", "TO")]

        try:
            ids = jobs()
            if ids:
                subprocess.run([which("scancel"), *ids], check=False, capture_output=True,
                               timeout=10)
                _wait(lambda: not jobs(), 30, "job cancellation")
        except (subprocess.TimeoutExpired, RuntimeError):
            pass

    def stop(self) -> None:
        """Cancel the jobs, stop the daemons that start() started, restore slurm.conf."""
        try:
            self._cancel_jobs()
        finally:
            for name in ("slurmd", "slurmctld", "munged"):
                if name in self._procs:
                    _stop(self._procs.pop(name))
            if self._conf_written:
                if self._conf_backup is not None:
                    SLURM_CONF.write_text(self._conf_backup)
                else:
                    SLURM_CONF.unlink(missing_ok=True)
                self._conf_written = False

    @property
    def pids(self) -> dict[str, int]:
        """PIDs of the daemons this object started and that still run."""
        return {n: p.pid for n, p in self._procs.items() if p.poll() is None}
