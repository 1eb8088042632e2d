"""The knowledge graph joins patterns to boundaries, component types, mitigations, controls and CWEs."""

from __future__ import annotations

from tmkb_graph.knowledge_graph import build_knowledge_graph, node, related_in_library, related_patterns
from tmkb_graph.library import load_library


def test_typed_edges_connect_a_pattern_to_what_it_is_about() -> None:
    graph = build_knowledge_graph(load_library())
    edges = {(t, r) for _, t, r in graph.out_edges(node("pattern", "TMKB-AUTHZ-001"), keys=True)}
    assert (node("boundary", "async"), "crosses") in edges
    assert (node("component_type", "worker"), "involves") in edges
    assert (node("mitigation", "TMKB-AUTHZ-001-M1"), "mitigated_by") in edges
    assert (node("reference", "CWE-862"), "references") in edges
    controls = {t for _, t, r in graph.out_edges(node("mitigation", "TMKB-AUTHZ-001-M1"), keys=True)}
    assert controls == {node("control", "job_reauthorization")}


def test_related_patterns_share_a_required_control_or_a_cwe() -> None:
    library = load_library()
    related = related_patterns(build_knowledge_graph(library), "TMKB-AUTHZ-002")
    assert "TMKB-AUTHZ-002" not in related
    for pattern_id, shared in related.items():
        other = library.get(pattern_id)
        controls = {m.control for m in other.mitigations if m.required}
        assert set(shared) & (controls | set(other.references.cwe))


def test_related_in_library_gives_the_graph_answer_for_every_pattern() -> None:
    library = load_library()
    graph = build_knowledge_graph(library)
    answers = {p.id: related_in_library(library, p.id) for p in library.sorted()}
    assert answers == {p.id: related_patterns(graph, p.id) for p in library.sorted()}
    assert any(answers.values())
