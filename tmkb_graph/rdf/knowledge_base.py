"""The knowledge base as RDF: the ontology, every pattern with its mitigations and references, and its fixtures."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from rdflib import RDF, RDFS, SKOS, URIRef

from tmkb_graph.library import PatternLibrary
from tmkb_graph.ontology import build_ontology_graph
from tmkb_graph.pattern import Pattern
from tmkb_graph.rdf.build import GraphData, Triples
from tmkb_graph.rdf.iris import (
    OWASP_API_2023,
    OWASP_TOP10_2021,
    TMKB,
    capec_iri,
    cwe_iri,
    cwe_page,
    mitigation_iri,
    owasp_iri,
    pattern_iri,
    term_iri,
)

_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def default_fixtures_dir() -> Path | None:
    """tests/fixtures of a source checkout, where each pattern's test architectures live, if present."""
    candidate = _PACKAGE_DIR.parent / "tests" / "fixtures"
    return candidate if candidate.is_dir() else None


def knowledge_base(library: PatternLibrary, fixtures_dir: Path | None = None) -> GraphData:
    """The ontology, every pattern with its mitigations and references, and its fixtures if known."""
    t = Triples()
    t.out.extend(build_ontology_graph())  # type: ignore[arg-type]
    for pattern in library.sorted():
        _pattern(t, pattern)
        if fixtures_dir is not None:
            _fixtures(t, pattern.id, fixtures_dir / pattern.id)
    return GraphData(None, list(dict.fromkeys(t.out)))  # a CWE or OWASP risk cited by many patterns is said once


def _pattern(t: Triples, pattern: Pattern) -> None:
    p = pattern_iri(pattern.id)
    t.node(p, TMKB.Pattern, {
        TMKB.id: pattern.id,
        TMKB.name: pattern.name,
        RDFS.label: pattern.name,
        TMKB.version: pattern.version,
        TMKB.tier: term_iri("tiers", pattern.tier),
        TMKB.severity: term_iri("severities", pattern.severity),
        TMKB.likelihood: term_iri("likelihoods", pattern.likelihood),
        TMKB.category: pattern.category,
        TMKB.description: pattern.description.strip(),
        TMKB.threat: pattern.agent_summary.threat,
        TMKB.check: pattern.agent_summary.check,
        TMKB.fix: pattern.agent_summary.fix,
        TMKB.crossesBoundary: term_iri("boundary_kinds", pattern.template.boundary),
    })
    types = sorted({name for spec in pattern.template.roles.values() for name in spec.types})
    t.each(p, TMKB.involvesType, (term_iri("component_types", name) for name in types))
    t.each(p, TMKB.unitRole, pattern.template.unit_names)
    t.each(p, TMKB.keyword, pattern.triggers.keywords)
    _references(t, p, pattern)
    for mitigation in pattern.mitigations:
        m = mitigation_iri(pattern.id, mitigation.id)
        t.add(p, TMKB.mitigatedBy, m)
        t.add(m, RDF.type, TMKB.Mitigation)
        t.add(m, TMKB.id, mitigation.id)
        t.add(m, TMKB.name, mitigation.name)
        t.add(m, TMKB.ofPattern, p)
        t.add(m, TMKB.requiresControl, term_iri("controls", mitigation.control))
        t.add(m, TMKB.required, mitigation.required)
        t.each(m, TMKB.place, (f"{place.scope} {place.name}" for place in mitigation.where))
        t.each(m, TMKB.requiresCarried, (term_iri("context_items", c) for c in mitigation.carries))
        t.add(m, TMKB.appliesToTenancy, term_iri("tenancy", mitigation.tenancy) if mitigation.tenancy else None)
        t.each(m, TMKB.appliesToOperation, (term_iri("operations", o) for o in mitigation.operations))
        t.add(m, TMKB.description, mitigation.description.strip())
        t.add(m, TMKB.tradeoffs, mitigation.tradeoffs.strip())


def _references(t: Triples, p: URIRef, pattern: Pattern) -> None:
    refs = pattern.references
    for cwe in refs.cwe:
        w = cwe_iri(cwe)
        t.add(p, TMKB.weakness, w)
        t.add(w, RDF.type, TMKB.Weakness)
        t.add(w, SKOS.notation, cwe.upper())
        t.add(w, SKOS.exactMatch, cwe_page(cwe))
    for risk in refs.owasp_api:
        _owasp(t, p, TMKB.owaspApi, owasp_iri("api-2023", risk), risk, *OWASP_API_2023.get(risk.split(":")[0], (None, None)))
    for risk in refs.owasp_top10:
        _owasp(t, p, TMKB.owaspTop10, owasp_iri("top10-2021", risk), risk, OWASP_TOP10_2021.get(risk.split(":")[0]), None)
    for capec in refs.capec:
        c = capec_iri(capec)
        t.add(p, TMKB.capec, c)
        t.add(c, RDF.type, TMKB.AttackPattern)
        t.add(c, SKOS.notation, capec.upper())
    t.each(p, TMKB.compliance, refs.compliance)
    for source in refs.sources:
        s = URIRef(quote(source.url, safe=_IRI_SAFE))  # a URL as written may hold characters an IRI may not
        t.add(p, TMKB.source, s)
        t.add(s, RDF.type, TMKB.Source)
        t.add(s, RDFS.label, source.title)


def _owasp(t: Triples, p: URIRef, link: URIRef, iri: URIRef, risk: str, title: str | None, page: str | None) -> None:
    t.add(p, link, iri)
    t.add(iri, RDF.type, TMKB.OwaspRisk)
    t.add(iri, SKOS.notation, risk)
    t.add(iri, RDFS.label, title)
    t.add(iri, RDFS.seeAlso, URIRef(page) if page else None)


def fixture_kind(stem: str) -> str:
    """applies, silent, mitigated or variant, from a fixture file's name."""
    for kind in ("applies", "silent", "mitigated"):
        if stem.startswith(kind):
            return kind
    return "variant"


def _fixtures(t: Triples, pattern_id: str, directory: Path) -> None:
    if not directory.is_dir():
        return
    p = pattern_iri(pattern_id)
    for path in sorted(directory.glob("*.yaml")):
        if path.stem == "expected":
            continue
        f = URIRef(f"{p}/fixture/{path.stem}")
        t.add(p, TMKB.fixture, f)
        t.add(f, RDF.type, TMKB.Fixture)
        t.add(f, TMKB.name, path.stem)
        t.add(f, TMKB.fixtureKind, fixture_kind(path.stem))
