"""The vocabulary is defined once: the ontology, the docs, the models and the patterns agree with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from conftest import REPO
from tmkb_graph.architecture import parse_architecture
from tmkb_graph.errors import InputError
from tmkb_graph.library import load_library
from tmkb_graph.ontology import SECTION_CLASSES, build_ontology_graph, render_vocabulary_markdown
from tmkb_graph.resources import data_dir
from tmkb_graph.vocabulary import SECTIONS, load_vocabulary

REQUIRED_CONTROLS = [
    "authn", "object_ownership_check", "tenant_scoped_queries", "job_reauthorization", "soft_delete_filtering",
    "webhook_signature_verification", "webhook_payload_verification", "replay_protection",
    "mass_assignment_allowlist", "non_enumerable_ids", "method_override_disabled",
    "state_transition_authorization", "bulk_item_authorization", "relationship_scoping",
    "service_layer_authorization", "service_authentication",
]


def test_ontology_file_is_generated_from_the_vocabulary() -> None:
    shipped = Graph().parse(REPO / "ontology" / "tmkb.ttl", format="turtle")
    assert isomorphic(shipped, build_ontology_graph()), "run: python -m tmkb_graph.ontology"


def test_vocabulary_docs_are_generated_from_the_vocabulary() -> None:
    assert (REPO / "docs" / "vocabulary.md").read_text(encoding="utf-8") == render_vocabulary_markdown()


def test_every_section_has_an_ontology_class_and_every_term_a_definition() -> None:
    vocab = load_vocabulary()
    assert set(SECTION_CLASSES) == set(SECTIONS)
    for section in SECTIONS:
        for term in vocab.terms(section).values():
            assert term.label and term.definition and "\n" not in term.definition, (section, term.name)


def test_the_controls_users_write_exist() -> None:
    assert set(REQUIRED_CONTROLS) <= set(load_vocabulary().names("controls"))


@pytest.mark.parametrize("section", ["component_types", "flow_kinds", "controls", "context_items"])
def test_models_accept_exactly_the_vocabulary(section: str) -> None:
    vocab = load_vocabulary()
    for word in vocab.names(section):
        parse_architecture(_architecture_using(section, word))
    with pytest.raises(InputError):
        parse_architecture(_architecture_using(section, "not_a_word"))


def _architecture_using(section: str, word: str) -> str:
    component_type = word if section == "component_types" else "api"
    kind = word if section == "flow_kinds" else "request"
    control = word if section == "controls" else "authn"
    carried = word if section == "context_items" else "payload"
    return (
        "name: probe\ncomponents:\n"
        f"  a: {{type: {component_type}, controls: [{control}]}}\n"
        "  b: {type: api}\n"
        f"flows:\n  - {{from: b, to: a, kind: {kind}, carries: [{carried}]}}\n"
    )


def test_patterns_only_use_vocabulary_words() -> None:
    vocab = load_vocabulary()
    controls = set(vocab.names("controls"))
    for pattern in load_library().sorted():
        assert {m.control for m in pattern.mitigations} <= controls
        assert pattern.template.boundary in vocab.names("boundary_kinds")


def test_named_queries_run_over_the_ontology() -> None:
    graph = Graph().parse(REPO / "ontology" / "tmkb.ttl", format="turtle")
    rows = list(graph.query((data_dir("queries") / "controls.rq").read_text(encoding="utf-8")))
    assert [str(r[0]) for r in rows] == sorted(load_vocabulary().names("controls"))
    for query in Path(data_dir("queries")).glob("*.rq"):
        assert query.read_text(encoding="utf-8").startswith("# Name:"), query.name
