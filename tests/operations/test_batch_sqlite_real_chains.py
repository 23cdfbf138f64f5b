"""Batch rebuilds on SQLite as real chains (airflow, prefect) write them, against Alembic 1.20.

Each case runs the same snippet under Alembic (``.venv-alembic``) and dbshift on a fresh SQLite
file: raw SQL sets up tables and rows, one or more ``batch_alter_table`` blocks change them. The
stored ``CREATE`` statements, the rows and whether it failed must be the same under both tools;
dbshift's warnings are checked where it adds one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from alembic_reference import TOOLS, require_alembic, run_python
from workflow_graphs import ROOT


def _normaliser() -> Any:
    """difftest's ``normalise_create_table``: Alembic's rebuild copies constraints out of a
    set, so their order in the stored SQL varies from run to run; it is compared sorted."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "difftest_reflect", ROOT / "tools" / "difftest" / "reflect.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.normalise_create_table


normalise = _normaliser()

_RUN = r'''
import json, sqlite3, warnings
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

engine = sa.create_engine(URL)
with engine.begin() as conn:
    for statement in SETUP:
        conn.exec_driver_sql(statement)
error = None
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        with engine.connect() as conn:
            if FOREIGN_KEYS:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
            ctx = MigrationContext.configure(conn)
            op = Operations(ctx)
            with ctx.begin_transaction():
                exec(OPS)
            if conn.in_transaction():
                conn.commit()
    except Exception as err:
        error = [type(err).__name__, [c.__name__ for c in type(err).__mro__], str(err)[:300]]
raw = sqlite3.connect(URL[len("sqlite:///"):])
print(json.dumps({
    "error": error,
    "schema": sorted(
        [t, n, " ".join(s.split())] for t, n, s in raw.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'sqlite_sequence'"
        )
    ),
    "rows": {
        name: sorted(map(list, raw.execute(f'SELECT * FROM "{name}"')))
        for (name,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    },
    "warnings": [str(w.message) for w in caught if issubclass(w.category, UserWarning)],
}))
'''


def run_both(tmp_path: Path, setup: list[str], ops: str, foreign_keys: bool = False) -> dict[str, Any]:
    """The outcome of the same batch under each tool (``{tool: {...}}``)."""
    require_alembic()
    seen = {}
    for tool in TOOLS:
        url = f"sqlite:///{tmp_path / f'{tool}.db'}"
        code = (
            f"URL, SETUP, OPS, FOREIGN_KEYS = {url!r}, {setup!r}, {ops!r}, {foreign_keys!r}\n" + _RUN
        )
        result = run_python(tool, code, tmp_path)
        assert result.ok, result.stderr
        seen[tool] = json.loads(result.stdout.strip().splitlines()[-1])
        seen[tool]["schema"] = [[t, n, normalise(sql)] for t, n, sql in seen[tool]["schema"]]
    return seen


def assert_same(seen: dict[str, Any]) -> list[str]:
    """Same schema, rows and failure under both tools; dbshift's warnings."""
    alembic, dbshift = seen["alembic"], seen["dbshift"]
    assert alembic["warnings"] == []
    assert (dbshift["error"] is None) == (alembic["error"] is None), (alembic, dbshift)
    assert dbshift["schema"] == alembic["schema"]
    assert dbshift["rows"] == alembic["rows"]
    return dbshift["warnings"]


def test_options_of_other_dialects_are_ignored_by_the_rebuild(tmp_path: Path) -> None:
    # postgresql_using would be a copy expression SQLite can't read ("unrecognized token")
    seen = run_both(
        tmp_path,
        [
            "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, data TEXT, code VARCHAR(10))",
            """INSERT INTO t VALUES (1, '{"a": 1}', 'x'), (2, NULL, 'y')""",
        ],
        """
with op.batch_alter_table("t") as b:
    b.alter_column("data", type_=sa.JSON, postgresql_using="data::json",
                   mysql_charset="utf8mb4", mssql_drop_default=True, existing_nullable=True)
    b.alter_column("code", type_=sa.String(20), postgresql_using="code::varchar(20)")
    b.create_index("ix_code", ["code"], postgresql_using="btree", mysql_length=5,
                   mssql_clustered=False)
""",
    )
    assert assert_same(seen) == []
    assert seen["dbshift"]["error"] is None
    assert ["index", "ix_code", "CREATE INDEX ix_code ON t (code)"] in seen["dbshift"]["schema"]
    assert seen["dbshift"]["rows"]["t"] == [[1, '{"a": 1}', "x"], [2, None, "y"]]


_NAMED = [
    "CREATE TABLE p (id INTEGER NOT NULL PRIMARY KEY, k INTEGER, CONSTRAINT uq_pk UNIQUE (id, k))",
    "CREATE TABLE t (id INTEGER NOT NULL, x INTEGER, code VARCHAR(10), p_id INTEGER, "
    "CONSTRAINT t_pkey PRIMARY KEY (id), CONSTRAINT uq_code UNIQUE (code), "
    "CONSTRAINT fk_p FOREIGN KEY (p_id) REFERENCES p (id))",
    "CREATE INDEX ix_x ON t (x)",
    "INSERT INTO p VALUES (1, 10)",
    "INSERT INTO t VALUES (1, 10, 'a', 1), (2, 20, 'b', NULL)",
]


def test_a_constraint_of_an_existing_name_replaces_it(tmp_path: Path) -> None:
    """After rebuilding a table with raw SQL, chains declare its constraints again by name."""
    seen = run_both(
        tmp_path,
        _NAMED,
        """
with op.batch_alter_table("t") as b:
    b.create_unique_constraint("uq_code", ["code", "x"])
    b.create_foreign_key("fk_p", "p", ["p_id", "x"], ["id", "k"], ondelete="CASCADE")
    b.create_primary_key("t_pkey", ["id", "x"])
""",
    )
    warnings = assert_same(seen)
    assert seen["dbshift"]["error"] is None
    table = next(s for t, n, s in seen["dbshift"]["schema"] if n == "t")
    assert "CONSTRAINT t_pkey PRIMARY KEY (id, x)" in table
    assert "CONSTRAINT uq_code UNIQUE (code, x)" in table
    assert "FOREIGN KEY(p_id, x) REFERENCES p (id, k) ON DELETE CASCADE" in table
    # (a primary key replaces the old one whatever its name: no word about it)
    assert len(warnings) == 2 and all("replaces it" in w for w in warnings), warnings


def test_an_index_of_an_existing_name_replaces_it(tmp_path: Path) -> None:
    """Alembic's rebuild creates both indexes and fails on the second; dbshift replaces the
    index as it replaces a constraint (where Alembic fails, dbshift may go on)."""
    ops = """
with op.batch_alter_table("t") as b:
    b.alter_column("code", nullable=False)
    b.create_index("ix_x", ["code", "x"], unique=True)
"""
    seen = run_both(tmp_path, _NAMED, ops)
    assert seen["alembic"]["error"][0] == "OperationalError"
    assert "index ix_x already exists" in seen["alembic"]["error"][2]
    assert seen["dbshift"]["error"] is None
    assert ["index", "ix_x", "CREATE UNIQUE INDEX ix_x ON t (code, x)"] in seen["dbshift"]["schema"]
    # Alembic's failed rebuild leaves its temporary table behind
    assert seen["alembic"]["rows"].pop("_alembic_tmp_t") == []
    assert seen["dbshift"]["rows"] == seen["alembic"]["rows"]


def test_drop_then_rename_onto_the_freed_name(tmp_path: Path) -> None:
    """Expand/contract: the old column goes, the new one takes its name, in one batch."""
    seen = run_both(
        tmp_path,
        [
            "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a VARCHAR(5), a_v2 VARCHAR(5))",
            "CREATE INDEX ix_a_v2 ON t (a_v2)",
            "INSERT INTO t VALUES (1, 'old', 'new'), (2, NULL, 'x')",
        ],
        """
with op.batch_alter_table("t") as b:
    b.drop_column("a")
    b.alter_column("a_v2", new_column_name="a", nullable=False, existing_type=sa.String(5))
""",
    )
    assert assert_same(seen) == []
    assert seen["dbshift"]["error"] is None
    assert seen["dbshift"]["rows"]["t"] == [[1, "new"], [2, "x"]]
    assert ["index", "ix_a_v2", "CREATE INDEX ix_a_v2 ON t (a)"] in seen["dbshift"]["schema"]


_REFERENCED = [
    "CREATE TABLE dag (dag_id VARCHAR(50) NOT NULL, CONSTRAINT dag_pkey PRIMARY KEY (dag_id))",
    "CREATE TABLE ti (dag_id VARCHAR(50) NOT NULL, task_id VARCHAR(50) NOT NULL, id VARCHAR(36), "
    "CONSTRAINT ti_pkey PRIMARY KEY (dag_id, task_id), "
    "CONSTRAINT ti_dag_fkey FOREIGN KEY (dag_id) REFERENCES dag (dag_id))",
    "CREATE TABLE note (nid INTEGER NOT NULL PRIMARY KEY, dag_id VARCHAR(50), task_id VARCHAR(50), "
    "CONSTRAINT note_ti_fkey FOREIGN KEY (dag_id, task_id) REFERENCES ti (dag_id, task_id) "
    "ON DELETE CASCADE)",
    "INSERT INTO dag VALUES ('d')",
    "INSERT INTO ti VALUES ('d', 't', 'u1'), ('d', 't2', 'u2')",
    "INSERT INTO note VALUES (1, 'd', 't')",
]
#: airflow's "UUID primary key for task_instance": the key and the foreign keys around it change
_NEW_PRIMARY_KEY = """
with op.batch_alter_table("ti") as b:
    b.alter_column("id", nullable=False, existing_type=sa.String(36))
    b.drop_constraint("ti_dag_fkey", type_="foreignkey")
    b.drop_constraint("ti_pkey", type_="primary")
    b.create_primary_key("ti_pkey", ["id"])
    b.create_foreign_key("ti_dag_fkey", "dag", ["dag_id"], ["dag_id"], ondelete="CASCADE")
"""


@pytest.mark.parametrize("keep_unique", [True, False], ids=["still-keyed", "no-longer-keyed"])
def test_new_primary_key_on_a_referenced_table(tmp_path: Path, keep_unique: bool) -> None:
    ops = _NEW_PRIMARY_KEY + (
        '    b.create_unique_constraint("ti_uq", ["dag_id", "task_id"])\n' if keep_unique else ""
    )
    seen = run_both(tmp_path, _REFERENCED, ops)
    assert assert_same(seen) == []
    assert seen["dbshift"]["error"] is None
    ti = next(s for t, n, s in seen["dbshift"]["schema"] if n == "ti")
    assert "CONSTRAINT ti_pkey PRIMARY KEY (id)" in ti
    assert seen["dbshift"]["rows"]["note"] == [[1, "d", "t"]]


def test_new_primary_key_with_foreign_keys_enforced(tmp_path: Path) -> None:
    """With ``PRAGMA foreign_keys=ON``: the key note's foreign key needs goes away. Alembic's
    DROP TABLE fires note's ON DELETE CASCADE (its row is lost); dbshift keeps the row (a
    deliberate difference, see the README) and warns that note's foreign key no longer matches
    instead of refusing, as Alembic goes on."""
    seen = run_both(tmp_path, _REFERENCED, _NEW_PRIMARY_KEY, foreign_keys=True)
    alembic, dbshift = seen["alembic"], seen["dbshift"]
    assert alembic["error"] is None and dbshift["error"] is None
    assert dbshift["schema"] == alembic["schema"]
    assert alembic["rows"]["note"] == []
    assert dbshift["rows"]["note"] == [[1, "d", "t"]]
    assert {k: v for k, v in dbshift["rows"].items() if k != "note"} == {
        k: v for k, v in alembic["rows"].items() if k != "note"
    }
    (warning,) = dbshift["warnings"]
    assert "foreign keys of 'note' no longer match the rebuilt table" in warning


def test_dropping_what_is_not_there_is_a_value_error_as_in_alembic(tmp_path: Path) -> None:
    """airflow drops foreign keys that may not exist inside ``try: ... except ValueError``."""
    seen = run_both(
        tmp_path,
        [
            "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, x INTEGER)",
            "CREATE INDEX ix_x ON t (x)",
        ],
        """
for drop in (lambda b: b.drop_constraint("fk_gone", type_="foreignkey"),
             lambda b: b.drop_index("ix_gone")):
    try:
        with op.batch_alter_table("t", recreate="always") as b:
            drop(b)
    except ValueError:
        pass
with op.batch_alter_table("t") as b:
    b.alter_column("x", nullable=False)
""",
    )
    assert assert_same(seen) == []
    assert seen["dbshift"]["error"] is None
    assert "x INTEGER NOT NULL" in next(s for t, n, s in seen["dbshift"]["schema"] if n == "t")


def test_missing_column_is_a_key_error_as_in_alembic(tmp_path: Path) -> None:
    seen = run_both(
        tmp_path,
        ["CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, x INTEGER)"],
        """
with op.batch_alter_table("t") as b:
    b.alter_column("nope", nullable=False)
""",
    )
    assert_same(seen)
    assert seen["alembic"]["error"][0] == "KeyError"
    assert "KeyError" in seen["dbshift"]["error"][1]
    assert "CommandError" in seen["dbshift"]["error"][1]


def test_new_constraint_naming_a_column_renamed_in_the_same_batch(tmp_path: Path) -> None:
    """Alembic's rebuild finds a column renamed in the batch by its old name only: a new
    constraint naming it by the new name is left out (airflow's asset_alias_asset keeps its old
    primary key name this way); dbshift does the same and says so."""
    seen = run_both(
        tmp_path,
        [
            "CREATE TABLE t (alias_id INTEGER NOT NULL, dataset_id INTEGER NOT NULL, v INTEGER, "
            "CONSTRAINT old_pkey PRIMARY KEY (alias_id, dataset_id))",
            "INSERT INTO t VALUES (1, 2, 3)",
        ],
        """
with op.batch_alter_table("t") as b:
    b.alter_column("dataset_id", new_column_name="asset_id", existing_type=sa.Integer)
    b.create_primary_key("new_pkey", ["alias_id", "asset_id"])
    b.create_unique_constraint("uq_by_old_name", ["dataset_id", "v"])
""",
    )
    warnings = assert_same(seen)
    assert seen["dbshift"]["error"] is None
    table = next(s for t, n, s in seen["dbshift"]["schema"] if n == "t")
    assert "CONSTRAINT old_pkey PRIMARY KEY (alias_id, asset_id)" in table
    assert "CONSTRAINT uq_by_old_name UNIQUE (asset_id, v)" in table
    (warning,) = warnings
    assert "'new_pkey' names column(s) 'asset_id'" in warning


def test_reflected_default_expressions_keep_their_parentheses(tmp_path: Path) -> None:
    seen = run_both(
        tmp_path,
        [
            "CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, f BOOLEAN DEFAULT (false), "
            "g INTEGER DEFAULT (1), h INTEGER DEFAULT 10, s VARCHAR(5) DEFAULT 'x', "
            "ts DATETIME DEFAULT CURRENT_TIMESTAMP, r REAL DEFAULT (1.5))",
        ],
        """
with op.batch_alter_table("t") as b:
    b.alter_column("s", nullable=False)
""",
    )
    assert assert_same(seen) == []
    table = next(s for t, n, s in seen["dbshift"]["schema"] if n == "t")
    assert "f BOOLEAN DEFAULT (false)" in table and "h INTEGER DEFAULT (10)" in table
    assert "ts DATETIME DEFAULT (CURRENT_TIMESTAMP)" in table


def test_index_on_columns_added_later_in_the_batch(tmp_path: Path) -> None:
    """prefect's downgrades create an index, then add the columns it names."""
    seen = run_both(
        tmp_path,
        ["CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, checksum VARCHAR)",
         "INSERT INTO t VALUES (1, 'c')"],
        """
with op.batch_alter_table("t") as b:
    b.create_index("uq_name_version", ["name", "version"], unique=False)
    b.drop_column("checksum")
    b.add_column(sa.Column("version", sa.VARCHAR(), nullable=True))
    b.add_column(sa.Column("name", sa.VARCHAR(), nullable=True))
""",
    )
    assert assert_same(seen) == []
    assert seen["dbshift"]["error"] is None
    assert [
        "index", "uq_name_version", "CREATE INDEX uq_name_version ON t (name, version)"
    ] in seen["dbshift"]["schema"]


def test_dropping_an_index_that_went_with_its_column(tmp_path: Path) -> None:
    """prefect drops a column, then the index on it, in one batch."""
    seen = run_both(
        tmp_path,
        ["CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR, version VARCHAR, "
         "CONSTRAINT uq_nv UNIQUE (name, version))",
         "CREATE INDEX ix_nv ON t (name, version)",
         "INSERT INTO t VALUES (1, 'n', 'v')"],
        """
with op.batch_alter_table("t") as b:
    b.drop_column("version")
    b.add_column(sa.Column("checksum", sa.String(), nullable=True))
    b.drop_index("ix_nv")
    b.drop_constraint("uq_nv", type_="unique")
""",
    )
    assert assert_same(seen) == []
    assert seen["dbshift"]["error"] is None
    assert seen["dbshift"]["rows"]["t"] == [[1, "n", None]]


def test_a_default_over_several_lines_is_parenthesized_again(tmp_path: Path) -> None:
    """prefect's UUID default is an expression written over several lines."""
    seen = run_both(
        tmp_path,
        ["CREATE TABLE t (id CHAR(36) DEFAULT (\n    (\n  lower(hex(randomblob(4)))\n    )\n    )"
         " NOT NULL PRIMARY KEY, v INTEGER)"],
        """
with op.batch_alter_table("t") as b:
    b.alter_column("v", nullable=False)
""",
    )
    assert assert_same(seen) == []
    table = next(s for t, n, s in seen["dbshift"]["schema"] if n == "t")
    assert "DEFAULT (( lower(hex(randomblob(4))) ))" in table


def test_a_column_dropped_and_added_again_keeps_its_indexes(tmp_path: Path) -> None:
    """mlflow moves a generated column: drop it and add it again in one batch; the index on
    it stays (Alembic settles indexes once every op has run)."""
    seen = run_both(
        tmp_path,
        ["CREATE TABLE spans (id INTEGER NOT NULL PRIMARY KEY, e INTEGER, s BIGINT, f BIGINT, "
         "d BIGINT GENERATED ALWAYS AS (f - s) STORED, content TEXT)",
         "CREATE INDEX ix_e_d ON spans (e, d)",
         "INSERT INTO spans (id, e, s, f, content) VALUES (1, 7, 10, 15, 'c')"],
        """
with op.batch_alter_table("spans") as b:
    b.drop_column("d")
    b.add_column(sa.Column("attrs", sa.JSON(), nullable=True))
    b.add_column(sa.Column("d", sa.BigInteger(), sa.Computed("f - 1", persisted=True)),
                 insert_before="content")
""",
    )
    assert assert_same(seen) == []
    assert seen["dbshift"]["error"] is None
    assert ["index", "ix_e_d", "CREATE INDEX ix_e_d ON spans (e, d)"] in seen["dbshift"]["schema"]
    assert seen["dbshift"]["rows"]["spans"] == [[1, 7, 10, 15, 14, "c", None]]


def test_an_index_on_a_dropped_column_goes_with_it(tmp_path: Path) -> None:
    """Alembic re-creates the index and fails ("no such column"); dbshift leaves it out."""
    seen = run_both(
        tmp_path,
        ["CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, s INTEGER, v INTEGER)",
         "CREATE INDEX ix_s ON t (s)", "CREATE INDEX ix_v ON t (v)"],
        """
with op.batch_alter_table("t") as b:
    b.drop_column("s")
""",
    )
    assert "no such column: s" in seen["alembic"]["error"][2]
    assert seen["dbshift"]["error"] is None
    names = [n for _t, n, _s in seen["dbshift"]["schema"]]
    assert "ix_v" in names and "ix_s" not in names


def test_a_new_enum_replaces_the_check_of_the_old_one(tmp_path: Path) -> None:
    """mlflow's runs.status: the old Enum's CHECK (named like the type) goes with the type."""
    seen = run_both(
        tmp_path,
        ["CREATE TABLE runs (id INTEGER NOT NULL PRIMARY KEY, status VARCHAR(9), "
         "CONSTRAINT status CHECK (status IN ('SCHEDULED', 'FAILED')))",
         "INSERT INTO runs VALUES (1, 'FAILED')"],
        """
with op.batch_alter_table("runs") as b:
    b.alter_column(
        "status",
        type_=sa.Enum("SCHEDULED", "FAILED", "KILLED", create_constraint=True, native_enum=False),
        existing_type=sa.Enum("SCHEDULED", "FAILED", create_constraint=True, native_enum=False,
                              name="status"),
    )
""",
    )
    assert assert_same(seen) == []
    table = next(s for t, n, s in seen["dbshift"]["schema"] if n == "runs")
    assert "'KILLED'" in table and "CONSTRAINT status" not in table


def test_a_column_with_an_expression_default_rebuilds_the_table(tmp_path: Path) -> None:
    """mlflow's ``workspace`` column: ``server_default=text("'default'")`` (an expression to
    SQLAlchemy, however literal) makes Alembic rebuild, and so the stored SQL is its rebuild's."""
    seen = run_both(
        tmp_path,
        ["CREATE TABLE evaluation_datasets (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(5))",
         "INSERT INTO evaluation_datasets VALUES (1, 'a')"],
        """
with op.batch_alter_table("evaluation_datasets") as b:
    b.add_column(sa.Column("workspace", sa.String(63), nullable=False,
                           server_default=sa.text("'default'")))
with op.batch_alter_table("evaluation_datasets") as b:
    b.add_column(sa.Column("plain", sa.String(5), server_default="x"))
""",
    )
    assert assert_same(seen) == []
    table = next(s for t, n, s in seen["dbshift"]["schema"] if n == "evaluation_datasets")
    assert table.startswith('CREATE TABLE "evaluation_datasets"')
    assert seen["dbshift"]["rows"]["evaluation_datasets"] == [[1, "a", "default", "x"]]
