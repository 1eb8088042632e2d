"""Review files: the open and related findings a reviewer expects of an example, each with a reason.

`examples/<name>.expected.yaml` lists every open finding of `examples/<name>.yaml` (pattern, place,
missing controls) and why it stands; a test holds `analyze` to it exactly. `validate` recognises a
review file by what it holds (`open:` and no `components:`) and checks it here.
"""

from __future__ import annotations

from pydantic import Field, ValidationError

from tmkb_graph.errors import InputError
from tmkb_graph.library import PatternLibrary
from tmkb_graph.model_base import InputModel, Name
from tmkb_graph.safe_yaml import YamlDocument
from tmkb_graph.validation_errors import problems_from_validation_error
from tmkb_graph.vocabulary import unknown_word_message
from tmkb_graph.words import Control


class ReviewedFinding(InputModel):
    """One finding a reviewer signs: which pattern, where, what is missing, and why it stands."""

    pattern: Name
    at: str = Field(min_length=1, max_length=1_000)
    missing: list[Control] = Field(default_factory=list)
    related_to: Name | None = None
    reason: str = Field(min_length=20, max_length=1_000)


class ReviewFile(InputModel):
    """The reviewed open and related findings of one example."""

    open: list[ReviewedFinding]
    related: list[ReviewedFinding] = Field(default_factory=list)


def is_review_document(doc: YamlDocument) -> bool:
    """A mapping with open findings and no components is a review file, not an architecture."""
    data = doc.data
    return isinstance(data, dict) and "open" in data and "components" not in data


def check_review_document(doc: YamlDocument, library: PatternLibrary) -> ReviewFile:
    """Check a review file's shape and that every pattern it names exists."""
    try:
        review = ReviewFile.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from_validation_error(exc, doc, ReviewFile)) from None
    known = sorted(library.patterns)
    problems = []
    for section, entries in (("open", review.open), ("related", review.related)):
        for i, entry in enumerate(entries):
            for field, value in (("pattern", entry.pattern), ("related_to", entry.related_to)):
                if value is not None and value not in library.patterns:
                    problems.append(doc.problem((section, i, field), unknown_word_message("pattern", value, known)))
    if problems:
        raise InputError(problems)
    return review
