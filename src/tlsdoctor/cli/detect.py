"""`tlsdoctor detect [HOST[:PORT]...]`: tell whether this network inspects TLS, with evidence."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tlsdoctor.cli._options import add_json, add_lab, add_network, add_roots
from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "hosts",
        nargs="*",
        metavar="HOST[:PORT]",
        help=_("hosts to probe (default: eight public HTTPS sites of different owners)"),
    )
    add_json(parser)
    add_network(parser)
    add_roots(parser)
    add_lab(parser, _("use the running loopback lab: its proxy, its public root and its hosts"))


def check_network_options(args: argparse.Namespace) -> None:
    if args.timeout <= 0 or args.deadline <= 0:
        raise UsageError(_("--timeout and --deadline must be positive numbers of seconds"))
    if getattr(args, "proxy", None):
        from tlsdoctor.core.probe import parse_proxy

        parse_proxy(args.proxy)


def lab_settings(state_dir: str) -> tuple[str, str, list[str]]:
    """(proxy URL with credentials, public root path, hosts) of the running lab."""
    from tlsdoctor.lab.state import read_state

    state = read_state(state_dir or None)
    return state.authenticated_proxy_url, str(state.public_root), list(state.hosts)


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core.detect import detect
    from tlsdoctor.core.probe import parse_target
    from tlsdoctor.render.console import console, print_json

    check_network_options(args)
    targets = [parse_target(h) for h in args.hosts]
    proxy: str | None = args.proxy
    use_env_proxy = not args.no_proxy
    roots: str | None = args.roots
    if args.lab is not None:
        lab_proxy, lab_root, lab_hosts = lab_settings(args.lab)
        proxy = proxy or lab_proxy
        use_env_proxy = False
        roots = roots or lab_root
        targets = targets or [parse_target(h) for h in lab_hosts]
    if roots is not None:
        from tlsdoctor.core.trust import mozilla_roots

        mozilla_roots(roots)  # an unreadable --roots is a usage error before any probing
    with _progress(len(targets) or 8) as progress:
        report = detect(
            targets or None,
            proxy=proxy,
            use_env_proxy=use_env_proxy,
            roots_path=roots,
            timeout=args.timeout,
            deadline=args.deadline,
            progress=progress,
        )
    if args.json:
        print_json(report.to_json())
    else:
        from tlsdoctor.render.detect import render_report

        render_report(report, console())
    return report.exit_code


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Any], None] | None]:
    """A transient progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    from tlsdoctor.render.console import console

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=console(stderr=True),
        transient=True,
    )
    task = bar.add_task(_("probing {n} host(s)", n=total), total=total)
    with bar:
        yield lambda _result: bar.advance(task)
