"""Warnings for component facts declared where no pattern reads them.

A fact describes one kind of component: `relays_senders` a webhook provider, `tenant_data` a store,
`acts_for_requester` a job. Declared on another kind (the receiver instead of the provider that
sends to it), it is silently ignored and the pattern it was meant for stays not assessable. The
kinds each fact is read on come from the pattern library, so a new pattern extends them by itself.
"""

from __future__ import annotations

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import Problem
from tmkb_graph.library import PatternLibrary
from tmkb_graph.pattern import Template


def fact_readers(library: PatternLibrary) -> dict[str, set[str]]:
    """For each component fact some pattern reads, the component types it is read on."""
    readers: dict[str, set[str]] = {}
    for pattern in library.patterns.values():
        _template_readers(pattern.template, readers)
    return readers


def _template_readers(template: Template, readers: dict[str, set[str]]) -> None:
    for role in template.roles.values():
        for fact in role.facts:
            readers.setdefault(fact, set()).update(role.types)
    for condition in [*template.unless, *template.unless_any]:
        for member in condition.members():
            role = template.roles.get(member.name)
            if role is None:
                continue
            for fact in [*member.facts, *member.not_facts]:
                readers.setdefault(fact, set()).update(member.types or role.types)


def misplaced_facts(arch: LoadedArchitecture, library: PatternLibrary) -> list[Problem]:
    """A warning for each declared fact that no pattern reads on its component's type."""
    readers = fact_readers(library)
    problems = []
    for cid, component in sorted(arch.model.components.items()):
        for fact in sorted(component.facts):
            types = readers.get(fact)
            if types is None or component.type in types:
                continue
            read_on = ", ".join(sorted(types))
            path = ("components", cid, "facts", fact)
            line = arch.line_of(path) or arch.line_of(("components", cid))
            problems.append(
                Problem(
                    arch.file,
                    line,
                    f"components.{cid}.facts.{fact}",
                    f"no pattern reads this fact on {'an' if component.type[0] in 'aeiou' else 'a'} {component.type}, only on {read_on}: declare it on the "
                    "component it describes (a provider's fact on the provider that sends to this one, a "
                    "store's on the store), or it is ignored",
                    "warning",
                )
            )
    return problems
