"""Checks of an architecture that span fields: references to components, zones and resources,
duplicate routes, and the direction of flows to and from stores."""

from __future__ import annotations

from tmkb_graph.architecture import (
    ID_SHAPE,
    ROUTE_KINDS,
    ROUTE_KINDS_TEXT,
    TOPIC_KINDS,
    TOPIC_KINDS_TEXT,
    Architecture,
    Component,
    Flow,
    flow_endpoint,
)
from tmkb_graph.errors import Problem
from tmkb_graph.safe_yaml import PathKey, YamlDocument
from tmkb_graph.text import shown
from tmkb_graph.vocabulary import load_vocabulary, unknown_word_message

def cross_reference(model: Architecture, doc: YamlDocument) -> tuple[list[Problem], list[Problem]]:
    """Checks that span fields: references to components, zones and resources, ids, directions."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    ids = list(model.components)
    zone_names = list(model.zones) + load_vocabulary().names("zone_kinds")
    vocab = load_vocabulary()
    family = {cid: str(vocab.fact("component_types", c.type, "family")) for cid, c in model.components.items()}

    for name in model.zones:
        if name in vocab.terms("zone_kinds") and model.zones[name] != name:
            errors.append(doc.problem(("zones", name), f"'{name}' is a zone kind and cannot be mapped to another kind"))

    for cid, component in model.components.items():
        if not ID_SHAPE.match(cid):
            errors.append(doc.problem(("components", cid), f"component id '{cid}' must be a word (letters, digits, _ . -)"))
        if component.zone is not None and component.zone not in zone_names:
            message = unknown_word_message("zone", component.zone, zone_names)
            errors.append(doc.problem(("components", cid, "zone"), message + "; declare free zone names under zones:"))
        for i, endpoint in enumerate(component.endpoints or []):
            path = ("components", cid, "endpoints", i, "resource")
            errors.extend(_resource_reference(model, doc, endpoint.resource, path, warnings))
            if endpoint.forwards_to is not None and endpoint.forwards_to not in model.components:
                errors.append(doc.problem(("components", cid, "endpoints", i, "forwards_to"), _no_component(endpoint.forwards_to, ids)))
            if endpoint.id_in == "path" and endpoint.path_params == 0:
                message = f"id_in is path, but route '{shown(endpoint.route)}' has no path parameter: say query or body, or add the parameter"
                errors.append(doc.problem(("components", cid, "endpoints", i, "id_in"), message))
        _duplicate_routes(component, cid, doc, errors)

    for name, resource in model.resources.items():
        if resource.parent is not None and (resource.parent not in model.resources or resource.parent == name):
            message = unknown_word_message("resource", resource.parent, [r for r in model.resources if r != name])
            errors.append(doc.problem(("resources", name, "parent"), message.replace("unknown resource", "no resource", 1)))

    for i, flow in enumerate(model.flows):
        for end, field in ((flow.source, "from"), (flow.target, "to")):
            if end not in model.components:
                errors.append(doc.problem(("flows", i, field), _no_component(end, ids)))
        if flow.source == flow.target:
            errors.append(doc.problem(("flows", i), f"a flow from '{flow.source}' to itself crosses nothing"))
        if flow.source in model.components and flow.target in model.components:
            _store_direction(family, doc, i, flow, errors)
        if flow.topic is not None and flow.kind not in TOPIC_KINDS:
            message = f"topic names the topic or queue of a {TOPIC_KINDS_TEXT} flow; this is a {flow.kind} flow"
            errors.append(doc.problem(("flows", i, "topic"), message))
        if flow.route is not None:
            errors.extend(_route_reference(model, doc, i, flow))

    for i, boundary in enumerate(model.boundaries):
        for j, member in enumerate(boundary.contains):
            if member not in model.components:
                errors.append(doc.problem(("boundaries", i, "contains", j), _no_component(member, ids)))

    for i, acceptance in enumerate(model.accepted):
        if acceptance.component is None and acceptance.finding is None:
            errors.append(doc.problem(("accepted", i), "say what is accepted: a component, or a finding id"))
        if acceptance.component is not None and acceptance.component not in model.components:
            errors.append(doc.problem(("accepted", i, "component"), _no_component(acceptance.component, ids)))
        if acceptance.expires is None:
            warnings.append(
                doc.problem(("accepted", i), "this acceptance has no expires: date; it will never be reviewed", "warning")
            )
    return errors, warnings


def _route_reference(model: Architecture, doc: YamlDocument, i: int, flow: Flow) -> list[Problem]:
    """A flow's route names one route of the component it reaches."""
    path = ("flows", i, "route")
    if flow.kind not in ROUTE_KINDS:
        return [doc.problem(path, f"route names the route a {ROUTE_KINDS_TEXT} flow reaches; this flow is of kind {flow.kind}")]
    target = model.components.get(flow.target)
    if target is None:
        return []
    routes = [endpoint.route for endpoint in target.endpoints or ()]
    if not routes:
        return [doc.problem(path, f"route '{shown(flow.route or '')}' names a route of '{flow.target}', which declares no endpoints")]
    if flow_endpoint(target, flow.route or "") is None:
        message = unknown_word_message("route", flow.route or "", routes)
        return [doc.problem(path, message.replace("unknown route", f"'{flow.target}' has no route", 1))]
    return []


def _no_component(name: str, ids: list[str]) -> str:
    """"no component 'workr' (did you mean 'worker'?)" for a reference to a component that does not exist."""
    return unknown_word_message("component", name, ids).replace("unknown component", "no component", 1)


def _resource_reference(
    model: Architecture, doc: YamlDocument, resource: str | None, path: PathKey, warnings: list[Problem]
) -> list[Problem]:
    if resource is None or resource in model.resources:
        return []
    if model.resources:
        message = unknown_word_message("resource", resource, list(model.resources))
        return [doc.problem(path, message + "; declare it under resources:")]
    warnings.append(
        doc.problem(
            path,
            f"resource '{resource}' is not declared under resources:; patterns that depend on its owner or id "
            "scheme are not assessable for it",
            "warning",
        )
    )
    return []


def _duplicate_routes(component: Component, cid: str, doc: YamlDocument, errors: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for i, endpoint in enumerate(component.endpoints or []):
        key = f"{endpoint.method or ''} {endpoint.path}"
        if key in seen:
            errors.append(
                doc.problem(
                    ("components", cid, "endpoints", i, "route"),
                    f"duplicate route '{endpoint.route}' (also endpoints[{seen[key]}])",
                )
            )
        seen.setdefault(key, i)


def _store_direction(family: dict[str, str], doc: YamlDocument, i: int, flow: Flow, errors: list[Problem]) -> None:
    """Read and write flows are drawn from the accessor to the store; a reversed one would hide a tenant boundary."""
    if flow.kind not in ("read", "write"):
        return
    if family[flow.source] == "store" and family[flow.target] != "store":
        errors.append(
            doc.problem(
                ("flows", i),
                f"{flow.kind} flows are drawn from the component that reads or writes to the store: "
                f"write {{from: {flow.target}, to: {flow.source}, kind: {flow.kind}}}",
            )
        )
