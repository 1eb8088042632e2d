"""The base of every model read from a user's file (architectures, patterns)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class InputModel(BaseModel):
    """A model of user input: unknown fields refused, values frozen, and no type coercion.

    Strict mode means a number is an int and not a bool (``version: true`` is refused), a flag is a
    bool and not the text "yes", and a date is a date; every model built on this base, including
    fields added later, gets the same rules. Lengths of keys and values are bounded earlier, in
    safe_yaml, for every field at once.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, strict=True)


MAX_NAME_CHARS = 200

Name = Annotated[str, Field(max_length=MAX_NAME_CHARS)]
"""A name or a reference (an id, a zone, a technology): short text, so errors can quote it whole."""
