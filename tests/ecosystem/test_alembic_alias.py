"""The ``import alembic`` alias as the ecosystem packages meet it.

- A program that imports ``alembic`` in a venv with dbshift and no Alembic (Flask-Migrate's app,
  pytest with the pytest-alembic plugin) gets dbshift without calling anything first; so does
  ``python -m alembic`` (dbshift installs no ``alembic`` script: see the README).
- ``alembic.<package>.<module>`` is dbshift's module itself, not a second execution of its file:
  a second copy has its own classes and registries (``MigrateOperation``, ``Operations``,
  ``renderers``, ``CommandError``), so a plugin's op or renderer never reaches dbshift's.
- Code reached through the alias imports lazily without ``ImportWarning`` (suites run with
  ``-W error`` fail on it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from .harness import ROOT, SCRIPT_TEMPLATE, EcosystemGap, run_in_venv

SRC = ROOT / "src"


def _python(code: str, cwd: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DBSHIFT_ALEMBIC_SHIM")}
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(code)],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )


def test_a_plain_interpreter_of_the_venv_imports_alembic(eco_venvs: None) -> None:
    code = "import alembic.config, alembic.command; print(alembic.__version__)"
    reference = run_in_venv("alembic", ("python", "-c", code), ROOT)
    assert reference.stdout.strip() == "1.20.1", reference.describe()
    run = run_in_venv("dbshift", ("python", "-c", code), ROOT)
    if run.returncode != 0 or run.stdout.strip() != "1.20.1":
        raise EcosystemGap(f"`{code}` in .venv-eco: {run.last_error_line()}\n{run.describe()}")


def test_python_dash_m_alembic_runs_dbshift_where_alembic_is_not_installed(
    eco_venvs: None, tmp_path: Path
) -> None:
    run = run_in_venv("dbshift", ("python", "-m", "alembic", "--version"), tmp_path)
    assert (run.returncode, run.stdout.strip()) == (0, "dbshift 0.1.0"), run.describe()
    assert run_in_venv("dbshift", ("alembic", "--version"), tmp_path).returncode == 127  # none


def test_alembic_submodules_are_dbshift_modules_not_second_copies(tmp_path: Path) -> None:
    proc = _python(
        """
        import json, sys
        import dbshift.compat
        dbshift.compat.install()
        import alembic.operations.ops
        import alembic.autogenerate.render
        import alembic.util.exc
        import dbshift.operations.ops, dbshift.autogenerate.render, dbshift.util.exc
        copies = sorted(
            name for name, module in sys.modules.items()
            if name.startswith("alembic.") and module.__name__ == name
        )
        print(json.dumps({
            "copies": copies,
            "same MigrateOperation": sys.modules["alembic.operations.ops"].MigrateOperation
            is sys.modules["dbshift.operations.ops"].MigrateOperation,
        }))
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    if found["copies"] or not found["same MigrateOperation"]:
        raise EcosystemGap(
            "modules imported through the alias ran a second execution of dbshift's file under "
            f"the alembic name: {found['copies']}; alembic.operations.ops.MigrateOperation is "
            f"dbshift's: {found['same MigrateOperation']}"
        )


def test_lazy_imports_through_the_alias_raise_no_import_warning(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "versions").mkdir()
    (tmp_path / "migrations" / "script.py.mako").write_text(SCRIPT_TEMPLATE)
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    proc = _python(
        """
        import dbshift.compat
        dbshift.compat.install()
        import alembic.script.base  # dbshift.script.directory, which imports its writer lazily
        from alembic import command
        from alembic.config import Config
        command.heads(Config("alembic.ini"))
        command.revision(Config("alembic.ini"), "first", rev_id="a1")
        """,
        tmp_path,
        "-W",
        "error::ImportWarning",
    )
    if proc.returncode != 0:
        last = [line for line in proc.stderr.splitlines() if line.strip()][-1:]
        raise EcosystemGap(f"`alembic.command.heads` under -W error::ImportWarning: {last}\n"
                           f"{proc.stderr}")
