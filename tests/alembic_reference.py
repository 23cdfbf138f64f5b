"""Run the same thing under Alembic 1.20 (``.venv-alembic``) and under dbshift (``.venv``).

For tests that check dbshift against Alembic's own behaviour: a Python snippet run by each
tool's interpreter (``from alembic import ...`` is Alembic itself in the first, dbshift through
its ``alembic`` alias in the second), or a CLI command in a project written by
:func:`workflow_graphs.write_project`. Nothing here imports Alembic.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from workflow_graphs import ALEMBIC_EXE, ROOT, TOOLS, CliResult

__all__ = ["TOOLS", "python_of", "require_alembic", "run_python"]

PYTHONS = {
    "alembic": ROOT / ".venv-alembic" / "bin" / "python",
    "dbshift": ROOT / ".venv" / "bin" / "python",
}
#: Put first in dbshift's snippets: ``alembic`` is dbshift even if Alembic were installed.
_DBSHIFT_PRELUDE = "import dbshift.compat as _c; _c.install(force=True)\n"


def require_alembic() -> None:
    """Skip (fail in CI) when the reference Alembic is not installed."""
    if ALEMBIC_EXE.exists():
        return
    message = f"{ALEMBIC_EXE} is missing: run scripts/setup_alembic_venv.sh"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI requires it)")
    pytest.skip(message)


def python_of(tool: str) -> Path:
    """The interpreter of ``tool``'s virtualenv."""
    return PYTHONS[tool]


def run_python(tool: str, code: str, cwd: Path, hash_seed: int = 0) -> CliResult:
    """Run ``code`` with ``tool``'s interpreter in ``cwd``; ``from alembic import ...`` in it
    imports that tool."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("ALEMBIC_CONFIG", "DBSHIFT_CONFIG", "PYTHONPATH", "DBSHIFT_ALEMBIC_SHIM")}
    env["PYTHONHASHSEED"] = str(hash_seed)
    if tool == "dbshift":
        env["PYTHONPATH"] = str(ROOT / "src")
        code = _DBSHIFT_PRELUDE + code
    proc = subprocess.run(
        [str(PYTHONS[tool]), "-W", "ignore::ResourceWarning", "-c", code],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
