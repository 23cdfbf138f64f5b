"""Run one migration project under a tool (Alembic or dbshift) as subprocesses and record what happened.

For each tool the runner writes an ini of its own (the project's ini with the test database's URL,
or a fresh one around a migration directory), optionally swaps the directory's ``env.py`` for a
harness ``env.py``, then runs on a fresh database:

* ``upgrade head``, then reflects the schema and the version rows (``reflect.py``, in that tool's
  virtualenv);
* ``downgrade base`` (only after a successful upgrade), then reflects again;
* offline ``upgrade head --sql`` and ``downgrade head:base --sql`` (SQL captured from stdout).

Each step records success, the kind of error (exception class, plus the DBAPI class SQLAlchemy
wraps) and the last ``Running upgrade a -> b`` line logged before it ended.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..logging_ini import LOGGING_SECTIONS
from .databases import fresh_database, offline_url

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
REFLECT = HERE / "reflect.py"
DBSHIFT_MAIN = HERE / "dbshift_main.py"
ALEMBIC_VENV = ROOT / ".venv-alembic"
ALEMBIC_VERSION = "1.20.1"

STEP_TIMEOUT = float(os.environ.get("DIFFTEST_STEP_TIMEOUT", "180"))

#: (step name, CLI arguments, online?) in the order they run.
STEPS: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("upgrade", ("upgrade", "head"), True),
    ("downgrade", ("downgrade", "base"), True),
    ("sql_upgrade", ("upgrade", "head", "--sql"), False),
    ("sql_downgrade", ("downgrade", "head:base", "--sql"), False),
)



@dataclass(frozen=True)
class Tool:
    """How to run one migration tool: the command prefix, its Python, extra environment."""

    name: str
    command: tuple[str, ...]
    python: str
    env: dict[str, str] = field(default_factory=dict)
    pythonpath: tuple[str, ...] = ()


def alembic_python() -> Path:
    """The interpreter of the Alembic virtualenv."""
    override = os.environ.get("DIFFTEST_ALEMBIC_PYTHON")
    return Path(override) if override else ALEMBIC_VENV / "bin" / "python"


def ensure_alembic_venv() -> Path:
    """Create ``.venv-alembic`` with Alembic 1.20 if it is missing; return its interpreter.

    Raises ``RuntimeError`` (with pip's output) when it can't be created.
    """
    python = alembic_python()
    if python.exists():
        probe = subprocess.run(
            [str(python), "-c", "import alembic, sys; sys.stdout.write(alembic.__version__)"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == ALEMBIC_VERSION:
            return python
    if os.environ.get("DIFFTEST_ALEMBIC_PYTHON"):
        raise RuntimeError(f"{python} has no Alembic {ALEMBIC_VERSION}")
    commands = [
        ["python3", "-m", "venv", str(ALEMBIC_VENV)],
        [
            str(ALEMBIC_VENV / "bin" / "pip"),
            "install",
            "-q",
            f"alembic=={ALEMBIC_VERSION}",
            "psycopg2-binary",
            "pymysql",
        ],
    ]
    for cmd in commands:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            raise RuntimeError(f"{' '.join(cmd[:3])} failed: {' / '.join(tail)}")
    return python


def alembic_tool() -> Tool:
    """Alembic 1.20 from ``.venv-alembic``, run as ``python -m alembic``."""
    python = str(alembic_python())
    return Tool("alembic", (python, "-m", "alembic"), python, {"DBSHIFT_ALEMBIC_SHIM": "off"})


def dbshift_tool() -> Tool:
    """dbshift from ``src/`` with ``import alembic`` forced to dbshift's modules."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    return Tool(
        "dbshift",
        (python, str(DBSHIFT_MAIN)),
        python,
        {"DBSHIFT_ALEMBIC_SHIM": "force"},
        (str(ROOT / "src"),),
    )


@dataclass(frozen=True)
class Project:
    """A migration project to run: a directory (with ``env.py`` and ``versions/``) or an ini file.

    ``env_file`` replaces the directory's own ``env.py`` (the revision files stay where they are,
    read through ``version_locations``). ``extra_paths`` go on ``PYTHONPATH`` for revision files
    that import their application.
    """

    source: Path
    env_file: Path | None = None
    version_table: str = "alembic_version"
    extra_paths: tuple[str, ...] = ()
    ini_section: str = "alembic"
    label: str = ""
    #: the revision directory, when not ``<source>/versions`` (one per backend, as prefect's)
    versions_dir: Path | None = None
    #: environment variables the revisions need, as ``(name, value)`` pairs
    environ: tuple[tuple[str, str], ...] = ()


def write_config(project: Project, target_dir: Path, url: str) -> Path:
    """Write the ini a tool runs with into ``target_dir``; return its path."""
    target_dir.mkdir(parents=True, exist_ok=True)
    source = project.source.resolve()
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    section = project.ini_section
    if source.is_file():
        text = source.read_text().replace("%(here)s", str(source.parent).replace("%", "%%"))
        parser.read_string(text, source=str(source))
        if not parser.has_section(section):
            raise ValueError(f"{source}: no [{section}] section")
        script_location = parser.get(section, "script_location")
        if not os.path.isabs(script_location) and ":" not in script_location:
            script_location = str(source.parent / script_location)
    else:
        parser.read_string(LOGGING_SECTIONS)
        parser.add_section(section)
        script_location = str(source)
    if project.env_file is not None:
        harness = target_dir / "migrations"
        harness.mkdir(exist_ok=True)
        shutil.copyfile(project.env_file, harness / "env.py")
        mako = Path(script_location) / "script.py.mako"
        if mako.exists():
            shutil.copyfile(mako, harness / "script.py.mako")
        if not parser.has_option(section, "version_locations"):
            versions = project.versions_dir or Path(script_location) / "versions"
            parser.set(section, "version_locations", str(versions))
            parser.set(section, "path_separator", "os")
        script_location = str(harness)
    parser.set(section, "script_location", script_location)
    parser.set(section, "sqlalchemy.url", url.replace("%", "%%"))
    path = target_dir / "alembic.ini"
    with path.open("w") as fh:
        parser.write(fh)
    return path


_RUNNING = re.compile(r"Running (upgrade|downgrade|stamp)\s+(.*?)\s*->\s*([^\s,]+)")
_EXC_LINE = re.compile(r"^([A-Za-z_][\w.]*)(?::\s?(.*))?$")
_DBAPI = re.compile(r"^\(([\w.]+)\)")


def _exception_kind(line: str) -> tuple[str, str] | None:
    match = _EXC_LINE.match(line)
    if match is None:
        return None
    kind = match.group(1).rsplit(".", 1)[-1]
    message = (match.group(2) or "").strip()
    dbapi = _DBAPI.match(message)
    if dbapi:
        kind += f"({dbapi.group(1).rsplit('.', 1)[-1]})"
    return kind, message


def parse_error(stderr: str) -> dict[str, Any] | None:
    """The exception a failed run ended with.

    ``kind`` is the class name (with the DBAPI class SQLAlchemy wraps, ``OperationalError(
    OperationalError)``), ``chain`` the kinds of every exception in the traceback chain, first
    cause first, and ``message`` the final exception's message.
    """
    lines = stderr.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call")]
    chain: list[str] = []
    final: tuple[str, str] | None = None
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        # the exception line is the first unindented line after the frames; its message may
        # run on over more lines (PostgreSQL's DETAIL/HINT)
        for line in lines[start + 1 : stop]:
            if not line or line[0].isspace():
                continue
            found = _exception_kind(line)
            if found:
                chain.append(found[0])
                final = found
            break
    if final is None:
        for line in reversed(lines):
            if line.startswith("FAILED:"):
                return {"kind": "FAILED", "chain": ["FAILED"], "message": line[7:].strip()[:300]}
        return {"kind": "unknown", "chain": [], "message": " | ".join(lines[-3:])[:300]}
    return {"kind": final[0], "chain": chain, "message": final[1][:300]}


def last_running_step(stderr: str) -> str | None:
    """``"upgrade a -> b"`` for the last migration step the log shows starting."""
    found = _RUNNING.findall(stderr)
    if not found:
        return None
    kind, src, dest = found[-1]
    return f"{kind} {src.strip() or 'base'} -> {dest}"


def _environ(tool: Tool, project: Project) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBSHIFT_ALEMBIC", "PYTHON"))}
    env.update(tool.env)
    env.update(project.environ)
    env["PYTHONPATH"] = os.pathsep.join([*tool.pythonpath, *project.extra_paths])
    return env


def _run(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=cwd, check=False, timeout=STEP_TIMEOUT
        )
    except subprocess.TimeoutExpired as err:
        done = subprocess.CompletedProcess(
            cmd, -9, _text(err.stdout), _text(err.stderr) + f"\nTimeoutExpired: {STEP_TIMEOUT}s"
        )
    return done, time.perf_counter() - start


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def reflect_with(tool: Tool, url: str, version_table: str, cwd: Path) -> dict[str, Any]:
    """Run ``reflect.py`` in the tool's interpreter; the parsed JSON, or ``{"error": ...}``."""
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done, _ = _run([tool.python, str(REFLECT), url, version_table], env, cwd)
    if done.returncode != 0:
        return {"error": (parse_error(done.stderr) or {}).get("message", done.stderr[-300:])}
    return json.loads(done.stdout)


def run_tool(tool: Tool, project: Project, backend: str, work_dir: Path) -> dict[str, Any]:
    """Run every step of :data:`STEPS` under ``tool``; the record of what happened."""
    tool_dir = work_dir / tool.name
    tool_dir.mkdir(parents=True, exist_ok=True)
    env = _environ(tool, project)
    record: dict[str, Any] = {"tool": tool.name, "python": tool.python, "steps": {}}
    offline_ini = write_config(project, tool_dir / "offline", offline_url(backend))
    with fresh_database(backend, tool_dir, tool.name) as url:
        online_ini = write_config(project, tool_dir / "online", url)
        if backend == "sqlite":  # the state a rolled-back upgrade must return to
            record["initial_snapshot"] = reflect_with(tool, url, project.version_table, tool_dir)
        for name, args, online in STEPS:
            if name == "downgrade" and not record["steps"]["upgrade"]["ok"]:
                record["steps"][name] = {"ok": None, "skipped": "upgrade failed"}
                continue
            ini = online_ini if online else offline_ini
            cmd = [*tool.command, "-c", str(ini), "-n", project.ini_section, "--raiseerr", *args]
            cwd = project.source.resolve().parent if project.source.is_file() else ini.parent
            done, seconds = _run(cmd, env, cwd)
            step: dict[str, Any] = {
                "ok": done.returncode == 0,
                "returncode": done.returncode,
                "seconds": round(seconds, 3),
                "error": None if done.returncode == 0 else parse_error(done.stderr),
                "last_step": last_running_step(done.stderr),
                "stderr_tail": "\n".join(done.stderr.splitlines()[-12:]),
            }
            if online:
                step["snapshot"] = reflect_with(tool, url, project.version_table, tool_dir)
            else:
                step["sql"] = done.stdout
            record["steps"][name] = step
    return record


def run_handoff(first: Tool, second: Tool, project: Project, backend: str, work_dir: Path) -> dict[str, Any]:
    """One database, shared version table: ``first`` runs ``upgrade +1``, ``second`` ``upgrade head``."""
    here = work_dir / f"handoff-{first.name}-{second.name}-{id(first) % 1000}"
    here.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"first": first.name, "second": second.name, "steps": []}
    with fresh_database(backend, here, "handoff") as url:
        for tool, args in ((first, ("upgrade", "+1")), (second, ("upgrade", "head"))):
            ini = write_config(project, here / f"{tool.name}-{args[1]}", url)
            cmd = [*tool.command, "-c", str(ini), "-n", project.ini_section, "--raiseerr", *args]
            done, seconds = _run(cmd, _environ(tool, project), ini.parent)
            record["steps"].append(
                {
                    "tool": tool.name,
                    "args": " ".join(args),
                    "ok": done.returncode == 0,
                    "seconds": round(seconds, 3),
                    "error": None if done.returncode == 0 else parse_error(done.stderr),
                }
            )
            if done.returncode != 0:
                break
        record["snapshot"] = reflect_with(second, url, project.version_table, here)
    return record


def run_difftest(
    project: Project,
    backend: str,
    work_dir: Path,
    tools: tuple[Tool, ...] | None = None,
    handoff: bool = True,
) -> dict[str, Any]:
    """Run ``project`` under Alembic and dbshift (in parallel) and compare; the JSON summary.

    With ``handoff`` (and when Alembic's ``upgrade head`` succeeded), more databases check that
    the version table is shared: Alembic starts (``upgrade +1``) and dbshift finishes
    (``upgrade head``), and the other way round; each must end as the same split run by Alembic
    alone does (some chains can't be run in two parts even by Alembic).
    """
    from .compare import compare_handoff, compare_runs

    tools = tools or (alembic_tool(), dbshift_tool())
    work_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=len(tools)) as pool:
        futures = [pool.submit(run_tool, tool, project, backend, work_dir) for tool in tools]
        runs = [f.result() for f in futures]
    checks = compare_runs(runs[0], runs[1], backend)
    handoffs = []
    if handoff and runs[0]["steps"]["upgrade"]["ok"]:
        pairs = ((tools[0], tools[0]), (tools[0], tools[1]), (tools[1], tools[0]))
        with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
            futures = [
                pool.submit(run_handoff, first, second, project, backend, work_dir)
                for first, second in pairs
            ]
            handoffs = [f.result() for f in futures]
        checks.extend(compare_handoff(h, handoffs[0]) for h in handoffs[1:])
    return {
        "handoffs": handoffs,
        "project": project.label or str(project.source),
        "backend": backend,
        "identical": all(c["same"] for c in checks),
        "checks": checks,
        "runs": {run["tool"]: run for run in runs},
    }
