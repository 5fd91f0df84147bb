"""`tlsdoctor show HOST[:PORT]`: the certificate chain a host presents, as a tree."""

from __future__ import annotations

import argparse

from tlsdoctor.cli._options import add_json, add_lab, add_network, add_roots
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
    from tlsdoctor.cli.detect import check_network_options, lab_settings
    from tlsdoctor.core.probe import parse_target
    from tlsdoctor.core.show import show
    from tlsdoctor.render.console import console, print_json

    check_network_options(args)
    target = parse_target(args.target)
    proxy: str | None = args.proxy
    use_env_proxy = not args.no_proxy
    roots: str | None = args.roots
    if args.lab is not None:
        lab_proxy, lab_root, _hosts = lab_settings(args.lab)
        proxy = proxy or lab_proxy
        use_env_proxy = False
        roots = roots or lab_root
    report = show(
        target.host,
        target.port,
        proxy=proxy,
        use_env_proxy=use_env_proxy,
        roots_path=roots,
        timeout=args.timeout,
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
    return EXIT_OK if report.trusted_public else EXIT_FINDINGS
