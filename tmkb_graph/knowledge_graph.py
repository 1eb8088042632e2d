"""The knowledge graph: patterns, mitigations, controls, boundary kinds, component types and
references as nodes, joined by typed edges (crosses, involves, mitigated_by, requires_control,
references). The same content becomes RDF for SPARQL; in memory it is a networkx graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # networkx is imported when a graph is built; a cold `get` needs neither it nor pydantic
    import networkx as nx

    from tmkb_graph.library import PatternLibrary
    from tmkb_graph.pattern import Pattern


def node(kind: str, name: str) -> str:
    """The node key of a thing in the knowledge graph, e.g. control:authn."""
    return f"{kind}:{name}"


def build_knowledge_graph(library: PatternLibrary) -> nx.MultiDiGraph:
    """The library as a typed graph; node attribute ``kind`` and edge attribute ``relation``."""
    import networkx as nx

    graph = nx.MultiDiGraph()

    def link(source: str, relation: str, target: str, kind: str) -> None:
        graph.add_node(target, kind=kind)
        graph.add_edge(source, target, key=relation, relation=relation)

    for pattern in library.sorted():
        p = node("pattern", pattern.id)
        graph.add_node(p, kind="pattern", name=pattern.name, severity=pattern.severity)
        link(p, "crosses", node("boundary", pattern.template.boundary), "boundary_kind")
        for spec in pattern.template.roles.values():
            for type_name in spec.types:
                link(p, "involves", node("component_type", type_name), "component_type")
        for mitigation in pattern.mitigations:
            m = node("mitigation", mitigation.id)
            graph.add_node(m, kind="mitigation", name=mitigation.name, required=mitigation.required)
            graph.add_edge(p, m, key="mitigated_by", relation="mitigated_by")
            link(m, "requires_control", node("control", mitigation.control), "control")
        refs = pattern.references
        for ref in refs.cwe + refs.owasp_api + refs.owasp_top10 + refs.capec:
            link(p, "references", node("reference", ref), "reference")
    return graph


def related_patterns(graph: nx.MultiDiGraph, pattern_id: str) -> dict[str, list[str]]:
    """Other patterns sharing a required control or a CWE with this one, and what they share."""
    start = node("pattern", pattern_id)
    shared: dict[str, set[str]] = {}
    for thing in _controls_and_weaknesses(graph, start):
        for other in _patterns_reaching(graph, thing):
            if other != start:
                shared.setdefault(other.split(":", 1)[1], set()).add(thing.split(":", 1)[1])
    return {pid: sorted(things) for pid, things in sorted(shared.items())}


def related_in_library(library: PatternLibrary, pattern_id: str) -> dict[str, list[str]]:
    """``related_patterns`` of the library's graph, read from the patterns directly (no graph is built).

    The same relation, the same answer: patterns that share a required mitigation's control or a CWE.
    """
    shared_by = {pattern.id: _shared_things(pattern) for pattern in library.sorted()}
    mine = shared_by.get(pattern_id, set())
    out: dict[str, list[str]] = {}
    for other, things in sorted(shared_by.items()):
        common = mine & things
        if other != pattern_id and common:
            out[other] = sorted(common)
    return out


def _shared_things(pattern: Pattern) -> set[str]:
    """A pattern's required controls and CWE ids: what relates it to another pattern (as in the graph)."""
    refs = pattern.references
    controls = {m.control for m in pattern.mitigations if m.required}
    return controls | {ref for ref in refs.cwe + refs.owasp_api + refs.owasp_top10 + refs.capec if ref.startswith("CWE-")}


def _controls_and_weaknesses(graph: nx.MultiDiGraph, pattern_node: str) -> set[str]:
    out = set()
    for _, target, relation in graph.out_edges(pattern_node, keys=True):
        if relation == "references" and target.startswith("reference:CWE-"):
            out.add(target)
        elif relation == "mitigated_by" and graph.nodes[target].get("required"):
            out.update(t for _, t, r in graph.out_edges(target, keys=True) if r == "requires_control")
    return out


def _patterns_reaching(graph: nx.MultiDiGraph, thing: str) -> set[str]:
    out = set()
    for source, _, relation in graph.in_edges(thing, keys=True):
        if relation == "references":
            out.add(source)
        elif relation == "requires_control" and graph.nodes[source].get("required"):
            out.update(p for p, _, r in graph.in_edges(source, keys=True) if r == "mitigated_by")
    return out
