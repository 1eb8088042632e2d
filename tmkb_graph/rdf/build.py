"""RDF of everything, from the same models the analysis uses.

The knowledge base (the ontology, the patterns and their mitigations) is one graph, the default
graph of the dataset (``rdf.knowledge_base`` builds it). Each analysed architecture, with its
components, endpoints, resources, flows, crossings and findings, is a named graph whose IRI is the
architecture's (built here). The builders return plain lists of rdflib triples; ``rdf.store`` turns
them into an rdflib Dataset or a pyoxigraph Store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.term import Node

from tmkb_graph.architecture import Flow, LoadedArchitecture, flow_endpoint
from tmkb_graph.boundaries import ArchitectureGraph, Crossing, infer_boundaries
from tmkb_graph.findings import AnalysisResult, Finding, Gap
from tmkb_graph.grants import resource_grants
from tmkb_graph.place_controls import effective_controls
from tmkb_graph.rdf.iris import (
    TMKB,
    arch_iri,
    finding_iri,
    mitigation_iri,
    part_iri,
    pattern_iri,
    segment,
    term_iri,
)

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class GraphData:
    """The triples of one graph; ``iri`` None is the default graph (the knowledge base)."""

    iri: URIRef | None
    triples: list[Triple]


class Triples:
    """Collects triples; skips None objects so optional fields need no branches."""

    def __init__(self) -> None:
        self.out: list[Triple] = []

    def add(self, s: Node, p: Node, o: Node | str | int | bool | dt.date | None) -> None:
        if o is None:
            return
        if not isinstance(o, Node):
            o = Literal(o, datatype=XSD.date) if isinstance(o, dt.date) else Literal(o)
        self.out.append((s, p, o))

    def node(self, s: Node, cls: Node, values: dict[Node, Node | str | int | bool | dt.date | None]) -> None:
        """``s`` as an instance of ``cls`` with one value per predicate."""
        self.add(s, RDF.type, cls)
        for predicate, value in values.items():
            self.add(s, predicate, value)

    def each(self, s: Node, p: Node, objects: Iterable[Node | str]) -> None:
        for o in objects:
            self.add(s, p, o)


class _Places:
    """IRIs of an architecture's parts by the labels the findings use for them."""

    def __init__(self, g: URIRef) -> None:
        self.g = g
        self.by_label: dict[str, URIRef] = {}
        self.flow_by_index: dict[int, URIRef] = {}

    def resolve(self, label: str) -> URIRef | None:
        """A component id, 'cid ROUTE', 'a -> b (kind)', optionally after 'component '/'endpoint '/'flow '."""
        found = self.by_label.get(label)
        if found is None and " " in label:
            found = self.by_label.get(label.split(" ", 1)[1])
        return found


def architecture_graph(arch: LoadedArchitecture, result: AnalysisResult, slug: str, today: dt.date) -> GraphData:
    """One architecture, its inferred crossings and its findings, as the named graph of its IRI."""
    g = arch_iri(slug)
    t = Triples()
    model = arch.model
    t.node(g, TMKB.Architecture, {
        TMKB.name: model.name,
        RDFS.label: model.name,
        TMKB.description: model.description,
        TMKB.sourceFile: arch.file,
        TMKB.tenancy: term_iri("tenancy", model.tenancy),
        TMKB.analysedOn: today,
    })
    graph = infer_boundaries(arch)
    places = _Places(g)
    _resources(t, arch, places)
    _components(t, arch, graph, places)
    _flows(t, arch, graph, places)
    _declared_boundaries(t, arch, places)
    crossing_iris = _crossing_index(graph, places)
    for finding in result.findings:
        _finding(t, finding, places, crossing_iris)
    for item in result.not_assessable:
        n = part_iri(g, "not-assessable", item.pattern, item.component)
        t.add(g, TMKB.hasNotAssessable, n)
        t.add(n, RDF.type, TMKB.NotAssessable)
        t.add(n, TMKB.ofPattern, pattern_iri(item.pattern))
        t.add(n, TMKB.atComponent, places.resolve(item.component))
        t.add(n, TMKB.reason, item.reason)
    return GraphData(g, t.out)


def _resources(t: Triples, arch: LoadedArchitecture, places: _Places) -> None:
    g = places.g
    for name, resource in sorted(arch.model.resources.items()):
        r = part_iri(g, "resource", name)
        places.by_label[f"resource:{name}"] = r
        t.add(g, TMKB.hasResource, r)
        t.add(r, RDF.type, TMKB.Resource)
        t.add(r, TMKB.id, name)
        t.add(r, TMKB.owner, term_iri("resource_owners", resource.owner) if resource.owner else None)
        t.add(r, TMKB.readableBy, term_iri("resource_owners", resource.readable_by) if resource.readable_by else None)
        t.add(r, TMKB.softDelete, resource.soft_delete)
        t.add(r, TMKB.idScheme, term_iri("id_schemes", resource.ids) if resource.ids else None)
        t.add(r, TMKB.parent, part_iri(g, "resource", resource.parent) if resource.parent else None)
        t.add(r, TMKB.workflow, term_iri("workflows", resource.workflow) if resource.workflow else None)
        t.add(r, TMKB.grants, term_iri("grants", resource_grants(name, resource)))
        t.add(r, TMKB.line, arch.line_of(("resources", name)))


def _components(t: Triples, arch: LoadedArchitecture, graph: ArchitectureGraph, places: _Places) -> None:
    g = places.g
    for cid, component in sorted(arch.model.components.items()):
        c = part_iri(g, "component", cid)
        places.by_label[cid] = c
        t.add(g, TMKB.hasComponent, c)
        t.add(c, RDF.type, TMKB.Component)
        t.add(c, TMKB.id, cid)
        t.add(c, TMKB.inArchitecture, g)
        t.add(c, TMKB.componentType, term_iri("component_types", component.type))
        t.add(c, TMKB.zone, component.zone)
        t.add(c, TMKB.zoneKind, term_iri("zone_kinds", arch.zone_kind(cid)))
        t.add(c, TMKB.language, component.language)
        t.add(c, TMKB.framework, component.framework)
        t.add(c, TMKB.technology, component.technology)
        t.add(c, TMKB.description, component.description)
        t.each(c, TMKB.hasControl, (term_iri("controls", x) for x in sorted(set(component.controls))))
        t.each(c, TMKB.hasFact, (term_iri("component_facts", f) for f, on in sorted(component.facts.items()) if on))
        t.add(c, TMKB.reachableFromInternet, graph.reachable(cid))
        t.add(c, TMKB.line, arch.line_of(("components", cid)))
        for index, endpoint in enumerate(component.endpoints or ()):
            e = part_iri(g, "endpoint", cid, endpoint.route)
            places.by_label[f"{cid} {endpoint.route}"] = e
            t.add(c, TMKB.hasEndpoint, e)
            t.add(e, RDF.type, TMKB.Endpoint)
            t.add(e, TMKB.inArchitecture, g)
            t.add(e, TMKB.route, endpoint.route)
            t.add(e, TMKB.method, endpoint.route.split(" ", 1)[0].upper() if " " in endpoint.route else None)
            t.add(e, TMKB.operation, term_iri("operations", endpoint.operation))
            t.add(e, TMKB.resource, part_iri(g, "resource", endpoint.resource) if endpoint.resource else None)
            t.add(e, TMKB.forwardsTo, part_iri(g, "component", endpoint.forwards_to) if endpoint.forwards_to else None)
            t.add(e, TMKB.idIn, term_iri("id_places", endpoint.id_in) if endpoint.id_in else None)
            t.add(e, TMKB.routeWorkflow, term_iri("workflows", endpoint.workflow) if endpoint.workflow else None)
            t.add(e, TMKB.body, term_iri("bodies", endpoint.body) if endpoint.body else None)
            controls = effective_controls(component, endpoint)
            t.each(e, TMKB.hasControl, (term_iri("controls", x) for x in sorted(set(controls))))
            t.add(e, TMKB.line, arch.line_of(("components", cid, "endpoints", index)))


def _flows(t: Triples, arch: LoadedArchitecture, graph: ArchitectureGraph, places: _Places) -> None:
    g = places.g
    seen: dict[str, int] = {}
    for index, flow in enumerate(arch.model.flows):
        key = f"{flow.source}--{flow.kind}--{flow.target}"
        seen[key] = seen.get(key, 0) + 1
        f = part_iri(g, "flow", key if seen[key] == 1 else f"{key}--{seen[key]}")
        places.flow_by_index[index] = f
        places.by_label.setdefault(f"{flow.source} -> {flow.target} ({flow.kind})", f)
        source, target = part_iri(g, "component", flow.source), part_iri(g, "component", flow.target)
        t.add(g, TMKB.hasFlow, f)
        t.add(f, RDF.type, TMKB.Flow)
        t.add(f, TMKB.inArchitecture, g)
        t.add(f, TMKB.flowSource, source)
        t.add(f, TMKB.flowTarget, target)
        t.add(source, TMKB.flowsTo, target)
        t.add(f, TMKB.flowKind, term_iri("flow_kinds", flow.kind))
        t.each(f, TMKB.carries, (term_iri("context_items", x) for x in sorted(set(flow.carries))))
        t.add(f, TMKB.topic, flow.topic)  # nothing when the flow names no topic
        t.add(f, TMKB.reachesEndpoint, _reached_endpoint(g, arch, flow))
        t.each(f, TMKB.hasControl, (term_iri("controls", x) for x in sorted(set(flow.controls))))
        t.add(f, TMKB.line, arch.line_of(("flows", index)))
        for crossing in graph.flow_crossings.get(index, ()):
            x = URIRef(f"{f}/crossing/{crossing.rule}")
            t.add(f, TMKB.crosses, term_iri("boundary_kinds", crossing.kind))
            _crossing(t, f, x, crossing)
            t.add(x, TMKB.onFlow, f)
    for cid, crossings in sorted(graph.component_crossings.items()):
        c = part_iri(g, "component", cid)
        for crossing in crossings:
            x = URIRef(f"{c}/crossing/{crossing.rule}")
            _crossing(t, c, x, crossing)
            t.add(x, TMKB.atComponent, c)


def _crossing(t: Triples, owner: URIRef, x: URIRef, crossing: Crossing) -> None:
    t.add(owner, TMKB.hasCrossing, x)
    t.add(x, RDF.type, TMKB.Crossing)
    t.add(x, TMKB.boundaryKind, term_iri("boundary_kinds", crossing.kind))
    t.add(x, TMKB.rule, crossing.rule)
    t.add(x, TMKB.explanation, crossing.explanation)


def _crossing_index(graph: ArchitectureGraph, places: _Places) -> dict[tuple[str | None, str | None, str], URIRef]:
    """Crossing IRIs by (flow label, component, rule), the way a finding names its crossings."""
    out: dict[tuple[str | None, str | None, str], URIRef] = {}
    for index, crossings in graph.flow_crossings.items():
        flow = graph.flow(index)
        label = f"{flow.source} -> {flow.target} ({flow.kind})"
        for crossing in crossings:
            out[(label, crossing.component, crossing.rule)] = URIRef(f"{places.flow_by_index[index]}/crossing/{crossing.rule}")
    for cid, crossings in graph.component_crossings.items():
        for crossing in crossings:
            out[(None, cid, crossing.rule)] = URIRef(f"{places.by_label[cid]}/crossing/{crossing.rule}")
    return out


def _declared_boundaries(t: Triples, arch: LoadedArchitecture, places: _Places) -> None:
    g = places.g
    for index, boundary in enumerate(arch.model.boundaries):
        b = part_iri(g, "boundary", boundary.name)
        t.add(g, TMKB.hasBoundary, b)
        t.add(b, RDF.type, TMKB.DeclaredBoundary)
        t.add(b, TMKB.name, boundary.name)
        t.add(b, TMKB.boundaryKind, term_iri("boundary_kinds", boundary.kind))
        t.each(b, TMKB.contains, (part_iri(g, "component", cid) for cid in boundary.contains))
        t.add(b, TMKB.line, arch.line_of(("boundaries", index)))


def _finding(
    t: Triples, finding: Finding, places: _Places, crossings: dict[tuple[str | None, str | None, str], URIRef]
) -> None:
    g = places.g
    f = finding_iri(g, finding.id)
    t.add(g, TMKB.hasFinding, f)
    t.add(f, RDF.type, TMKB.Finding)
    t.add(f, TMKB.id, finding.id)
    t.add(f, TMKB.name, finding.name)
    t.add(f, TMKB.inArchitecture, g)
    t.add(f, TMKB.ofPattern, pattern_iri(finding.pattern))
    t.add(f, TMKB.severity, term_iri("severities", finding.severity))
    t.add(f, TMKB.likelihood, term_iri("likelihoods", finding.likelihood))
    t.add(f, TMKB.status, term_iri("finding_statuses", finding.status))
    t.each(f, TMKB.unitRole, finding.unit)
    for role, value in sorted(finding.bindings.items()):
        b = URIRef(f"{f}/binding/{role}")
        t.add(f, TMKB.binding, b)
        t.add(b, RDF.type, TMKB.Binding)
        t.add(b, TMKB.role, role)
        t.add(b, TMKB.value, value)
        t.add(b, TMKB.boundTo, places.resolve(value))
    t.add(f, TMKB.pathCount, len(finding.paths))
    t.add(f, TMKB.location, finding.location)
    t.add(f, TMKB.locatedAt, places.resolve(finding.location))
    t.add(f, TMKB.sourceFile, finding.file)
    t.add(f, TMKB.line, finding.location_line)
    t.each(f, TMKB.exposure, finding.exposure)
    t.add(f, TMKB.fix, finding.fix)
    for crossing in finding.crossings:
        t.add(f, TMKB.madeApplicableBy, crossings.get((crossing.flow, crossing.component, crossing.rule)))
    for link, gaps in ((TMKB.missing, finding.missing), (TMKB.present, finding.present), (TMKB.recommended, finding.recommended)):
        for gap in gaps:
            _gap(t, f, link, gap, finding.pattern, places)
    if finding.acceptance is not None:
        a = URIRef(f"{f}/acceptance")
        t.add(f, TMKB.acceptance, a)
        t.add(a, RDF.type, TMKB.Acceptance)
        t.add(a, TMKB.ofPattern, pattern_iri(finding.pattern))
        t.add(a, TMKB.reason, " ".join(finding.acceptance.reason.split()))
        t.add(a, TMKB.expires, dt.date.fromisoformat(finding.acceptance.expires) if finding.acceptance.expires else None)
        t.add(a, TMKB.expired, finding.acceptance.expired)
        t.add(a, TMKB.line, finding.acceptance.line)
    t.each(f, TMKB.relatedTo, (finding_iri(g, other) for other in finding.related_to))
    t.each(f, TMKB.via, (iri for iri in (places.resolve(v) for v in finding.via) if iri is not None))


def _gap(t: Triples, f: URIRef, link: URIRef, gap: Gap, pattern_id: str, places: _Places) -> None:
    x = URIRef(f"{f}/gap/{segment(gap.mitigation)}/{segment(gap.at)}")
    t.add(f, link, x)
    t.add(x, RDF.type, TMKB.Gap)
    t.add(x, TMKB.mitigation, mitigation_iri(pattern_id, gap.mitigation))
    t.add(x, TMKB.name, gap.name)
    t.add(x, TMKB.requiresControl, term_iri("controls", gap.control))
    t.add(x, TMKB.at, gap.at)
    t.add(x, TMKB.atPlace, places.resolve(gap.at))
    t.add(x, TMKB.required, gap.required)
    t.add(x, TMKB.claimed, gap.present)
    t.each(x, TMKB.requiresCarried, (term_iri("context_items", c) for c in gap.carries))
    t.add(x, TMKB.evidence, gap.evidence)
    t.add(x, TMKB.line, gap.line)


@dataclass(frozen=True)
class Analysed:
    """An architecture with its analysis and its graph's slug."""

    slug: str
    arch: LoadedArchitecture
    result: AnalysisResult


def analysed_graphs(items: Sequence[Analysed], today: dt.date) -> list[GraphData]:
    """The named graph of each analysed architecture."""
    return [architecture_graph(item.arch, item.result, item.slug, today) for item in items]


def _reached_endpoint(g: URIRef, arch: LoadedArchitecture, flow: Flow) -> URIRef | None:
    """The IRI of the target's route a flow names, or None when it names none."""
    if flow.route is None:
        return None
    target = arch.model.components[flow.target]
    index = flow_endpoint(target, flow.route)
    return None if index is None else part_iri(g, "endpoint", flow.target, target.endpoints[index].route)  # type: ignore[index]
