"""Reading SQL text as tokens: statements split at top-level semicolons, and a cursor over the
tokens of one statement that :mod:`dbshift.ddl.statement_kinds` classifies with.

The tokenizer knows what hides a semicolon: strings (``'...'``, ``E'...'``), quoted names
(``"..."``, backquotes, ``[...]``), comments, PostgreSQL dollar-quoted bodies and the
``BEGIN ... END`` body of a MySQL routine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["Reader", "Token", "names_in", "split_statements", "tokens"]


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|--[^\n]*|\#[^\n]*|/\*.*?\*/)
  | (?P<str>[EeBbXxNn]?'(?:[^'\\]|''|\\.)*')
  | (?P<dollar>\$(?P<tag>[A-Za-z_]*)\$.*?\$(?P=tag)\$)
  | (?P<qid>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<op>::|<>|<=|>=|!=|\|\||[(),;.=<>+\-*/%:\[\]])
  | (?P<other>.)
    """,
    re.S | re.X,
)


class Token:
    __slots__ = ("kind", "text", "start", "end")

    def __init__(self, kind: str, text: str, start: int, end: int) -> None:
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end

    @property
    def word(self) -> str:
        """The lower-cased keyword ('' for anything but a plain word)."""
        return self.text.lower() if self.kind == "word" else ""

    @property
    def ident(self) -> str:
        """The identifier this token spells (quotes removed)."""
        if self.kind == "qid":
            quote = self.text[0]
            body = self.text[1:-1]
            return body.replace('""', '"') if quote == '"' else body.replace("``", "`")
        return self.text


def tokens(sql: str) -> list[Token]:
    out: list[Token] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup
        if kind == "ws" or kind is None:
            continue
        if kind == "tag":  # pragma: no cover - inner group of dollar
            kind = "dollar"
        out.append(Token(kind, match.group(0), match.start(), match.end()))
    return out


_ROUTINES = frozenset({"procedure", "function", "trigger", "event"})
_BLOCK_ENDINGS = frozenset({"if", "loop", "while", "repeat", "case"})


def split_statements(sql: str) -> list[str]:
    """The statements of ``sql``, split at top-level semicolons (not inside strings, quoted
    names, comments, dollar-quoted bodies, or the ``BEGIN ... END`` body of a ``CREATE
    PROCEDURE/FUNCTION/TRIGGER/EVENT``), each stripped; empty ones left out."""
    pieces: list[str] = []
    start = 0
    words: list[str] = []  # the first words of the current statement
    depth = 0
    found = tokens(sql)
    for index, token in enumerate(found):
        if token.text == ";" and token.kind == "op" and depth == 0:
            pieces.append(sql[start : token.start])
            start = token.end
            words = []
            continue
        if len(words) < 8 and token.kind == "word":
            words.append(token.word)
        routine = bool(words) and words[0] == "create" and bool(_ROUTINES & set(words))
        if not routine:
            continue
        if token.word == "begin":
            depth += 1
        elif token.word == "end" and depth:
            following = found[index + 1].word if index + 1 < len(found) else ""
            if following not in _BLOCK_ENDINGS:
                depth -= 1
    pieces.append(sql[start:])
    return [p.strip() for p in pieces if tokens(p)]




class Reader:
    """A cursor over the tokens of one statement."""

    def __init__(self, sql: str, tokens: Sequence[Token]) -> None:
        self.sql = sql
        self.tokens = list(tokens)
        self.pos = 0

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.tokens[index].word if index < len(self.tokens) else ""

    def peek_text(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.tokens[index].text if index < len(self.tokens) else ""

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def accept(self, *words: str) -> bool:
        """Consume ``words`` if the next tokens spell them (keywords, case-insensitive)."""
        for offset, word in enumerate(words):
            token_text = self.peek(offset) or self.peek_text(offset)
            if token_text != word:
                return False
        self.pos += len(words)
        return True

    def accept_any(self, *words: str) -> str:
        """The one of ``words`` that is next (consumed), else ''."""
        for word in words:
            if self.accept(word):
                return word
        return ""

    def name(self) -> str | None:
        """One identifier (quoted or not), consumed; None if the next token is none."""
        if self.at_end():
            return None
        token = self.tokens[self.pos]
        if token.kind not in ("word", "qid"):
            return None
        self.pos += 1
        return token.ident

    def qualified_name(self) -> tuple[str | None, str | None]:
        """``(schema, name)`` of a possibly dotted name (the last two parts)."""
        parts = []
        first = self.name()
        if first is None:
            return None, None
        parts.append(first)
        while self.peek_text() == "." and self.pos + 1 < len(self.tokens):
            self.pos += 1
            nxt = self.name()
            if nxt is None:
                break
            parts.append(nxt)
        if len(parts) == 1:
            return None, parts[0]
        return parts[-2], parts[-1]

    def group(self) -> list[Token]:
        """The tokens inside the parenthesised group that starts here (consumed)."""
        if self.peek_text() != "(":
            return []
        depth = 0
        start = self.pos
        while self.pos < len(self.tokens):
            text = self.tokens[self.pos].text
            kind = self.tokens[self.pos].kind
            if kind == "op" and text == "(":
                depth += 1
            elif kind == "op" and text == ")":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return self.tokens[start + 1 : self.pos - 1]
            self.pos += 1
        return self.tokens[start + 1 :]

    def rest_text(self, tokens: Sequence[Token] | None = None) -> str:
        """The source text of ``tokens`` (default: from here to the end)."""
        chosen = self.tokens[self.pos :] if tokens is None else tokens
        if not chosen:
            return ""
        return self.sql[chosen[0].start : chosen[-1].end]

    def until_top_level_comma(self) -> list[Token]:
        """The tokens up to the next comma outside parentheses (consumed, comma included)."""
        depth = 0
        start = self.pos
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            if token.kind == "op" and token.text == "(":
                depth += 1
            elif token.kind == "op" and token.text == ")":
                depth -= 1
            elif token.kind == "op" and token.text == "," and depth == 0:
                self.pos += 1
                return self.tokens[start : self.pos - 1]
            self.pos += 1
        return self.tokens[start:]


def names_in(tokens: Sequence[Token]) -> tuple[str, ...]:
    """The column names of a ``(a, b, c)`` list (expressions give their first name)."""
    names: list[str] = []
    expect = True
    depth = 0
    for token in tokens:
        if token.kind == "op" and token.text == "(":
            depth += 1
        elif token.kind == "op" and token.text == ")":
            depth -= 1
        elif token.kind == "op" and token.text == "," and depth == 0:
            expect = True
        elif expect and token.kind in ("word", "qid"):
            names.append(token.ident)
            expect = False
    return tuple(names)
