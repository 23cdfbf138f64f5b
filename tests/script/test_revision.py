"""RevisionMap / Revision: graph semantics and the identifier grammar (pure, no files)."""

from __future__ import annotations

import pytest

from dbshift.script.revision import (
    CycleDetected,
    DependencyCycleDetected,
    DependencyLoopDetected,
    LoopDetected,
    MultipleHeads,
    RangeNotAncestorError,
    ResolutionError,
    Revision,
    RevisionError,
    RevisionMap,
)


def rmap(*revs: Revision) -> RevisionMap:
    return RevisionMap(lambda: list(revs))


def ids(revs) -> list:
    return [r.revision if r is not None else None for r in revs]


def up(m: RevisionMap, upper, lower, **kw) -> list[str]:
    return ids(m.iterate_revisions(upper, lower, **kw))


def down(m: RevisionMap, current, target, **kw) -> list[str]:
    return ids(m.iterate_revisions(current, target, select_for_downgrade=True, **kw))


@pytest.fixture
def linear() -> RevisionMap:
    return rmap(
        Revision("a1b2c3", None),
        Revision("b2c3d4", "a1b2c3"),
        Revision("c3d4e5", "b2c3d4"),
        Revision("d4e5f6", "c3d4e5"),
    )


@pytest.fixture
def branched() -> RevisionMap:
    # a -> b -> c1 -> d1 ; b -> c2 -> d2
    return rmap(
        Revision("aaaa", None),
        Revision("bbbb", "aaaa"),
        Revision("c1c1", "bbbb"),
        Revision("c2c2", "bbbb"),
        Revision("d1d1", "c1c1"),
        Revision("d2d2", "c2c2"),
    )


@pytest.fixture
def labelled() -> RevisionMap:
    # trunk: a -> b (branch point) ; left: b -> l1 (label "left") -> l2 ; right: b -> r1 -> r2
    return rmap(
        Revision("aaaa", None),
        Revision("bbbb", "aaaa"),
        Revision("l1l1", "bbbb", branch_labels="left"),
        Revision("l2l2", "l1l1"),
        Revision("r1r1", "bbbb", branch_labels=("right",)),
        Revision("r2r2", "r1r1"),
    )


@pytest.fixture
def two_bases() -> RevisionMap:
    # independent roots with labels, plus a dependency from the "acct" line onto "core"
    return rmap(
        Revision("core1", None, branch_labels="core"),
        Revision("core2", "core1"),
        Revision("acct1", None, branch_labels="acct"),
        Revision("acct2", "acct1", dependencies="core1"),
    )


# ---------------------------------------------------------------------- Revision itself


class TestRevision:
    def test_scalar_and_tuple_forms(self):
        r = Revision("x1", ("a",), dependencies=[], branch_labels="lab")
        assert r.down_revision == "a"
        assert r.dependencies is None
        assert r.branch_labels == {"lab"}
        m = Revision("m1", ["a", "b"])
        assert m.down_revision == ("a", "b")
        assert m.versioned_down_revisions == ("a", "b")
        assert m.is_merge_point and not m.is_base

    @pytest.mark.parametrize("bad", ["a@b", "a-b", "a+b", "a:b"])
    def test_illegal_characters(self, bad):
        with pytest.raises(RevisionError, match="not allowed in revision identifier"):
            Revision(bad, None)

    def test_self_loop(self):
        with pytest.raises(LoopDetected, match=r"Self-loop is detected in revisions \(a\)"):
            Revision("a", "a")
        with pytest.raises(LoopDetected):
            Revision("a", ("b", "a"))

    def test_dependency_self_loop(self):
        with pytest.raises(
            DependencyLoopDetected, match=r"Dependency self-loop is detected in revisions \(a\)"
        ):
            Revision("a", None, dependencies="a")

    def test_repr(self):
        assert repr(Revision("a", "b", dependencies="c")) == "Revision('a', 'b', dependencies='c')"


# ---------------------------------------------------------------------- building the map


class TestBuild:
    def test_heads_bases_and_links(self, linear):
        assert linear.heads == ("d4e5f6",)
        assert linear.bases == ("a1b2c3",)
        b = linear.get_revision("b2c3d4")
        assert b.nextrev == frozenset({"c3d4e5"})
        assert not b.is_head and not b.is_branch_point
        assert linear.get_revision("d4e5f6").is_head

    def test_branch_point(self, branched):
        b = branched.get_revision("bbbb")
        assert b.is_branch_point
        assert b.nextrev == frozenset({"c1c1", "c2c2"})
        assert branched.heads == ("d1d1", "d2d2")

    def test_cycle(self):
        m = rmap(Revision("a", None), Revision("b", "c"), Revision("c", "b"), Revision("d", "a"))
        with pytest.raises(CycleDetected, match=r"Cycle is detected in revisions \(b, c\)"):
            m.heads  # noqa: B018

    def test_dependency_cycle(self):
        m = rmap(
            Revision("a", None, dependencies="c"),
            Revision("b", "a"),
            Revision("c", "b"),
        )
        with pytest.raises(DependencyCycleDetected, match="Dependency cycle is detected"):
            m.heads  # noqa: B018

    def test_dangling_down_revision(self):
        m = rmap(Revision("a", None), Revision("b", "nope"))
        with pytest.raises(RevisionError, match="Revision nope referenced from b is not present"):
            m.heads  # noqa: B018

    def test_unknown_dependency(self):
        m = rmap(Revision("a", None), Revision("b", "a", dependencies="ghost"))
        with pytest.raises(RevisionError, match="depends on 'ghost', which is not present"):
            m.heads  # noqa: B018

    def test_duplicate_id_warns_and_the_last_one_counts(self):
        first, last = Revision("a", None), Revision("a", None, branch_labels="x")
        m = rmap(first, last)
        with pytest.warns(UserWarning, match="Revision a is present more than once"):
            assert m.heads == ("a",)
        assert m.get_revision("x") is last

    def test_duplicate_branch_label(self):
        m = rmap(Revision("a", None, branch_labels="x"), Revision("b", "a", branch_labels="x"))
        with pytest.raises(RevisionError, match="Branch name 'x' in revision b already used"):
            m.heads  # noqa: B018

    def test_branch_label_equal_to_revision_id(self):
        m = rmap(Revision("a", None), Revision("b", "a", branch_labels="a"))
        with pytest.raises(RevisionError, match="Branch name 'a' in revision b already used"):
            m.heads  # noqa: B018

    def test_add_revision(self, linear):
        linear.add_revision(Revision("e5f6", "d4e5f6"))
        assert linear.heads == ("e5f6",)
        assert linear.get_revision("d4e5f6").nextrev == frozenset({"e5f6"})
        linear.add_revision(Revision("side", "d4e5f6"))
        assert set(linear.heads) == {"e5f6", "side"}

    def test_add_revision_replace(self, linear):
        linear.add_revision(Revision("d4e5f6", "b2c3d4"), _replace=True)
        assert set(linear.heads) == {"c3d4e5", "d4e5f6"}
        with pytest.raises(RevisionError, match="not in map"):
            linear.add_revision(Revision("zzz", None), _replace=True)


# ---------------------------------------------------------------------- identifiers


class TestIdentifiers:
    def test_partial_id(self, linear):
        assert linear.get_revision("c3d4").revision == "c3d4e5"
        assert ids(linear.get_revisions(["a1b2", "d4e5f6"])) == ["a1b2c3", "d4e5f6"]

    def test_short_prefix_hint(self, linear):
        # a short prefix still matches; only when nothing matches does the error add a hint
        assert linear.get_revision("c3d").revision == "c3d4e5"
        with pytest.raises(ResolutionError, match="at least four characters") as ei:
            linear.get_revision("zz")
        assert ei.value.argument == "zz"

    def test_ids_of_three_characters_are_never_prefix_matched(self):
        m = rmap(Revision("abc", None))
        assert m.get_revision("abc").revision == "abc"
        with pytest.raises(ResolutionError, match="No such revision or branch 'ab'"):
            m.get_revision("ab")

    def test_unknown_id(self, linear):
        with pytest.raises(ResolutionError, match="No such revision or branch 'ffff'$"):
            linear.get_revision("ffff")

    def test_ambiguous_prefix(self):
        m = rmap(Revision("abcd1", None), Revision("abcd2", "abcd1"))
        with pytest.raises(ResolutionError, match="Multiple revisions start with 'abcd'"):
            m.get_revision("abcd")

    def test_head_heads_base(self, linear, branched):
        assert linear.get_revision("head").revision == "d4e5f6"
        assert ids(linear.get_revisions("heads")) == ["d4e5f6"]
        assert linear.get_revision("base") is None
        assert linear.get_revision(None) is None
        assert linear.get_revisions("base") == ()
        assert ids(branched.get_revisions("heads")) == ["d1d1", "d2d2"]
        with pytest.raises(MultipleHeads, match="given argument 'head'; d1d1, d2d2"):
            branched.get_revision("head")
        with pytest.raises(MultipleHeads):
            branched.get_current_head()

    def test_label_forms(self, labelled):
        assert labelled.get_revision("left").revision == "l1l1"
        assert labelled.get_revision("left@head").revision == "l2l2"
        assert ids(labelled.get_revisions("right@heads")) == ["r2r2"]
        assert labelled.get_revision("left@base") is None
        assert labelled.get_current_head("right") == "r2r2"
        assert labelled.get_revision("left@l2l2").revision == "l2l2"

    def test_label_rev_not_member(self, labelled):
        with pytest.raises(ResolutionError, match="Revision r2r2 is not a member of branch 'left'"):
            labelled.get_revision("left@r2r2")

    def test_unknown_branch(self, labelled):
        with pytest.raises(ResolutionError, match="No such revision or branch 'nobranch'"):
            labelled.get_revision("nobranch@head")
        with pytest.raises(ResolutionError, match="No such branch: 'nobranch'"):
            labelled.get_revision("nobranch@aaaa")

    def test_revision_id_as_branch(self, branched):
        # "<rev>@head": the head of the branch that contains that revision
        assert branched.get_revision("c2c2@head").revision == "d2d2"
        with pytest.raises(MultipleHeads, match="bbbb@head"):
            branched.get_revision("bbbb@head")

    def test_label_propagation(self, labelled):
        # descendants get the label; the shared trunk below the branch point does not
        assert labelled.get_revision("l2l2").branch_labels == {"left"}
        assert labelled.get_revision("r2r2").branch_labels == {"right"}
        assert labelled.get_revision("bbbb").branch_labels == set()

    def test_label_propagates_down_to_branch_point(self):
        m = rmap(
            Revision("a", None),
            Revision("b", "a"),
            Revision("c", "b", branch_labels="lbl"),
            Revision("d", "c"),
        )
        assert {r.revision for r in m if "lbl" in r.branch_labels} == {"a", "b", "c", "d"}

    def test_negative_relative_in_get_revisions(self, linear, labelled):
        assert linear.get_revision("-1").revision == "c3d4e5"
        assert linear.get_revision("-4") is None
        assert labelled.get_revision("left@-1").revision == "l1l1"

    def test_filter_for_lineage(self, labelled):
        assert labelled.filter_for_lineage(labelled.heads, "left") == ("l2l2",)
        assert labelled.filter_for_lineage(["aaaa", "r1r1", "l2l2"], "r2r2") == ("aaaa", "r1r1")
        assert labelled.filter_for_lineage(("aaaa", "l1l1"), None) == ("aaaa", "l1l1")

    def test_get_all_current(self, branched):
        assert ids(
            sorted(branched.get_all_current(("c1c1", "d2d2")), key=lambda r: r.revision)
        ) == [
            "c1c1",
            "d2d2",
        ]
        assert {r.revision for r in branched.get_all_current("bbbb")} == {"bbbb"}


# ---------------------------------------------------------------------- depends_on


class TestDependencies:
    def test_real_heads_and_bases(self, two_bases):
        assert two_bases.heads == ("core2", "acct2")
        assert two_bases.real_heads == ("core2", "acct2")
        assert two_bases.bases == ("core1", "acct1")
        assert two_bases.real_bases == ("core1", "acct1")

    def test_dependency_head_is_not_real_head(self):
        m = rmap(
            Revision("a", None),
            Revision("x", None),
            Revision("b", "a", dependencies="x"),
        )
        assert m.heads == ("x", "b")
        assert m.real_heads == ("b",)
        assert m.real_bases == ("a", "x")
        assert ids(m.get_revisions("heads")) == ["b"]
        b = m.get_revision("b")
        assert b.normalized_down_revisions == ("a", "x")
        assert b.versioned_down_revisions == ("a",)
        assert not m.get_revision("x").is_real_head

    def test_dependency_by_label(self, two_bases):
        m = rmap(
            Revision("a1", None, branch_labels="alpha"),
            Revision("z1", None, dependencies="alpha"),
        )
        assert m.get_revision("z1").resolved_dependencies == ("a1",)
        assert two_bases.get_revision("acct2").resolved_dependencies == ("core1",)

    def test_normalized_drops_inherited_dependency(self):
        m = rmap(
            Revision("x", None),
            Revision("a", None, dependencies="x"),
            Revision("b", "a", dependencies="x"),
        )
        assert m.get_revision("a").normalized_down_revisions == ("x",)
        assert m.get_revision("b").normalized_down_revisions == ("a",)
        assert m.get_revision("b").all_down_revisions == ("a", "x")

    def test_upgrade_pulls_dependencies_first(self, two_bases):
        steps = list(reversed(up(two_bases, "acct@head", None, implicit_base=True)))
        assert steps == ["acct1", "core1", "acct2"] or steps == ["core1", "acct1", "acct2"]
        assert steps.index("core1") < steps.index("acct2")
        assert "core2" not in steps

    def test_downgrade_removes_dependents(self, two_bases):
        removed = down(two_bases, ("core2", "acct2"), "core@base")
        assert set(removed) == {"core1", "core2", "acct2"}
        assert removed.index("acct2") < removed.index("core1")
        assert removed.index("core2") < removed.index("core1")

    def test_ancestors_and_descendants(self, two_bases):
        assert two_bases.ancestors_of(["acct2"]) == {"acct2", "acct1", "core1"}
        assert two_bases.ancestors_of(["acct2"], include_dependencies=False) == {"acct2", "acct1"}
        assert two_bases.descendants_of(["core1"]) == {"core1", "core2", "acct2"}
        assert two_bases.descendants_of(["core1"], include_dependencies=False) == {
            "core1",
            "core2",
        }


# ---------------------------------------------------------------------- ranges and walks


class TestUpgradeRanges:
    def test_full_walk_newest_first(self, linear):
        assert up(linear, "heads", "base") == ["d4e5f6", "c3d4e5", "b2c3d4", "a1b2c3"]

    def test_range_exclusive_and_inclusive(self, linear):
        assert up(linear, "d4e5f6", "b2c3d4") == ["d4e5f6", "c3d4e5"]
        assert up(linear, "d4e5f6", "b2c3d4", inclusive=True) == ["d4e5f6", "c3d4e5", "b2c3d4"]

    def test_range_not_ancestor(self, linear, branched):
        with pytest.raises(
            RangeNotAncestorError, match="Revision d4e5f6 is not an ancestor of revision b2c3d4"
        ):
            up(linear, "b2c3d4", "d4e5f6")
        with pytest.raises(RangeNotAncestorError):
            up(branched, "d1d1", "c2c2")

    def test_implicit_base_allows_unrelated_current(self, branched):
        # upgrading to d1 from the database state "c2": only c1/d1 run, never the c2 line
        assert up(branched, "d1d1", "c2c2", implicit_base=True) == ["d1d1", "c1c1"]

    def test_upgrade_to_rev_takes_only_its_ancestors(self, branched):
        assert up(branched, "d2d2", None, implicit_base=True) == ["d2d2", "c2c2", "bbbb", "aaaa"]

    def test_branch_order_keeps_branches_together(self, branched):
        assert up(branched, "heads", "base") == ["d1d1", "c1c1", "d2d2", "c2c2", "bbbb", "aaaa"]

    def test_merge_point(self):
        m = rmap(
            Revision("a", None),
            Revision("b", "a"),
            Revision("c1", "b"),
            Revision("c2", "b"),
            Revision("d1", "c1"),
            Revision("d2", "c2"),
            Revision("m", ("d1", "d2")),
        )
        assert m.heads == ("m",)
        assert m.get_revision("m").is_merge_point
        assert up(m, "heads", "base") == ["m", "d1", "c1", "d2", "c2", "b", "a"]
        assert up(m, "m", ("d1",), implicit_base=True) == ["m", "d2", "c2"]

    def test_relative_upgrade_from_current(self, linear):
        assert up(linear, "+2", "a1b2c3", implicit_base=True) == ["c3d4e5", "b2c3d4"]
        assert up(linear, "+1", None, implicit_base=True) == ["a1b2c3"]

    def test_relative_to_symbol(self, linear):
        assert up(linear, "a1b2+2", None, implicit_base=True) == ["c3d4e5", "b2c3d4", "a1b2c3"]
        assert up(linear, "head-2", "base") == ["b2c3d4", "a1b2c3"]

    def test_relative_in_branch(self, labelled):
        assert up(labelled, "left@+1", "bbbb", implicit_base=True) == ["l1l1"]
        assert up(labelled, "right@+2", "bbbb", implicit_base=True) == ["r2r2", "r1r1"]

    def test_relative_overwalk(self, linear):
        with pytest.raises(
            RevisionError, match=r"Relative revision \+9 didn't produce 9 migrations"
        ):
            up(linear, "+9", "b2c3d4", implicit_base=True)

    def test_relative_ambiguous_walk(self, branched):
        with pytest.raises(RevisionError, match="Ambiguous walk"):
            up(branched, "+1", "bbbb", implicit_base=True)

    def test_upgrade_minus_n_from_current_is_error(self, linear):
        with pytest.raises(RevisionError, match="didn't produce 1 migrations"):
            up(linear, "-1", "d4e5f6")

    def test_overlapping_targets(self, linear):
        with pytest.raises(RevisionError, match="overlaps with other requested revisions"):
            up(linear, ("c3d4e5", "b2c3d4"), None, implicit_base=True)

    def test_history_relative_lower(self, linear):
        assert up(linear, "heads", "-2", inclusive=True, assert_relative_length=False) == [
            "d4e5f6",
            "c3d4e5",
            "b2c3d4",
        ]


class TestDowngradeRanges:
    def test_to_base(self, linear):
        assert down(linear, "d4e5f6", "base") == ["d4e5f6", "c3d4e5", "b2c3d4", "a1b2c3"]
        assert down(linear, "d4e5f6", None) == ["d4e5f6", "c3d4e5", "b2c3d4", "a1b2c3"]

    def test_to_revision(self, linear):
        assert down(linear, "d4e5f6", "b2c3") == ["d4e5f6", "c3d4e5"]

    def test_relative(self, linear):
        assert down(linear, "d4e5f6", "-1") == ["d4e5f6"]
        assert down(linear, "d4e5f6", "-3") == ["d4e5f6", "c3d4e5", "b2c3d4"]
        with pytest.raises(RevisionError, match="didn't produce 5 migrations"):
            down(linear, "d4e5f6", "-5")
        with pytest.raises(RevisionError, match=r"Relative revision \+1 didn't produce"):
            down(linear, "d4e5f6", "+1")

    def test_relative_to_symbol(self, linear):
        assert down(linear, "d4e5f6", "d4e5f6-2") == ["d4e5f6", "c3d4e5"]

    def test_only_dependent_branch_removed(self, branched):
        assert down(branched, ("d1d1", "d2d2"), "c2c2") == ["d2d2"]
        assert down(branched, ("d1d1", "d2d2"), "bbbb") == ["d1d1", "c1c1", "d2d2", "c2c2"]

    def test_branch_relative(self, labelled):
        assert down(labelled, ("l2l2", "r2r2"), "left@-1") == ["l2l2"]

    def test_label_base_with_multiple_bases(self, two_bases):
        assert down(two_bases, ("core2", "acct2"), "acct@base") == ["acct2", "acct1"]

    def test_nothing_to_drop(self, branched):
        with pytest.raises(RangeNotAncestorError):
            down(branched, ("d1d1",), "d2d2")

    def test_multiple_heads_minus_one_warns(self, branched):
        with pytest.warns(UserWarning, match="ambiguous"):
            assert down(branched, ("d1d1", "d2d2"), "-1") == ["d1d1"]


# ---------------------------------------------------------------------- performance


def test_five_thousand_revision_chain():
    n = 5000
    revs = [Revision(f"r{i:05d}", f"r{i - 1:05d}" if i else None) for i in range(n)]
    m = RevisionMap(lambda: revs)
    assert m.heads == ("r04999",)
    assert len(up(m, "heads", "base")) == n
    assert len(down(m, "heads", "base")) == n
    assert len(down(m, "heads", "r00010")) == n - 11
    assert len(list(m.iterate_revisions("heads", None, implicit_base=True))) == n
    assert m.get_revision("-4999").revision == "r00000"
    assert m.get_revision("r01234").revision == "r01234"


def test_wide_branching_keeps_branches_contiguous():
    revs = [Revision("root", None)]
    for b in range(200):
        prev = "root"
        for i in range(20):
            rid = f"b{b:03d}x{i:02d}"
            revs.append(Revision(rid, prev))
            prev = rid
    m = RevisionMap(lambda: revs)
    order = up(m, "heads", "base")
    assert len(order) == 4001 and order[-1] == "root"
    # each branch stays contiguous: b000x19 .. b000x00, then the next branch
    assert order[:20] == [f"b000x{i:02d}" for i in range(19, -1, -1)]


def test_full_newest_first_walk_matches_the_planner(linear, branched, labelled, two_bases):
    # merges, 3-way merges, depends_on onto another line, several bases
    merges = rmap(
        Revision("m0m0", None),
        Revision("m1a1", "m0m0"),
        Revision("m1b1", "m0m0"),
        Revision("m1c1", "m0m0", dependencies="m1a1"),
        Revision("m2m2", ("m1a1", "m1b1", "m1c1")),
        Revision("m3a3", "m2m2", branch_labels="x"),
        Revision("m3b3", "m2m2"),
        Revision("z0z0", None, dependencies="m3b3"),
    )
    for m in (linear, branched, labelled, two_bases, merges):
        planned = up(m, "heads", "base", inclusive=True, assert_relative_length=False)
        assert ids(m._all_newest_first()) == planned


def test_parent_tuples_follow_a_changed_down_revision():
    m = rmap(Revision("aaaa", None), Revision("bbbb", "aaaa"), Revision("cccc", "bbbb"))
    rev = m.get_revision("cccc")
    assert rev.normalized_down_revisions == ("bbbb",)
    rev.down_revision = ("aaaa", "bbbb")
    assert rev.versioned_down_revisions == ("aaaa", "bbbb")
    assert rev.all_down_revisions == ("aaaa", "bbbb") and rev.is_merge_point
