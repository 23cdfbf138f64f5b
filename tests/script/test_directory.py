"""ScriptDirectory and Script against real revision files in temporary directories."""

from __future__ import annotations

import datetime
import os
import py_compile
import sys
import time
import types
from pathlib import Path

import pytest

from dbshift.script import Script, ScriptDirectory, graph_snapshot
from dbshift.script import header as header_mod
from dbshift.script.header import HeaderCache, parse_header_source
from dbshift.script.revision import CycleDetected, RevisionError
from dbshift.util.exc import CommandError

MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from typing import Sequence, Union

${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: Union[str, Sequence[str], None] = ${repr(down_revision)}
branch_labels: Union[str, Sequence[str], None] = ${repr(branch_labels)}
depends_on: Union[str, Sequence[str], None] = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


def write_rev(
    versions: Path,
    rev: str,
    down: object,
    doc: str = "a message",
    extra: str = "",
    filename: str | None = None,
    branch_labels: object = None,
    depends_on: object = None,
) -> Path:
    path = versions / (filename or f"{rev}_file.py")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'"""{doc}\n\nRevision ID: {rev}\n"""\n'
        f"revision = {rev!r}\n"
        f"down_revision = {down!r}\n"
        f"branch_labels = {branch_labels!r}\n"
        f"depends_on = {depends_on!r}\n"
        f"{extra}\n"
        "def upgrade():\n    return 'up-' + revision\n\n"
        "def downgrade():\n    pass\n"
    )
    return path


def age(path: Path, seconds: int = 100) -> None:
    """Push the file's mtime into the past so the header cache trusts it."""
    t = time.time() - seconds
    os.utime(path, (t, t))


@pytest.fixture
def env(tmp_path: Path) -> Path:
    d = tmp_path / "migrations"
    (d / "versions").mkdir(parents=True)
    (d / "script.py.mako").write_text(MAKO)
    return d


def chain(env: Path, n: int = 3) -> list[str]:
    ids = [f"rev{i:04d}" for i in range(n)]
    prev = None
    for rid in ids:
        write_rev(env / "versions", rid, prev, doc=f"step {rid}")
        prev = rid
    return ids


# ---------------------------------------------------------------------- header parsing


class TestHeaderParsing:
    def test_plain_literals(self):
        src = b'"""Add users.\n\nlong text\n"""\nrevision = "abc"\ndown_revision = ("x", "y")\nbranch_labels = ["l"]\n\ndef upgrade():\n    pass\n'
        h = parse_header_source(src)
        assert h is not None
        assert (h.revision, h.down_revision, h.branch_labels, h.depends_on) == (
            "abc",
            ("x", "y"),
            ("l",),
            None,
        )
        assert h.doc.startswith("Add users.")

    def test_annotated_assignments(self):
        src = (
            b"revision: str = 'a1'\ndown_revision: Union[str, None] = None\ndepends_on: str = 'q'\n"
        )
        h = parse_header_source(src)
        assert (h.revision, h.down_revision, h.depends_on, h.doc) == ("a1", None, "q", None)

    @pytest.mark.parametrize(
        "src",
        [
            b"revision = 'a'\ndown_revision = compute()\n",
            b"revision = 'a' + 'b'\ndown_revision = None\n",
            b"revision = 'a'\nif True:\n    down_revision = None\n",
            b"from somewhere import down_revision\nrevision = 'a'\n",
            b"revision = 'a'\n",
            b"revision = 'a'\ndown_revision = None\ndef f():\n    pass\ndown_revision = X\n",
        ],
    )
    def test_non_literal_needs_import(self, src):
        assert parse_header_source(src) is None

    def test_def_in_docstring_does_not_cut_header(self):
        src = b'"""doc\ndef not_code():\n"""\nrevision = "r1"\ndown_revision = None\n\ndef upgrade():\n    pass\n'
        h = parse_header_source(src)
        assert h is not None and h.revision == "r1" and "def not_code" in h.doc

    def test_late_literal_assignment_after_def_is_seen(self):
        src = (
            b"revision = 'a'\ndown_revision = None\ndef upgrade():\n    pass\ndown_revision = 'z'\n"
        )
        assert parse_header_source(src).down_revision == "z"

    def test_encoding_cookie(self):
        src = '# -*- coding: latin-1 -*-\n"""caf\xe9"""\nrevision = "r"\ndown_revision = None\n'
        h = parse_header_source(src.encode("latin-1"))
        assert h.doc == "caf\xe9"


# ---------------------------------------------------------------------- loading


class TestLoading:
    def test_static_header_does_not_import(self, env):
        chain(env, 3)
        sd = ScriptDirectory(str(env))
        assert sd.get_heads() == ["rev0002"]
        assert sd.get_bases() == ["rev0000"]
        s = sd.get_revision("rev0001")
        assert isinstance(s, Script)
        assert s._module is None
        assert s.doc == "step rev0001"
        assert s.longdoc == "step rev0001\n\nRevision ID: rev0001"
        assert s._module is None
        assert s.module.upgrade() == "up-rev0001"
        assert s.module.__file__ == s.path

    def test_dynamic_header_falls_back_to_import(self, env):
        v = env / "versions"
        write_rev(v, "base01", None)
        (v / "dyn_file.py").write_text(
            '"""Dynamic."""\nPARENT = "base" + "01"\nrevision = "dyn001"\ndown_revision = PARENT\n'
        )
        sd = ScriptDirectory(str(env))
        s = sd.get_revision("dyn001")
        assert s.down_revision == "base01"
        assert s._module is not None
        assert s.doc == "Dynamic."

    def test_legacy_revision_from_filename(self, env):
        (env / "versions" / "ae1027a6acf.py").write_text("down_revision = None\n")
        sd = ScriptDirectory(str(env))
        assert sd.get_heads() == ["ae1027a6acf"]

    def test_no_revision_and_bad_filename(self, env):
        (env / "versions" / "not_hex.py").write_text("down_revision = None\n")
        with pytest.raises(
            CommandError, match="Could not determine revision id from filename not_hex.py"
        ):
            ScriptDirectory(str(env)).get_heads()

    def test_ignored_files(self, env):
        chain(env, 1)
        v = env / "versions"
        (v / "__init__.py").write_text("raise RuntimeError('imported')\n")
        (v / ".#rev0000_file.py").write_text("raise RuntimeError('imported')\n")
        (v / "notes.txt").write_text("x")
        assert ScriptDirectory(str(env)).get_heads() == ["rev0000"]

    def test_duplicate_revision_warns_naming_both_files_and_uses_the_last(self, env):
        # Alembic warns and goes on with the file loaded last (test_graph_errors_like_alembic)
        v = env / "versions"
        a = write_rev(v, "dup1", None, filename="a.py")
        b = write_rev(v, "dup1", None, filename="b.py")
        for _ in range(2):  # not cached: every run warns
            with pytest.warns(UserWarning) as caught:
                sd = ScriptDirectory(str(env))
                assert sd.get_heads() == ["dup1"]
            (warning,) = [w for w in caught if "more than once" in str(w.message)]
            assert str(a) in str(warning.message) and str(b) in str(warning.message)
            assert sd.get_revision("dup1").path == str(b)

    def test_same_file_twice_is_warned_and_ignored(self, env):
        chain(env, 1)
        loc = str(env / "versions")
        sd = ScriptDirectory(str(env), version_locations=[loc, loc + "/."])
        with pytest.warns(UserWarning, match="loaded twice"):
            assert sd.get_heads() == ["rev0000"]

    def test_dangling_down_revision_names_file(self, env):
        p = write_rev(env / "versions", "orphan", "missing1")
        # Alembic fails here with a KeyError; dbshift's error says what is missing and where
        with pytest.raises(
            RevisionError, match="Revision missing1 referenced from orphan is not present"
        ) as ei:
            ScriptDirectory(str(env)).get_heads()
        assert str(p) in str(ei.value)
        with pytest.raises(CommandError, match="referenced from orphan") as ei:
            ScriptDirectory(str(env)).get_revision("orphan")
        assert isinstance(ei.value.__cause__, RevisionError)

    def test_cycle_is_alembics_cycle_detected_naming_the_files(self, env):
        v = env / "versions"
        a = write_rev(v, "cyc1", "cyc2")
        write_rev(v, "cyc2", "cyc1")
        write_rev(v, "root", None)
        with pytest.raises(CycleDetected, match=r"Cycle is detected in revisions \(cyc1, cyc2\)") as ei:
            ScriptDirectory(str(env)).get_heads()
        assert str(a) in str(ei.value)
        # the methods Alembic wraps give a CommandError caused by it
        with pytest.raises(CommandError, match="Cycle is detected") as ei:
            ScriptDirectory(str(env)).get_revision("root")
        assert isinstance(ei.value.__cause__, CycleDetected)

    def test_illegal_revision_id_names_file(self, env):
        p = write_rev(env / "versions", "bad-id", None, filename="bad.py")
        with pytest.raises(RevisionError, match="not allowed in revision identifier") as ei:
            ScriptDirectory(str(env)).get_heads()
        assert str(p) in str(ei.value)

    def test_recursive_version_locations(self, env):
        v = env / "versions"
        write_rev(v, "top1", None)
        write_rev(v / "sub" / "deeper", "sub1", "top1")
        assert ScriptDirectory(str(env)).get_heads() == ["top1"]
        sd = ScriptDirectory(str(env), recursive_version_locations=True)
        assert sd.get_heads() == ["sub1"]
        assert sd.get_revision("sub1").path == str(v / "sub" / "deeper" / "sub1_file.py")

    def test_multiple_version_locations(self, env, tmp_path):
        other = tmp_path / "other_versions"
        write_rev(env / "versions", "aaa1", None)
        write_rev(other, "bbb1", None, branch_labels="other")
        sd = ScriptDirectory(str(env), version_locations=[str(env / "versions"), str(other)])
        assert sorted(sd.get_bases()) == ["aaa1", "bbb1"]
        with pytest.raises(CommandError, match="Multiple version_locations present"):
            sd.versions  # noqa: B018
        # an absent location is skipped
        sd2 = ScriptDirectory(
            str(env), version_locations=[str(env / "versions"), str(tmp_path / "nope")]
        )
        assert sd2.get_heads() == ["aaa1"]

    def test_missing_dir(self, tmp_path):
        with pytest.raises(CommandError, match="Path doesn't exist"):
            ScriptDirectory(str(tmp_path / "nowhere"))


# ---------------------------------------------------------------------- header cache


class TestHeaderCache:
    def test_second_load_reads_no_file_bodies(self, env, monkeypatch):
        ids = chain(env, 5)
        for p in (env / "versions").iterdir():
            age(p)
        assert ScriptDirectory(str(env)).get_heads() == [ids[-1]]
        assert (env / "__pycache__" / "dbshift_revision_index.bin").exists()

        def boom(*a, **k):
            raise AssertionError("a file body was read")

        monkeypatch.setattr(header_mod, "parse_header_source", boom)
        real_open = open

        def guarded_open(file, *a, **k):
            if str(file).endswith(".py"):
                raise AssertionError(f"opened {file}")
            return real_open(file, *a, **k)

        monkeypatch.setattr("builtins.open", guarded_open)
        sd = ScriptDirectory(str(env))
        assert sd.get_heads() == [ids[-1]]
        assert sd.get_revision(ids[2]).doc == f"step {ids[2]}"

    def test_size_change_invalidates(self, env):
        chain(env, 2)
        for p in (env / "versions").iterdir():
            age(p)
        assert ScriptDirectory(str(env)).get_heads() == ["rev0001"]
        p = env / "versions" / "rev0001_file.py"
        p.write_text(p.read_text().replace("down_revision = 'rev0000'", "down_revision = None"))
        age(p, 50)
        assert sorted(ScriptDirectory(str(env)).get_heads()) == ["rev0000", "rev0001"]

    def test_mtime_change_with_same_size_invalidates(self, env):
        chain(env, 2)
        for p in (env / "versions").iterdir():
            age(p)
        assert ScriptDirectory(str(env)).get_revision("rev0001").doc == "step rev0001"
        p = env / "versions" / "rev0001_file.py"
        text = p.read_text()
        p.write_text(text.replace("step rev0001", "STEP REV0001"))
        assert p.stat().st_size == len(text.encode())
        age(p, 30)
        assert ScriptDirectory(str(env)).get_revision("rev0001").doc == "STEP REV0001"

    def test_recent_files_not_cached(self, tmp_path):
        f = tmp_path / "x.py"
        f.write_text("revision = 'a'\ndown_revision = None\n")
        cache = HeaderCache(str(tmp_path / "idx.json"))
        h = header_mod.read_header(str(f), f.stat(), cache)
        cache.save()
        assert h.revision == "a"
        assert not (tmp_path / "idx.json").exists()
        age(f)
        header_mod.read_header(str(f), f.stat(), cache)
        cache.save()
        assert HeaderCache(str(tmp_path / "idx.json")).lookup(str(f), f.stat()).revision == "a"

    def test_unwritable_cache_location_is_ignored(self, env):
        chain(env, 1)
        (env / "__pycache__").write_text("not a directory")
        assert ScriptDirectory(str(env)).get_heads() == ["rev0000"]

    def test_corrupt_cache_is_ignored(self, env):
        chain(env, 2)
        (env / "__pycache__").mkdir()
        (env / "__pycache__" / "dbshift_revision_index.bin").write_text("{not json")
        assert ScriptDirectory(str(env)).get_heads() == ["rev0001"]

    def test_malformed_cache_entries_are_ignored(self, env):
        import marshal

        ids = chain(env, 2)
        for p in (env / "versions").iterdir():
            age(p)
        assert ScriptDirectory(str(env)).get_heads() == [ids[-1]]
        index = env / "__pycache__" / "dbshift_revision_index.bin"
        fmt, entries, (keys, sizes, mtimes, rows, extra) = marshal.loads(index.read_bytes())
        assert entries is None  # the graph snapshot carries the headers
        names = sorted(f"versions/{p.name}" for p in (env / "versions").glob("*.py"))
        assert sorted(keys) == names
        index.write_bytes(marshal.dumps((fmt, {k: ("junk",) for k in names}, None)))
        assert ScriptDirectory(str(env)).get_heads() == [ids[-1]]
        for broken in (
            (keys, sizes, mtimes, marshal.dumps(marshal.loads(rows)[:1]), extra),  # a row missing
            (keys, sizes, mtimes, marshal.dumps([{"revision": "x"}] * 2), extra),  # no attributes
            (keys, sizes, mtimes, marshal.dumps([("junk",)] * 2), extra),  # rows not dicts
            (keys, sizes, mtimes, b"junk", extra),  # not marshal data
            (keys, sizes, mtimes, rows, extra[:5]),  # no summary
            (keys, sizes, mtimes, rows, (*extra[:7], {5: {}})),  # head rows of nothing
        ):
            index.write_bytes(marshal.dumps((fmt, None, broken)))
            assert ScriptDirectory(str(env)).get_heads() == [ids[-1]]
            assert ScriptDirectory(str(env)).get_revision(ids[0]).doc == f"step {ids[0]}"
            sd = ScriptDirectory(str(env))
            assert [s.revision for s in sd.walk_revisions()] == ids[::-1]
            assert sd.get_revision(ids[-1]).doc == f"step {ids[-1]}"
        fmt, entries, (keys, sizes, mtimes, rows, extra) = marshal.loads(index.read_bytes())
        # rewritten from the files
        assert len(marshal.loads(rows)) == len(keys) == 2 and extra[0] == (1, 0)

    def test_heads_from_the_snapshot_make_only_the_heads(self, env, monkeypatch):
        ids = chain(env, 6)
        write_rev(env / "versions", "side01", ids[2], doc="side\n\nlong", branch_labels="side")
        for p in (env / "versions").iterdir():
            age(p)
        cold = ScriptDirectory(str(env))
        expected = [cold.get_revision(h).cmd_format(False, include_branches=True) for h in
                    cold.get_heads()]

        def boom(*a, **k):
            raise AssertionError("every row was unmarshalled")

        monkeypatch.setattr(graph_snapshot, "scripts_from_rows", boom)
        sd = ScriptDirectory(str(env))
        heads = sd.get_revisions(tuple(sd.get_heads()))
        assert [h.cmd_format(False, include_branches=True) for h in heads] == expected
        assert sd.get_revisions("heads") == heads  # the same objects
        assert sd.get_bases() == [ids[0]]
        monkeypatch.undo()
        everything = list(sd.walk_revisions())  # now all of them, the heads as already made
        assert {h.revision: h for h in heads}.items() <= {s.revision: s for s in everything}.items()
        assert sd.get_revision("side").revision == "side01"

    def test_recent_edit_is_seen_and_not_snapshotted(self, env):
        ids = chain(env, 3)
        for p in (env / "versions").iterdir():
            age(p)
        assert ScriptDirectory(str(env)).get_revision(ids[1]).doc == f"step {ids[1]}"
        index = env / "__pycache__" / "dbshift_revision_index.bin"
        before = index.read_bytes()
        p = env / "versions" / f"{ids[1]}_file.py"
        text = p.read_text()
        p.write_text(text.replace(f"step {ids[1]}", f"STEP {ids[1]}"))  # same size, mtime now
        assert ScriptDirectory(str(env)).get_revision(ids[1]).doc == f"STEP {ids[1]}"
        assert index.read_bytes() != before  # the old snapshot is gone...
        import marshal

        assert marshal.loads(index.read_bytes())[2] is None  # ...and no new one while racy
        assert ScriptDirectory(str(env)).get_revision(ids[1]).doc == f"STEP {ids[1]}"

    @pytest.mark.parametrize("odd", ["symlink", "dir_named_py", "newline_name", "other_files"])
    def test_directories_the_fast_listing_does_not_take(self, env, odd):
        ids = chain(env, 3)
        v = env / "versions"
        if odd == "symlink":
            target = env / "elsewhere"
            target.mkdir()
            write_rev(target, "linked1", ids[-1], doc="linked")
            (v / "linked1_file.py").symlink_to(target / "linked1_file.py")
            expected = ["linked1"]
        elif odd == "dir_named_py":
            (v / "pkg.py").mkdir()
            expected = [ids[-1]]
        elif odd == "newline_name":
            write_rev(v, "nl0001", ids[-1], filename="nl.py\n")
            expected = ["nl0001"]
        else:
            (v / "README").write_text("not a revision")
            (v / "__init__.py").write_text("")
            (v / ".#lock.py").symlink_to("/nonexistent")
            (v / "x.pyc").write_bytes(b"")
            expected = [ids[-1]]
        for p in v.iterdir():
            if not p.is_symlink() and p.is_file():
                age(p)
        sd = ScriptDirectory(str(env))
        quick = sd._files._regular_source_files(header_mod.HeaderCache(None))
        assert (quick is None) == (odd not in ("other_files",))
        for _ in range(2):  # cold, then from the snapshot where there is one
            sd = ScriptDirectory(str(env))
            assert sd.get_heads() == expected
            assert sorted(s.revision for s in sd.walk_revisions()) == sorted({*ids, *expected})

    def test_graph_snapshot_gives_the_graph_a_fresh_build_gives(self, env):
        versions = env / "versions"
        write_rev(versions, "base1", None, branch_labels="trunk")
        write_rev(versions, "aaa1", "base1")
        write_rev(versions, "bbb1", "base1", depends_on="trunk")
        write_rev(versions, "ccc1", ("aaa1", "bbb1"), doc="merge\n\nlong text")
        write_rev(versions, "oth1", None, branch_labels=("other", "o2"), depends_on="aaa1")
        write_rev(versions, "oth2", "oth1")
        for p in versions.iterdir():
            age(p)

        def shape(sd):
            rmap = sd.revision_map
            return (
                rmap.heads, rmap.real_heads, rmap.bases, rmap.real_bases,
                [s.revision for s in sd.walk_revisions()],
                {
                    r.revision: (
                        r.down_revision, r.dependencies, sorted(r.branch_labels),
                        sorted(r.nextrev), sorted(r._all_nextrev), r.all_down_revisions,
                        r.normalized_down_revisions, r.longdoc, r.path,
                    )
                    for r in rmap
                },
                sd.get_revision("o2@head").revision,
            )

        cold = shape(ScriptDirectory(str(env)))  # builds, then writes the snapshot
        sd = ScriptDirectory(str(env))
        sd._map._graph.build = None  # a snapshot run must not build
        assert shape(sd) == cold
        # a change to one file invalidates the snapshot
        p = versions / "oth2_file.py"
        p.write_text(p.read_text().replace("down_revision = 'oth1'", "down_revision = 'ccc1'"))
        age(p, 30)
        assert ScriptDirectory(str(env)).get_revision("oth2").down_revision == "ccc1"
        # a new file too
        age(write_rev(versions, "ddd1", "ccc1"), 20)
        assert "ddd1" in ScriptDirectory(str(env)).get_heads()


# ---------------------------------------------------------------------- sourceless


class TestSourceless:
    def test_legacy_pyc_next_to_source(self, env):
        p = write_rev(env / "versions", "pyc001", None, doc="compiled")
        py_compile.compile(str(p), cfile=str(p) + "c", doraise=True)
        p.unlink()
        assert ScriptDirectory(str(env)).get_heads() == []
        sd = ScriptDirectory(str(env), sourceless=True)
        assert sd.get_heads() == ["pyc001"]
        s = sd.get_revision("pyc001")
        assert s.path.endswith(".pyc") and s.doc == "compiled"
        assert s.module.upgrade() == "up-pyc001"

    def test_pep3147_pycache(self, env):
        v = env / "versions"
        p = write_rev(v, "pep001", None)
        cfile = py_compile.compile(str(p), doraise=True)
        assert "__pycache__" in cfile
        p.unlink()
        sd = ScriptDirectory(str(env), sourceless=True)
        assert sd.get_heads() == ["pep001"]

    def test_source_preferred_over_pyc(self, env):
        p = write_rev(env / "versions", "both01", None, doc="from source")
        py_compile.compile(str(p), cfile=str(p) + "c", doraise=True)
        py_compile.compile(str(p), doraise=True)
        sd = ScriptDirectory(str(env), sourceless=True)
        assert sd.get_heads() == ["both01"]
        assert sd.get_revision("both01").path == str(p)


# ---------------------------------------------------------------------- graph API and errors


class TestGraphApi:
    def test_walk_and_ranges(self, env):
        ids = chain(env, 4)
        sd = ScriptDirectory(str(env))
        assert [s.revision for s in sd.walk_revisions()] == ids[::-1]
        assert [s.revision for s in sd.walk_revisions("rev0001", "rev0002")] == [
            "rev0002",
            "rev0001",
        ]
        with pytest.raises(
            CommandError, match="Revision rev0003 is not an ancestor of revision rev0001"
        ):
            list(sd.walk_revisions("rev0003", "rev0001"))

    def test_upgrade_and_downgrade_revisions(self, env):
        ids = chain(env, 4)
        sd = ScriptDirectory(str(env))
        assert [s.revision for s in sd.upgrade_revisions("heads", ())] == ids
        assert [s.revision for s in sd.upgrade_revisions("+2", ("rev0000",))] == ids[1:3]
        assert [s.revision for s in sd.downgrade_revisions("base", ("rev0003",))] == ids[::-1]
        assert [s.revision for s in sd.downgrade_revisions("-1", ("rev0003",))] == ["rev0003"]
        assert [s.revision for s in sd.downgrade_revisions("rev0001", "rev0003")] == [
            "rev0003",
            "rev0002",
        ]
        with pytest.raises(
            CommandError, match="Destination rev0002 is not a valid downgrade target"
        ):
            sd.downgrade_revisions("rev0002", ("rev0001",))

    def test_friendly_errors(self, env):
        v = env / "versions"
        write_rev(v, "base0001", None)
        write_rev(v, "left0001", "base0001")
        write_rev(v, "right001", "base0001")
        sd = ScriptDirectory(str(env))
        with pytest.raises(CommandError, match="^Can't locate revision identified by 'zzzz'$"):
            sd.get_revision("zzzz")
        with pytest.raises(
            CommandError,
            match=r"^Multiple head revisions are present for given argument 'head'; please specify "
            r"a specific target revision, '<branchname>@head' to narrow to a specific head, or "
            r"'heads' for all heads \(heads: left0001, right001\)$",  # Alembic's words, + heads
        ):
            sd.get_revision("head")
        with pytest.raises(CommandError, match="The script directory has multiple heads"):
            sd.get_current_head()
        assert sd.get_revisions("base") == ()

    def test_ambiguous_prefix_message(self, env):
        v = env / "versions"
        write_rev(v, "abcd0001", None)
        write_rev(v, "abcd0002", "abcd0001")
        sd = ScriptDirectory(str(env))
        with pytest.raises(CommandError, match="Multiple revisions start with 'abcd'"):
            sd.get_revision("abcd")

    def test_as_revision_number_and_bases(self, env):
        chain(env, 2)
        sd = ScriptDirectory(str(env))
        assert sd.as_revision_number("rev0001") == "rev0001"
        assert sd.as_revision_number("head") == "rev0001"
        assert sd.as_revision_number("heads") == ("rev0001",)
        assert sd.as_revision_number("base") is None
        assert sd.as_revision_number("rev0000") == "rev0000"
        assert sd.get_base() == "rev0000"
        assert sd.get_current_head() == "rev0001"
        assert {s.revision for s in sd.get_all_current("rev0001")} == {"rev0001"}

    def test_multiple_bases_get_base_error(self, env):
        write_rev(env / "versions", "one1", None)
        write_rev(env / "versions", "two2", None)
        with pytest.raises(CommandError, match="multiple bases"):
            ScriptDirectory(str(env)).get_base()

    def test_get_heads_consider_depends_on(self, env):
        v = env / "versions"
        write_rev(v, "lib1", None, branch_labels="lib")
        write_rev(v, "app1", None)
        write_rev(v, "app2", "app1", depends_on="lib")
        sd = ScriptDirectory(str(env))
        assert sorted(sd.get_heads()) == ["app2", "lib1"]
        assert sd.get_heads(consider_depends_on=True) == ["app2"]
        assert sd.get_revision("lib1").cmd_format(False) == "lib1 (effective head)"

    def test_cmd_format_and_log_entry(self, env):
        v = env / "versions"
        write_rev(v, "base0001", None, doc="Create base")
        write_rev(v, "left0001", "base0001", doc="Left side", branch_labels="left")
        write_rev(v, "right001", "base0001", doc="Right side")
        write_rev(v, "merge001", ("left0001", "right001"), doc="Merge them")
        sd = ScriptDirectory(str(env))
        base = sd.get_revision("base0001")
        assert base.cmd_format(False) == "base0001 (branchpoint)"
        assert (
            base.cmd_format(False, include_doc=True, include_parents=True)
            == "<base> -> base0001 (branchpoint), Create base"
        )
        merge = sd.get_revision("merge001")
        assert merge.cmd_format(False, include_parents=True) == (
            "left0001, right001 -> merge001 (head) (mergepoint)"
        )
        left = sd.get_revision("left0001")
        assert left.cmd_format(False, include_branches=True) == "left0001 (left)"
        assert str(left) == "base0001 -> left0001, Left side"
        entry = merge.log_entry
        assert entry.startswith("Rev: merge001 (head) (mergepoint)\nMerges: left0001, right001\n")
        assert f"Path: {v / 'merge001_file.py'}\n" in entry
        assert "    Merge them\n" in entry
        assert "Branches into: left0001, right001\n" in base.log_entry
        assert base.cmd_format(True) == base.log_entry


# ---------------------------------------------------------------------- generate_revision


class TestGenerateRevision:
    def test_first_and_second_revision(self, env, capsys):
        sd = ScriptDirectory(str(env))
        s1 = sd.generate_revision("aaa111", "Create users table", head="base")
        assert s1.down_revision is None
        path = env / "versions" / "aaa111_create_users_table.py"
        assert s1.path == str(path)
        text = path.read_text()
        assert text.startswith('"""Create users table\n\nRevision ID: aaa111\nRevises: \n')
        assert "revision: str = 'aaa111'" in text
        assert "Generating" in capsys.readouterr().out
        s2 = sd.generate_revision("bbb222", "second", upgrades="op.do_it()", imports="import os")
        assert s2.down_revision == "aaa111"
        assert sd.get_heads() == ["bbb222"]
        text2 = Path(s2.path).read_text()
        assert "Revises: aaa111" in text2 and "    op.do_it()" in text2 and "import os" in text2
        # a fresh directory object reads the written files back
        assert ScriptDirectory(str(env)).get_heads() == ["bbb222"]

    def test_quiet(self, env, capsys):
        ScriptDirectory(str(env), messaging_opts={"quiet": True}).generate_revision(
            "q1", "m", head="base"
        )
        assert capsys.readouterr().out == ""

    def test_file_template_tokens_and_subdirectory(self, env):
        sd = ScriptDirectory(
            str(env),
            file_template="%(year)d/%(month).2d/%(day).2d_%(hour).2d%(minute).2d%(second).2d_%(epoch)s_%(rev)s_%(slug)s",
            recursive_version_locations=True,
        )
        s = sd.generate_revision("ccc333", "Add Index!", head="base")
        rel = Path(s.path).relative_to(env / "versions")
        assert rel.parts[0].isdigit() and len(rel.parts) == 3
        assert rel.name.endswith("_ccc333_add_index.py")
        date = datetime.datetime.fromtimestamp(int(rel.name.split("_")[2]))
        assert rel.parts[0] == str(date.year)
        assert ScriptDirectory(str(env), recursive_version_locations=True).get_heads() == ["ccc333"]

    def test_file_template_override_and_slug_truncation(self, env):
        sd = ScriptDirectory(str(env), truncate_slug_length=12)
        s = sd.generate_revision(
            "ddd444",
            "This is a rather long message, really",
            head="base",
            file_template="%(slug)s-%(rev)s",
        )
        assert os.path.basename(s.path) == "this_is_a_-ddd444.py"

    def test_timezone(self, env):
        sd = ScriptDirectory(str(env), timezone="utc")
        s = sd.generate_revision("tz0001", "tz", head="base")
        assert "+00:00" in Path(s.path).read_text()
        with pytest.raises(CommandError, match="Can't locate timezone: Not/AZone"):
            ScriptDirectory(str(env), timezone="Not/AZone").generate_revision(
                "tz0002", "x", head="base"
            )

    def test_branch_labels_and_depends_on(self, env):
        sd = ScriptDirectory(str(env))
        sd.generate_revision("lib00001", "lib", head="base", branch_labels=["lib"])
        sd.generate_revision("app00001", "app", head="base")
        s = sd.generate_revision("app00002", "app2", head="app00001", depends_on=["lib", "lib0000"])
        assert s.dependencies == ("lib", "lib00001")
        assert s.resolved_dependencies == ("lib00001",)
        assert sd.get_revision("lib@head").revision == "lib00001"

    def test_merge_and_splice(self, env):
        sd = ScriptDirectory(str(env))
        sd.generate_revision("m0000001", "base", head="base")
        sd.generate_revision("m0000002", "a", head="m0000001")
        with pytest.raises(
            CommandError, match="Revision m0000001 is not a head revision; please specify --splice"
        ):
            sd.generate_revision("m0000003", "b", head="m0000001")
        sd.generate_revision("m0000003", "b", head="m0000001", splice=True)
        with pytest.raises(
            CommandError, match="Multiple heads are present; please specify the head"
        ):
            sd.generate_revision("m0000004", "c")
        merged = sd.generate_revision("m0000004", "merge", head="heads")
        assert merged.down_revision == ("m0000002", "m0000003")
        assert sd.get_heads() == ["m0000004"]

    def test_bad_ids(self, env):
        sd = ScriptDirectory(str(env))
        with pytest.raises(CommandError, match="not allowed in revision identifier"):
            sd.generate_revision("a-b", "x", head="base")
        sd.generate_revision("same01", "x", head="base")
        with pytest.raises(CommandError, match="same01 already exists"):
            sd.generate_revision("same01", "x", head="base")

    def test_version_path(self, env, tmp_path):
        other = tmp_path / "more"
        sd = ScriptDirectory(str(env), version_locations=[str(env / "versions"), str(other)])
        with pytest.raises(
            CommandError, match="Multiple version locations present, please specify --version-path"
        ):
            sd.generate_revision("vp0001", "x", head="base")
        s = sd.generate_revision("vp0001", "x", head="base", version_path=str(other))
        assert os.path.dirname(s.path) == str(other)
        s2 = sd.generate_revision("vp0002", "y", head="vp0001")
        assert os.path.dirname(s2.path) == str(other)
        with pytest.raises(CommandError, match="is not represented in current version locations"):
            sd.generate_revision(
                "vp0003", "z", head="base", version_path=str(tmp_path / "elsewhere")
            )

    def test_missing_branch_labels_in_template(self, env):
        (env / "script.py.mako").write_text(
            "revision = ${repr(up_revision)}\ndown_revision = ${repr(down_revision)}\n"
        )
        with pytest.raises(CommandError, match="does not have them"):
            ScriptDirectory(str(env)).generate_revision(
                "nb0001", "x", head="base", branch_labels="zz"
            )

    def test_template_error(self, env):
        (env / "script.py.mako").write_text("${undefined_function()}\n")
        with pytest.raises(
            CommandError,
            match="Template rendering failed; see .* for a template-oriented traceback",
        ):
            ScriptDirectory(str(env)).generate_revision("te0001", "x", head="base")

    def test_post_write_hooks(self, env, monkeypatch):
        calls = []
        fake = types.ModuleType("dbshift.script.write_hooks")
        fake.run_hooks = lambda path, hooks: calls.append((path, hooks))
        monkeypatch.setitem(sys.modules, "dbshift.script.write_hooks", fake)
        monkeypatch.setattr("dbshift.script.write_hooks", fake, raising=False)
        hooks = [{"_hook_name": "fmt", "type": "exec"}]
        s = ScriptDirectory(str(env), hooks=hooks).generate_revision("hk0001", "x", head="base")
        assert calls == [(s.path, hooks)]
        ScriptDirectory(str(env)).generate_revision("hk0002", "x", head="hk0001")
        assert len(calls) == 1


# ---------------------------------------------------------------------- config, env


class FakeConfig:
    def __init__(self, **opts):
        self.opts = opts
        self.messaging_opts = {"quiet": True}

    def get_alembic_option(self, name, default=None):
        return self.opts.get(name, default)

    def get_alembic_boolean_option(self, name):
        return self.opts.get(name) == "true"

    def get_version_locations_list(self):
        return self.opts.get("version_locations")

    def get_hooks_list(self):
        return []

    def get_template_directory(self):
        return "unused"


def test_from_config(env):
    chain(env, 2)
    cfg = FakeConfig(
        script_location=str(env),
        truncate_slug_length="7",
        sourceless="true",
        recursive_version_locations="true",
        file_template="%(rev)s",
        timezone="UTC",
    )
    sd = ScriptDirectory.from_config(cfg)
    assert sd.truncate_slug_length == 7
    assert sd.sourceless and sd.recursive_version_locations
    assert sd.file_template == "%(rev)s"
    assert sd.timezone == "UTC"
    assert sd.messaging_opts == {"quiet": True}
    assert sd.get_heads() == ["rev0001"]
    assert sd.versions == str(env / "versions")
    with pytest.raises(CommandError, match="No 'script_location' key found"):
        ScriptDirectory.from_config(FakeConfig())


def test_run_env(env, monkeypatch):
    (env / "env.py").write_text("import sys\nsys._dbshift_env_ran = __file__\n")
    sd = ScriptDirectory(str(env))
    assert sd.env_py_location == str(env / "env.py")
    sd.run_env()
    assert sys._dbshift_env_ran == str(env / "env.py")
    del sys._dbshift_env_ran


def test_five_thousand_files(env):
    v = env / "versions"
    prev = None
    past = time.time() - 100
    for i in range(5000):
        rid = f"r{i:05d}"
        p = v / f"{rid}_x.py"
        p.write_text(
            f'"""m{i}"""\nrevision = {rid!r}\ndown_revision = {prev!r}\nbranch_labels = None\n'
            "depends_on = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
        )
        os.utime(p, (past, past))
        prev = rid
    assert ScriptDirectory(str(env)).get_heads() == ["r04999"]
    # the first read indexed every header; the second is served from that index
    assert (env / "__pycache__" / "dbshift_revision_index.bin").is_file()
    sd = ScriptDirectory(str(env))
    assert sd.get_heads() == ["r04999"]
    assert len(sd.upgrade_revisions("heads", ())) == 5000
