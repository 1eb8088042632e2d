"""Vocabulary-checked string types for the pydantic models at the edges (architectures, patterns)."""

from __future__ import annotations

from typing import Annotated, Callable

from pydantic import AfterValidator, BeforeValidator

from tmkb_graph.vocabulary import load_vocabulary


def _word_in(section: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        message = load_vocabulary().check(section, value)
        if message is not None:
            raise ValueError(message)
        return value  # type: ignore[return-value]

    return check


def _strip_spaces(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


ComponentType = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("component_types"))]
FlowKind = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("flow_kinds"))]
ZoneKind = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("zone_kinds"))]
BoundaryKind = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("boundary_kinds"))]
ContextItem = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("context_items"))]
Control = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("controls"))]
ComponentFact = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("component_facts"))]
Operation = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("operations"))]
ResourceOwner = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("resource_owners"))]
IdScheme = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("id_schemes"))]
IdPlace = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("id_places"))]
Body = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("bodies"))]
Workflow = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("workflows"))]
Grant = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("grants"))]
Tenancy = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("tenancy"))]
Severity = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("severities"))]
Likelihood = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("likelihoods"))]
Tier = Annotated[str, BeforeValidator(_strip_spaces), AfterValidator(_word_in("tiers"))]
