"""Warnings for routes no caller reaches in the architecture as drawn (a redirect's target no browser
reaches included), and for pushed deliveries whose route is left unsaid where it decides what they
are judged by.

Endpoint patterns judge a route where someone's request crosses into its component: a flow from a
client or another service, or a zone that callers from outside reach. A component that declares
routes but that no flow enters and no outside caller reaches has nobody to judge them for, so its
routes would pass without a word; most often the flow from its callers was left out.
"""

from __future__ import annotations

from tmkb_graph.architecture import Flow, LoadedArchitecture
from tmkb_graph.place_controls import effective_controls
from tmkb_graph.boundaries import ArchitectureGraph
from tmkb_graph.errors import Problem


def unreached_routes(arch: LoadedArchitecture, graph: ArchitectureGraph) -> list[Problem]:
    """A warning for each component with routes that no flow enters and no outside caller reaches."""
    problems = []
    for cid, component in sorted(arch.model.components.items()):
        routes = component.endpoints or []
        if not routes or graph.in_flows(cid) or graph.reachable(cid):
            continue
        count = f"{len(routes)} route{'s' if len(routes) != 1 else ''}"
        problems.append(
            Problem(
                arch.file,
                arch.line_of(("components", cid)),
                f"components.{cid}.endpoints",
                f"declares {count}, but no flow reaches '{cid}' and its zone is not one outside callers reach, "
                "so no pattern judges them: draw the flow from its callers (a client for people, the service "
                "that calls it)",
                "warning",
            )
        )
    return problems


_OUTSIDE_TYPES = frozenset({"client", "external_service", "identity_provider"})


def unreached_redirects(arch: LoadedArchitecture, graph: ArchitectureGraph) -> list[Problem]:
    """A warning for each redirect into a component no outside caller reaches: a redirect is followed
    by the user's browser, so its target must take that browser's request (patterns about callbacks
    judge it at that entry)."""
    problems = []
    components = arch.model.components
    for index, flow in enumerate(arch.model.flows):
        # a redirect out to another party's app (a sign-in assertion, a tool launch) lands outside the system
        if flow.kind != "redirect" or components[flow.target].type in _OUTSIDE_TYPES or graph.reachable(flow.target):
            continue
        problems.append(
            arch.flow_problem(
                index,
                f"a redirect from '{flow.source}' sends the user's browser to '{flow.target}', but no browser's request "
                f"reaches '{flow.target}' as drawn (its zone is not one outside callers reach and no flow from a client "
                "enters it), so the callback is judged nowhere: draw the browser's request to it, or place it where "
                "outside callers reach",
                "warning",
            )
        )
    return problems


_PUSHED = frozenset({"webhook", "callback"})


def unnamed_delivery_routes(arch: LoadedArchitecture) -> list[Problem]:
    """A warning for each component that takes several senders' deliveries on routes claiming
    different controls, where some delivery does not say which route it reaches: a control claimed
    on one of those routes would count for every sender."""
    model = arch.model
    problems = []
    deliveries: dict[str, list[tuple[int, Flow]]] = {}
    for i, f in enumerate(model.flows):
        if f.kind in _PUSHED:
            deliveries.setdefault(f.target, []).append((i, f))
    for cid, component in sorted(model.components.items()):
        pushed = deliveries.get(cid, [])
        senders = {f.source for _, f in pushed}
        unnamed = sorted({f.source for _, f in pushed if f.route is None})
        if len(senders) < 2 or not unnamed:
            continue
        routes = component.endpoints or []
        if len({frozenset(effective_controls(component, e)) for e in routes}) < 2:
            continue
        first = next(i for i, f in pushed if f.route is None)
        problems.append(
            Problem(
                arch.file,
                arch.line_of(("flows", first)),
                f"flows[{first}].route",
                f"'{cid}' takes deliveries from {len(senders)} senders on routes that claim "
                f"different controls, and the flows from {', '.join(unnamed)} do not say which route they reach, "
                "so a control claimed on any of its routes counts for every sender: name each one's route "
                "(route: \"POST /hooks/stripe\" on the flow)",
                "warning",
            )
        )
    return problems
