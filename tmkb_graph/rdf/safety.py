"""A static check that a SPARQL query is read-only and offline, before any engine sees it.

The query is tokenized the way SPARQL's grammar does (comments, strings, IRIs, variables and
prefixed names are single tokens), so a keyword is only a keyword where the engine would read one.
Refused: any update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD, WITH, USING),
SERVICE (the engine would make the HTTP call itself, from native code), CONSTRUCT and DESCRIBE
(they return graphs, not rows), and FROM / FROM NAMED naming a graph the store does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from tmkb_graph.errors import InputError, Problem

UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"})
FORMS = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}

_TOKEN = re.compile(
    r'''
    (?P<space>\s+)
   |(?P<comment>\#[^\n]*)
   |(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
   |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
   |(?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
   |(?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:(?:[\w\-%:\u00b7\u00c0-\uffff]|\\.|\.(?=[\w\-%:]))*)
   |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
   |(?P<open_quote>["'])
   |(?P<other>.)
    ''',
    re.VERBOSE | re.DOTALL,
)

Kind = Literal["space", "comment", "string", "iri", "var", "pname", "word", "open_quote", "other"]


class QueryError(InputError):
    """A query that cannot or may not run; its one problem says why, with line and column where known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__([Problem("query", None, "", where + message)])
        self.message = message


class QueryTimeout(QueryError):
    """A query that ran past its wall-clock limit and was stopped."""


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    line: int
    column: int


@dataclass(frozen=True)
class CheckedQuery:
    """What the check learned: the query form, its variables, and where its WHERE group opens."""

    form: Literal["select", "ask"]
    variables: frozenset[str]
    where_brace: int  # character offset of the '{' that opens the top-level group


def tokens(text: str) -> Iterator[Token]:
    """The query's tokens, with 1-based line and column, whitespace and comments skipped."""
    line, line_start = 1, 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "open_quote":
            raise QueryError("a string is not closed", line, match.start() - line_start + 1)
        if kind not in ("space", "comment"):
            yield Token(kind, value, line, match.start() - line_start + 1)  # type: ignore[arg-type]
        newlines = value.count("\n")
        if newlines:
            line += newlines
            line_start = match.start() + value.rindex("\n") + 1


def check_query(text: str, graph_allowed: Callable[[str], bool]) -> CheckedQuery:
    """Refuse what may not run; ``graph_allowed`` says whether FROM may name a graph IRI."""
    toks = list(tokens(text))
    prefixes: dict[str, str] = {}
    form: str | None = None
    for i, tok in enumerate(toks):
        upper = tok.text.upper() if tok.kind == "word" else ""
        if upper in UPDATE_WORDS:
            raise QueryError(f"{upper} is an update; only read-only SELECT and ASK queries run here", tok.line, tok.column)
        if upper == "SERVICE":
            raise QueryError("SERVICE would query another server over the network; queries here stay offline", tok.line, tok.column)
        if upper == "PREFIX" and i + 2 < len(toks) and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
        if upper in FORMS and form is None:
            form = FORMS[upper]
            if form in ("construct", "describe"):
                raise QueryError(f"{upper} returns a graph; use SELECT or ASK here, or `tmkb-graph export` for RDF", tok.line, tok.column)
        if upper == "FROM":
            _check_from(toks, i, prefixes, graph_allowed)
    if form is None:
        raise QueryError("no SELECT or ASK found: a query here is one SELECT or ASK query")
    return CheckedQuery(form, frozenset(t.text[1:] for t in toks if t.kind == "var"), _where_brace(text, toks))  # type: ignore[arg-type]


def _check_from(toks: list[Token], i: int, prefixes: dict[str, str], graph_allowed: Callable[[str], bool]) -> None:
    j = i + 1
    if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "NAMED":
        j += 1
    if j >= len(toks) or toks[j].kind not in ("iri", "pname"):
        return  # the engine reports the syntax error with its position
    tok = toks[j]
    iri = tok.text[1:-1] if tok.kind == "iri" else _expand(tok.text, prefixes)
    if iri is None or not graph_allowed(iri):
        raise QueryError(
            f"FROM names {tok.text}, which is not a graph of this store; FROM may only name the store's own graphs",
            tok.line,
            tok.column,
        )


def _expand(pname: str, prefixes: dict[str, str]) -> str | None:
    prefix, local = pname.split(":", 1)
    return prefixes[prefix] + local if prefix in prefixes else None


def _where_brace(text: str, toks: list[Token]) -> int:
    """The offset of the first '{' after the query form: where a VALUES block can join the WHERE group."""
    seen_form = False
    depth = 0
    lines = text.split("\n")
    offsets = [0]
    for line in lines[:-1]:
        offsets.append(offsets[-1] + len(line) + 1)
    for tok in toks:
        if tok.kind == "word" and tok.text.upper() in FORMS:
            seen_form = True
        elif seen_form and tok.text == "(":
            depth += 1
        elif seen_form and tok.text == ")":
            depth -= 1
        elif seen_form and depth == 0 and tok.text == "{":
            return offsets[tok.line - 1] + tok.column - 1
    return -1
