"""What a finding would take for granted: undeclared facts that would have kept it from being made.

A pattern's ``unless`` conditions can ask for a component fact (a store read only by key, a service
binding bodies through a fixed schema), a route's body (raw content) or a route's ``admin_only``.
Where the architecture does not say, the condition does not hold. For a component fact that would
be a guess about the threat's defining condition, so the path is *not assessable* until the fact is
declared (or the vocabulary presumes it for the component's type). A route's body and an
administrators' area are presumed (bound fields; open to every signed-in caller), and the finding
names the presumption: a reader then knows what to confirm or declare. ``admin_only`` counts as
unsaid only on a route whose path names an administrators' area (``/admin/...``) without claiming
it: the path says one thing, the controls another, and the finding takes every signed-in caller to
reach the route. What a resource's records grant, where a template asks and the resource does not
say, is read from its name (``tmkb_graph.grants``), and the finding names that reading too.
"""

from __future__ import annotations

import re

from tmkb_graph.bindings import Binding, NotAssessable
from tmkb_graph.boundaries import ArchitectureGraph
from tmkb_graph.conditions import holds
from tmkb_graph.grants import resource_grants
from tmkb_graph.matcher import unknown_fact_reason
from tmkb_graph.mitigations import judge_mitigations, misses_required
from tmkb_graph.pattern import Condition, Pattern
from tmkb_graph.place_controls import endpoint_at, endpoint_controls, fact_of
from tmkb_graph.vocabulary import load_vocabulary


_ADMIN = "admin_only"
_NOT_FACTS = frozenset({"body", _ADMIN})  # what _undeclared names that is not a component fact
# a path segment naming an administrators' area: /admin/..., /api/admin/..., /administration/...
_ADMIN_AREA = re.compile(r"/admin(?:istration|s)?(?:/|$)", re.IGNORECASE)


def split_unassessable(pattern: Pattern, bindings: list[Binding], graph: ArchitectureGraph) -> tuple[list[Binding], list[NotAssessable]]:
    """The bindings a finding can rest on, and, for each binding that misses a required control only
    because a component leaves a deciding fact undeclared, why it is not assessable."""
    deciding = [c for c in _deciding_conditions(pattern) if any(m.facts for m in c.members())]
    if not deciding:
        return bindings, []
    kept: list[Binding] = []
    unsure: dict[tuple[str, str], NotAssessable] = {}
    for binding in bindings:
        facts = {(cid, fact) for condition in deciding for cid, fact in _assumed_facts(condition, binding, graph)}
        if facts and misses_required(judge_mitigations(pattern, binding, graph)):
            for cid, fact in sorted(facts):
                unsure.setdefault((cid, fact), NotAssessable(cid, unknown_fact_reason(graph, cid, fact)))
        else:
            kept.append(binding)
    return kept, [unsure[key] for key in sorted(unsure)]


def _assumed_facts(condition: Condition, binding: Binding, graph: ArchitectureGraph) -> list[tuple[str, str]]:
    """(component, fact) of each undeclared fact without which ``condition`` would hold on ``binding``."""
    return [(binding.roles[m.name], fact) for m, fact in _deciding_unknowns(condition, binding, graph, facts_only=True)]


def finding_assumptions(pattern: Pattern, bindings: list[Binding], graph: ArchitectureGraph) -> list[str]:
    """One sentence per undeclared fact, body or resource grant the finding rests on, sorted (none
    for most)."""
    deciding = _deciding_conditions(pattern)
    granting = _granting_endpoints(pattern)
    if not deciding and not granting:
        return []
    found: set[str] = set()
    for binding in bindings:
        for condition in deciding:
            found.update(_assumed(condition, binding, graph))
        found.update(_grants_by_name(granting, binding, graph))
    return sorted(found)


def _granting_endpoints(pattern: Pattern) -> list[str]:
    """The template's endpoint roles whose resource must grant something (``resource: {grants}``)."""
    return [name for name, spec in pattern.template.endpoints.items() if spec.resource is not None and spec.resource.grants]


def _grants_by_name(names: list[str], binding: Binding, graph: ArchitectureGraph) -> list[str]:
    """A sentence for each bound route whose resource's grant is read from its name, not declared."""
    resources = graph.architecture.model.resources
    out = []
    for name in names:
        ref = binding.endpoints.get(name)
        resource_name = endpoint_at(graph, ref).resource if ref is not None else None
        if resource_name is None:
            continue
        resource = resources.get(resource_name)
        if resource is not None and resource.grants is not None:
            continue
        grant = resource_grants(resource_name, resource)
        what = _GRANT_READINGS.get(grant)
        if what is not None:
            out.append(f"resource '{resource_name}' is taken, by its name, to be {what} (declare grants: access|delivery|nothing)")
    return out


_GRANT_READINGS = {
    "access": "a credential that lets whoever holds it into the tenant's data",
    "delivery": "a destination the system sends the tenant's data to",
}


def _deciding_conditions(pattern: Pattern) -> list[Condition]:
    """The template's unless conditions (a lone ``unless`` or any of ``unless_any``) that ask for a
    fact or a body somewhere in them."""
    template = pattern.template
    candidates = list(template.unless_any)
    if len(template.unless) == 1:
        candidates.append(template.unless[0])
    return [c for c in candidates if any(m.facts or m.bodies or _ADMIN in m.controls for m in c.members())]


def _assumed(condition: Condition, binding: Binding, graph: ArchitectureGraph) -> list[str]:
    """The undeclared facts and bodies of ``condition`` without which it would hold on ``binding``."""
    return [_sentence(member, item, binding, graph) for member, item in _deciding_unknowns(condition, binding, graph)]


def _deciding_unknowns(
    condition: Condition, binding: Binding, graph: ArchitectureGraph, facts_only: bool = False
) -> list[tuple[Condition, str]]:
    """The undeclared items (facts, or also a body or an admin area) of ``condition``'s members, when
    the condition would hold on ``binding`` with them relaxed.

    The binding was made, so the condition does not hold on it as declared; only the relaxed
    condition needs testing, and only where something is undeclared (the cheap test first)."""
    unknown = [
        (member, item)
        for member in condition.members()
        for item in _undeclared(member, binding, graph, noted=not facts_only)
        if not (facts_only and item in _NOT_FACTS)
    ]
    if not unknown or not holds(_without(condition, {id(m) for m, _ in unknown}), binding, graph):
        return []
    return unknown


def _undeclared(member: Condition, binding: Binding, graph: ArchitectureGraph, noted: bool = False) -> list[str]:
    """The facts (by name) and, as ``"body"``, the route body this member asks for that nobody declares
    (with ``noted``, also a presumed fact whose presumption the member asks to be named)."""
    items: list[str] = []
    if member.facts and member.name in binding.roles:
        cid = binding.roles[member.name]
        named = noted and member.presumption_noted
        items.extend(fact for fact in sorted(member.facts) if fact_of(graph, cid, fact) is None and (named or not _presumed(fact, member)))
    if member.bodies and member.name in binding.endpoints:
        if endpoint_at(graph, binding.endpoints[member.name]).body is None:
            items.append("body")
    if _ADMIN in member.controls and member.name in binding.endpoints:
        ref = binding.endpoints[member.name]
        if _ADMIN_AREA.search(endpoint_at(graph, ref).route) and _ADMIN not in endpoint_controls(graph, ref):
            items.append(_ADMIN)
    return items


def _presumed(fact: str, member: Condition) -> bool:
    """True when the vocabulary presumes the fact's undeclared value to be the one the finding takes
    (a component used by customers, a multi-tenant store holding tenants' data): not worth listing."""
    presumed = load_vocabulary().fact("component_facts", fact, "presumed")
    return presumed is not None and bool(presumed) != member.facts[fact]


def _without(condition: Condition, undeclared_in: set[int]) -> Condition:
    """The condition with the fact and body tests of the given members dropped (the rest kept)."""
    if condition.all_of:
        return condition.model_copy(update={"all_of": [_without(m, undeclared_in) for m in condition.all_of]})
    if id(condition) in undeclared_in:
        controls = [c for c in condition.controls if c != _ADMIN]
        return condition.model_copy(update={"facts": {}, "bodies": [], "controls": controls})
    return condition


def _sentence(member: Condition, item: str, binding: Binding, graph: ArchitectureGraph) -> str:
    if item == _ADMIN:
        ref = binding.endpoints[member.name]
        return (
            f"{ref.component} {endpoint_at(graph, ref).route}: a route in an administrators' area that claims no "
            "admin_only is taken to be open to every signed-in caller (claim admin_only if only administrators "
            "entitled to every record it acts on reach it)"
        )
    if item == "body":
        ref = binding.endpoints[member.name]
        route = f"{ref.component} {endpoint_at(graph, ref).route}"
        wanted = " or ".join(member.bodies)
        return f"{route}: the body is taken not to be {wanted} (declare body: fields|raw)"
    cid = binding.roles[member.name]
    label = load_vocabulary().terms("component_facts")[item].label.lower()
    taken = "is taken to hold" if not member.facts[item] else "is taken not to hold"
    return f"{cid}: '{label}' {taken} (declare facts: {{{item}: true|false}})"
