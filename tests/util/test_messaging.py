"""Status lines laid out as Alembic lays them out: plain without a terminal, indented and
wrapped to its width with one."""

from __future__ import annotations

import pytest

from dbshift.util import messaging


@pytest.fixture
def width(monkeypatch):
    def set_width(value):
        monkeypatch.setattr(messaging, "_terminal_width", value)

    return set_width


def test_without_a_terminal_lines_are_written_as_they_are(width, capsys):
    width(None)
    with messaging.status("Generating /tmp/project/migrations/env.py"):
        pass
    messaging.msg("Please edit configuration/connection/logging settings in alembic.ini.")
    assert capsys.readouterr().out == (
        "Generating /tmp/project/migrations/env.py ...  done\n"
        "Please edit configuration/connection/logging settings in alembic.ini.\n"
    )


def test_on_a_terminal_lines_are_indented_and_wrapped(width, capsys):
    width(30)
    with messaging.status("Generating /tmp/project/migrations/env.py"):
        pass
    messaging.msg("short")
    # textwrap's defaults, as Alembic's: a long path is cut where the line ends
    assert capsys.readouterr().out == (
        "  Generating /tmp/project/migr\n  ations/env.py ...  done\n  short\n"
    )


def test_a_failure_inside_the_block_says_failed(width, capsys):
    width(None)
    with pytest.raises(OSError), messaging.status("Creating directory /x"):
        raise OSError("denied")
    assert capsys.readouterr().out == "Creating directory /x ...  FAILED\n"


def test_quiet_writes_nothing(width, capsys):
    width(None)
    with messaging.status("Generating x", quiet=True):
        pass
    messaging.msg("y", quiet=True)
    assert capsys.readouterr().out == ""


def test_newline_puts_done_on_its_own_line(width, capsys):
    width(None)
    with messaging.status("Running post write hook 'black'", newline=True):
        pass
    assert capsys.readouterr().out == "Running post write hook 'black' ...\n  done\n"
