"""`tlsdoctor doctor [--ca PATH] [--json]`: audit the TLS settings already in place."""

from __future__ import annotations

import argparse
from pathlib import Path

from tlsdoctor.cli._options import add_json
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_OK
from tlsdoctor.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ca",
        metavar="PATH",
        help=_("the inspection CA to look for (default: the one 'tlsdoctor bundle' wrote)"),
    )
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.cli._options import require_file_names
    from tlsdoctor.core.doctor import audit
    from tlsdoctor.render import setup as render
    from tlsdoctor.render.console import console, print_json

    require_file_names(args, {"ca": "--ca"})
    ca = Path(args.ca).expanduser() if args.ca else None
    if ca is not None:
        from tlsdoctor.core.x509 import load_certificate_file

        load_certificate_file(str(ca))  # a folder, no file or no certificate: one line, exit 2
    findings = audit(ca=ca)
    if args.json:
        print_json(render.doctor_to_json(findings))
    else:
        render.print_doctor(console(), findings)
    return EXIT_FINDINGS if any(f.severity in ("error", "warning") for f in findings) else EXIT_OK
