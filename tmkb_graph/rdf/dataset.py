"""The dataset: the knowledge base plus each analysed architecture's named graph, as rdflib or pyoxigraph.

rdflib builds, parses and serializes; pyoxigraph answers queries (tens of times faster than
rdflib's own engine on joins).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from tmkb_graph.analysis import analyze
from tmkb_graph.architecture import load_architecture
from tmkb_graph.errors import InputError, Problem
from tmkb_graph.library import PatternLibrary, load_library
from tmkb_graph.rdf.build import Analysed, GraphData, analysed_graphs
from tmkb_graph.rdf.iris import PREFIXES, arch_slug
from tmkb_graph.rdf.knowledge_base import default_fixtures_dir, knowledge_base

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

_NO_FIXTURES = Path("/nonexistent")


def load_analysed(
    arch_files: Sequence[Path | str], library: PatternLibrary, today: dt.date
) -> list[Analysed]:
    """Load and analyse each architecture file; two files with the same slug are an input error."""
    out: list[Analysed] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for path in arch_files:
        arch = load_architecture(path)
        slug = arch_slug(arch.file, arch.model.name)
        if slug in seen:
            problems.append(
                Problem(arch.file, None, "", f"its graph IRI (slug '{slug}') is already taken by {seen[slug]}; rename one file")
            )
            continue
        seen[slug] = arch.file
        out.append(Analysed(slug, arch, analyze(arch, library, today=today)))
    if problems:
        raise InputError(problems)
    return out


def build_graphs(
    arch_files: Sequence[Path | str] = (),
    *,
    today: dt.date | None = None,
    library: PatternLibrary | None = None,
    fixtures_dir: Path | None = _NO_FIXTURES,
) -> list[GraphData]:
    """The knowledge base graph, then one named graph per architecture file, in the order given."""
    library = library or load_library()
    today = today or dt.date.today()
    fixtures = default_fixtures_dir() if fixtures_dir is _NO_FIXTURES else fixtures_dir
    graphs = [knowledge_base(library, fixtures)]
    graphs.extend(analysed_graphs(load_analysed(arch_files, library, today), today))
    return graphs


def to_rdflib(graphs: Sequence[GraphData]) -> Dataset:
    """An rdflib Dataset: the knowledge base in the default graph, each architecture in its own."""
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    for data in graphs:
        graph = default_graph(dataset) if data.iri is None else dataset.graph(data.iri)
        for triple in data.triples:
            graph.add(triple)
    return dataset


def default_graph(dataset: Dataset) -> Graph:
    """The dataset's default graph (rdflib 7.1 renamed default_context to default_graph)."""
    found = getattr(dataset, "default_graph", None)
    return found if isinstance(found, Graph) else dataset.default_context


def to_oxigraph(graphs: Sequence[GraphData]) -> pyoxigraph.Store:
    """A pyoxigraph in-memory Store with the same quads.

    The quads go in as N-Quads text, which pyoxigraph parses in native code (several times faster
    than making each term in Python); if the text does not parse, term by term instead.
    """
    import pyoxigraph as ox

    store = ox.Store()
    try:
        store.bulk_load(nquads_text(graphs).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    except SyntaxError:  # pragma: no cover - a term the fast path writes wrongly
        store = ox.Store()
        convert = _Converter()
        for data in graphs:
            graph = ox.DefaultGraph() if data.iri is None else ox.NamedNode(str(data.iri))
            store.bulk_extend(ox.Quad(convert(s), convert(p), convert(o), graph) for s, p, o in data.triples)
    return store


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def nquads_text(graphs: Sequence[GraphData]) -> str:
    """The graphs as N-Quads (unsorted; ``export`` sorts)."""
    lines: list[str] = []
    cache: dict[Node, str] = {}
    for data in graphs:
        suffix = " .\n" if data.iri is None else f" <{data.iri}> .\n"
        for s, p, o in data.triples:
            lines.append(f"{_nt(s, cache)} {_nt(p, cache)} {_nt(o, cache)}{suffix}")
    return "".join(lines)


def _nt(term: Node, cache: dict[Node, str]) -> str:
    found = cache.get(term)
    if found is not None:
        return found
    if isinstance(term, URIRef):
        text = f"<{term}>"
        cache[term] = text
        return text
    if isinstance(term, Literal):
        body = '"' + str(term).translate(_NT_ESCAPES) + '"'
        if term.language:
            return f"{body}@{term.language}"
        return f"{body}^^<{term.datatype}>" if term.datatype is not None else body
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


class _Converter:
    """rdflib terms to pyoxigraph terms, with IRIs cached (most IRIs repeat many times)."""

    def __init__(self) -> None:
        import pyoxigraph as ox

        self.ox = ox
        self.iris: dict[str, object] = {}

    def __call__(self, term: Node) -> object:
        ox = self.ox
        if isinstance(term, URIRef):
            found = self.iris.get(term)
            if found is None:
                found = self.iris[term] = ox.NamedNode(str(term))
            return found
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        raise TypeError(f"not an RDF term: {term!r}")


def triples_as_ntriples(triples: Sequence[tuple[Node, Node, Node]]) -> bytes:
    """The triples as N-Triples bytes (the same writer as the store's fast load)."""
    return nquads_text([GraphData(None, list(triples))]).encode("utf-8")
