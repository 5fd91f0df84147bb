"""`tlsdoctor bundle`: public roots + inspection CA(s) in one canonical PEM bundle."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tlsdoctor.cli._options import add_json, add_roots
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_INCONCLUSIVE, EXIT_OK, InputError, UsageError
from tlsdoctor.i18n import _

if TYPE_CHECKING:
    from tlsdoctor.core.x509 import Certificate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ca",
        action="append",
        metavar="FILE",
        default=[],
        help=_("inspection CA file to add (repeatable; default: what 'ca export' finds)"),
    )
    parser.add_argument(
        "--out",
        metavar="PATH",
        help=_("where to write the bundle (default: bundle.pem in tlsdoctor's data folder)"),
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help=_(
            "check an existing bundle instead: certifi updated, CA rotated (with --ca or "
            "--host) or expired"
        ),
    )
    parser.add_argument(
        "--host",
        metavar="HOST[:PORT]",
        help=_(
            "without --ca: the host whose inspection CA to export (with --check: compare "
            "the bundle with the CA this host presents now)"
        ),
    )
    add_json(parser)
    add_roots(parser)


def _cas_from_files(files: list[str]) -> list[Certificate]:
    from tlsdoctor.core.x509 import load_certificate_file

    certs: list[Certificate] = []
    for path in files:
        certs.extend(load_certificate_file(path))
    return certs


class ExportFailed(InputError):
    """No CA could be exported: the same exit code as 'ca export' in the same case, so a script
    tells 'not found' (1) and 'nothing reachable / no intercepted host' (3) from bad input (2)."""

    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _cas_from_export(host: str | None, roots: str | None) -> list[Certificate]:
    import sys

    from tlsdoctor.core import caexport
    from tlsdoctor.core.probe import parse_target

    if host is None:
        sys.stderr.write(_("no --ca given: looking for an intercepted host first...") + "\n")
        host, verdict = caexport.first_intercepted_host(roots_path=roots)
        if host is None:
            raise ExportFailed(
                caexport.no_intercepted_host_message("bundle", verdict),
                exit_code=EXIT_INCONCLUSIVE,
            )
    target = parse_target(host)
    sys.stderr.write(_("exporting the inspection CA from {host}...", host=host) + "\n")
    result = caexport.export_from_host(target.host, target.port, roots_path=roots)
    if result.status != "found":
        message = result.ask_it.message() if result.ask_it else (result.error or result.status)
        raise ExportFailed(
            _("could not export a CA from {host}: {reason}", host=host, reason=message),
            exit_code=result.exit_code,
        )
    return list(result.roots)


def _reject_ignored_options(args: argparse.Namespace) -> None:
    """Options that would be silently ignored are a usage error instead."""
    if args.ca and args.host:
        raise UsageError(
            _(
                "--ca and --host cannot be combined: --ca names the CA, --host exports it "
                "from a host; give one of them"
            )
        )
    if args.check and args.roots and not args.host:
        raise UsageError(
            _(
                "--check reads the roots source from the bundle's header; --roots is only "
                "used with --check --host (for the export)"
            )
        )


def _check_out(out: str) -> None:
    """--out must name a file in a folder that exists (as for 'ca export --out'): a mistyped
    folder is an error, never created. Only the default data folder is created."""
    import os

    from tlsdoctor.cli.ca import folder_problem, require_file_name

    require_file_name(out)
    for target in dict.fromkeys((Path(out), Path(os.path.realpath(out)))):
        problem = folder_problem(target)
        if problem is not None:
            raise InputError(_("cannot write --out {path}: {reason}", path=out, reason=problem))


def _current_cas(args: argparse.Namespace) -> list[Certificate] | None:
    """For --check: the CA in use now, from --ca files or from what --host presents now."""
    if args.ca:
        return _cas_from_files(args.ca)
    if args.host:
        return _cas_from_export(args.host, args.roots)
    return None


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.cli._options import require_file_names
    from tlsdoctor.core import bundle
    from tlsdoctor.render.console import console, print_json

    require_file_names(args, {"ca": "--ca", "out": "--out", "roots": "--roots"})
    _reject_ignored_options(args)
    if args.check:
        path = args.out or str(bundle.default_bundle_path())
        findings = bundle.check_bundle(path, current_cas=_current_cas(args))
        if args.json:
            print_json({"path": path, "findings": [f.to_dict() for f in findings]})
        else:
            from tlsdoctor.render.ca import render_findings

            render_findings(console(), path, findings)
        return EXIT_FINDINGS if findings else EXIT_OK
    if args.out is not None:
        _check_out(args.out)
    cas = _cas_from_files(args.ca) if args.ca else _cas_from_export(args.host, args.roots)
    try:
        result = bundle.build_bundle(cas, roots_path=args.roots, out=args.out)
    except OSError as err:
        from tlsdoctor.cli.ca import cannot_write_message

        target = args.out or str(bundle.default_bundle_path())
        raise InputError(cannot_write_message(target, err)) from None
    if args.json:
        print_json(result.to_dict())
    else:
        from tlsdoctor.render.ca import render_bundle

        render_bundle(console(), result)
    return EXIT_OK
