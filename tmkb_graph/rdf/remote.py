"""Queries against a SPARQL server through the SPARQL 1.1 Protocol, answers read as SPARQL JSON results."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from tmkb_graph.rdf.http import Auth, ServerError, auth_from_env, request


class _Head(BaseModel):
    vars: list[str] = []


class _Results(BaseModel):
    bindings: list[dict[str, dict[str, str]]]


class _Answer(BaseModel):
    """The SPARQL 1.1 Query Results JSON Format, as much of it as we read."""

    head: _Head = _Head()
    results: _Results | None = None
    boolean: bool | None = None


def run_remote(endpoint: str, text: str, *, timeout_s: float, max_rows: int, auth: Auth | None = None) -> Any:
    """Send the (already checked and bound) query to ``endpoint`` and read its answer."""
    from tmkb_graph.rdf.query import SparqlResult

    status, body = request(
        "POST",
        endpoint,
        body=text.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": "application/sparql-results+json"},
        auth=auth or auth_from_env(),
        timeout_s=timeout_s,
    )
    try:
        answer = _Answer.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        raise ServerError(f"{endpoint} answered {status} with something that is not SPARQL JSON results: {body[:200]!r}") from None
    if answer.results is None:
        return SparqlResult(kind="ask", variables=[], rows=[], boolean=bool(answer.boolean), truncated=False)
    variables = answer.head.vars
    bindings = answer.results.bindings
    kept = bindings[:max_rows]
    result = SparqlResult(
        kind="select",
        variables=variables,
        rows=[{name: (row[name].get("value") if name in row else None) for name in variables} for row in kept],
        truncated=len(bindings) > max_rows,
    )
    result._terms = kept
    return result
