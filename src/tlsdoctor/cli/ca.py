"""`tlsdoctor ca export|check`: find and export the inspection root CA; check a CA file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tlsdoctor.cli._options import (
    add_json,
    add_lab,
    add_network,
    add_roots,
    require_file_name_given,
    require_file_names,
)
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_INCONCLUSIVE, EXIT_OK, InputError, UsageError
from tlsdoctor.i18n import _, os_reason

if TYPE_CHECKING:
    from rich.console import Console

    from tlsdoctor.core.caexport import Candidate
    from tlsdoctor.core.x509 import Certificate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="ca_command", metavar="SUBCOMMAND", title=_("subcommands"))
    sub.required = True
    export = sub.add_parser(
        "export",
        help=_("find the inspection root CA and write it as PEM"),
        description=_(
            "Find the inspection root CA: from the presented chain, the OS trust store, "
            "inspection agents' files, or the AIA URL (plain HTTP, signature verified)."
        ),
    )
    export.add_argument(
        "--host",
        metavar="HOST[:PORT]",
        help=_("host whose chain to follow (default: the first intercepted host detect finds)"),
    )
    export.add_argument(
        "--out", metavar="FILE", help=_("write the PEM to FILE (default: standard output)")
    )
    export.add_argument(
        "--all",
        action="store_true",
        help=_("export every root the OS trusts that is not in the public set"),
    )
    add_lab(
        export, _("use the running loopback lab: its proxy, its public root and its first host")
    )
    add_json(export)
    add_network(export)
    add_roots(export)
    check = sub.add_parser(
        "check",
        help=_("check a CA file: what it is and which strict X.509 rules it breaks"),
        description=_(
            "Read a certificate file in any common format (PEM, DER, PKCS#7, PKCS#12 without "
            "password, UTF-16 exports) and report what it is and which clients reject it."
        ),
    )
    check.add_argument(
        "file", metavar="FILE", help=_("the certificate file ('-' reads standard input)")
    )
    add_json(check)


def run(args: argparse.Namespace) -> int:
    if args.ca_command == "check":
        return _run_check(args)
    return _run_export(args)


def _run_check(args: argparse.Namespace) -> int:
    from tlsdoctor.core.x509 import describe, strict_defects
    from tlsdoctor.render.console import console, print_json

    if not args.file.strip():
        raise UsageError(_("FILE is empty: give a certificate file, or '-' for standard input"))
    certs, has_key = _load_check_input(args.file)
    warnings = []
    if has_key:
        warnings.append(
            _(
                "this file also holds a private key: do not share or commit it; give tools a "
                "file with the certificate only"
            )
        )
    problems = has_key
    entries = []
    for cert in certs:
        info = describe(cert)
        defects = strict_defects(cert)
        problems = problems or info.expired or info.not_yet_valid or not info.is_ca
        problems = problems or any(d.severity == "error" for d in defects)
        entries.append({**info.to_dict(), "defects": [d.to_dict() for d in defects]})
    if args.json:
        report = {"file": args.file, "certificates": entries, "ok": not problems}
        print_json({**report, "private_key": has_key, "warnings": warnings})
    else:
        from tlsdoctor.render.ca import render_check

        source = _("standard input") if args.file == "-" else args.file
        render_check(console(), source, certs, warnings=warnings)
    return EXIT_FINDINGS if problems else EXIT_OK


def _load_check_input(path: str) -> tuple[list[Certificate], bool]:
    """(certificates, whether the input also holds a private key), from one read of the input."""
    from tlsdoctor.core.x509 import (
        MAX_INPUT_BYTES,
        holds_private_key,
        load_certificates,
        read_input_file,
    )

    if path == "-":
        source = _("standard input")
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        source, data = str(Path(path)), read_input_file(path)
    return load_certificates(data, source=source), holds_private_key(data)


def _network(args: argparse.Namespace) -> tuple[str | None, bool, str | None, str | None]:
    """(proxy, use_env_proxy, roots, lab host) after applying --lab.

    The lab host is its first intercepted host, else its first host (a lab started with
    --no-intercept: "not intercepted, nothing to export"), never detect's public defaults.
    """
    from tlsdoctor.cli._options import network_from

    network = network_from(args)
    lab_host = next(iter(network.lab_intercepted or network.lab_hosts), None)
    return network.proxy, network.use_env_proxy, network.roots, lab_host


def _write(out: str | None, pem: str) -> None:
    if out is None:
        sys.stdout.write(pem)
        sys.stdout.flush()
        return
    from tlsdoctor.core.changes import atomic_write

    target = _out_target(out)
    try:
        atomic_write(target, pem.encode("utf-8"))
    except OSError as err:
        raise InputError(cannot_write_message(out, err)) from None


def _out_target(out: str) -> Path:
    """The file to replace for --out: a symlink is followed, so the link stays and its target
    gets the PEM; folders are never created (a mistyped folder is an error, as for lint -o)."""
    import os

    require_file_name(out)
    target = Path(os.path.realpath(out))
    if target.exists() and not target.is_file():
        raise UsageError(
            _(
                "--out {path} is not a regular file; leave out --out to write to standard output",
                path=out,
            )
        )
    problem = folder_problem(target)
    if problem is not None:
        raise InputError(_("cannot write --out {path}: {reason}", path=out, reason=problem))
    from tlsdoctor.core.bundle import replace_problem

    problem = replace_problem(target)  # a mistyped --out ~/.bashrc is left alone
    if problem is not None:
        raise InputError(problem)
    return target


def require_file_name(out: str) -> None:
    """--out must name a file: not empty, not a folder (UsageError otherwise)."""
    require_file_name_given("--out", out)
    if Path(out).is_dir():
        raise UsageError(_("--out {path} is a directory; give a file name", path=out))


def folder_problem(target: Path) -> str | None:
    """Why the folder of ``target`` cannot hold it (a file on the way, or missing), or None."""
    folder = target.absolute().parent
    if folder.is_dir():
        return None
    return file_in_the_way(target) or _("the folder {folder} does not exist", folder=str(folder))


def file_in_the_way(target: Path) -> str | None:
    """'X is a file, not a folder' when a file stands where a folder of ``target`` should be."""
    for above in target.absolute().parents:
        if above.is_dir():
            return None
        if above.exists() or above.is_symlink():
            return _("{folder} is a file, not a folder", folder=str(above))
    return None


def cannot_write_message(out: str, err: OSError) -> str:
    """One line for an --out that cannot be written (missing folder, permission, read-only)."""
    return _(
        "cannot write --out {path}: {reason}",
        path=out,
        reason=file_in_the_way(Path(out)) or os_reason(err),
    )


def _run_export(args: argparse.Namespace) -> int:
    from tlsdoctor.core import caexport
    from tlsdoctor.core.x509 import to_pem
    from tlsdoctor.render.console import console, print_json

    _reject_ignored_options(args)
    require_file_names(args, {"roots": "--roots"})
    if args.out is not None:
        _out_target(args.out)  # a bad --out is refused before anything is probed
    proxy, use_env, roots, lab_host = _network(args)
    human = console(stderr=args.out is None and not args.json)
    if args.all:
        return _run_export_all(args, roots, human)
    host_text = args.host or lab_host
    if host_text is None:
        host_text, verdict = _first_intercepted_host(args, proxy, use_env, roots)
        if host_text is None:
            if args.json:
                print_json(_no_intercepted_host(verdict))
            return EXIT_INCONCLUSIVE
    from tlsdoctor.core.probe import parse_target

    target = parse_target(host_text)
    result = caexport.export_from_host(
        target.host,
        target.port,
        proxy=proxy,
        use_env_proxy=use_env,
        timeout=args.timeout,
        roots_path=roots,
    )
    if result.status == "found" and (args.out or not args.json):
        _write(args.out, to_pem(result.roots))
    if args.json:
        print_json(result.to_dict())
    else:
        from tlsdoctor.render.ca import render_export

        render_export(human, result, args.out)
    return result.exit_code


def _reject_ignored_options(args: argparse.Namespace) -> None:
    """Options that would be silently ignored are a usage error instead (as for bundle)."""
    if args.host == "":
        raise UsageError(_("--host needs HOST[:PORT] (it is empty)"))
    if args.all and (args.host or args.lab is not None or args.proxy or args.no_proxy):
        raise UsageError(
            _(
                "--all cannot be combined with --host, --lab, --proxy or --no-proxy: it reads "
                "this machine's trust store and connects nowhere"
            )
        )


def _run_export_all(args: argparse.Namespace, roots: str | None, human: Console) -> int:
    from tlsdoctor.core import caexport
    from tlsdoctor.core.x509 import describe, to_pem
    from tlsdoctor.render.console import print_json

    trusted = caexport.trusted_roots_outside_public(roots_path=roots)
    found = trusted.organisation
    if found and (args.out or not args.json):
        _write(args.out, to_pem([c.certificate for c in found]))
    if args.json:

        def entry(cand: Candidate, with_pem: bool) -> dict[str, object]:
            pem = {"pem": to_pem([cand.certificate])} if with_pem else {}
            return {**describe(cand.certificate).to_dict(), "source": cand.source, **pem}

        print_json(
            {
                "roots": [entry(c, True) for c in found],
                "other_public_roots": [entry(c, False) for c in trusted.other_public],
            }
        )
    else:
        from tlsdoctor.render.ca import render_all

        render_all(human, found, args.out, other_public=trusted.other_public)
    return EXIT_OK if found else EXIT_FINDINGS


def _first_intercepted_host(
    args: argparse.Namespace, proxy: str | None, use_env: bool, roots: str | None
) -> tuple[str | None, str]:
    """(the first intercepted host detect finds, detect's verdict); says so on stderr if none."""
    from tlsdoctor.core.caexport import first_intercepted_host, no_intercepted_host_message

    sys.stderr.write(_("no --host given: looking for an intercepted host first...") + "\n")
    host, verdict = first_intercepted_host(
        proxy=proxy,
        use_env_proxy=use_env,
        roots_path=roots,
        timeout=args.timeout,
        deadline=args.deadline,
    )
    if host is None:
        sys.stderr.write(no_intercepted_host_message("ca", verdict) + "\n")
    return host, verdict


def _no_intercepted_host(verdict: str) -> dict[str, object]:
    """--json when the search found nothing to follow: export's keys and detect's verdict."""
    from tlsdoctor.core.caexport import ExportResult, no_intercepted_host_message

    message = no_intercepted_host_message("ca", verdict)
    result = ExportResult(status="no-intercepted-host", error=message)
    return {**result.to_dict(), "port": None, "verdict": verdict}
