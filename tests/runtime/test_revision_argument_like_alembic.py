"""``context.get_revision_argument()`` and ``get_starting_revision_argument()`` as Alembic gives them.

Alembic resolves only the symbolic names (``head`` and ``label@head`` to the head's id,
``heads`` to a tuple, ``base`` to ``None``) and hands everything else back as typed: ``+1``,
``aaaa+1``, a partial id, ``-1``, an unknown id, the first revision of ``stamp``. An env.py that
prints both values runs under Alembic 1.20 and under dbshift for each kind of argument; the
values (or the error, and whether the command succeeded) must be the same. The values come
from the script directory alone, so SQLite is enough here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alembic_reference import TOOLS, require_alembic
from workflow_graphs import Rev, run_cli, write_project

GRAPH = (
    Rev("aaaa1111", labels=("trunk",)),
    Rev("bbbb2222", "aaaa1111"),
    Rev("cccc3333", "bbbb2222"),
)

_RECORD = '''\
import json as _json
from alembic import context as _context


def _value(fn):
    try:
        return fn()
    except Exception as err:
        return "raises " + type(err).__name__ + ": " + str(err)


print("ARGS " + _json.dumps({
    "revision": _value(_context.get_revision_argument),
    "start": _value(_context.get_starting_revision_argument),
}))
'''

ARGUMENTS = (
    ("upgrade", "+1"),
    ("upgrade", "aaaa+1"),
    ("upgrade", "bbbb"),
    ("upgrade", "head"),
    ("upgrade", "heads"),
    ("upgrade", "trunk@head"),
    ("upgrade", "trunk@+1"),
    ("upgrade", "trunk@bbbb2222"),
    ("upgrade", "zzzz"),
    ("downgrade", "-1"),
    ("downgrade", "aaaa-1"),
    ("downgrade", "base"),
    ("downgrade", "trunk@base"),
    ("upgrade", "--sql", "aaaa:head"),
    ("upgrade", "--sql", "aaaa:+1"),
    ("upgrade", "--sql", "base:cccc"),
    ("downgrade", "--sql", "cccc:base"),
    ("downgrade", "--sql", "heads:-1"),
    ("stamp", "head"),
    ("stamp", "bbbb", "cccc"),
    ("stamp", "--sql", "aaaa:cccc"),
)


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_alembic()
    inis = {}
    for tool in TOOLS:
        root = tmp_path_factory.mktemp(f"args_{tool}")
        ini = write_project(root, GRAPH)
        env_py = root / "migrations" / "env.py"
        env_py.write_text(_RECORD + env_py.read_text())
        inis[tool] = ini
    return inis


@pytest.mark.parametrize("argv", ARGUMENTS, ids=" ".join)
def test_env_py_sees_the_argument_as_alembic_gives_it(
    argv: tuple[str, ...], projects: dict[str, Path]
) -> None:
    seen = {}
    for tool in TOOLS:
        ini = projects[tool]
        database = ini.parent / "app.db"
        database.unlink(missing_ok=True)
        result = run_cli(tool, ini, f"sqlite:///{database}", argv)
        records = [json.loads(line[5:]) for line in result.stdout.splitlines()
                   if line.startswith("ARGS ")]
        seen[tool] = (result.ok, records)
    assert seen["dbshift"] == seen["alembic"]
    assert seen["alembic"][1], "env.py ran"
