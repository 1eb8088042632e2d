"""Publish to a SPARQL server through the SPARQL 1.1 Graph Store HTTP Protocol.

Each graph is sent with PUT, which replaces what the server held under that name, so publishing
again is idempotent: the knowledge base to the default graph (``?default``), each architecture to
its own graph (``?graph=<architecture IRI>``). Graphs go one at a time as N-Triples; the first
failure stops the publish, and the report says which graphs landed before it.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tmkb_graph.rdf.build import GraphData
from tmkb_graph.rdf.dataset import triples_as_ntriples
from tmkb_graph.rdf.http import Auth, ServerError, check_url, request


@dataclass
class PublishReport:
    """Which graphs landed (name, triples), and the failure that stopped the rest, if any."""

    landed: list[tuple[str, int]] = field(default_factory=list)
    failed: str | None = None
    error: str | None = None
    not_sent: int = 0

    @property
    def ok(self) -> bool:
        """True when every graph landed."""
        return self.error is None


def graph_url(store_url: str, graph_iri: str | None) -> str:
    """The Graph Store Protocol URL of one graph: ``?default`` or ``?graph=<iri>`` (percent-encoded)."""
    separator = "&" if urllib.parse.urlsplit(store_url).query else "?"
    if graph_iri is None:
        return f"{store_url}{separator}default"
    return f"{store_url}{separator}graph={urllib.parse.quote(graph_iri, safe='')}"


def publish(
    store_url: str,
    graphs: Sequence[GraphData],
    *,
    auth: Auth = Auth(),
    timeout_s: float = 120.0,
    on_landed: Callable[[str, int], None] | None = None,
) -> PublishReport:
    """PUT each graph to the Graph Store endpoint ``store_url``; stop at the first failure."""
    check_url(store_url)
    report = PublishReport()
    for index, data in enumerate(graphs):
        name = "default graph (knowledge base)" if data.iri is None else str(data.iri)
        try:
            request(
                "PUT",
                graph_url(store_url, None if data.iri is None else str(data.iri)),
                body=triples_as_ntriples(data.triples),
                headers={"Content-Type": "application/n-triples"},
                auth=auth,
                timeout_s=timeout_s,
            )
        except ServerError as error:
            report.failed, report.error = name, str(error)
            report.not_sent = len(graphs) - index - 1
            return report
        report.landed.append((name, len(data.triples)))
        if on_landed is not None:
            on_landed(name, len(data.triples))
    return report
