"""SHACL: hold the RDF of patterns, architectures and findings to ontology/shapes.ttl with pyshacl.

The knowledge base is validated on its own; each architecture's graph is validated with the
knowledge base beside it (its findings point at patterns, its components at vocabulary words).
Each violation becomes a Problem naming the file, the line of the thing at fault where known, and
the property.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from rdflib import RDF, Graph, Literal, Namespace, URIRef

from tmkb_graph.errors import Problem
from tmkb_graph.ontology import TMKB
from tmkb_graph.rdf.build import GraphData
from tmkb_graph.resources import data_dir

SH = Namespace("http://www.w3.org/ns/shacl#")
MAX_PROBLEMS_PER_GRAPH = 200


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """ontology/shapes.ttl (shipped data)."""
    return Graph().parse(Path(data_dir("ontology")) / "shapes.ttl", format="turtle")


def validate_graphs(graphs: Sequence[GraphData], files: dict[str, str] | None = None) -> list[Problem]:
    """Every SHACL violation in the knowledge base and in each architecture graph."""
    import pyshacl

    kb_data = next(g for g in graphs if g.iri is None)
    problems = _violations(pyshacl, _graph(kb_data), None, "patterns")
    # beside each architecture, only what sh:class needs: the types of patterns, mitigations and words
    kb = _graph(GraphData(None, [t for t in kb_data.triples if t[1] == RDF.type]))
    for data in graphs:
        if data.iri is None:
            continue
        label = (files or {}).get(str(data.iri), str(data.iri))
        problems += _violations(pyshacl, _graph(data), kb, label)
    return problems


def _graph(data: GraphData) -> Graph:
    graph = Graph()
    for triple in data.triples:
        graph.add(triple)
    return graph


def _violations(pyshacl: object, data: Graph, ontology: Graph | None, label: str) -> list[Problem]:
    """Violations whose focus node is in ``data``; ``ontology`` (the knowledge base) is beside it, not judged."""
    combined = data + ontology if ontology is not None else data
    conforms, report, _ = pyshacl.validate(  # type: ignore[attr-defined]
        combined, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    out = []
    for result in sorted(report.subjects(SH.resultSeverity, SH.Violation), key=str):
        focus = report.value(result, SH.focusNode)
        if ontology is None or (focus, None, None) in data:
            out.append(_problem(report, result, combined, label))
    return sorted(set(out))[:MAX_PROBLEMS_PER_GRAPH]


def _problem(report: Graph, result: URIRef, data: Graph, label: str) -> Problem:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    message = report.value(result, SH.resultMessage)
    line = data.value(focus, TMKB.line) if focus is not None else None
    where = _named(data, focus)
    field = f"{where}: {str(path).rsplit('#', 1)[-1]}" if path is not None else where
    return Problem(label, int(line) if isinstance(line, Literal) else None, field, f"SHACL: {message}")


def _named(data: Graph, node: object) -> str:
    """How a person names the focus node: its id, its place, or the end of its IRI."""
    for predicate in (TMKB.id, TMKB.at, TMKB.route, TMKB.name):
        value = data.value(node, predicate)  # type: ignore[arg-type]
        if value is not None:
            return str(value)
    return unquote(str(node).rsplit("/", 1)[-1])


def validate_files(arch_files: Sequence[Path | str], pattern_files: Sequence[Path] = ()) -> list[Problem]:
    """Build the RDF of these architectures (and pattern files, or the shipped library) and validate it."""
    from tmkb_graph.library import load_library, load_pattern_files
    from tmkb_graph.rdf.dataset import build_graphs

    library = load_pattern_files(list(pattern_files)) if pattern_files else load_library()
    graphs = build_graphs(list(arch_files), library=library if pattern_files else None)
    files = {}
    for data in graphs:
        if data.iri is not None:
            source = next((o for s, p, o in data.triples if s == data.iri and p == TMKB.sourceFile), None)
            files[str(data.iri)] = str(source) if source is not None else str(data.iri)
    return validate_graphs(graphs, files)


def validate_paths_shacl(paths: Sequence[Path | str]) -> list[Problem]:
    """SHACL over what ``validate`` was given: its architecture files, and its pattern files or the shipped library.

    Files must already have passed ``validate``'s own checks; standard input is not read twice.
    """
    from tmkb_graph.bounded_input import STDIN
    from tmkb_graph.library import is_pattern_document
    from tmkb_graph.review import is_review_document
    from tmkb_graph.safe_yaml import load_yaml_file

    archs: list[Path] = []
    patterns: list[Path] = []
    for path in _expand(paths):
        if str(path) == STDIN:
            continue
        doc = load_yaml_file(path)
        if is_pattern_document(doc) or (path.name.startswith("TMKB-") and "components" not in (doc.data or {})):
            patterns.append(path)
        elif not is_review_document(doc):
            archs.append(path)
    return validate_files(archs, patterns)


def _expand(paths: Sequence[Path | str]) -> list[Path]:
    out: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            out += [f for f in sorted(path.glob("*.y*ml")) + sorted(path.glob("*/*.y*ml")) if f.is_file()]
        else:
            out.append(path)
    return out
