"""`tlsdoctor undo [--all | --last] [--json]`: replay the setup journal backwards."""

from __future__ import annotations

import argparse

from tlsdoctor.cli._journal import journal_errors
from tlsdoctor.cli._options import add_json
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_OK
from tlsdoctor.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--last", action="store_true", help=_("undo the most recent setup run (the default)")
    )
    group.add_argument("--all", action="store_true", help=_("undo every setup run, newest first"))
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core import changes
    from tlsdoctor.render import setup as render
    from tlsdoctor.render.console import console, print_json

    with journal_errors():
        result = changes.undo(changes.Journal(), last=not args.all)
    if args.json:
        print_json(result.to_json())
    else:
        render.print_undo(console(), result)
    return EXIT_OK if result.ok else EXIT_FINDINGS
