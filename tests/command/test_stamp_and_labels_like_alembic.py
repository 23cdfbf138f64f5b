"""``stamp`` with several targets, and branch labels below a merge, as in Alembic 1.20.

The graph: ``aaaa`` branches into ``bbbb -> cccc`` (label ``lx``) and ``dddd -> eeee`` (label
``ly``), which ``mmmm`` merges; ``ffff`` follows. Each sequence of commands runs under Alembic and
under dbshift from an empty database on each live backend; after every command both must have
succeeded or failed alike and left the same tables and version rows.

``stamp`` places every target against the rows the table held before the command (Alembic's
rule), so ``stamp aaaa cccc`` leaves both rows although ``aaaa`` is an ancestor of ``cccc``
(dbshift warns). Where two targets move the same recorded row, Alembic fails half-way (a
``KeyError`` after the first target's rows are written); dbshift refuses before writing anything,
so there the database must still hold what it held before the command.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from alembic_reference import TOOLS, require_alembic
from conftest import drop_everything
from workflow_graphs import Rev, read_state, run_cli, write_project

GRAPH = (
    Rev("aaaa"),
    Rev("bbbb", "aaaa", ("lx",)),
    Rev("cccc", "bbbb"),
    Rev("dddd", "aaaa", ("ly",)),
    Rev("eeee", "dddd"),
    Rev("mmmm", ("cccc", "eeee")),
    Rev("ffff", "mmmm"),
)

SEQUENCES: dict[str, tuple[str, ...]] = {
    "labels_up": (
        "upgrade lx@head", "downgrade ly@base", "upgrade lx@+1", "upgrade lx@cccc",
        "upgrade ly@eeee", "downgrade ly@-1", "upgrade ly@+1", "upgrade lx@+1", "downgrade lx@-2",
    ),
    "labels_down": (
        "upgrade ly@head", "downgrade ly@dddd", "downgrade lx@aaaa", "upgrade lx@heads",
        "downgrade lx@base",
    ),
    "stamp_ancestor_pair": ("stamp aaaa cccc", "current", "upgrade heads"),
    "stamp_rows_and_targets": (
        "stamp bbbb", "stamp aaaa cccc", "stamp eeee", "stamp base aaaa", "stamp heads aaaa",
        "stamp lx@head", "stamp mmmm", "stamp bbbb base",
    ),
    "stamp_other_branch": ("stamp eeee", "stamp ffff bbbb"),
    # Alembic moves bbbb up and then again down: KeyError half-way
    "stamp_conflict_up_down": ("stamp bbbb", "stamp cccc aaaa"),
    "stamp_conflict_down_down": ("stamp cccc", "stamp bbbb aaaa"),
    "stamp_conflict_merge": ("stamp cccc eeee", "stamp mmmm dddd"),
    # both targets move ffff down (to the two parents of the merge)
    "stamp_conflict_both_down": ("stamp ffff", "stamp cccc eeee"),
}

#: Steps where Alembic stops with a traceback after writing part of the rows.
HALF_APPLIED_BY_ALEMBIC = {
    ("stamp_conflict_up_down", 1),
    ("stamp_conflict_down_down", 1),
    ("stamp_conflict_merge", 1),
    ("stamp_conflict_both_down", 1),
}


#: The sequences that also run on PostgreSQL and MariaDB (the version rows are written the same
#: way on every backend; these cover labels, an ancestor pair and a refused conflict).
SERVER_SEQUENCES = ("labels_down", "stamp_ancestor_pair", "stamp_conflict_up_down")


def _run_sequence(tool: str, root: Path, url: str, commands: tuple[str, ...]) -> list[Any]:
    ini = write_project(root, GRAPH)
    return [(run_cli(tool, ini, url, tuple(command.split())), read_state(url))
            for command in commands]


@pytest.mark.parametrize("sequence", sorted(SEQUENCES))
def test_same_rows_as_alembic_on_sqlite(sequence: str, tmp_path: Path) -> None:
    require_alembic()
    with ThreadPoolExecutor(len(TOOLS)) as pool:
        futures = {
            tool: pool.submit(
                _run_sequence, tool, _fresh(tmp_path / tool), f"sqlite:///{tmp_path / tool}.db",
                SEQUENCES[sequence],
            )
            for tool in TOOLS
        }
        runs = {tool: future.result() for tool, future in futures.items()}
    _compare(sequence, runs, alembic_transactional=False)


@pytest.mark.parametrize("sequence", SERVER_SEQUENCES)
@pytest.mark.parametrize("backend", ["postgresql", "mariadb"])
def test_same_rows_as_alembic_on_servers(
    backend: str, sequence: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_alembic()
    engine = request.getfixturevalue("pg_engine" if backend == "postgresql" else "mariadb_engine")
    url = engine.url.render_as_string(hide_password=False)
    runs = {}
    for tool in TOOLS:
        drop_everything(engine)
        runs[tool] = _run_sequence(tool, _fresh(tmp_path / tool), url, SEQUENCES[sequence])
    _compare(sequence, runs, alembic_transactional=backend == "postgresql")


def _fresh(root: Path) -> Path:
    root.mkdir()
    return root


def _compare(sequence: str, runs: dict[str, list[Any]], alembic_transactional: bool) -> None:
    before = None
    for index, command in enumerate(SEQUENCES[sequence]):
        alembic, alembic_state = runs["alembic"][index]
        dbshift, dbshift_state = runs["dbshift"][index]
        if (sequence, index) in HALF_APPLIED_BY_ALEMBIC:
            assert "KeyError" in alembic.stderr, alembic.stderr
            if not alembic_transactional:
                assert alembic_state != before, "Alembic wrote part of the rows"
            assert not dbshift.ok
            assert dbshift.stderr.startswith("FAILED: Can't stamp"), dbshift.stderr
            assert dbshift.stderr.count("\n") == 1, dbshift.stderr
            assert dbshift_state == before, "nothing written"
            return
        assert dbshift.ok == alembic.ok, (command, alembic.stderr, dbshift.stderr)
        assert dbshift_state == alembic_state, command
        if command.split()[0] == "current":
            assert dbshift.stdout == alembic.stdout
        before = dbshift_state


def test_stamp_of_a_revision_and_its_ancestor_warns(tmp_path: Path) -> None:
    require_alembic()
    ini = write_project(tmp_path, GRAPH)
    result = run_cli("dbshift", ini, f"sqlite:///{tmp_path / 'app.db'}", ("stamp", "aaaa", "cccc"))
    assert result.ok
    assert "aaaa (below cccc)" in result.stderr and "Alembic writes the same rows" in result.stderr
    assert read_state(f"sqlite:///{tmp_path / 'app.db'}").rows == {"aaaa", "cccc"}
