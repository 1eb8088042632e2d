"""The check that an architecture's acceptances name patterns that exist: analyze and validate share it."""

from __future__ import annotations

from tmkb_graph.architecture import LoadedArchitecture
from tmkb_graph.errors import InputError
from tmkb_graph.library import PatternLibrary
from tmkb_graph.vocabulary import suggestion_budget, unknown_word_message


def check_acceptances(arch: LoadedArchitecture, library: PatternLibrary) -> None:
    """Raise InputError when an acceptance names a pattern the library does not have."""
    problems = []
    with suggestion_budget():
        for i, acceptance in enumerate(arch.model.accepted):
            if acceptance.pattern not in library.patterns:
                message = unknown_word_message("pattern", acceptance.pattern, sorted(library.patterns))
                problems.append(arch.document.problem(("accepted", i, "pattern"), message))
    if problems:
        raise InputError(problems)
