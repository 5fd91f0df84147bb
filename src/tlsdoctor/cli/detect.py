"""`tlsdoctor detect [HOST[:PORT]...]`: tell whether this network inspects TLS, with evidence."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tlsdoctor.cli._options import (
    add_json,
    add_lab,
    add_network,
    add_roots,
    network_from,
)
from tlsdoctor.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "hosts",
        nargs="*",
        metavar="HOST[:PORT]",
        help=_("hosts to probe (default: eight public HTTPS sites of different owners)"),
    )
    add_json(parser)
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help=_("also print each host's full issuer and root names and its leaf's SHA-256"),
    )
    add_network(parser)
    add_roots(parser)
    add_lab(parser, _("use the running loopback lab: its proxy, its public root and its hosts"))


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core.detect import detect
    from tlsdoctor.core.probe import parse_target, unique_targets
    from tlsdoctor.render.console import console, print_json

    network = network_from(args)
    targets = unique_targets(parse_target(h) for h in args.hosts or network.lab_hosts)
    with _progress(len(targets) or 8) as progress:
        report = detect(
            targets or None,
            proxy=network.proxy,
            use_env_proxy=network.use_env_proxy,
            roots_path=network.roots,
            timeout=args.timeout,
            deadline=args.deadline,
            progress=progress,
        )
    if args.json:
        print_json(report.to_json())
    else:
        from tlsdoctor.render.detect import render_report

        render_report(report, console(), verbose=args.verbose)
    return report.exit_code


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Any], None] | None]:
    """A transient progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import TextColumn

    from tlsdoctor.render.console import progress_bar

    bar = progress_bar(TextColumn("{task.completed}/{task.total}"))
    label = _("probing 1 host") if total == 1 else _("probing {n} hosts", n=total)
    task = bar.add_task(label, total=total)
    with bar:
        yield lambda _result: bar.advance(task)
