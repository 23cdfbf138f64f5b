"""``compare_metadata`` gives the same diff tuples as Alembic 1.20, field by field.

Each case builds a database and a model; :mod:`.diff_probe` runs ``compare_metadata`` on them
under Alembic (``.venv-alembic``) and under dbshift (``.venv``) on the live SQLite, PostgreSQL
and MariaDB databases, and the reduced tuples must be equal. Where dbshift deliberately differs
(PostgreSQL named ENUM types), the case says so and the test checks dbshift's own result.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from alembic_reference import require_alembic, run_python

from .diff_probe import PROBE

_URLS = {
    "postgresql": os.environ.get(
        "DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get("DBSHIFT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
BACKENDS = ("sqlite", "postgresql", "mariadb")


@dataclass(frozen=True)
class Case:
    """A database (``db``) and a model (``model``), as Python source using ``sa``."""

    id: str
    database: str
    model: str
    backends: tuple[str, ...] = BACKENDS
    opts: dict[str, Any] = field(default_factory=dict)
    sql: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        return {"database": self.database, "model": self.model, "opts": self.opts,
                "sql": list(self.sql)}


_USERS_DB = """
db = sa.MetaData()
sa.Table("users", db, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(50), nullable=False),
         sa.Column("email", sa.String(100)),
         sa.Column("old", sa.Integer))
"""

CASES: tuple[Case, ...] = (
    Case("added_and_removed_column", _USERS_DB, """
model = sa.MetaData()
sa.Table("users", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(50), nullable=False),
         sa.Column("email", sa.String(100)),
         sa.Column("phone", sa.String(20), server_default="n/a"))
"""),
    Case("added_and_removed_table", _USERS_DB, """
model = sa.MetaData()
sa.Table("orders", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("total", sa.Numeric(10, 2), nullable=False),
         sa.Index("ix_orders_total", "total"))
"""),
    Case("nullable_and_type_changes", _USERS_DB, """
model = sa.MetaData()
sa.Table("users", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(50), nullable=True),
         sa.Column("email", sa.String(200), nullable=False),
         sa.Column("old", sa.BigInteger))
"""),
    Case("server_default_changes", """
db = sa.MetaData()
sa.Table("t", db, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.String(20), server_default="x"),
         sa.Column("b", sa.String(20)),
         sa.Column("c", sa.Integer, server_default="1"))
""", """
model = sa.MetaData()
sa.Table("t", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.String(20), server_default="y"),
         sa.Column("b", sa.String(20), server_default="new"),
         sa.Column("c", sa.Integer))
""", opts={"compare_server_default": True}),
    Case("indexes_and_uniques", """
db = sa.MetaData()
sa.Table("t", db, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.Integer), sa.Column("b", sa.Integer), sa.Column("c", sa.Integer),
         sa.Index("ix_t_a", "a"), sa.UniqueConstraint("b", name="uq_t_b"))
""", """
model = sa.MetaData()
sa.Table("t", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.Integer), sa.Column("b", sa.Integer), sa.Column("c", sa.Integer),
         sa.Index("ix_t_c", "c"), sa.UniqueConstraint("a", name="uq_t_a"))
"""),
    Case("unique_and_index_swap_kinds", """
db = sa.MetaData()
sa.Table("t", db, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.Integer), sa.Column("b", sa.Integer),
         sa.Index("ix_t_a", "a", unique=True), sa.UniqueConstraint("b", name="uq_t_b"))
""", """
model = sa.MetaData()
sa.Table("t", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.Integer), sa.Column("b", sa.Integer),
         sa.UniqueConstraint("a", name="ix_t_a"), sa.Index("uq_t_b", "b", unique=True))
""", backends=("sqlite", "postgresql")),  # MySQL/MariaDB: both are unique indexes
    Case("desc_indexes", """
db = sa.MetaData()
t = sa.Table("t", db, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("a", sa.Integer), sa.Column("b", sa.Integer))
sa.Index("ix_t_a_desc", t.c.a.desc())
""", """
model = sa.MetaData()
t = sa.Table("t", model, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("a", sa.Integer), sa.Column("b", sa.Integer))
sa.Index("ix_t_a_desc", t.c.a.desc())
sa.Index("ix_t_b_desc", t.c.b.desc())
"""),
    Case("foreign_keys", """
db = sa.MetaData()
sa.Table("parent", db, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("child", db, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("p1", sa.Integer, sa.ForeignKey("parent.id", name="fk_p1")),
         sa.Column("p2", sa.Integer))
""", """
model = sa.MetaData()
sa.Table("parent", model, sa.Column("id", sa.Integer, primary_key=True))
sa.Table("child", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("p1", sa.Integer),
         sa.Column("p2", sa.Integer, sa.ForeignKey("parent.id", name="fk_p2")))
"""),
    Case("comments", """
db = sa.MetaData()
sa.Table("t", db, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.Integer, comment="old"), comment="table old")
""", """
model = sa.MetaData()
sa.Table("t", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("a", sa.Integer, comment="new"), comment="table new")
""", backends=("postgresql", "mariadb")),
    Case("model_table_in_other_schema_without_include_schemas", _USERS_DB, """
model = sa.MetaData()
sa.Table("users", model, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("name", sa.String(50), nullable=False),
         sa.Column("email", sa.String(100)), sa.Column("old", sa.Integer))
sa.Table("audit", model, sa.Column("id", sa.Integer, primary_key=True), schema="other")
""", backends=("postgresql",), sql=("CREATE SCHEMA other",)),
)


def _cases_for(backend: str) -> list[Case]:
    return [case for case in CASES if backend in case.backends]


def _url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'diff.db'}"
    url = sa.make_url(_URLS[backend])
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as err:  # pragma: no cover - depends on the machine
        message = f"{backend} is not reachable: {err}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url.render_as_string(hide_password=False)


def _run(tool: str, backend: str, tmp_path: Path) -> list[Any]:
    code = (
        "import sys, io, json\n"
        f"sys.stdin = io.StringIO({json.dumps(json.dumps([c.payload() for c in _cases_for(backend)]))})\n"
        f"sys.argv = ['probe', {_url(backend, tmp_path)!r}]\n" + PROBE
    )
    result = run_python(tool, code, tmp_path)
    assert result.ok, f"{tool} probe failed:\n{result.stderr[-3000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def probe_runs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``get(backend) -> {tool: [diffs of each case]}``, run once per backend (tools in turn)."""
    require_alembic()
    found: dict[str, dict[str, list[Any]]] = {}

    def get(backend: str) -> dict[str, list[Any]]:
        if backend not in found:
            tmp = tmp_path_factory.mktemp(f"diff_{backend}")
            found[backend] = {tool: _run(tool, backend, tmp) for tool in ("alembic", "dbshift")}
        return found[backend]

    return get


@pytest.mark.parametrize(
    ("backend", "case_id"),
    [(backend, case.id) for backend in BACKENDS for case in _cases_for(backend)],
)
def test_same_diff_tuples_as_alembic(probe_runs: Any, backend: str, case_id: str) -> None:
    found = probe_runs(backend)
    index = [case.id for case in _cases_for(backend)].index(case_id)
    alembic, dbshift = found["alembic"][index], found["dbshift"][index]
    assert alembic, "the case must produce differences under Alembic"
    assert dbshift == alembic
