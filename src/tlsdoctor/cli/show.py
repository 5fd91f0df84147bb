"""`tlsdoctor show HOST[:PORT]`: the certificate chain a host presents, as a tree."""

from __future__ import annotations

import argparse

from tlsdoctor.cli._options import add_json, add_lab, add_network, add_roots, network_from
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_INCONCLUSIVE, EXIT_OK
from tlsdoctor.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="HOST[:PORT]", help=_("the host to look at"))
    parser.add_argument(
        "--pem", action="store_true", help=_("print the presented chain as PEM (leaf first)")
    )
    add_json(parser)
    add_network(parser)
    add_roots(parser)
    add_lab(parser, _("use the running loopback lab: its proxy and its public root"))


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core.probe import parse_target
    from tlsdoctor.core.show import show
    from tlsdoctor.render.console import console, print_json

    network = network_from(args)
    target = parse_target(args.target)
    report = show(
        target.host,
        target.port,
        proxy=network.proxy,
        use_env_proxy=network.use_env_proxy,
        roots_path=network.roots,
        timeout=args.timeout,
        deadline=args.deadline,  # one host: the deadline bounds its timeout, and says so
    )
    if args.json:
        print_json(report.to_json())
    elif args.pem:
        if report.chain:
            print(report.pem(), end="")
        else:
            import sys

            sys.stderr.write(_("error: {message}", message=report.error or "?") + "\n")
    else:
        from tlsdoctor.render.chain import render_chain

        render_chain(report, console())
    if not report.chain:
        return EXIT_INCONCLUSIVE
    return EXIT_OK if report.ok else EXIT_FINDINGS
