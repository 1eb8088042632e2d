"""A finding's line is printed beside its location only when the location does not already name it."""

from __future__ import annotations

from tmkb_graph.render.places import separate_line


def test_a_location_in_the_architecture_gets_its_line() -> None:
    assert separate_line("api GET /files/{id}", 52) == 52


def test_a_location_in_code_already_names_its_line() -> None:
    assert separate_line("app/tasks.py:6 export_document", 6) is None


def test_another_number_in_the_location_is_not_the_line() -> None:
    assert separate_line("app/tasks.py:61 export_document", 6) == 6


def test_no_line_prints_nothing() -> None:
    assert separate_line("api", None) is None
