"""Graph errors have Alembic's classes, at the places Alembic raises them.

``except CycleDetected`` / ``except ResolutionError`` / ``except CommandError`` clauses written
for Alembic must catch the same errors under dbshift: the revision map raises the classes of
``alembic.script.revision`` (none of them a ``CommandError``), and the ``ScriptDirectory``
methods that Alembic wraps turn them into ``alembic.util.CommandError`` (with the graph's error
as ``__cause__``). Each call below runs in a project under Alembic 1.20 and under dbshift; the
class hierarchy of what each raises, its cause and its message (dbshift may add the files it is
about) must agree.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alembic_reference import TOOLS, require_alembic, run_python
from workflow_graphs import Rev, read_state, run_cli, write_project

# One line of JSON per call: what it returned (ids), or what it raised.
_PROBE = r'''
import json, warnings
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic import command
import alembic.util
import alembic.script.revision

cfg = Config("alembic.ini")
sd = ScriptDirectory.from_config(cfg)

def ids(value):
    if isinstance(value, (list, tuple, set)):
        return sorted(ids(v) for v in value)
    return getattr(value, "revision", value)

for expression in EXPRESSIONS:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = {"value": ids(eval(expression))}
        except Exception as err:
            out = {
                "raises": [c.__name__ for c in type(err).__mro__[:-2]],
                "is_command_error": isinstance(err, alembic.util.CommandError),
                "is_revision_error": isinstance(err, alembic.script.revision.RevisionError),
                "cause": type(err.__cause__).__name__ if err.__cause__ else None,
                "message": str(err),
            }
    out["warnings"] = [str(w.message) for w in caught if w.category is UserWarning]
    print(json.dumps(out))
'''

GRAPHS: dict[str, tuple[Rev, ...]] = {
    "cycle": (Rev("aaaa1", "bbbb2"), Rev("bbbb2", "aaaa1"), Rev("cccc3")),
    "dependency_cycle": (Rev("aaaa1", depends=("bbbb2",)), Rev("bbbb2", depends=("aaaa1",))),
    "self_loop": (Rev("aaaa1", "aaaa1"),),
    "duplicate_label": (Rev("aaaa1", labels=("x",)), Rev("bbbb2", "aaaa1", labels=("x",))),
    "two_heads": (Rev("aaaa1", labels=("x",)), Rev("bbbb2", "aaaa1"), Rev("cccc3", "aaaa1")),
}

CALLS: dict[str, tuple[str, ...]] = {
    "cycle": (
        "sd.get_heads()",
        "sd.get_bases()",
        "sd.revision_map.heads",
        "sd.get_revision('cccc3')",
        "list(sd.walk_revisions())",
        "command.heads(cfg)",
    ),
    "dependency_cycle": ("sd.get_heads()", "list(sd.walk_revisions())"),
    "self_loop": ("sd.get_heads()", "sd.get_revision('aaaa1')"),
    "duplicate_label": ("sd.get_heads()", "sd.get_revision('aaaa1')"),
    "two_heads": (
        "sd.revision_map.get_current_head()",
        "sd.get_current_head()",
        "sd.revision_map.get_revision('head')",
        "sd.get_revision('head')",
        "sd.revision_map.get_revision('zzzz')",
        "sd.get_revision('zzzz')",
        "sd.revision_map.get_revisions('nolabel@head')",
        "sd.get_revisions('nolabel@head')",
        "list(sd.revision_map.iterate_revisions('bbbb2', 'cccc3'))",
        "list(sd.iterate_revisions('bbbb2', 'cccc3'))",
        "list(sd.revision_map.iterate_revisions('-5', 'heads'))",
        "sd.revision_map._resolve_revision_number(5)",
        "sd.as_revision_number(5)",
        "sd.get_revision('x@bbbb2')",
        "command.upgrade(cfg, 'head', sql=True)",
        "command.upgrade(cfg, 'zzzz', sql=True)",
    ),
}


def _outcomes(tool: str, root: Path, calls: tuple[str, ...]) -> list[dict]:
    result = run_python(tool, f"EXPRESSIONS = {list(calls)!r}\n" + _PROBE, root)
    assert result.ok, f"{tool}: {result.stderr}"
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(calls), result.stdout
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_graph_errors_have_alembics_classes(graph: str, tmp_path: Path) -> None:
    require_alembic()
    outcomes = {}
    for tool in TOOLS:
        root = tmp_path / tool
        root.mkdir()
        write_project(root, GRAPHS[graph])
        outcomes[tool] = _outcomes(tool, root, CALLS[graph])
    for call, alembic, dbshift in zip(CALLS[graph], outcomes["alembic"], outcomes["dbshift"]):
        assert "raises" in alembic or "value" in alembic, call
        if "value" in alembic:
            assert dbshift.get("value") == alembic["value"], call
            continue
        assert "raises" in dbshift, (call, dbshift)
        for key in ("raises", "is_command_error", "is_revision_error", "cause"):
            assert dbshift[key] == alembic[key], (call, key, alembic, dbshift)
        # dbshift may name the files an error is about after Alembic's words
        assert _words(dbshift["message"]).startswith(_words(alembic["message"])) or (
            # the two revisions of a cycle or a duplicate label come in set order in Alembic
            sorted(_words(dbshift["message"]).split()) >= sorted(_words(alembic["message"]).split())
        ), (call, alembic["message"], dbshift["message"])


def _words(message: str) -> str:
    return message.split(" (files:")[0].split(" (in ")[0]


def test_a_duplicate_revision_id_warns_and_the_last_file_wins(tmp_path: Path) -> None:
    """Two files with one revision id: Alembic warns and goes on; so does dbshift (which
    names both files), both take the file that sorts last, and ``upgrade heads`` leaves the
    same tables and version rows. (Alembic then lists the head twice, so that ``head`` is
    "multiple heads" to it; dbshift lists it once.)"""
    require_alembic()
    found = {}
    for tool in TOOLS:
        root = tmp_path / tool
        root.mkdir()
        ini = write_project(root, (Rev("aaaa1"), Rev("bbbb2", "aaaa1")))
        versions = root / "migrations" / "versions"
        copy = (versions / "bbbb2_step.py").read_text().replace("step bbbb2", "second copy")
        (versions / "bbbb2_the_copy.py").write_text(copy)
        found[tool] = _outcomes(tool, root, ("sd.get_revision('bbbb2').doc",))
        url = f"sqlite:///{root / 'app.db'}"
        assert run_cli(tool, ini, url, ("upgrade", "heads")).ok
        found[tool].append(read_state(url))
    assert found["dbshift"][0]["value"] == found["alembic"][0]["value"] == "second copy"
    assert found["alembic"][0]["warnings"] == ["Revision bbbb2 is present more than once"]
    (warning,) = found["dbshift"][0]["warnings"]
    assert warning.startswith("Revision bbbb2 is present more than once: in ")
    assert "bbbb2_step.py" in warning and warning.endswith("bbbb2_the_copy.py")
    assert found["dbshift"][1] == found["alembic"][1]
    assert found["dbshift"][1].rows == {"bbbb2"}
