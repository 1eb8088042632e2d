"""The ontology (OWL/RDFS classes plus the vocabulary as named individuals) and the vocabulary docs.

Both are generated from ontology/vocabulary.yaml: `python -m tmkb_graph.ontology` rewrites
ontology/tmkb.ttl and docs/vocabulary.md, and a test fails when either drifts from the vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef

from tmkb_graph.vocabulary import SECTIONS, Term, load_ontology_terms, load_vocabulary

TMKB = Namespace("https://w3id.org/tmkb-graph/ontology#")
VOCAB_BASE = "https://w3id.org/tmkb-graph/vocab/"
D3F = Namespace("http://d3fend.mitre.org/ontologies/d3fend.owl#")

# section -> the OWL class its words are individuals of
SECTION_CLASSES: dict[str, str] = {
    "component_types": "ComponentType",
    "component_families": "ComponentFamily",
    "flow_kinds": "FlowKind",
    "zone_kinds": "ZoneKind",
    "boundary_kinds": "BoundaryKind",
    "context_items": "ContextItem",
    "controls": "Control",
    "component_facts": "ComponentFact",
    "frameworks": "Framework",
    "operations": "Operation",
    "resource_owners": "ResourceOwner",
    "id_schemes": "IdScheme",
    "id_places": "IdPlace",
    "bodies": "Body",
    "workflows": "Workflow",
    "grants": "Grant",
    "tenancy": "Tenancy",
    "severities": "Severity",
    "likelihoods": "Likelihood",
    "tiers": "Tier",
    "finding_statuses": "FindingStatus",
}

# the classes of the things the knowledge base talks about, with one-line definitions
CORE_CLASSES: dict[str, str] = {
    "Pattern": "A threat pattern: a threat that applies to a shape of architecture, with its mitigations.",
    "Mitigation": "What a pattern asks the architecture to have: a control at a place.",
    "Template": "The subgraph of roles, flows and endpoints a pattern applies to.",
    "Architecture": "A described system of components and flows.",
    "Component": "A deployable part of an architecture.",
    "Flow": "A directed flow between two components.",
    "Endpoint": "A route of an API-like component.",
    "Finding": "One binding of a pattern's template onto an architecture, with its status.",
}


def term_iri(section: str, name: str) -> URIRef:
    """The IRI of a vocabulary word, e.g. .../vocab/controls/authn."""
    return URIRef(f"{VOCAB_BASE}{section}/{name}")


def build_ontology_graph() -> Graph:
    """The ontology as an rdflib graph."""
    graph = Graph()
    graph.bind("tmkb", TMKB)
    graph.bind("skos", SKOS)
    graph.bind("owl", OWL)
    graph.bind("d3f", D3F)
    ontology = URIRef(str(TMKB).rstrip("#"))
    graph.add((ontology, RDF.type, OWL.Ontology))
    graph.add((ontology, RDFS.label, Literal("tmkb-graph ontology")))
    for name, definition in CORE_CLASSES.items():
        _class(graph, name, definition)
    vocab = load_vocabulary()
    for section, class_name in SECTION_CLASSES.items():
        _class(graph, class_name, f"A {SECTIONS[section]} word of the tmkb-graph vocabulary.")
        for term in vocab.terms(section).values():
            iri = term_iri(section, term.name)
            graph.add((iri, RDF.type, OWL.NamedIndividual))
            graph.add((iri, RDF.type, TMKB[class_name]))
            graph.add((iri, SKOS.notation, Literal(term.name)))
            graph.add((iri, RDFS.label, Literal(term.label, lang="en")))
            graph.add((iri, SKOS.definition, Literal(term.definition, lang="en")))
    _control_links(graph, vocab.terms("controls").values())
    terms = load_ontology_terms()
    for name, definition in terms["classes"].items():
        _class(graph, name, definition)
    for name, spec in terms["properties"].items():
        _property(graph, name, spec)
    return graph


def _control_links(graph: Graph, controls: Iterable[Term]) -> None:
    """What a control implies, and the D3FEND technique it is an instance of where one fits."""
    for term in controls:
        iri = term_iri("controls", term.name)
        for implied in term.facts.get("implies") or ():
            graph.add((iri, TMKB.implies, term_iri("controls", implied)))
        if term.facts.get("d3fend"):
            graph.add((iri, TMKB.d3fendTechnique, D3F[str(term.facts["d3fend"])]))


def property_range(spec: dict[str, str]) -> URIRef | None:
    """The rdfs:range of a property spec: an xsd datatype or a class of the ontology."""
    value = spec.get("range")
    if value is None:
        return None
    return XSD[value.split(":", 1)[1]] if value.startswith("xsd:") else TMKB[value]


def _property(graph: Graph, name: str, spec: dict[str, str]) -> None:
    iri = TMKB[name]
    target = property_range(spec)
    datatype = target is not None and str(target).startswith(str(XSD))
    graph.add((iri, RDF.type, OWL.DatatypeProperty if datatype else OWL.ObjectProperty))
    graph.add((iri, RDFS.label, Literal(name, lang="en")))
    graph.add((iri, SKOS.definition, Literal(spec["definition"], lang="en")))
    if spec.get("domain"):
        graph.add((iri, RDFS.domain, TMKB[spec["domain"]]))
    if target is not None:
        graph.add((iri, RDFS.range, target))


def _class(graph: Graph, name: str, definition: str) -> None:
    graph.add((TMKB[name], RDF.type, OWL.Class))
    graph.add((TMKB[name], RDFS.label, Literal(name, lang="en")))
    graph.add((TMKB[name], SKOS.definition, Literal(definition, lang="en")))


def render_vocabulary_markdown() -> str:
    """docs/vocabulary.md: every section and word, with label and definition."""
    vocab = load_vocabulary()
    lines = [
        "# Vocabulary",
        "",
        "Generated from `ontology/vocabulary.yaml` by `python -m tmkb_graph.ontology`; do not edit by hand.",
        "",
    ]
    for section in SECTIONS:
        lines += [f"## {SECTIONS[section].capitalize()} (`{section}`)", "", "| word | label | definition |", "| --- | --- | --- |"]
        lines += [f"| `{t.name}` | {t.label} | {t.definition} |" for t in vocab.terms(section).values()]
        lines.append("")
    terms = load_ontology_terms()
    lines += ["## RDF classes (`ontology.classes`)", "", "| class | definition |", "| --- | --- |"]
    lines += [f"| `tmkb:{name}` | {definition} |" for name, definition in terms["classes"].items()]
    lines += ["", "## RDF properties (`ontology.properties`)", "", "| property | domain | range | definition |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `tmkb:{name}` | {spec.get('domain', '')} | {spec.get('range', '')} | {spec['definition']} |"
        for name, spec in terms["properties"].items()
    ]
    lines.append("")
    return "\n".join(lines)


def write_generated_files(root: Path) -> None:
    """Rewrite ontology/tmkb.ttl and docs/vocabulary.md under ``root`` (a source checkout)."""
    (root / "ontology" / "tmkb.ttl").write_text(build_ontology_graph().serialize(format="turtle"), encoding="utf-8")
    (root / "docs" / "vocabulary.md").write_text(render_vocabulary_markdown(), encoding="utf-8")


if __name__ == "__main__":
    write_generated_files(Path(__file__).resolve().parent.parent)
