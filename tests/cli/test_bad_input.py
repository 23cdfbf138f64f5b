"""Bad input in a project is named in one ``FAILED:`` line, through the CLI.

An empty ``revision = ''``, a revision module that raises on import, a malformed database URL,
a SQLite path whose folder is missing, several heads where one is needed: each ends with exit
status 1 and a single line naming the file, the URL setting, the path or the heads, no
traceback, and no migration applied (no version row, no table of a revision).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from workflow_graphs import CliResult, Rev, read_state, run_cli, write_project

CHAIN = (Rev("aaaa1111"), Rev("bbbb2222", "aaaa1111"), Rev("cccc3333", "bbbb2222"))


def _failed_line(result: CliResult) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.endswith("\n") and result.stderr.count("FAILED: ") == 1, result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith("FAILED: "), result.stderr
    return last[len("FAILED: "):]


def _nothing_applied(url: str) -> None:
    state = read_state(url)
    assert not state.rows
    assert not {t for t in state.tables if t.startswith("t_")}


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_an_empty_revision_id_names_the_file(engine: sa.Engine, tmp_path: Path) -> None:
    ini = write_project(tmp_path, CHAIN)
    path = tmp_path / "migrations" / "versions" / "cccc3333_step.py"
    path.write_text(path.read_text().replace("revision = 'cccc3333'", "revision = ''"))
    for argv in (("upgrade", "head"), ("heads",), ("history",)):
        line = _failed_line(run_cli("dbshift", ini, _url(engine), argv))
        assert line.startswith(f"Revision file {path} has an empty revision id"), line
    _nothing_applied(_url(engine))


def test_a_module_that_raises_on_import_names_the_file(engine: sa.Engine, tmp_path: Path) -> None:
    ini = write_project(tmp_path, CHAIN)
    path = tmp_path / "migrations" / "versions" / "cccc3333_step.py"
    path.write_text(path.read_text() + "\nraise RuntimeError('settings not loaded')\n")
    line = _failed_line(run_cli("dbshift", ini, _url(engine), ("upgrade", "head")))
    assert line == (
        f"Could not import revision file {path}: RuntimeError: settings not loaded"
    ), line
    # every module of the run is imported before the first step: nothing ran
    _nothing_applied(_url(engine))


def test_several_heads_where_one_is_needed_are_named(engine: sa.Engine, tmp_path: Path) -> None:
    ini = write_project(tmp_path, (*CHAIN, Rev("dddd4444", "aaaa1111")))
    for argv in (("upgrade", "head"), ("stamp", "head"), ("revision", "-m", "next")):
        line = _failed_line(run_cli("dbshift", ini, _url(engine), argv))
        assert line.startswith("Multiple head"), line
        assert line.endswith("(heads: cccc3333, dddd4444)"), line
    _nothing_applied(_url(engine))


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("nonsense", "Could not parse SQLAlchemy URL from given URL string"),
        ("postgresql://app:s3cret@:notaport/db", "invalid literal for int() with base 10: 'notaport'"),
    ],
)
def test_a_malformed_url_names_its_setting(tmp_path: Path, url: str, problem: str) -> None:
    ini = write_project(tmp_path, CHAIN)
    ini.write_text(re.sub(r"(?m)^sqlalchemy\.url = .*$", f"sqlalchemy.url = {url}", ini.read_text()))
    # ``-x url=`` is empty: the project's env.py falls back to sqlalchemy.url
    line = _failed_line(run_cli("dbshift", ini, "", ("upgrade", "head")))
    shown = url.replace(":s3cret@", ":***@")
    assert line == (
        f"Can't parse the database URL {shown!r} (sqlalchemy.url in [alembic] of {ini}): "
        f"{problem}"
    ), line
    assert "s3cret" not in line
    # given with -x instead, the -x key is named
    ini.write_text(write_project(tmp_path / "good", CHAIN).read_text())
    line = _failed_line(run_cli("dbshift", ini, url, ("upgrade", "head")))
    assert line.startswith(f"Can't parse the database URL {shown!r} (-x url): "), line


def test_a_sqlite_path_in_a_missing_folder_is_named(tmp_path: Path) -> None:
    ini = write_project(tmp_path, CHAIN)
    url = f"sqlite:///{tmp_path / 'no' / 'such' / 'app.db'}"
    line = _failed_line(run_cli("dbshift", ini, url, ("upgrade", "head")))
    assert line == (
        f"Can't open the SQLite database of {url!r} (-x url): the folder "
        f"{tmp_path / 'no' / 'such'} does not exist"
    ), line
    assert not (tmp_path / "no").exists()
