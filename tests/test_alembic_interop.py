"""dbshift against Alembic 1.20 itself: same version table, same steps, and a shared database.

Each graph of ``workflow_graphs.GRAPHS`` is written once as a project (``alembic.ini``, an
``env.py`` using ``from alembic import context``, revision files using ``from alembic import op``).
Alembic (``.venv-alembic``) and dbshift (``.venv``) run the same command sequence on that project,
each on its own database. After every command the two databases must hold the same
``alembic_version`` rows and the same tables, the command must succeed or fail alike, and each
command must print the same on stdout: the read-only commands (``current``, ``heads``,
``history``, offline ``--sql``) their listings, online ``upgrade``/``downgrade``/``stamp`` nothing.
dbshift's progress lines go to stderr, which is not compared (``workflow_graphs.normalise_output``).
When a step differs, dbshift's database is reset to Alembic's state before the next step, so each
step is judged from the same starting point. One test per step; known differences are strict xfails.

Alembic is not deterministic everywhere: an ambiguous ``downgrade -1`` (several heads; Alembic
warns) steps down whichever head comes first in set and row order, and the offline SQL of a merge
deletes whichever parent's row comes first. Every run fixes ``PYTHONHASHSEED``; for those two kinds
of step, when dbshift differs from Alembic's run, Alembic runs again from the same starting state
under ``ALTERNATIVE_SEEDS`` and each rotation of the version rows in turn, and dbshift must match
one of these outcomes.

The hand-over tests run one six-revision chain alternately under both tools on one database.

Both CLIs run as subprocesses; all runs of a session start together in a thread pool.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from workflow_graphs import (
    ALEMBIC_EXE,
    GRAPHS,
    HANDOVER_CHAIN,
    TOOLS,
    VERSION_TABLE,
    CliResult,
    DbState,
    normalise_output,
    read_state,
    restore_state,
    run_cli,
    write_project,
)

IN_CI = bool(os.environ.get("CI"))
SERVER_URLS = {
    "postgresql": os.environ.get(
        "DBSHIFT_TEST_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
    ),
    "mariadb": os.environ.get(
        "DBSHIFT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
    ),
}
#: Dedicated databases, created and dropped here (never the shared ``test`` database); the
#: process id keeps two runs of this file at the same time apart.
DB_PREFIX = {"postgresql": f"interop_pg_{os.getpid()}", "mariadb": f"interop_my_{os.getpid()}"}
#: The graph that also runs on the servers.
SERVER_GRAPH = "merge_depends"
BACKENDS = ("sqlite", "postgresql", "mariadb")
#: PYTHONHASHSEED values for Alembic's reruns where its choice is arbitrary (runs use seed 0).
ALTERNATIVE_SEEDS = (0, 1, 2, 3)

#: Commands that read only the scripts; they run on SQLite only (the backend cannot matter).
GRAPH_ONLY = ("heads", "history")

#: (backend, graph, command) -> the precise difference; these steps are strict xfails.
KNOWN_DIFFERENCES: dict[tuple[str, str, str], str] = {
    ("sqlite", "multi_base", "stamp heads"): (
        "from rows {al3, be2} (heads al3, be3 on two bases) Alembic's `stamp heads` leaves "
        "{be3}: it drops the row of head al3; dbshift leaves {al3, be3}"
    ),
}


def steps_for(backend: str, graph_name: str) -> tuple[tuple[str, ...], ...]:
    """The commands a graph's workflow runs on ``backend``."""
    steps = GRAPHS[graph_name].steps
    if backend == "sqlite":
        return steps
    return tuple(argv for argv in steps if argv[0] not in GRAPH_ONLY)


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message + " (CI requires it)")
    pytest.skip(message)


@pytest.fixture(scope="module", autouse=True)
def _alembic_venv() -> None:
    if not ALEMBIC_EXE.exists():
        _unavailable(f"{ALEMBIC_EXE} is missing: run scripts/setup_alembic_venv.sh")


# ----------------------------------------------------------------------------------------------
# databases


class BackendDown(RuntimeError):
    """A database server the test needs cannot be reached."""


@contextmanager
def databases(backend: str, names: tuple[str, ...], workdir: Path) -> Iterator[list[str]]:
    """URLs of fresh, empty databases (files for SQLite); server databases are dropped after."""
    if backend == "sqlite":
        yield [f"sqlite:///{workdir / (name + '.db')}" for name in names]
        return
    admin_url = sa.make_url(SERVER_URLS[backend])
    engine = sa.create_engine(admin_url, poolclass=sa.pool.NullPool,
                              isolation_level="AUTOCOMMIT")
    force = " WITH (FORCE)" if backend == "postgresql" else ""

    def drop_all() -> None:
        with engine.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")

    try:
        drop_all()
        with engine.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as err:
        engine.dispose()
        raise BackendDown(f"{backend} is not reachable: {' '.join(str(err).split())[:200]}") \
            from err
    try:
        yield [admin_url.set(database=name).render_as_string(hide_password=False)
               for name in names]
    finally:
        drop_all()
        engine.dispose()


def _dialect(url: str) -> str:
    return sa.make_url(url).get_backend_name()


# ----------------------------------------------------------------------------------------------
# running a graph's workflow under both tools


@dataclass(frozen=True)
class Observed:
    """What one tool's run of one command produced."""

    ok: bool
    state: DbState
    output: tuple[str, ...] | None
    message: str

    def comparable(self) -> tuple[Any, ...]:
        return (self.ok, self.state.rows, self.state.tables, self.state.version_shape,
                self.output)


@dataclass(frozen=True)
class StepRecord:
    """One command, as run by Alembic and by dbshift from the same starting state.

    ``alternatives`` holds Alembic's other outcomes, each with how it was obtained, where
    Alembic's own choice is arbitrary (empty elsewhere).
    """

    argv: tuple[str, ...]
    alembic: Observed
    dbshift: Observed
    alternatives: tuple[tuple[str, Observed], ...] = ()

    def alembic_outcomes(self) -> set[tuple[Any, ...]]:
        return {self.alembic.comparable(), *(seen.comparable() for _, seen in self.alternatives)}


def _observe(result: CliResult, argv: tuple[str, ...], url: str) -> Observed:
    output = normalise_output(argv, result.stdout, _dialect(url)) if result.ok else None
    return Observed(result.ok, read_state(url), output, "" if result.ok else result.last_line())


def _both(pool: ThreadPoolExecutor, ini: Path, urls: dict[str, str],
          argv: tuple[str, ...]) -> dict[str, CliResult]:
    futures = {tool: pool.submit(run_cli, tool, ini, urls[tool], argv) for tool in TOOLS}
    return {tool: f.result() for tool, f in futures.items()}


def _alembic_alternatives(
    ini: Path, argv: tuple[str, ...], result: CliResult, url: str, scratch: str,
    before: DbState, wanted: Observed,
) -> tuple[tuple[str, Observed], ...]:
    """Alembic's outcomes under other hash seeds and version-row orders, until one equals
    ``wanted`` (dbshift's). Only for steps where Alembic's choice is arbitrary (see the module
    docstring).
    """
    offline = "--sql" in argv
    if not (offline or (argv[0] == "downgrade" and "is ambiguous" in result.stderr)):
        return ()
    rows = sorted(before.rows or ())
    orders = [()] if offline else [tuple(rows[n:] + rows[:n]) for n in range(len(rows))]
    seen = []
    for seed in ALTERNATIVE_SEEDS:
        for order in orders:
            if offline and seed == 0:  # the first run already used seed 0
                continue
            if offline:  # the database is never touched
                outcome = _observe(run_cli("alembic", ini, url, argv, seed), argv, url)
            else:
                restore_state(scratch, before, order)
                outcome = _observe(run_cli("alembic", ini, scratch, argv, seed), argv, scratch)
            seen.append((f"seed {seed}, rows {list(order)}", outcome))
            if outcome.comparable() == wanted.comparable():
                return tuple(seen)
    return tuple(seen)


def run_workflow(backend: str, graph_name: str, workdir: Path) -> list[StepRecord]:
    """Run the graph's command sequence with both tools; resync dbshift after a difference."""
    ini = write_project(workdir / "project", GRAPHS[graph_name].revisions)
    names = tuple(f"{DB_PREFIX.get(backend, 'interop')}_{who}" for who in (*TOOLS, "scratch"))
    records = []
    with databases(backend, names, workdir) as url_list, ThreadPoolExecutor(2) as pool:
        urls = dict(zip(TOOLS, url_list))
        before = read_state(urls["alembic"])
        for argv in steps_for(backend, graph_name):
            results = _both(pool, ini, urls, argv)
            seen = {tool: _observe(results[tool], argv, urls[tool]) for tool in TOOLS}
            alternatives: tuple[tuple[str, Observed], ...] = ()
            if seen["alembic"].comparable() != seen["dbshift"].comparable():
                alternatives = _alembic_alternatives(
                    ini, argv, results["alembic"], urls["alembic"], url_list[2], before,
                    seen["dbshift"],
                )
            records.append(StepRecord(argv, seen["alembic"], seen["dbshift"], alternatives))
            before = seen["alembic"].state
            if before != seen["dbshift"].state:
                restore_state(urls["dbshift"], before)
    return records


@dataclass(frozen=True)
class Checkpoint:
    """The shared database after one tool's command, seen by both tools' ``current``."""

    actor: str
    argv: tuple[str, ...]
    result: CliResult
    current: dict[str, CliResult]
    state: DbState


HANDOVER_SCRIPT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("alembic", ("upgrade", "hv3")),
    ("dbshift", ("upgrade", "head")),
    ("alembic", ("downgrade", "-2")),
    ("dbshift", ("downgrade", "base")),
)
#: The revision the database is at after each step of HANDOVER_SCRIPT (None: base).
HANDOVER_EXPECTED = (3, 6, 4, None)


def run_handover(backend: str, workdir: Path) -> list[Checkpoint]:
    """Alternate the tools on one database along HANDOVER_CHAIN."""
    ini = write_project(workdir / "project", HANDOVER_CHAIN)
    points = []
    with databases(backend, (DB_PREFIX.get(backend, "interop"),), workdir) as (url,), \
            ThreadPoolExecutor(2) as pool:
        urls = dict.fromkeys(TOOLS, url)
        for actor, argv in HANDOVER_SCRIPT:
            result = run_cli(actor, ini, url, argv)
            points.append(
                Checkpoint(actor, argv, result, _both(pool, ini, urls, ("current",)),
                           read_state(url))
            )
    return points


# ----------------------------------------------------------------------------------------------
# one pool for the whole module: every selected run starts at once


_JOBS: dict[tuple[str, ...], Callable[[Path], Any]] = {
    **{
        ("workflow", "sqlite", name): (lambda d, n=name: run_workflow("sqlite", n, d))
        for name in GRAPHS
    },
    **{
        ("workflow", backend, SERVER_GRAPH): (
            lambda d, b=backend: run_workflow(b, SERVER_GRAPH, d)
        )
        for backend in ("postgresql", "mariadb")
    },
    **{("handover", b): (lambda d, b=b: run_handover(b, d)) for b in BACKENDS},
}


def _job_key(item: pytest.Item) -> tuple[str, ...] | None:
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "case" in params:
        return ("workflow", params["case"][0], params["case"][1])
    if "handover_backend" in params:
        return ("handover", params["handover_backend"])
    return None


@pytest.fixture(scope="module")
def job_results(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Any, Future]]:
    """Futures of every run the selected tests need, all submitted on first use."""
    wanted = {key for key in map(_job_key, request.session.items) if key in _JOBS}
    root = tmp_path_factory.mktemp("interop")
    with ThreadPoolExecutor(3) as pool:
        futures = {}
        for key in sorted(wanted, key=lambda k: k[0] == "handover"):
            workdir = root / "-".join(key)
            workdir.mkdir()
            futures[key] = pool.submit(_JOBS[key], workdir)
        yield futures
    shutil.rmtree(root, ignore_errors=True)


def _result(job_results: dict[Any, Future], key: tuple[str, ...]) -> Any:
    try:
        return job_results[key].result()
    except BackendDown as err:
        _unavailable(str(err))


# ----------------------------------------------------------------------------------------------
# the tests


def _cases() -> list[Any]:
    cases = []
    for backend in BACKENDS:
        for name in GRAPHS:
            if backend != "sqlite" and name != SERVER_GRAPH:
                continue
            for index, argv in enumerate(steps_for(backend, name)):
                reason = KNOWN_DIFFERENCES.get((backend, name, " ".join(argv)))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                cases.append(pytest.param(
                    (backend, name, index), marks=marks,
                    id=f"{backend}-{name}-{index:02d}-{'_'.join(argv)}",
                ))
    return cases


def _describe(record: StepRecord) -> str:
    lines = [f"command: {' '.join(record.argv)}"]
    others = [(f"alembic ({how})", alt) for how, alt in record.alternatives]
    for tool, seen in [(tool, getattr(record, tool)) for tool in TOOLS] + others:
        lines.append(
            f"{tool}: ok={seen.ok} rows={sorted(seen.state.rows or ())} "
            f"tables={sorted(seen.state.tables)} version table={seen.state.version_shape} "
            f"message={seen.message!r}"
        )
        if seen.output is not None:
            lines.append(f"{tool} output: {list(seen.output)}")
    return "\n".join(lines)


@pytest.mark.parametrize("case", _cases())
def test_step_matches_alembic(case: tuple[str, str, int], job_results: dict[Any, Future]) -> None:
    """dbshift leaves the same version rows and tables, succeeds or fails alike, prints alike."""
    backend, name, index = case
    record: StepRecord = _result(job_results, ("workflow", backend, name))[index]
    assert record.dbshift.comparable() in record.alembic_outcomes(), _describe(record)


def test_every_graph_step_is_exercised(job_results: dict[Any, Future]) -> None:
    """The sequence really moves the database: each graph has steps that succeed and add rows."""
    for name in GRAPHS:
        key = ("workflow", "sqlite", name)
        if key not in job_results:
            continue
        records = job_results[key].result()
        after_heads = next(r.alembic for r in records if r.argv == ("upgrade", "heads"))
        assert after_heads.ok and after_heads.state.tables == {
            VERSION_TABLE, *(f"t_{rev.id}" for rev in GRAPHS[name].revisions)
        }, name


@pytest.mark.parametrize("handover_backend", BACKENDS)
def test_database_moves_between_tools_mid_chain(
    handover_backend: str, job_results: dict[Any, Future]
) -> None:
    """Alembic to hv3, dbshift to head, Alembic -2, dbshift to base; both read each point."""
    points: list[Checkpoint] = _result(job_results, ("handover", handover_backend))
    for point, at in zip(points, HANDOVER_EXPECTED):
        where = f"after {point.actor} {' '.join(point.argv)}"
        assert point.result.ok, f"{where}: {point.result.last_line()}"
        expected_rows = frozenset() if at is None else frozenset({f"hv{at}"})
        assert point.state == DbState(
            frozenset({VERSION_TABLE, *(f"t_hv{n}" for n in range(1, (at or 0) + 1))}),
            expected_rows,
        ), where
        outputs = {tool: point.current[tool].stdout.split() for tool in TOOLS}
        assert all(point.current[tool].ok for tool in TOOLS), where
        assert outputs["alembic"] == outputs["dbshift"], where
        expected_current = [] if at is None else [f"hv{at}"] + (["(head)"] if at == 6 else [])
        assert outputs["dbshift"] == expected_current, where
