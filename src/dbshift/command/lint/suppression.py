"""``# dbshift: ignore[rule-id] reason`` comments in revision files.

A comment on the line of an ``op.*`` call (any line of a call that spans several), or on a
comment-only line directly above it, suppresses findings of the named rules (comma-separated)
there. Alembic reads the file as plain Python, so the comment changes nothing else. The reason
is required: a comment without one, or naming a rule dbshift does not know, suppresses nothing
and is reported as an ``invalid-suppression`` finding. Suppressed findings stay in the JSON
output with ``"suppressed": "<reason>"``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from .findings import Finding
from .rules.catalog import RULES

__all__ = ["Suppression", "apply_suppressions", "read_suppressions"]

_MARKER = "dbshift: ignore"
_COMMENT = re.compile(r"#\s*dbshift:\s*ignore\[(?P<rules>[^\]]*)\]\s*(?P<reason>.*)$")


@dataclass
class Suppression:
    """One ``# dbshift: ignore[...]`` comment: its line, rules and reason."""

    line: int
    rules: tuple[str, ...]
    reason: str
    #: True when the comment is alone on its line (it then covers the statement below).
    own_line: bool


@dataclass
class FileSuppressions:
    """The suppression comments of one file and the line spans of its statements."""

    comments: dict[int, Suppression]
    #: line -> (first line, last line) of the innermost statement (header) holding it
    spans: dict[int, tuple[int, int]]

    def covering(self, line: int) -> list[Suppression]:
        """The comments that apply to an op reported at ``line``."""
        first, last = self.spans.get(line, (line, line))
        found = [self.comments[n] for n in range(first, last + 1) if n in self.comments]
        above = first - 1
        while above in self.comments and self.comments[above].own_line:
            found.append(self.comments[above])
            above -= 1
        return found


def read_suppressions(path: str) -> FileSuppressions | None:
    """The suppression comments of the file at ``path`` (None when it has none)."""
    try:
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
    except OSError:
        return None
    if _MARKER not in source:
        return None
    comments: dict[int, Suppression] = {}
    lines = source.splitlines()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _COMMENT.search(token.string)
        if match is None:
            continue
        line = token.start[0]
        rules = tuple(r.strip() for r in match.group("rules").split(",") if r.strip())
        own_line = lines[line - 1][: token.start[1]].strip() == ""
        comments[line] = Suppression(line, rules, match.group("reason").strip(), own_line)
    return FileSuppressions(comments, _statement_spans(source))


def _statement_spans(source: str) -> dict[int, tuple[int, int]]:
    """For each line inside a simple statement (or the header of a compound one), the first
    and last line of that statement; inner statements win over the ones around them."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    spans: dict[int, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        first = node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            last = max(first, body[0].lineno - 1)
        else:
            last = node.end_lineno or first
        for line in range(first, last + 1):
            current = spans.get(line)
            if current is None or (last - first) <= (current[1] - current[0]):
                spans[line] = (first, last)
    return spans


def apply_suppressions(findings: list[Finding], path: str, revision: str) -> list[Finding]:
    """Mark the findings that a valid comment suppresses; add an ``invalid-suppression``
    finding for each comment without a reason or with an unknown rule id."""
    suppressions = read_suppressions(path)
    if suppressions is None:
        return findings
    extra: list[Finding] = []
    valid: dict[int, Suppression] = {}
    for comment in suppressions.comments.values():
        unknown = [r for r in comment.rules if r not in RULES]
        problem = None
        if not comment.rules:
            problem = "names no rule"
        elif unknown:
            problem = f"names unknown rule(s) {', '.join(unknown)}"
        elif not comment.reason:
            problem = "gives no reason"
        if problem is None:
            valid[comment.line] = comment
            continue
        rule = RULES["invalid-suppression"]
        extra.append(
            Finding(
                rule.id, rule.severity, revision, path, comment.line,
                f"this dbshift: ignore comment {problem}, so it suppresses nothing",
                rule.fix,
            )
        )
    for finding in findings:
        if finding.rule == "invalid-suppression":
            continue
        for comment in suppressions.covering(finding.line):
            if comment.line in valid and finding.rule in comment.rules:
                finding.suppressed = comment.reason
                break
    return findings + extra
