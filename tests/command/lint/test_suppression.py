"""``# dbshift: ignore[rule-id] reason`` comments."""

from __future__ import annotations

from .conftest import TABLE_T, by_rule, line_of, lint_body, rules


def test_a_comment_on_the_line_or_the_line_above_suppresses_with_its_reason(project):
    found = lint_body(
        project,
        """
        op.execute("SET lock_timeout = '1s'")
        op.create_index("ix_a", "t", ["c"])  # dbshift: ignore[blocking-index-creation] t has 10 rows
        # dbshift: ignore[blocking-index-creation] built at night
        op.create_index("ix_b", "t", ["c"])
        op.create_index(
            "ix_c",
            "t",  # dbshift: ignore[blocking-index-creation, drop-table-loses-data] tiny
            ["c"],
        )
        op.create_index("ix_d", "t", ["c"])
        """,
        setup=TABLE_T,
    )
    found = by_rule(found, "blocking-index-creation")
    assert [(f.line, f.suppressed) for f in found] == [
        (line_of(project, "r1body", '"ix_a"'), "t has 10 rows"),
        (line_of(project, "r1body", '"ix_b"'), "built at night"),
        (line_of(project, "r1body", '"ix_c"') - 1, "tiny"),
        (line_of(project, "r1body", '"ix_d"'), None),
    ]


def test_a_comment_after_code_on_the_line_above_does_not_reach_down(project):
    found = lint_body(
        project,
        """
        op.create_index("ix_a", "t", ["c"])  # dbshift: ignore[blocking-index-creation] small
        op.create_index("ix_b", "t", ["c"])
        """,
        setup=TABLE_T,
    )
    suppressed = [f.suppressed for f in by_rule(found, "blocking-index-creation")]
    assert suppressed == ["small", None]


def test_a_suppression_needs_a_reason_and_a_known_rule(project):
    found = lint_body(
        project,
        """
        op.create_index("ix_a", "t", ["c"])  # dbshift: ignore[blocking-index-creation]
        op.create_index("ix_b", "t", ["c"])  # dbshift: ignore[no-such-rule] it is fine
        """,
        setup=TABLE_T,
    )
    assert [f.suppressed for f in by_rule(found, "blocking-index-creation")] == [None, None]
    invalid = by_rule(found, "invalid-suppression")
    assert [(f.line, f.severity) for f in invalid] == [
        (line_of(project, "r1body", '"ix_a"'), "warning"),
        (line_of(project, "r1body", '"ix_b"'), "warning"),
    ]
    assert "gives no reason" in invalid[0].message
    assert "unknown rule(s) no-such-rule" in invalid[1].message


def test_only_the_named_rule_is_suppressed(project):
    found = lint_body(
        project,
        '# dbshift: ignore[drop-table-loses-data] wrong rule\nop.create_index("ix_a", "t", ["c"])',
        setup=TABLE_T,
    )
    assert "blocking-index-creation" in rules(found)
