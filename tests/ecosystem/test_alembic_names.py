"""Every ``alembic`` name the ecosystem packages use, served by dbshift's alias.

:mod:`.alembic_names` lists them with how each package calls them. One probe per virtualenv
resolves them all: in ``.venv-eco-alembic`` every one must resolve and bind (that checks the list
itself); in ``.venv-eco``, after ``dbshift.compat.install()`` (what dbshift's CLI does before it
runs env.py), each must resolve to the module dbshift serves (not a second execution of it),
and each call must bind to dbshift's signature. Names dbshift lacks today are strict xfails.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from .alembic_names import NEEDS, PROBE, Need
from .harness import ROOT, EcosystemGap, per_tool, run_in_venv

#: Need.key -> the problems the probe finds for it today under dbshift. A strict xfail: the
#: test fails if a problem not listed here appears, and passes (so fails, strict) once none is
#: left; a fixed problem may leave the list as it is until then.
KNOWN_GAPS: dict[str, tuple[str, ...]] = {}


@pytest.fixture(scope="module")
def probes(eco_venvs: None) -> dict[str, list[list[str]]]:
    """The problems each venv's probe finds, need by need (in the order of ``NEEDS``)."""
    payload = json.dumps([dataclasses.asdict(need) for need in NEEDS])

    def probe(tool: str) -> list[list[str]]:
        run = run_in_venv(tool, ("python", "-c", PROBE), ROOT, stdin=payload)
        assert run.returncode == 0, run.describe()
        return json.loads(run.stdout)

    return per_tool(probe)


def _param(need: Need) -> object:
    known = KNOWN_GAPS.get(need.key, ())
    marks = []
    if known:
        marks.append(pytest.mark.xfail(strict=True, raises=EcosystemGap, reason="; ".join(known)))
    return pytest.param(need, known, id=need.key, marks=marks)


@pytest.mark.parametrize(("need", "known"), [_param(need) for need in NEEDS])
def test_dbshift_serves_the_name(
    probes: dict[str, list[list[str]]], need: Need, known: tuple[str, ...]
) -> None:
    index = NEEDS.index(need)
    assert probes["alembic"][index] == [], f"reference: {probes['alembic'][index]}"
    found = probes["dbshift"][index]
    if not found:
        return
    new = [problem for problem in found if problem not in known]
    if new:
        pytest.fail(f"{need.key} (used by {need.users}) has problems not in KNOWN_GAPS: {new}")
    raise EcosystemGap(f"{need.key} (used by {need.users}): {'; '.join(found)}")
