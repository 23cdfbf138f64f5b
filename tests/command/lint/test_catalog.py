"""The rule catalogue: every rule documented in the README and exercised by a test here."""

from __future__ import annotations

from pathlib import Path

from dbshift.command.lint.findings import SEVERITIES
from dbshift.command.lint.rules.catalog import RULES

ROOT = Path(__file__).resolve().parents[3]
ISSUE_RULES = {
    "not-null-column-without-default", "volatile-default-rewrites-table",
    "column-type-rewrites-table", "set-not-null-scans-table", "blocking-index-creation",
    "blocking-index-drop", "foreign-key-validates-under-lock", "check-validates-under-lock",
    "unique-constraint-blocks-writes", "rename-column-breaks-code", "rename-table-breaks-code",
    "drop-column-breaks-code", "drop-table-loses-data", "enum-value-removal-rewrites",
    "concurrently-inside-transaction", "missing-lock-timeout", "raw-sql-not-analysed",
    "needs-connection",
}


def test_the_rule_ids_the_issue_names_are_kept():
    assert ISSUE_RULES <= set(RULES)
    assert all(rule.severity in SEVERITIES and rule.fix and rule.summary for rule in RULES.values())


def test_every_rule_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    for rule_id, rule in RULES.items():
        assert f"| `{rule_id}` | {rule.severity} |" in readme, rule_id


def test_every_rule_is_triggered_by_a_test():
    here = Path(__file__).parent
    sources = "".join(
        p.read_text() for p in here.glob("test_*.py") if p.name != Path(__file__).name
    )
    missing = [r for r in RULES if f'"{r}"' not in sources]
    assert missing == []
