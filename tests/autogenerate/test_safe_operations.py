"""``safe_operations = true``: autogenerate writes forms that lint passes and PostgreSQL runs.

A project whose database holds ``parent``/``child`` with rows gets a model that adds an index,
a foreign key and a NOT NULL, and drops an index. Autogenerate writes the revision; lint checks
it; upgrade runs it on PostgreSQL and the schema is read back.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from dbshift import command
from dbshift.command.lint import LintFailed
from dbshift.config import Config

ENV_PY = '''\
import sqlalchemy as sa
from sqlalchemy import engine_from_config, pool

from dbshift import context

config = context.config
metadata = sa.MetaData()
sa.Table(
    "parent", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
)
child = sa.Table(
    "child", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("parent_id", sa.Integer),
    sa.Column("name", sa.String(20)),
    sa.Column("old", sa.Integer),
    sa.Index("ix_child_old", "old"),
)
if config.get_main_option("models") == "v2":
    child.c.name.nullable = False
    child.append_constraint(
        sa.ForeignKeyConstraint(["parent_id"], ["parent.id"], name="fk_child_parent")
    )
    sa.Index("ix_child_name", child.c.name)
    child.indexes.discard(next(i for i in child.indexes if i.name == "ix_child_old"))

connectable = engine_from_config(
    config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
'''


def _project(root: Path, url: str, extra: str = "") -> Config:
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "migrations" / "env.py").write_text(ENV_PY)
    template = Path(command.__file__).parent.parent / "templates" / "generic" / "script.py.mako"
    (root / "migrations" / "script.py.mako").write_text(template.read_text())
    (root / "alembic.ini").write_text(
        f"[alembic]\nscript_location = %(here)s/migrations\nsqlalchemy.url = {url}\n{extra}"
    )
    return Config(str(root / "alembic.ini"))


def _set(config_path: Path, line: str) -> None:
    text = config_path.read_text()
    config_path.write_text(text.replace("[alembic]\n", f"[alembic]\n{line}\n", 1))


def _start(tmp_path: Path, engine: sa.Engine, extra: str) -> tuple[Config, Path]:
    url = engine.url.render_as_string(hide_password=False)
    config = _project(tmp_path, url, extra + "models = v1\n")
    command.revision(config, "base tables", autogenerate=True, rev_id="first")
    command.upgrade(config, "head")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO parent VALUES (1), (2)")
        conn.exec_driver_sql("INSERT INTO child VALUES (1, 1, 'a', 1), (2, 2, 'b', 2)")
    ini = tmp_path / "alembic.ini"
    ini.write_text(ini.read_text().replace("models = v1", "models = v2"))
    config = Config(str(ini))
    command.revision(config, "changes", autogenerate=True, rev_id="changes")
    return config, next((tmp_path / "migrations" / "versions").glob("changes_*.py"))


def _lint(config: Config) -> list:
    try:
        return command.lint(config, "changes", dialect="postgresql")
    except LintFailed as failed:
        return failed.findings


def test_plain_autogenerate_output_fails_lint(pg_engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config, _ = _start(tmp_path, pg_engine, "")
    found = {f.rule for f in _lint(config) if f.severity == "error"}
    assert found == {
        "blocking-index-creation", "foreign-key-validates-under-lock", "set-not-null-scans-table"
    }


def test_safe_operations_output_passes_lint_and_runs(pg_engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config, path = _start(tmp_path, pg_engine, "safe_operations = true\n")
    source = path.read_text()
    upgrade = source.split("def upgrade()", 1)[1].split("def downgrade()", 1)[0]
    assert "with op.get_context().autocommit_block():\n        op.drop_index(op.f('ix_child_old'), " \
        "table_name='child', postgresql_concurrently=True)" in upgrade
    assert "op.create_index('ix_child_name', 'child', ['name'], unique=False, " \
        "postgresql_concurrently=True)" in upgrade
    assert "op.create_check_constraint(op.f('ck_child_name_not_null'), 'child', " \
        "'name IS NOT NULL', postgresql_not_valid=True)" in upgrade
    assert "op.validate_constraint(op.f('ck_child_name_not_null'), 'child')" in upgrade
    assert "op.validate_constraint('fk_child_parent', 'child')" in upgrade
    assert "postgresql_not_valid=True" in upgrade.split("create_foreign_key", 1)[1]
    assert "op.drop_constraint(op.f('ck_child_name_not_null'), 'child', type_='check')" in upgrade

    found = _lint(config)
    assert {f.rule for f in found} == {"missing-lock-timeout"}
    _set(tmp_path / "alembic.ini", "lock_timeout = 5s")
    assert _lint(Config(str(tmp_path / "alembic.ini"))) == []

    command.upgrade(config, "head")
    insp = sa.inspect(pg_engine)
    assert {i["name"] for i in insp.get_indexes("child")} == {"ix_child_name"}
    assert {c["name"]: c["nullable"] for c in insp.get_columns("child")}["name"] is False
    assert insp.get_check_constraints("child") == []
    with pg_engine.connect() as conn:
        assert conn.exec_driver_sql(
            "SELECT convalidated FROM pg_constraint WHERE conname = 'fk_child_parent'"
        ).scalar() is True
        assert conn.exec_driver_sql(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_child_name'::regclass"
        ).scalar() is True
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "changes"
    command.downgrade(config, "base")
    # the version table and dbshift's applied history (README: "Applied history")
    assert sorted(sa.inspect(pg_engine).get_table_names()) == [
        "alembic_version", "alembic_version_history",
    ]


def test_safe_operations_false_changes_nothing(pg_engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, path = _start(tmp_path, pg_engine, "safe_operations = false\n")
    assert "autocommit_block" not in path.read_text()
    assert "postgresql_" not in path.read_text()


def test_safe_operations_leave_other_databases_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    _, path = _start(tmp_path, engine, "safe_operations = true\n")
    assert "autocommit_block" not in path.read_text()
    assert "postgresql_" not in path.read_text()
    engine.dispose()
