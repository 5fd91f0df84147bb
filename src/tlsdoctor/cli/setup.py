"""`tlsdoctor setup [TOOL...] [--apply] [--system] [--bundle PATH] [--ca PATH] [--json]`.

Without --apply it prints the plan: every file and setting it would change, old and new value.
With --apply the journaled writer makes those changes; `tlsdoctor undo` reverts them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tlsdoctor.cli._journal import journal_errors
from tlsdoctor.cli._options import add_json
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_OK
from tlsdoctor.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "tools",
        nargs="*",
        metavar="TOOL",
        help=_(
            "tools to set up (default: every supported tool found here): pip uv poetry conda "
            "npm pnpm yarn node git curl wget cargo composer aws gcloud java docker[:REGISTRY] "
            "shell bash zsh fish powershell"
        ),
    )
    parser.add_argument(
        "--apply", action="store_true", help=_("make the changes (default: only show the plan)")
    )
    parser.add_argument(
        "--system",
        action="store_true",
        help=_("also add the CA to the OS trust store (affects every program; needs admin)"),
    )
    parser.add_argument(
        "--bundle",
        metavar="PATH",
        help=_(
            "full bundle for replace-style settings (default: the one 'tlsdoctor bundle' wrote)"
        ),
    )
    parser.add_argument(
        "--ca",
        metavar="PATH",
        help=_(
            "CA-only file for add-style settings (default: inspection-ca.pem beside the bundle)"
        ),
    )
    add_json(parser)


def resolve_files(bundle: str | None, ca: str | None) -> tuple[Path, Path]:
    from tlsdoctor import paths

    bundle_path = Path(bundle).expanduser() if bundle else paths.data_dir() / "bundle.pem"
    ca_path = Path(ca).expanduser() if ca else bundle_path.parent / "inspection-ca.pem"
    return bundle_path.absolute(), ca_path.absolute()


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.cli._options import require_file_names
    from tlsdoctor.core import changes
    from tlsdoctor.core.tools import plan_setup
    from tlsdoctor.render import setup as render
    from tlsdoctor.render.console import console, print_json

    require_file_names(args, {"bundle": "--bundle", "ca": "--ca"})
    bundle, ca = resolve_files(args.bundle, args.ca)
    plan = plan_setup(args.tools or None, bundle, ca, system=args.system)
    if not args.apply:
        if args.json:
            print_json(render.plan_to_json(plan, bundle=bundle, ca=ca, applied=False))
        else:
            render.print_plan(console(), plan, applying=False)
        return EXIT_OK
    if not args.json:
        render.print_plan(console(), plan, applying=True)
        sys.stdout.flush()
    with journal_errors():
        result = changes.apply(plan, changes.Journal())
    if args.json:
        data = render.plan_to_json(plan, bundle=bundle, ca=ca, applied=True)
        data["result"] = render.apply_to_json(result)
        print_json(data)
    else:
        render.print_apply(console(), result)
    return EXIT_OK if result.ok else EXIT_FINDINGS
