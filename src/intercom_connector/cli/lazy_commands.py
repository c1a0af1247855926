"""Commands that load their module only when they run, as pip does.

The root command knows each subcommand by a table entry: its name, the ``module:attribute``
that defines it (a ``typer.Typer`` for a group of commands, a function for one command) and
the one line ``--help`` shows. Listing the commands (``--help``, shell completion) reads the
table only; resolving a command to run it, or to show its own help, imports its module.
"""

from __future__ import annotations

import importlib
from typing import Any, NamedTuple

import typer
from typer import _click as click  # typer ships its own click: its classes are the ones it expects
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo


class LazyCommand(NamedTuple):
    """Where a command lives (``package.module:attribute``) and its line in ``--help``."""

    target: str
    help: str

    def load(self, name: str) -> click.Command:
        module_name, _, attribute = self.target.partition(":")
        defined: Any = getattr(importlib.import_module(module_name), attribute)
        if isinstance(defined, typer.Typer):
            info = TyperInfo(defined, name=name)
            return get_group_from_info(
                info,
                pretty_exceptions_short=True,
                rich_markup_mode=None,
                suggest_commands=True,
            )
        return get_command_from_info(
            CommandInfo(name=name, callback=defined),
            pretty_exceptions_short=True,
            rich_markup_mode=None,
        )


class LazyGroup(TyperGroup):
    """A group whose subcommands come from a table of ``LazyCommand`` entries."""

    table: dict[str, LazyCommand] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loaded: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.table, *super().list_commands(ctx)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """For listing: the command's name and help line, without importing it."""
        entry = self.table.get(cmd_name)
        if entry is None:
            return super().get_command(ctx, cmd_name)
        if cmd_name in self._loaded:
            return self._loaded[cmd_name]
        return TyperCommand(cmd_name, help=entry.help, short_help=entry.help)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """For running (or its own help): the real command, its module imported now."""
        name, command, rest = super().resolve_command(ctx, args)
        if name in self.table:
            if name not in self._loaded:
                self._loaded[name] = self.table[name].load(name)
            command = self._loaded[name]
        return name, command, rest


def lazy_group(table: dict[str, LazyCommand]) -> type[LazyGroup]:
    """A ``LazyGroup`` class over ``table``, for ``typer.Typer(cls=...)``."""
    return type("RootGroup", (LazyGroup,), {"table": table})


__all__ = ["LazyCommand", "LazyGroup", "lazy_group"]
