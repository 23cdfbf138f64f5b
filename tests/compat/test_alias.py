"""``import alembic`` served by dbshift: auto (real Alembic wins), force, and off."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest


def _run(
    code: str,
    tmp_path,
    env_mode: str | None = None,
    fake_alembic: bool = False,
    python_flags: tuple[str, ...] = (),
) -> str:
    env = dict(os.environ)
    env.pop("DBSHIFT_ALEMBIC_SHIM", None)
    if env_mode is not None:
        env["DBSHIFT_ALEMBIC_SHIM"] = env_mode
    paths = [p for p in sys.path if p]
    if fake_alembic:
        pkg = tmp_path / "fake" / "alembic"
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text("REAL = True\n__version__ = '0.0.fake'\n")
        (pkg / "context.py").write_text("REAL = True\n")
        paths.insert(0, str(tmp_path / "fake"))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    result = subprocess.run(
        [sys.executable, *python_flags, "-c", textwrap.dedent(code)],
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
        import sys
        import dbshift.compat
        assert dbshift.compat.install()
        import alembic
        from alembic import op, context
        import alembic.operations.ops as aops
        import alembic.operations.base, alembic.util.exc, alembic.autogenerate.render
        import alembic.runtime.migration, alembic.runtime.environment, alembic.script.revision
        from alembic.migration import MigrationContext
        from alembic.operations import MigrateOperation
        from alembic.script.base import ScriptDirectory  # renamed module
        import dbshift.op, dbshift.operations.ops, dbshift.runtime.migration, dbshift.script
        # the same objects under both names (compared through sys.modules: an attribute of the
        # parent package is what the last import under either name put there)
        for name in ("op", "context", "operations.ops", "operations.base", "util.exc",
                     "autogenerate.render", "runtime.migration", "runtime.environment",
                     "script.revision"):
            assert sys.modules["alembic." + name] is sys.modules["dbshift." + name], name
        assert sys.modules["alembic.script.base"] is sys.modules["dbshift.script.directory"]
        assert op is dbshift.op and aops is sys.modules["dbshift.operations.ops"]
        assert MigrateOperation is sys.modules["dbshift.operations.ops"].MigrateOperation
        assert MigrationContext is dbshift.runtime.migration.MigrationContext
        assert ScriptDirectory is dbshift.script.ScriptDirectory
        copies = [n for n, m in sys.modules.items() if n.startswith("alembic") and m.__name__ == n
                  and n != "alembic"]
        assert not copies, copies
        print(alembic.__version__)
        """,
        tmp_path,
    )
    assert out == "1.20.1"


def test_modules_reached_through_the_alias_keep_their_own_spec(tmp_path):
    out = _run(
        """
        import sys
        import dbshift.compat
        dbshift.compat.install()
        import alembic.command, alembic.operations.ops
        for name in ("dbshift.command", "dbshift.operations.ops"):
            module = sys.modules[name]
            assert module.__spec__.name == name, module.__spec__
            assert module.__spec__.parent == module.__package__
        print("ok")
        """,
        tmp_path,
        python_flags=("-W", "error::ImportWarning"),
    )
    assert out == "ok"


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


def test_a_real_alembic_keeps_its_submodules_in_auto_mode(tmp_path):
    out = _run(
        """
        import dbshift.compat
        dbshift.compat.install()
        import alembic.context
        print(getattr(alembic.context, "REAL", False))
        """,
        tmp_path,
        fake_alembic=True,
    )
    assert out == "True"


def test_force_sticks_when_install_is_called_again(tmp_path):
    # dbshift calls install() (auto) before every env.py it runs: a forced alias stays forced.
    out = _run(
        """
        import dbshift.compat
        dbshift.compat.install(force=True)
        dbshift.compat.install()
        dbshift.compat.install(force=False)
        import alembic, alembic.context
        print(alembic.__name__, alembic.context.__name__)
        """,
        tmp_path,
        fake_alembic=True,
    )
    assert out == "dbshift.compat.alembic_root dbshift.context"


def test_a_project_run_by_dbshift_gets_dbshift_modules_beside_a_real_alembic(tmp_path):
    out = _run(
        """
        import sys
        import alembic, alembic.context
        real_root, real_context = alembic, alembic.context
        assert real_context.REAL
        import dbshift.compat, dbshift.context
        with dbshift.compat.serving_project_files():
            import alembic.context
            from alembic import op
            with dbshift.compat.serving_project_files():  # runs nest
                import alembic.operations.ops
            assert alembic.context is dbshift.context, alembic.context
            assert sys.modules["alembic.operations.ops"] is sys.modules["dbshift.operations.ops"]
        # afterwards the program has its Alembic back, and only that
        assert sys.modules["alembic"] is real_root
        assert sys.modules["alembic.context"] is real_context
        assert not [n for n in sys.modules if n.startswith("alembic.operations")]
        import alembic
        print(alembic is real_root, getattr(alembic, "REAL", False))
        """,
        tmp_path,
        fake_alembic=True,
    )
    assert out == "True True"


def test_the_dbshift_cli_runs_an_alembic_project_beside_a_real_alembic(tmp_path):
    # Alembic installed (here a stand-in whose `context` lacks everything) and dbshift: `dbshift
    # upgrade` gives the project's env.py and revision files dbshift's `context` and `op`.
    project = tmp_path / "project"
    (project / "migrations" / "versions").mkdir(parents=True)
    (project / "alembic.ini").write_text(
        "[alembic]\nscript_location = %(here)s/migrations\n"
        "sqlalchemy.url = sqlite:///%(here)s/app.db\n"
    )
    (project / "migrations" / "env.py").write_text(
        textwrap.dedent(
            """
            from alembic import context
            from sqlalchemy import engine_from_config, pool

            config = context.config
            engine = engine_from_config(
                config.get_section(config.config_ini_section), prefix="sqlalchemy.",
                poolclass=pool.NullPool,
            )
            with engine.connect() as connection:
                context.configure(connection=connection)
                with context.begin_transaction():
                    context.run_migrations()
            """
        )
    )
    (project / "migrations" / "versions" / "a1_t.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        "revision = 'a1'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n"
        "    from alembic.operations import Operations\n"
        "    assert Operations.__module__.startswith('dbshift.'), Operations.__module__\n"
        "    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
        "def downgrade():\n    op.drop_table('t')\n"
    )
    out = _run(
        f"""
        import os, sqlite3, sys
        os.chdir({str(project)!r})
        import alembic.context  # the program uses its Alembic first
        from dbshift.cli import main
        main(["upgrade", "head"])
        print(sys.modules["alembic.context"] is alembic.context)
        rows = sqlite3.connect("app.db").execute("SELECT version_num FROM alembic_version")
        print([r[0] for r in rows])
        """,
        tmp_path,
        fake_alembic=True,
    )
    assert out.splitlines()[-2:] == ["True", "['a1']"]


def test_python_dash_m_alembic_runs_dbshift(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DBSHIFT_ALEMBIC_SHIM"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    code = "import dbshift.compat, runpy, sys; dbshift.compat.install(); sys.argv = ['alembic', '--version']; runpy.run_module('alembic', run_name='__main__', alter_sys=True)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "dbshift 0.1.0"
