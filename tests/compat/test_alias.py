"""``import alembic`` served by dbshift: auto (real Alembic wins), force, and off."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


def _run(code: str, tmp_path, env_mode: str | None = None, fake_alembic: bool = False) -> str:
    env = dict(os.environ)
    env.pop("DBSHIFT_ALEMBIC_SHIM", None)
    if env_mode is not None:
        env["DBSHIFT_ALEMBIC_SHIM"] = env_mode
    paths = [p for p in sys.path if p]
    if fake_alembic:
        pkg = tmp_path / "fake" / "alembic"
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text("REAL = True\n__version__ = '0.0.fake'\n")
        paths.insert(0, str(tmp_path / "fake"))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_alembic_modules_are_dbshift_modules(tmp_path):
    out = _run(
        """
        import dbshift.compat
        assert dbshift.compat.install()
        import alembic
        from alembic import op, context
        import alembic.operations.ops as aops
        from alembic.migration import MigrationContext
        from alembic.script.base import ScriptDirectory  # renamed module
        import dbshift.op, dbshift.operations.ops, dbshift.runtime.migration
        assert op is dbshift.op
        assert aops is dbshift.operations.ops
        assert MigrationContext is dbshift.runtime.migration.MigrationContext
        print(alembic.__version__)
        """,
        tmp_path,
    )
    assert out == "1.20.1"


def test_real_alembic_wins_in_auto_mode(tmp_path):
    out = _run(
        """
        import dbshift.compat
        dbshift.compat.install()
        import alembic
        print(getattr(alembic, "REAL", False))
        """,
        tmp_path,
        fake_alembic=True,
    )
    assert out == "True"


def test_force_mode_serves_dbshift_even_when_alembic_is_installed(tmp_path):
    out = _run(
        """
        import dbshift.compat
        dbshift.compat.install()
        import alembic
        print(getattr(alembic, "REAL", False), alembic.__version__)
        """,
        tmp_path,
        env_mode="force",
        fake_alembic=True,
    )
    assert out == "False 1.20.1"


def test_off_mode_installs_nothing(tmp_path):
    out = _run(
        """
        import dbshift.compat
        print(dbshift.compat.install())
        try:
            import alembic
            print("imported")
        except ImportError:
            print("missing")
        """,
        tmp_path,
        env_mode="off",
    )
    assert out.splitlines() == ["False", "missing"]


@pytest.mark.parametrize("name", ["alembic.nonexistent", "alembic.ddl.nonexistent"])
def test_unknown_alembic_module_is_an_import_error(tmp_path, name):
    out = _run(
        f"""
        import dbshift.compat
        dbshift.compat.install()
        try:
            import {name}
        except ModuleNotFoundError as err:
            print(err.name)
        """,
        tmp_path,
    )
    assert out == name


def test_public_alembic_paths_are_served(tmp_path):
    out = _run(
        """
        import dbshift.compat
        assert dbshift.compat.install(force=True)
        import dbshift.cli, dbshift.config
        from dbshift.runtime.environment import EnvironmentContext
        from dbshift.runtime.migration import MigrationContext
        from alembic import op, context, command, autogenerate, script, ddl, operations
        from alembic.config import Config, CommandLine, main
        from alembic.environment import EnvironmentContext as PublicEnvironmentContext
        from alembic.runtime.environment import EnvironmentContext as RuntimeEnvironmentContext
        from alembic.migration import MigrationContext as PublicMigrationContext
        from alembic.runtime.migration import MigrationContext as RuntimeMigrationContext
        from alembic.ddl.impl import DefaultImpl
        from alembic.operations import Operations
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError, DispatchPriority, PriorityDispatchResult
        assert PublicEnvironmentContext is RuntimeEnvironmentContext is EnvironmentContext
        assert PublicMigrationContext is RuntimeMigrationContext is MigrationContext
        assert Config is dbshift.config.Config
        assert main is dbshift.cli.main and CommandLine is dbshift.cli.CommandLine
        assert callable(op.add_column) and callable(op.create_enum_type)
        assert callable(context.configure)
        assert callable(command.upgrade) and callable(autogenerate.compare_metadata)
        assert DispatchPriority.FIRST > DispatchPriority.LAST
        print("ok")
        """,
        tmp_path,
    )
    assert out == "ok"
