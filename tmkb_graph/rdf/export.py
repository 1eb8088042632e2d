"""Serialize the dataset: Turtle, JSON-LD, N-Triples, TriG or N-Quads, same input giving the same bytes."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rdflib import Dataset

from tmkb_graph.errors import InputError, Problem
from tmkb_graph.rdf.build import GraphData
from tmkb_graph.rdf.dataset import default_graph, to_rdflib

FORMATS = ("turtle", "jsonld", "ntriples", "trig", "nquads")
SINGLE_GRAPH = ("turtle", "ntriples")
_RDFLIB_NAMES = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "trig": "trig", "nquads": "nquads"}


def serialize(graphs: Sequence[GraphData], fmt: str) -> str:
    """The graphs in ``fmt``. Turtle and N-Triples hold one graph, so they take the knowledge base only."""
    if fmt not in FORMATS:
        raise InputError([Problem("--format", None, "", f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")])
    if fmt in SINGLE_GRAPH and len(graphs) > 1:
        raise InputError(
            [Problem("--format", None, "", f"{fmt} holds one graph, and each architecture is a named graph of its own; "
                     "use trig, nquads or jsonld with --arch")]
        )
    dataset = to_rdflib(graphs)
    if fmt == "trig":
        return _trig(dataset, graphs)
    if fmt in SINGLE_GRAPH:
        text = default_graph(dataset).serialize(format=_RDFLIB_NAMES[fmt])
    else:
        text = dataset.serialize(format=_RDFLIB_NAMES[fmt])
    return _canonical(text, fmt)


def _trig(dataset: Dataset, graphs: Sequence[GraphData]) -> str:
    """TriG with the graphs in a fixed order: the knowledge base first, then each architecture by IRI."""
    prefixes = [f"@prefix {p}: <{ns}> ." for p, ns in sorted(dataset.namespaces()) if p]
    blocks = []
    for data in sorted(graphs, key=lambda d: "" if d.iri is None else str(d.iri)):
        graph = default_graph(dataset) if data.iri is None else dataset.graph(data.iri)
        body = [line for line in graph.serialize(format="turtle").splitlines() if not line.startswith("@prefix")]
        inner = "\n".join(("    " + line) if line else "" for line in body).strip("\n")
        blocks.append(("{\n" if data.iri is None else f"<{data.iri}> {{\n") + inner + "\n}\n")
    return "\n".join(prefixes) + "\n\n" + "\n".join(blocks)


def _canonical(text: str, fmt: str) -> str:
    """Line formats sorted, JSON-LD with its nodes and keys sorted, so output does not depend on hashing."""
    if fmt in ("ntriples", "nquads"):
        lines = sorted({line for line in text.splitlines() if line.strip()})
        return "\n".join(lines) + "\n"
    if fmt == "jsonld":
        return json.dumps(_sorted_jsonld(json.loads(text)), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    return text


def _sorted_jsonld(value: object) -> object:
    if isinstance(value, dict):
        return {key: _sorted_jsonld(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_jsonld(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return value
