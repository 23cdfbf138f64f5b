"""Run a tool's CLI as a subprocess and time it: a warm-up run, then the median of several.

Both tools run with the same clean environment: ``PYTHONDONTWRITEBYTECODE`` and ``PYTHONPATH``
removed (so each writes and reuses its bytecode caches and sees only its own virtualenv), and
none of the variables that would point either tool at another configuration.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

MAIN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALEMBIC_VENV = os.path.join(MAIN, ".venv-alembic")
DBSHIFT_VENV = os.path.join(MAIN, ".venv")

_DROPPED_ENV = (
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONPROFILEIMPORTTIME",
    "ALEMBIC_CONFIG",
    "DBSHIFT_CONFIG",
    "DBSHIFT_ALEMBIC_SHIM",
    "VIRTUAL_ENV",
)


def clean_env() -> dict[str, str]:
    """The environment every benchmarked process gets."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env["PYTHONHASHSEED"] = "0"
    return env


@dataclass(frozen=True)
class Tool:
    """One CLI under test: its name, the argv prefix that runs it, the package scripts import."""

    name: str
    argv: tuple[str, ...]
    pkg: str


DBSHIFT_PYTHON = os.path.join(DBSHIFT_VENV, "bin", "python")
ALEMBIC = Tool("alembic", (os.path.join(ALEMBIC_VENV, "bin", "alembic"),), "alembic")
DBSHIFT = Tool("dbshift", (os.path.join(DBSHIFT_VENV, "bin", "dbshift"),), "dbshift")


class ToolFailed(RuntimeError):
    """A benchmarked command exited non-zero."""

    def __init__(self, argv: Sequence[str], cwd: str, proc: subprocess.CompletedProcess[str]):
        lines = (proc.stderr or proc.stdout or "").strip().splitlines()
        errors = [ln.strip() for ln in lines if "Error" in ln or ln.startswith("FAILED")]
        shown = errors[:2] + lines[-2:] if errors else lines[-5:]
        super().__init__(
            f"{' '.join(argv)} (in {cwd}) exited {proc.returncode}: " + " | ".join(shown)
        )
        self.proc = proc


def run(tool: Tool, args: Sequence[str], cwd: str) -> subprocess.CompletedProcess[str]:
    """Run ``tool args`` in ``cwd``; raise :class:`ToolFailed` on a non-zero exit."""
    argv = [*tool.argv, *args]
    proc = subprocess.run(argv, cwd=cwd, env=clean_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise ToolFailed(argv, cwd, proc)
    return proc


@dataclass
class Timing:
    """Wall-clock seconds of the timed runs, the tool process's CPU seconds (user + system,
    without the database server's work), and the output of the last run."""

    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


@dataclass
class Job:
    """One command to time: ``tool args`` in ``cwd``; ``before``/``after`` run untimed around
    each run (to prepare the database, to inspect what the run left)."""

    key: str
    tool: Tool
    args: Sequence[str]
    cwd: str
    before: Callable[[], None] | None = None
    after: Callable[[], None] | None = None


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(job: Job) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    if job.before is not None:
        job.before()
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = run(job.tool, job.args, job.cwd)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu
    if job.after is not None:
        job.after()
    return elapsed, cpu, proc


def timed(jobs: Sequence[Job], runs: int) -> dict[str, Timing | str]:
    """Warm every job once (untimed), then time ``runs`` rounds, the jobs interleaved.

    Interleaving (A, B, A, B, ...) exposes every tool to the same background load on a shared
    machine. A job that fails is reported as ``"FAILED: ..."`` and dropped from later rounds.
    """
    results: dict[str, Timing | str] = {}
    live = []
    for job in jobs:
        try:
            _once(job)
        except ToolFailed as err:
            results[job.key] = f"FAILED: {err}"
            continue
        results[job.key] = Timing()
        live.append(job)
    for _ in range(runs):
        for job in list(live):
            try:
                elapsed, cpu, proc = _once(job)
            except ToolFailed as err:
                results[job.key] = f"FAILED: {err}"
                live.remove(job)
                continue
            timing = results[job.key]
            assert isinstance(timing, Timing)
            timing.times.append(elapsed)
            timing.cpu.append(cpu)
            timing.stdout, timing.stderr = proc.stdout, proc.stderr
    return results
