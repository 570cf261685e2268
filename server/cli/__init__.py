"""The ``imtkg`` command line. Each command lives in its own module, imported when it runs.

Loading a command's module only when it is invoked keeps ``imtkg serve`` from importing what
the other commands need (pyshacl, the dump writers...): the interpreter's start is part of the
server's start-up time.

The ``cli`` subpackage is the top layer: it may import every other subpackage, and none imports
it. ``python -m imtkg.cli`` runs :func:`main` (:mod:`imtkg.cli.__main__`).
"""

from __future__ import annotations

import sys
from importlib import import_module

import click

from imtkg.core.errors import ImtKgError

#: command name -> "module:attribute" of its click command
COMMANDS: dict[str, str] = {
    "diff": "imtkg.cli.release:diff",
    "dump": "imtkg.cli.dump:dump",
    "explain": "imtkg.cli.reasoning:explain",
    "push": "imtkg.cli.push:push",
    "query": "imtkg.cli.query:query",
    "reason": "imtkg.cli.reason:reason",
    "release": "imtkg.cli.release:release",
    "serve": "imtkg.cli.serve:serve",
    "stats": "imtkg.cli.query:stats",
    "validate": "imtkg.cli.validate:validate",
}


class ImtKgGroup(click.Group):
    """A click group of lazily imported commands (:data:`COMMANDS`) that turns the project's
    errors into a one-line message and exit status 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: D102 - click API
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:  # noqa: D102
        if name in COMMANDS:
            module, _, attribute = COMMANDS[name].partition(":")
            return getattr(import_module(module), attribute)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):  # noqa: D102 - click API
        try:
            return super().invoke(ctx)
        except ImtKgError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=ImtKgGroup)
@click.version_option(package_name="imtkg")
def main() -> None:
    """The IMT knowledge graph: query, validate, reason over and serve it."""
