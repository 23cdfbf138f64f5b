"""``dbshift lint`` over the real chains gives the counts the README's table shows.

Runs ``python -m tools.lint_chains`` for the chains in the README's "Lint over real chains" table
(fetched into ``~/.cache/dbshift-difftest`` like the differential tests) and compares each row.
PyPI unreachable is a skip on a developer's machine and a failure in CI (``CI`` set).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ROW = re.compile(r"^\| ([\w-]+) \| (\d+) \| (postgresql|mysql|sqlite) \| (\d+) \| (\d+) \| (\d+) \|")


def _readme_rows() -> dict[tuple[str, str], tuple[int, ...]]:
    text = README.read_text().split("### Lint over real chains", 1)[1].split("###", 1)[0]
    return {
        (m.group(1), m.group(3)): tuple(int(m.group(i)) for i in (2, 4, 5, 6))
        for m in map(ROW.match, text.splitlines())
        if m
    }


def test_the_readme_table_matches_a_fresh_lint():
    expected = _readme_rows()
    assert len(expected) >= 12
    chains = sorted({name for name, _ in expected})
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    args = [arg for name in chains for arg in ("--chain", name)]
    done = subprocess.run(
        [sys.executable, "-m", "tools.lint_chains", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )
    if done.returncode == 3:
        message = f"chains unavailable: {done.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert done.returncode == 0, done.stderr
    found = {}
    for line in done.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 7 and cells[1].isdigit():
            found[(cells[0], cells[2])] = tuple(int(c) for c in (cells[1], cells[3], cells[4], cells[5]))
            assert cells[6] == "0"  # no suppression comments in these chains
    assert found == expected
