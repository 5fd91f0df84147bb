"""`tlsdoctor run -- CMD ARGS...`: run a command unchanged; when it fails, explain its TLS errors.

The command's stdout and stderr are passed through byte for byte as they arrive (no line
buffering added), its exit code is kept, and both streams are scanned on the way by the
explain matcher (one per stream, so interleaved chunks never mix lines).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import threading
from typing import IO, TYPE_CHECKING

from tlsdoctor.cli._options import (
    add_network,
    add_roots,
    network_from,
    probe_findings_with,
)
from tlsdoctor.errors import OutputError, UsageError
from tlsdoctor.i18n import _, os_reason

if TYPE_CHECKING:
    from tlsdoctor.core.explain import Finding, Matcher

EXIT_NOT_FOUND = 127
EXIT_NOT_EXECUTABLE = 126


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--probe",
        action="store_true",
        help=_(
            "when the command fails with TLS errors, connect to the hosts they name (or the "
            "command's own URLs) to confirm or correct the cause"
        ),
    )
    add_network(parser)
    add_roots(parser)
    parser.add_argument(
        "command",
        nargs=argparse.REMAINDER,
        metavar="-- CMD ARGS",
        help=_("the command to run, after --"),
    )


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core.explain import Matcher
    from tlsdoctor.core.explain.findings import note_switch_offs

    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise UsageError(
            _("no command given"), hint=_("example: tlsdoctor run -- pip install requests")
        )
    if args.probe:
        network_from(args)  # bad options (a --roots file too) are reported before the command runs
    matchers = (Matcher(), Matcher())
    matchers[1].note_text("$ " + shlex.join(command))
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except FileNotFoundError:
        sys.stderr.write(_("tlsdoctor: command not found: {command}", command=command[0]) + "\n")
        return EXIT_NOT_FOUND
    except PermissionError:
        sys.stderr.write(_("tlsdoctor: permission denied: {command}", command=command[0]) + "\n")
        return EXIT_NOT_EXECUTABLE
    except OSError as err:
        sys.stderr.write(
            _(
                "tlsdoctor: cannot run {command}: {error}",
                command=command[0],
                error=os_reason(err),
            )
            + "\n"
        )
        return EXIT_NOT_EXECUTABLE
    code, unwritable = _pump(process, matchers)
    findings = _merge(*(m.close(switch_off_notes=False) for m in matchers))
    insecure = matchers[1].insecure_attempts + matchers[0].insecure_attempts
    note_switch_offs(findings, insecure)
    if code != 0 and findings:
        if args.probe:
            _probe(args, findings, command)
        _explain(findings)
    elif insecure:
        _warn_insecure(insecure)
    if unwritable is not None:
        raise unwritable  # one line, exit 2, once the explanation is on stderr
    return code


def _pump(
    process: subprocess.Popen[bytes], matchers: tuple[Matcher, Matcher]
) -> tuple[int, OutputError | None]:
    """Copy the command's output until it ends; return its exit code (128+N for signal N) and
    the error of a stdout that could not be written (`>/dev/full`, `>&-`). The copy keeps
    draining after such an error, so the command never blocks on a full pipe."""
    assert process.stdout is not None and process.stderr is not None
    failures: tuple[list[OSError | OutputError], list[OSError | OutputError]] = ([], [])
    threads = [
        threading.Thread(
            target=_copy, args=(process.stdout, sys.stdout, matchers[0], failures[0]), daemon=True
        ),
        threading.Thread(
            target=_copy, args=(process.stderr, sys.stderr, matchers[1], failures[1]), daemon=True
        ),
    ]
    for thread in threads:
        thread.start()
    try:
        code = process.wait()
    except KeyboardInterrupt:
        code = process.wait()
    for thread in threads:
        thread.join()
    if code < 0:  # killed by a signal: report it the way a shell does
        code = 128 - code
    return code, _output_error(failures[0][0]) if failures[0] else None


def _copy(
    source: IO[bytes], target: IO[str], matcher: Matcher, failures: list[OSError | OutputError]
) -> None:
    """Pass `source` on to `target` and the matcher; after a failed write (other than a closed
    pipe) keep reading and scanning without writing, and leave the error in `failures`."""
    out = getattr(target, "buffer", None)
    fd = source.fileno()
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        if not failures:
            try:
                _write(out, target, data)
            except (BrokenPipeError, ValueError):
                # Our own output is gone (`run -- CMD | head`): stop reading, so the command
                # gets SIGPIPE / EPIPE on its next write and ends, as in the plain pipeline.
                source.close()
                return
            except (OSError, OutputError) as err:
                failures.append(err)
        matcher.feed(data)


def _write(out: IO[bytes] | None, target: IO[str], data: bytes) -> None:
    if out is not None:
        out.write(data)
        out.flush()
    else:
        target.write(data.decode("utf-8", "replace"))
        target.flush()


def _output_error(err: OSError | OutputError) -> OutputError:
    return err if isinstance(err, OutputError) else OutputError.from_os_error(err)


def _merge(*groups: list[Finding]) -> list[Finding]:
    merged: dict[tuple[str, str, str | None], Finding] = {}
    for group in groups:
        for finding in group:
            key = (finding.cause, finding.tool, finding.issuer)
            if key in merged:
                merged[key].count += finding.count
                merged[key].hosts.extend(h for h in finding.hosts if h not in merged[key].hosts)
            else:
                merged[key] = finding
    return list(merged.values())


def _probe(args: argparse.Namespace, findings: list[Finding], command: list[str]) -> None:
    """--probe, as explain does it; a finding whose output names no host takes the hosts of
    the command's own URL arguments."""
    from tlsdoctor.core.explain import hosts_in

    own = hosts_in([shlex.join(command)])
    for finding in findings:
        if not finding.hosts:
            finding.hosts = list(own)
    probe_findings_with(args, findings)


def _explain(findings: list[Finding]) -> None:
    from tlsdoctor.render.console import console
    from tlsdoctor.render.explain import render_findings

    out = console(stderr=True)
    out.print()
    out.print(_("tlsdoctor: the command failed with TLS errors:"), style="bold")
    render_findings(out, findings)


def _warn_insecure(insecure: list[str]) -> None:
    for what in insecure:
        sys.stderr.write(
            _(
                "tlsdoctor: warning: {what} switches certificate checks off; trust the "
                "inspection CA instead (tlsdoctor fix).",
                what=what,
            )
            + "\n"
        )
