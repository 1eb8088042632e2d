"""Typer command classes whose help shows metavars (FILE, PATH) rather than Python types.

Recent typer prints an argument's Python type (``<list[Path]>``), a flag's (``<bool>``) and braces
around required arguments (``{file}``) in help and usage lines. A person at the terminal needs the
metavar only; these classes drop the rest and change nothing else.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup


class _Argument(TyperArgument):
    """An argument shown by its metavar alone: FILE, or [PATH]... when optional and repeated."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name + ("..." if self.nargs != 1 else "")


def _plain(params: list[Any]) -> list[Any]:
    for param in params:
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument
        elif getattr(param, "is_flag", False) and getattr(param, "metavar", "") is None:
            param.metavar = ""  # a flag takes no value, so it shows no type
    return params


class PlainCommand(TyperCommand):
    """A command whose help lists metavars, not Python types."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))


class PlainGroup(TyperGroup):
    """The top-level group, with the same help style as its commands."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))
