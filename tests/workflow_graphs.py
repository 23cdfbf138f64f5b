"""Generated migration projects on stress-test revision graphs, driven through both CLIs.

Used by ``test_alembic_interop.py`` to run the same commands with Alembic 1.20 (from
``.venv-alembic``) and with dbshift (from ``.venv``) on one ``alembic.ini`` / ``env.py`` and to
compare what each tool leaves behind. Every revision ``<rev>`` creates table ``t_<rev>`` in
``upgrade()`` and drops it in ``downgrade()``, so the set of tables shows which steps ran.

Nothing here imports Alembic: the tools only ever run as subprocesses.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_EXE = ROOT / ".venv-alembic" / "bin" / "alembic"
DBSHIFT_EXE = ROOT / ".venv" / "bin" / "dbshift"
TOOLS = ("alembic", "dbshift")
VERSION_TABLE = "alembic_version"


# ----------------------------------------------------------------------------------------------
# graphs


@dataclass(frozen=True)
class Rev:
    """One revision file: its id, parents, branch labels and soft dependencies."""

    id: str
    down: str | tuple[str, ...] | None = None
    labels: tuple[str, ...] = ()
    depends: tuple[str, ...] = ()


@dataclass(frozen=True)
class Graph:
    """A revision graph plus the targets its command sequence uses."""

    name: str
    revisions: tuple[Rev, ...]
    up_label: str  # for ``upgrade <label>@head``
    base_label: str  # for ``downgrade <label>@base``
    down_rev: str  # for ``downgrade <rev>``
    stamp_rev: str  # for ``stamp <rev>``
    steps: tuple[tuple[str, ...], ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", workflow_steps(self))


def workflow_steps(graph: Graph) -> tuple[tuple[str, ...], ...]:
    """The command sequence every graph goes through, in order (argv after the global flags).

    ``current`` comes right after ``upgrade heads``, where the version table holds the most rows.
    """
    return (
        ("upgrade", f"{graph.up_label}@head"),
        ("upgrade", "heads"),
        ("current",),
        ("downgrade", graph.down_rev),
        ("downgrade", "-1"),
        ("downgrade", f"{graph.base_label}@base"),
        ("upgrade", "+2"),
        ("stamp", graph.stamp_rev),
        ("stamp", "heads"),
        ("stamp", "base"),
        ("upgrade", "heads", "--sql"),
        ("heads",),
        ("history",),
    )


def _chain(prefix: str, count: int, first_labels: tuple[str, ...] = ()) -> tuple[Rev, ...]:
    revs = []
    for n in range(1, count + 1):
        revs.append(
            Rev(
                f"{prefix}{n}",
                None if n == 1 else f"{prefix}{n - 1}",
                first_labels if n == 1 else (),
            )
        )
    return tuple(revs)


GRAPHS: dict[str, Graph] = {
    g.name: g
    for g in (
        Graph(
            "linear",
            _chain("lin", 6, ("main",)),
            up_label="main", base_label="main", down_rev="lin3", stamp_rev="lin4",
        ),
        # br2 is a branchpoint; the two branches meet again in brm
        Graph(
            "branch_merge",
            (
                Rev("br1"),
                Rev("br2", "br1"),
                Rev("br3a", "br2", ("left",)),
                Rev("br4a", "br3a"),
                Rev("br3b", "br2", ("right",)),
                Rev("br4b", "br3b"),
                Rev("brm", ("br4a", "br4b")),
                Rev("br6", "brm"),
            ),
            up_label="left", base_label="right", down_rev="br3b", stamp_rev="br4a",
        ),
        # two independent roots, each with its own label
        Graph(
            "multi_base",
            (*_chain("al", 3, ("alpha",)), *_chain("be", 3, ("beta",))),
            up_label="alpha", base_label="beta", down_rev="al2", stamp_rev="be2",
        ),
        # ex2 depends on another branch's revision, ex3 on another branch's label
        Graph(
            "depends_on",
            (
                *_chain("co", 3, ("core",)),
                Rev("ex1", None, ("extra",)),
                Rev("ex2", "ex1", depends=("co2",)),
                Rev("ex3", "ex2", depends=("core",)),
            ),
            up_label="extra", base_label="core", down_rev="co1", stamp_rev="ex2",
        ),
        # three heads merged at once
        Graph(
            "merge_three",
            (
                Rev("mt1"),
                Rev("mt2a", "mt1", ("one",)),
                Rev("mt2b", "mt1"),
                Rev("mt2c", "mt1"),
                Rev("mtm", ("mt2a", "mt2b", "mt2c")),
                Rev("mt4", "mtm"),
            ),
            up_label="one", base_label="one", down_rev="mt2b", stamp_rev="mtm",
        ),
        # pm4 sits on a merge and also depends on the side branch
        Graph(
            "merge_depends",
            (
                Rev("pm1", None, ("trunk",)),
                Rev("pm2a", "pm1"),
                Rev("pm2b", "pm1"),
                Rev("pmm", ("pm2a", "pm2b")),
                Rev("pm4", "pmm", depends=("sd2",)),
                *_chain("sd", 3, ("side",)),
            ),
            up_label="trunk", base_label="side", down_rev="sd1", stamp_rev="pm2a",
        ),
    )
}

#: A plain chain for the hand-over between the tools.
HANDOVER_CHAIN = _chain("hv", 6)


# ----------------------------------------------------------------------------------------------
# project files

_INI = """\
[alembic]
script_location = %(here)s/migrations
path_separator = os
sqlalchemy.url = sqlite:///%(here)s/unused.db
"""

# The database comes from ``-x url=...`` so both tools share the project but not the database.
_ENV_PY = '''\
import sqlalchemy as sa
from alembic import context

config = context.config
url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
    "sqlalchemy.url"
)

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
'''

_REVISION = '''\
"""{doc}

Revision ID: {id}
"""
import sqlalchemy as sa
from alembic import op

revision = {id!r}
down_revision = {down!r}
branch_labels = {labels!r}
depends_on = {depends!r}


def upgrade():
    op.create_table("t_{id}", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("t_{id}")
'''


def write_project(directory: Path, revisions: tuple[Rev, ...]) -> Path:
    """Write alembic.ini, migrations/env.py and one file per revision; return the ini path."""
    versions = directory / "migrations" / "versions"
    versions.mkdir(parents=True)
    (directory / "alembic.ini").write_text(_INI)
    (directory / "migrations" / "env.py").write_text(_ENV_PY)
    for rev in revisions:
        (versions / f"{rev.id}_step.py").write_text(
            _REVISION.format(
                doc=f"step {rev.id}",
                id=rev.id,
                down=rev.down,
                labels=rev.labels or None,
                depends=rev.depends or None,
            )
        )
    return directory / "alembic.ini"


# ----------------------------------------------------------------------------------------------
# running the tools


@dataclass(frozen=True)
class CliResult:
    """Exit status and output of one CLI run."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def last_line(self) -> str:
        """The last non-empty line of stderr or stdout (the error message of a failure)."""
        lines = [ln for ln in (self.stderr + "\n" + self.stdout).splitlines() if ln.strip()]
        return lines[-1].strip() if lines else ""


def run_cli(
    tool: str, ini: Path, url: str, argv: tuple[str, ...], hash_seed: int = 0
) -> CliResult:
    """Run ``<tool> -c ini -x url=URL argv...`` in the project directory.

    ``PYTHONHASHSEED`` is fixed: where Alembic's choice follows set iteration order (which of
    several heads ``downgrade -1`` steps down, which row a merge deletes) a run is reproducible.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("ALEMBIC_CONFIG", "DBSHIFT_CONFIG", "PYTHONPATH")}
    env["PYTHONHASHSEED"] = str(hash_seed)
    if tool == "dbshift":
        env["PYTHONPATH"] = str(ROOT / "src")
    exe = ALEMBIC_EXE if tool == "alembic" else DBSHIFT_EXE
    proc = subprocess.run(
        [str(exe), "-c", str(ini), "-x", f"url={url}", *argv],
        cwd=ini.parent, env=env, capture_output=True, text=True, timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


# ----------------------------------------------------------------------------------------------
# what a command leaves behind


BOOKKEEPING_TABLES = frozenset((f"{VERSION_TABLE}_history", f"{VERSION_TABLE}_journal"))


@dataclass(frozen=True)
class DbState:
    """The tables of a database and the rows of its version table (None: no version table).

    ``version_shape`` (columns with type and nullability, primary key name and columns) is
    reported but left out of equality: :func:`restore_state` does not rebuild it.
    """

    tables: frozenset[str]
    rows: frozenset[str] | None
    version_shape: tuple[object, ...] = field(default=(), compare=False)


def read_state(url: str) -> DbState:
    """Reflect the table names and the ``alembic_version`` table of the database at ``url``."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            # dbshift's applied history and statement journal (README: "Applied history,
            # checksums and resume") are its deliberate addition: not part of what is compared.
            tables = frozenset(insp.get_table_names()) - BOOKKEEPING_TABLES
            if VERSION_TABLE not in tables:
                return DbState(tables, None)
            rows = frozenset(
                r[0] for r in conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}")
            )
            pk = insp.get_pk_constraint(VERSION_TABLE)
            shape = (
                tuple((c["name"], str(c["type"]), c["nullable"])
                      for c in insp.get_columns(VERSION_TABLE)),
                pk.get("name"),
                tuple(pk["constrained_columns"]),
            )
    finally:
        engine.dispose()
    return DbState(tables, rows, shape)


def restore_state(url: str, state: DbState, row_order: tuple[str, ...] = ()) -> None:
    """Make the database at ``url`` hold exactly ``state`` (tables and version rows).

    Version rows are inserted in ``row_order`` (default: sorted), which is the order a plain
    ``SELECT`` returns them in on SQLite.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            present = set(sa.inspect(conn).get_table_names())
            for name in present - state.tables:
                conn.exec_driver_sql(f"DROP TABLE {name}")
            for name in state.tables - present - {VERSION_TABLE}:
                conn.exec_driver_sql(f"CREATE TABLE {name} (id INTEGER NOT NULL PRIMARY KEY)")
            if VERSION_TABLE in state.tables:
                if VERSION_TABLE not in present:
                    conn.exec_driver_sql(
                        f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL, "
                        f"CONSTRAINT {VERSION_TABLE}_pkc PRIMARY KEY (version_num))"
                    )
                conn.exec_driver_sql(f"DELETE FROM {VERSION_TABLE}")
                for row in row_order or sorted(state.rows or ()):
                    conn.exec_driver_sql(
                        f"INSERT INTO {VERSION_TABLE} (version_num) VALUES ('{row}')"
                    )
    finally:
        engine.dispose()


_TIMING = re.compile(r"\s*\(\d+(\.\d+)?\s*(ms|s)\)\s*$")


def normalise_offline_sql(text: str, dialect: str) -> tuple[str, ...]:
    """Offline ``--sql`` output as statements and comments, whitespace collapsed.

    Comments lose any trailing timing. On SQLite the ``BEGIN;``/``COMMIT;`` pair is dropped:
    dbshift runs SQLite DDL in a transaction on purpose, where Alembic treats it as
    non-transactional (design.md, "Beyond Alembic").
    """
    items: list[str] = []
    statement: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            items.append(_TIMING.sub("", " ".join(stripped.split())))
            continue
        if stripped:
            statement.append(stripped)
        if stripped.endswith(";"):
            items.append(" ".join(" ".join(statement).split()))
            statement = []
    if statement:
        items.append(" ".join(" ".join(statement).split()))
    if dialect == "sqlite":
        items = [i for i in items if i not in ("BEGIN;", "COMMIT;")]
    return tuple(items)


_LABEL_GROUP = re.compile(r"\(([^()]*,[^()]*)\)")


def _sorted_group(match: re.Match[str]) -> str:
    return "(" + ", ".join(sorted(part.strip() for part in match.group(1).split(","))) + ")"


def normalise_output(argv: tuple[str, ...], stdout: str, dialect: str) -> tuple[str, ...] | None:
    """The part of a command's stdout that must match between the tools.

    ``current`` and ``heads`` list a set (row order in the version table means nothing), so
    their lines are sorted; ``history`` keeps its order; offline SQL is normalised.
    Alembic keeps a revision's branch labels in a set, so the order of several labels inside
    one ``(...)`` follows the hash seed: it is sorted. Online ``upgrade``/``downgrade``/``stamp``
    print nothing on stdout in either tool (their stdout is compared as is); dbshift's progress
    lines (``Running upgrade ... ...``, ``  done in N ms``, ``upgrade: N steps in ...``) go to
    stderr, which is not compared.
    """
    lines = [_LABEL_GROUP.sub(_sorted_group, " ".join(ln.split()))
             for ln in stdout.splitlines() if ln.strip()]
    if "--sql" in argv:
        return normalise_offline_sql(stdout, dialect)
    if argv[0] in ("current", "heads"):
        return tuple(sorted(lines))
    return tuple(lines)
