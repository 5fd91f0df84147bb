"""`tlsdoctor env`: shell settings that point tools at the bundle, for this shell only.

eval "$(tlsdoctor env)"                      # bash, zsh
tlsdoctor env --shell fish | source          # fish
tlsdoctor env --shell powershell | Invoke-Expression
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tlsdoctor.errors import EXIT_OK, InputError
from tlsdoctor.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tlsdoctor.core.envvars import SHELLS

    parser.add_argument(
        "--shell",
        choices=SHELLS,
        default=None,
        help=_("shell syntax (default: from $SHELL, else bash; powershell on Windows)"),
    )
    parser.add_argument(
        "--bundle",
        metavar="PATH",
        help=_("the bundle to point at (default: the one 'tlsdoctor bundle' wrote)"),
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help=_("print which tools read each variable and whether it replaces or adds"),
    )


def default_shell(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    name = Path(env.get("SHELL", "")).name
    if name in ("bash", "zsh", "fish"):
        return name
    if sys.platform == "win32":
        return "powershell"
    return "bash"


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core import bundle, envvars
    from tlsdoctor.render.console import console

    if args.explain:
        from tlsdoctor.render.ca import render_explain

        render_explain(console(), envvars.explain_rows())
        return EXIT_OK
    bundle_path = Path(args.bundle) if args.bundle else bundle.default_bundle_path()
    bundle_path = bundle_path.expanduser().absolute()
    if not bundle_path.is_file():
        raise InputError(
            _("no bundle at {path}", path=str(bundle_path)),
            hint=_("build it first: tlsdoctor bundle --ca FILE (or tlsdoctor bundle --host HOST)"),
        )
    ca_path = bundle.ca_path_for(bundle_path)
    if not ca_path.is_file():
        raise InputError(
            _(
                "no CA-only file at {path} (NODE_EXTRA_CA_CERTS needs it): rebuild the bundle "
                "with 'tlsdoctor bundle'",
                path=str(ca_path),
            )
        )
    wgetrc = bundle.wgetrc_path_for(bundle_path)
    text = envvars.render_env(
        args.shell or default_shell(),
        bundle_path,
        ca_path,
        wgetrc_path=wgetrc if wgetrc.is_file() else None,
    )
    sys.stdout.write(text)
    for finding in bundle.check_bundle(bundle_path):
        if finding.severity == "error":  # still printed: the user decides; eval ignores stderr
            sys.stderr.write(_("warning: {text}", text=finding.message) + "\n")
    return EXIT_OK
