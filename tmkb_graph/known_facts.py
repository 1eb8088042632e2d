"""What is known of a component's facts: declared on it, or known for its framework or technology."""

from __future__ import annotations

from tmkb_graph.architecture import Component
from tmkb_graph.vocabulary import Vocabulary


def known_fact(component: Component, fact: str, vocab: Vocabulary, *also_known_as: str | None) -> bool | None:
    """A fact the component declares, else what the vocabulary knows of its framework, then of each
    of ``also_known_as`` in turn (a technology, a third party's id), then what it presumes of the
    component's type; None when nobody says."""
    value = component.facts.get(fact)
    for name in (component.framework, *also_known_as):
        if value is None:
            value = vocab.framework_fact(name, fact)
    return vocab.type_fact(component.type, fact) if value is None else value
