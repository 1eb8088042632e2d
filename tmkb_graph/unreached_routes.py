"""Warnings for routes no caller reaches in the architecture as drawn.

Endpoint patterns judge a route where someone's request crosses into its component: a flow from a
client or another service, or a zone that callers from outside reach. A component that declares
routes but that no flow enters and no outside caller reaches has nobody to judge them for, so its
routes would pass without a word; most often the flow from its callers was left out.
"""

from __future__ import annotations

from tmkb_graph.architecture import LoadedArchitecture
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
