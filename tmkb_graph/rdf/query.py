"""Run SPARQL: named queries or your own, on pyoxigraph by default or on a SPARQL server.

Every query is checked first (``rdf.safety``: read-only, offline), runs under a wall-clock limit
(locally in a forked worker that is killed when time is up, so a runaway join cannot hang the
caller), and returns at most ``max_rows`` rows with ``truncated`` set when it was cut.

Parameters are bound as RDF terms, never pasted into the query as text: each value is checked
against its declared type (integer, date, IRI, ...), made an RDF term, serialized by ``sparql_term``
(which escapes every literal) and joined to the top-level WHERE group as a ``VALUES`` block. The
same mechanism serves pyoxigraph and every server: pyoxigraph's own ``substitutions`` only binds
variables the SELECT projects, and the SPARQL protocol has no parameters at all.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, PrivateAttr

from tmkb_graph.errors import InputError, Problem
from tmkb_graph.rdf.iris import ARCH_BASE, PATTERN_BASE, arch_iri
from tmkb_graph.rdf.safety import CheckedQuery, QueryError, QueryTimeout, check_query
from tmkb_graph.resources import data_dir

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

    from tmkb_graph.rdf.build import GraphData
    from tmkb_graph.rdf.http import Auth

XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_QUERY_CHARS = 100_000
PARAM_TYPES = ("string", "integer", "date", "iri", "architecture", "pattern")

__all__ = ["NamedQuery", "QueryError", "QueryTimeout", "SparqlResult", "list_named_queries", "run_sparql"]


class SparqlResult(BaseModel):
    """The answer to a SELECT (variables and rows) or an ASK (boolean)."""

    kind: Literal["select", "ask"]
    variables: list[str]
    rows: list[dict[str, str | None]]
    boolean: bool | None = None
    truncated: bool = False
    _terms: list[dict[str, dict[str, str]]] | None = PrivateAttr(default=None)

    def to_sparql_json(self) -> dict[str, Any]:
        """The SPARQL 1.1 Query Results JSON Format (https://www.w3.org/TR/sparql11-results-json/)."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        bindings = self._terms
        if bindings is None:
            bindings = [{k: {"type": "literal", "value": v} for k, v in row.items() if v is not None} for row in self.rows]
        return {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}


class NamedQuery(BaseModel):
    """A query shipped in queries/: its name (the file's stem), title, what it answers, its parameters."""

    name: str
    title: str
    description: str
    params: list[str]


@dataclass(frozen=True)
class _Param:
    name: str
    type: str
    required: bool
    meaning: str


@dataclass(frozen=True)
class _Named:
    info: NamedQuery
    params: dict[str, _Param]
    text: str


_HEADER = re.compile(r"^#\s*(Name|Title|Question|Param|Over|Returns):\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s*\((\w+)(,\s*optional)?\)\s*[—-]+\s*(.+)$")


@lru_cache(maxsize=1)
def _named_queries() -> dict[str, _Named]:
    out: dict[str, _Named] = {}
    for path in sorted(Path(data_dir("queries")).glob("*.rq")):
        out[path.stem] = _parse_named(path.stem, path.read_text(encoding="utf-8"))
    return out


def _parse_named(stem: str, text: str) -> _Named:
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = _HEADER.match(line)
        if match:
            fields.setdefault(match.group(1), []).append(match.group(2).strip())
        elif not line.startswith("#"):
            break
    params: dict[str, _Param] = {}
    for spec in fields.get("Param", []):
        match = _PARAM.match(spec)
        if match is None or match.group(2) not in PARAM_TYPES:
            raise ValueError(f"queries/{stem}.rq: cannot read the parameter line '# Param: {spec}'")
        params[match.group(1)] = _Param(match.group(1), match.group(2), match.group(3) is None, match.group(4))
    described = " ".join(fields.get("Question", []))
    if params:
        described += " Parameters: " + "; ".join(
            f"{p.name} ({p.type}{'' if p.required else ', optional'}): {p.meaning}" for p in params.values()
        )
    title = " ".join(fields.get("Title", [])) or stem.replace("-", " ").capitalize()
    return _Named(NamedQuery(name=stem, title=title, description=described, params=list(params)), params, text)


def list_named_queries() -> list[NamedQuery]:
    """The queries shipped in queries/, by name."""
    return [named.info for named in _named_queries().values()]


def run_sparql(
    query: str | None = None,
    *,
    name: str | None = None,
    arch_files: Sequence[Path | str] = (),
    params: Mapping[str, str] | None = None,
    endpoint: str | None = None,
    timeout_s: float = 10.0,
    max_rows: int = 1000,
) -> SparqlResult:
    """Run ``query`` (text) or the named query ``name`` over the knowledge base plus ``arch_files``,
    or over a SPARQL server at ``endpoint``. Raises InputError (QueryError) for a bad query or parameter."""
    if endpoint is not None:
        if arch_files:
            raise QueryError("--arch and --endpoint do not mix: publish the architectures, then query the server")
        return run_on_endpoint(endpoint, query, name=name, params=params, timeout_s=timeout_s, max_rows=max_rows)
    text, declared = _query_text(query, name)
    store, graphs = _cached_store(_file_keys(arch_files))
    return run_on_store(store, graphs, text, params or {}, declared, timeout_s=timeout_s, max_rows=max_rows)


def run_on_endpoint(
    endpoint: str,
    query: str | None = None,
    *,
    name: str | None = None,
    params: Mapping[str, str] | None = None,
    auth: Auth | None = None,
    timeout_s: float = 10.0,
    max_rows: int = 1000,
) -> SparqlResult:
    """Run a query on a SPARQL server; FROM may only name tmkb-graph's architecture graphs there."""
    from tmkb_graph.rdf.remote import run_remote

    text, declared = _query_text(query, name)
    checked = check_query(text, lambda iri: iri.startswith(ARCH_BASE))
    terms = _bind(params or {}, declared, checked)
    return run_remote(endpoint, with_values(text, checked, terms), timeout_s=timeout_s, max_rows=max_rows, auth=auth)  # type: ignore[no-any-return]


def run_on_graphs(
    graphs: Sequence[GraphData],
    query: str | None = None,
    *,
    name: str | None = None,
    params: Mapping[str, str] | None = None,
    timeout_s: float = 10.0,
    max_rows: int = 1000,
) -> SparqlResult:
    """Like run_sparql, on graphs already built (tests and benchmarks pick the analysis day this way)."""
    from tmkb_graph.rdf.dataset import to_oxigraph

    text, declared = _query_text(query, name)
    names = frozenset(str(g.iri) for g in graphs if g.iri is not None)
    return run_on_store(to_oxigraph(graphs), names, text, params or {}, declared, timeout_s=timeout_s, max_rows=max_rows)


def run_on_store(
    store: pyoxigraph.Store,
    graph_names: frozenset[str],
    text: str,
    params: Mapping[str, str],
    declared: dict[str, _Param] | None = None,
    *,
    timeout_s: float = 10.0,
    max_rows: int = 1000,
) -> SparqlResult:
    """Check, bind and run ``text`` on a pyoxigraph store under the time and row limits."""
    checked = check_query(text, lambda iri: iri in graph_names)
    terms = _bind(params, declared, checked)
    from tmkb_graph.rdf.local import run_local

    return run_local(store, with_values(text, checked, terms), timeout_s=timeout_s, max_rows=max_rows)


def named_query_text(name: str) -> str:
    """The text of a named query, or a QueryError naming the known ones."""
    return _query_text(None, name)[0]


def _query_text(query: str | None, name: str | None) -> tuple[str, dict[str, _Param] | None]:
    if (query is None) == (name is None):
        raise QueryError("give exactly one of a query's text or a named query's name")
    if name is not None:
        named = _named_queries().get(name.removesuffix(".rq"))
        if named is None:
            known = ", ".join(_named_queries())
            raise QueryError(f"no named query '{name}' (known: {known}; `tmkb-graph queries` lists them)")
        return named.text, named.params
    assert query is not None
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query):,} characters long; at most {MAX_QUERY_CHARS:,} are read")
    return query, None


# --- parameters -------------------------------------------------------------------------------

Term = dict[str, str]  # a term in SPARQL JSON results form: {"type": ..., "value": ..., "datatype"?: ...}


def _bind(params: Mapping[str, str], declared: dict[str, _Param] | None, checked: CheckedQuery) -> dict[str, Term]:
    """Each parameter as an RDF term, checked against its declared type (or guessed from its form)."""
    problems = []
    out: dict[str, Term] = {}
    for key, value in params.items():
        if declared is not None and key not in declared:
            problems.append(f"the query takes no parameter '{key}' (it takes: {', '.join(declared) or 'none'})")
            continue
        if key not in checked.variables:
            problems.append(f"parameter '{key}' is not a variable of the query")
            continue
        kind = declared[key].type if declared is not None else _guess_type(value)
        try:
            out[key] = _term(kind, value)
        except ValueError as error:
            problems.append(f"parameter '{key}': {error}")
    for param in (declared or {}).values():
        if param.required and param.name not in params:
            problems.append(f"missing parameter '{param.name}' ({param.type}): {param.meaning}")
    if problems:
        raise InputError([Problem("--param", None, "", message) for message in problems])
    return out


def _guess_type(value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        return "iri"
    if re.fullmatch(r"[+-]?\d{1,18}", value):
        return "integer"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "date"
    return "string"


def _term(kind: str, value: str) -> Term:
    if len(value) > 2000:
        raise ValueError("values are at most 2,000 characters")
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            raise ValueError(f"expected an integer, got '{value[:40]}'")
        return {"type": "literal", "value": str(int(value)), "datatype": XSD + "integer"}
    if kind == "date":
        try:
            return {"type": "literal", "value": dt.date.fromisoformat(value.strip()).isoformat(), "datatype": XSD + "date"}
        except ValueError:
            raise ValueError(f"expected a date such as 2027-01-31, got '{value[:40]}'") from None
    if kind in ("iri", "architecture", "pattern"):
        return {"type": "uri", "value": _iri(kind, value.strip())}
    return {"type": "literal", "value": value}


def _iri(kind: str, value: str) -> str:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    elif kind == "architecture" and re.fullmatch(r"[a-z0-9-]+", value):
        value = str(arch_iri(value))
    elif kind == "pattern" and re.fullmatch(r"[A-Za-z0-9-]+", value):
        value = PATTERN_BASE + value.upper()
    if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
        raise ValueError(f"expected an IRI such as <https://...> (or an architecture slug, a pattern id), got '{value[:60]}'")
    return value


def sparql_term(term: Term) -> str:
    """An RDF term in SPARQL syntax: an IRI already checked to hold no delimiter, or an escaped literal."""
    if term["type"] == "uri":
        return f"<{term['value']}>"
    escaped = "".join(_ESCAPES.get(ch, ch) if ch in _ESCAPES or ord(ch) >= 0x20 else f"\\u{ord(ch):04X}" for ch in term["value"])
    datatype = term.get("datatype")
    return f'"{escaped}"' + (f"^^<{datatype}>" if datatype else "")


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def with_values(text: str, checked: CheckedQuery, terms: dict[str, Term]) -> str:
    """The query with a VALUES block binding ``terms`` at the start of its top-level WHERE group."""
    if not terms:
        return text
    if checked.where_brace < 0:
        raise QueryError("parameters need a WHERE { ... } group to bind into")
    names = sorted(terms)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(sparql_term(terms[n]) for n in names)}) }} "
    at = checked.where_brace + 1
    return text[:at] + block + text[at:]


# --- store cache ------------------------------------------------------------------------------

_FileKey = tuple[str, int, int]


def _file_keys(arch_files: Sequence[Path | str]) -> tuple[tuple[_FileKey, ...], str]:
    keys = []
    for path in arch_files:
        try:
            stat = Path(path).stat() if str(path) != "-" else None
        except OSError:
            stat = None
        keys.append((str(path), stat.st_mtime_ns if stat else -1, stat.st_size if stat else -1))
    return tuple(keys), dt.date.today().isoformat()


_CACHE_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _store_for(keys: tuple[tuple[_FileKey, ...], str]) -> tuple[Any, frozenset[str]]:
    from tmkb_graph.rdf.dataset import build_graphs, to_oxigraph

    files, today = keys
    graphs = build_graphs([key[0] for key in files], today=dt.date.fromisoformat(today))
    return to_oxigraph(graphs), frozenset(str(g.iri) for g in graphs if g.iri is not None)


def _cached_store(keys: tuple[tuple[_FileKey, ...], str]) -> tuple[Any, frozenset[str]]:
    """The store for these files as they are now (a changed file is read again); standard input never cached."""
    if any(key[0] == "-" for key in keys[0]):
        _store_for.cache_clear()
    with _CACHE_LOCK:
        return _store_for(keys)


def sparql_json_text(result: SparqlResult) -> str:
    """The result as SPARQL 1.1 JSON text, keys in a fixed order."""
    return json.dumps(result.to_sparql_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
