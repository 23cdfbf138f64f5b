"""Loading a revision module for a run (``dbshift.script.loading.load_module_from_path``).

A run loads one module per revision, so ``.py`` files are loaded without importlib's generic
machinery; the module must still be what ``importlib`` would make, with the same bytecode cache.
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
import sys

import pytest

from dbshift.script.loading import load_module_from_path

SOURCE = "VALUE = {value!r}\n\ndef upgrade():\n    return VALUE\n"


@pytest.fixture
def writes_bytecode(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def _write(path, value: str, mtime: int) -> None:
    path.write_text(SOURCE.format(value=value))
    os.utime(path, (mtime, mtime))


def test_module_has_the_attributes_importlib_gives(tmp_path, writes_bytecode):
    path = tmp_path / "abc123_first.py"
    _write(path, "one", 1_600_000_000)
    module = load_module_from_path(str(path))
    spec = importlib.util.spec_from_file_location("reference", str(path))
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)

    assert module.upgrade() == "one"
    assert sys.modules[module.__name__] is module
    assert module.__file__ == reference.__file__ == str(path)
    assert module.__cached__ == reference.__cached__
    assert module.__package__ == reference.__package__ == ""
    assert type(module.__loader__) is type(reference.__loader__)
    assert module.__spec__.name == module.__name__
    assert module.__spec__.origin == reference.__spec__.origin
    assert module.__spec__.cached == reference.__spec__.cached
    assert module.__spec__.has_location is True
    assert set(vars(module)) == set(vars(reference))


def test_bytecode_cache_is_written_then_trusted_by_mtime_and_size(tmp_path, writes_bytecode):
    path = tmp_path / "abc123_cached.py"
    _write(path, "one", 1_600_000_000)
    assert load_module_from_path(str(path)).upgrade() == "one"
    cached = importlib.util.cache_from_source(str(path))
    assert os.path.exists(cached)

    # Same size and mtime: the cache is trusted, as CPython's own import trusts it.
    _write(path, "two", 1_600_000_000)
    assert load_module_from_path(str(path)).upgrade() == "one"

    # Another mtime: the source is compiled again and the cache rewritten.
    _write(path, "two", 1_600_000_100)
    assert load_module_from_path(str(path)).upgrade() == "two"
    assert load_module_from_path(str(path)).upgrade() == "two"


def test_unreadable_or_hash_based_cache_goes_through_the_loader(tmp_path, writes_bytecode):
    path = tmp_path / "abc123_hashed.py"
    _write(path, "one", 1_600_000_000)
    cached = importlib.util.cache_from_source(str(path))
    py_compile.compile(
        str(path), cfile=cached, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH
    )
    _write(path, "two", 1_600_000_000)  # a checked hash no longer matches: recompiled
    assert load_module_from_path(str(path)).upgrade() == "two"

    with open(cached, "wb") as f:
        f.write(b"garbage")
    _write(path, "three", 1_600_000_200)
    assert load_module_from_path(str(path)).upgrade() == "three"


def test_failing_module_is_not_left_in_sys_modules(tmp_path):
    path = tmp_path / "abc123_broken.py"
    path.write_text("raise RuntimeError('broken revision')\n")
    before = set(sys.modules)
    with pytest.raises(RuntimeError, match="broken revision"):
        load_module_from_path(str(path))
    assert {m for m in set(sys.modules) - before if m.startswith("_dbshift_rev_")} == set()


def test_two_files_with_the_same_name_are_two_modules(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _write(tmp_path / "a" / "same.py", "a", 1_600_000_000)
    _write(tmp_path / "b" / "same.py", "b", 1_600_000_000)
    first = load_module_from_path(str(tmp_path / "a" / "same.py"))
    second = load_module_from_path(str(tmp_path / "b" / "same.py"))
    assert first.__name__ != second.__name__
    assert (first.upgrade(), second.upgrade()) == ("a", "b")
