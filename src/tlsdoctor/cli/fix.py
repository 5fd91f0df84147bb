"""`tlsdoctor fix`: the guided path, from "what is going on" to "every client works".

detect -> export the inspection CA -> build the bundle -> show the setup plan -> apply it after
a confirmation (or --yes) -> check with the real clients -> say what was done and how to undo.

Without a terminal to ask on and without --yes nothing is applied (and the output says so).
The check after applying runs the clients with this environment plus the variables of the shell
profile block setup just wrote (sourced with bash), since this process cannot pick them up.
"""

from __future__ import annotations

import argparse
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tlsdoctor.cli._options import add_json, add_lab, add_roots, is_positive_seconds
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_INCONCLUSIVE, EXIT_OK, InputError, UsageError
from tlsdoctor.i18n import _, os_reason

if TYPE_CHECKING:
    from cryptography import x509
    from rich.console import Console

    from tlsdoctor.core.bundle import BundleResult
    from tlsdoctor.core.changes import ApplyResult, Plan
    from tlsdoctor.core.clients import ClientResult
    from tlsdoctor.core.detect import DetectReport

UNDO_COMMAND = "tlsdoctor undo --last"
CHECK_HOSTS = 4  # hosts of the detect run that the final check requests


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", "-y", action="store_true", help=_("apply the plan without asking"))
    parser.add_argument(
        "--host",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help=_("host to probe (repeatable; default: the detect list)"),
    )
    add_roots(parser)
    parser.add_argument(
        "--ca",
        metavar="PEMFILE",
        help=_("use this inspection CA instead of the one detect finds"),
    )
    network = parser.add_mutually_exclusive_group()
    network.add_argument(
        "--proxy",
        metavar="URL",
        help=_("HTTP CONNECT proxy for probes and clients (default: from the environment)"),
    )
    network.add_argument(
        "--no-proxy",
        action="store_true",
        help=_("connect directly: probes and clients ignore the proxy environment variables"),
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help=_("time limit for each probe and client request (default: %(default)s)"),
    )
    add_lab(parser, _("fix for the running lab: its proxy, its hosts and its public root"))
    parser.add_argument(
        "--clients",
        metavar="A,B,...",
        help=_("clients for the final check (default: every installed client)"),
    )
    add_json(parser)


@dataclass
class FixOutcome:
    """Everything fix did, for the JSON output and the final summary."""

    report: DetectReport | None = None
    cas: list[x509.Certificate] = field(default_factory=list)
    ca_source: str = ""
    bundle: BundleResult | None = None
    plan: Plan | None = None
    applied: bool = False
    not_applied_reason: str | None = None
    apply_result: ApplyResult | None = None
    check: list[ClientResult] = field(default_factory=list)
    check_urls: list[str] = field(default_factory=list)
    proxy: str | None = None

    def to_json(self) -> dict[str, Any]:
        from tlsdoctor.core.clients import redact_proxy
        from tlsdoctor.core.x509 import describe, sha256_fingerprint
        from tlsdoctor.render.check import check_json

        return {
            "detect": self.report.to_json() if self.report else None,
            "ca": {
                "source": self.ca_source,
                "certificates": [
                    {"subject": describe(c).subject, "sha256": sha256_fingerprint(c)}
                    for c in self.cas
                ],
            },
            "bundle": self.bundle.to_dict() if self.bundle else None,
            "plan": self.plan.to_json() if self.plan else None,
            "applied": self.applied,
            "not_applied_reason": self.not_applied_reason,
            "apply": self.apply_result.to_json() if self.apply_result else None,
            "check": (
                check_json(self.check, self.check_urls, redact_proxy(self.proxy), "setup")
                if self.applied
                else None
            ),
            "undo": UNDO_COMMAND if self.applied else None,
        }


# ------------------------------------------------------------------------------- steps


@dataclass
class Settings:
    hosts: list[str]
    proxy: str | None
    roots: str | None
    use_env_proxy: bool = True
    lab_public_root: str | None = None
    agent_files: list[str] = field(default_factory=list)
    ca_certs: list[Any] = field(default_factory=list)  # --ca's certificates, read once


def _check_arguments(args: argparse.Namespace) -> list[Any]:
    """Every argument checked before anything is probed or read from the lab; the
    certificates of --ca (read here once, so a file changed during the probes cannot matter)."""
    from tlsdoctor.cli._options import require_file_names
    from tlsdoctor.core.probe import parse_target

    if not is_positive_seconds(args.timeout):
        raise UsageError(_("--timeout must be a positive number of seconds"))
    require_file_names(args, {"ca": "--ca", "roots": "--roots"})
    for option, value in (("--ca", args.ca), ("--roots", args.roots)):
        if value:
            _require_readable(option, value)
    ca_certs = load_ca_file(args.ca) if args.ca else []  # not a certificate: exit 2 now
    for host in args.host:
        parse_target(host)
    if args.proxy:
        from tlsdoctor.core.probe import parse_proxy

        parse_proxy(args.proxy)  # a bad --proxy is a usage error before any probing
    return ca_certs


def _require_readable(option: str, value: str) -> None:
    """A file (or a pipe: ``--ca <(...)``) that exists; the OS's reason for anything else."""
    try:
        mode = Path(value).expanduser().stat().st_mode
    except FileNotFoundError:
        raise UsageError(_("{option} file not found: {path}", option=option, path=value)) from None
    except OSError as err:  # a symlink loop, a folder we may not enter
        raise UsageError(
            _("cannot read {path}: {reason}", path=value, reason=os_reason(err))
        ) from None
    if stat.S_ISDIR(mode):
        folder = IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        raise UsageError(_("cannot read {path}: {reason}", path=value, reason=os_reason(folder)))


def load_ca_file(ca_file: str) -> list[Any]:
    """The certificates of --ca; a file without one is a one-line error (exit 2)."""
    from tlsdoctor.core.x509 import load_certificate_file

    try:
        certs = list(load_certificate_file(ca_file))
    except OSError as err:
        raise UsageError(_("cannot read {path}", path=ca_file)) from err
    if not certs:
        raise InputError(_("no certificate found in {path}", path=ca_file))
    return certs


def settings_from(args: argparse.Namespace) -> Settings:
    ca_certs = _check_arguments(args)
    settings = Settings(
        hosts=list(args.host),
        proxy=args.proxy,
        roots=args.roots,
        use_env_proxy=not args.no_proxy,
        ca_certs=ca_certs,
    )
    if args.lab is not None:
        from tlsdoctor.lab.state import read_state

        state = read_state(args.lab or None)
        settings.proxy = settings.proxy or state.authenticated_proxy_url
        settings.hosts = settings.hosts or list(state.hosts)
        settings.lab_public_root = str(state.public_root)
        settings.agent_files = [str(state.inspection_ca)]
    return settings


def find_cas(
    report: DetectReport,
    ca_file: str | None,
    settings: Settings,
    roots: str | None,
) -> tuple[list[Any], str, str]:
    """The inspection root CA(s) to trust, and where they came from (for --json, and in words).

    --ca wins (its certificates as :func:`settings_from` read them); then the roots detect
    already holds (presented, or found in the OS store); then the CA export engine (OS store,
    agent files, the AIA issuer URL through the proxy).
    """
    if ca_file:
        return list(settings.ca_certs), ca_file, ca_file
    proxy, agent_files = settings.proxy, settings.agent_files
    found = [ca.certificate for ca in report.inspection_cas if ca.certificate is not None]
    if found and len(found) == len(report.inspection_cas):
        return found, "detect", _("the chain presented through the proxy, or the OS store")
    exported, sources, ask = export_roots(report, proxy, roots, agent_files)
    certs = _unique([*found, *exported])
    if certs:
        from tlsdoctor.i18n import join_list
        from tlsdoctor.render.ca import method_with_source

        if not sources:
            return certs, "detect", _("the OS store")
        codes = ", ".join(f"{method}: {source}" for method, source in sources)
        return certs, codes, join_list(method_with_source(m, s) for m, s in sources)
    raise InputError(
        _("the inspection root CA was not presented, is not in the OS store and has no issuer URL"),
        hint=ask or _("get the root CA from IT, then run: tlsdoctor fix --ca FILE"),
    )


def export_roots(
    report: DetectReport, proxy: str | None, roots: str | None, agent_files: Sequence[str] = ()
) -> tuple[list[Any], list[tuple[str, str]], str | None]:
    """(roots, (method, source) each came from, what to ask IT) for each CA detect could not
    hold.

    ``agent_files`` are extra PEM files to look in, like the files inspection agents leave
    (the lab's CA file plays that part with --lab); a file only counts when its key verifies
    the chain, as for every other source.
    """
    from tlsdoctor.core.caexport import Candidate, agent_candidates, find_root, os_candidates
    from tlsdoctor.core.trust import mozilla_roots
    from tlsdoctor.core.x509 import load_certificate_file

    public = mozilla_roots(roots).certificates
    candidates = [*os_candidates(), *agent_candidates()]
    for path in agent_files:
        candidates.extend(
            Candidate(cert, "agent-file", path) for cert in load_certificate_file(path)
        )
    certs: list[Any] = []
    sources: list[tuple[str, str]] = []
    ask: str | None = None
    for ca in report.inspection_cas:
        if ca.certificate is not None:
            continue
        evidence = next(
            (h for h in report.hosts if h.label in ca.hosts or h.host in ca.hosts), None
        )
        if evidence is None or not evidence.chain:
            continue
        result = find_root(evidence.chain, public=public, candidates=candidates, proxy=proxy)
        if result.status == "found":
            certs.extend(result.roots)
            sources.append((result.method or "", result.source or ""))
        elif result.ask_it is not None:
            ask = result.ask_it.message()
    return certs, sources, ask


def _unique(certs: Sequence[Any]) -> list[Any]:
    from tlsdoctor.core.x509 import sha256_fingerprint

    seen: set[str] = set()
    out: list[Any] = []
    for cert in certs:
        fp = sha256_fingerprint(cert)
        if fp not in seen:
            seen.add(fp)
            out.append(cert)
    return out


def lab_roots_file(public_root: str, folder: Path) -> str:
    """certifi's roots plus the lab's public root, which stands in for a Mozilla root."""
    import certifi

    combined = folder / "roots-with-lab.pem"
    data = Path(certifi.where()).read_bytes().rstrip(b"\n") + b"\n"
    combined.write_bytes(data + Path(public_root).read_bytes())
    return str(combined)


def environment_after(plan: Plan, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` plus what the sh-style profile block of ``plan`` exports (sourced with bash)."""
    from tlsdoctor.cli.check import sourced_environment
    from tlsdoctor.core.tools.shell import BEGIN, END

    for change in plan.changes:
        if change.tool != "shell" or change.new is None:
            continue
        if change.path.name not in (".bashrc", ".zshrc", ".profile", ".bash_profile"):
            continue
        text = change.new.decode("utf-8", errors="replace")
        start, end = text.find(BEGIN), text.find(END)
        if start == -1 or end == -1:
            continue
        with tempfile.TemporaryDirectory(prefix="tlsdoctor-fix-") as folder:
            block = Path(folder) / "block.sh"
            block.write_text(text[start : end + len(END)] + "\n", encoding="utf-8")
            return sourced_environment(str(block), base)
    return dict(base)


def check_urls(report: DetectReport, hosts: Sequence[str]) -> list[str]:
    """Inspected hosts first, then clean (bypassed) ones: both must work after the fix."""
    if hosts:
        return [f"https://{h}/" for h in hosts]
    ordered = sorted(
        (h for h in report.hosts if h.status in ("intercepted", "clean")),
        key=lambda h: h.status != "intercepted",
    )
    return [f"https://{h.label}/" for h in ordered[:CHECK_HOSTS]]


def confirm(out: Console) -> bool:
    try:
        answer = input(_("Apply these changes? [y/N] "))
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "はい")


# ------------------------------------------------------------------------------- run


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.render.console import console, print_json

    out = console(stderr=args.json)
    outcome = FixOutcome()
    code = _run_steps(args, outcome, out)
    if args.json:
        print_json(outcome.to_json())
    return code


def _run_steps(args: argparse.Namespace, outcome: FixOutcome, out: Console) -> int:
    settings = settings_from(args)
    outcome.proxy = settings.proxy
    with tempfile.TemporaryDirectory(prefix="tlsdoctor-fix-") as scratch:
        roots = _roots_path(settings, Path(scratch))
        report = _detect_step(args, settings, roots, outcome, out)
        early_exit = _nothing_to_fix(args, report, out)
        if early_exit is not None:
            return early_exit
        _ca_step(args, settings, report, roots, outcome, out)
        bundle = _bundle_step(roots, outcome, out)
    plan = _plan_step(bundle, outcome, out)
    if not _apply_step(args, plan, outcome, out):
        return EXIT_FINDINGS
    return _check_step(args, settings, report, plan, outcome, out)


def _roots_path(settings: Settings, scratch: Path) -> str | None:
    if settings.roots is None and settings.lab_public_root:
        return lab_roots_file(settings.lab_public_root, scratch)
    return settings.roots


def _detect_step(
    args: argparse.Namespace,
    settings: Settings,
    roots: str | None,
    outcome: FixOutcome,
    out: Console,
) -> DetectReport:
    from tlsdoctor.core.detect import detect
    from tlsdoctor.core.probe import parse_target
    from tlsdoctor.render import check as show

    show.step(out, 1, _("Detecting TLS inspection"))
    targets = [parse_target(h) for h in settings.hosts] or None
    report = detect(
        targets,
        proxy=settings.proxy,
        use_env_proxy=settings.use_env_proxy,
        roots_path=roots,
        timeout=min(args.timeout, 10.0),
        deadline=max(args.timeout * 2, 20.0),
    )
    outcome.report = report
    show.detect_summary(out, report)
    return report


def _nothing_to_fix(args: argparse.Namespace, report: DetectReport, out: Console) -> int | None:
    """The exit code when detect leaves nothing to do (unless --ca asks to go on anyway)."""
    from tlsdoctor.render import check as show

    if report.verdict == "clean" and not args.ca:
        show.line(out, _("No TLS inspection found: nothing to fix."))
        return EXIT_OK
    if report.verdict == "inconclusive" and not args.ca:
        show.line(out, _("No host could be reached: cannot tell what to fix."))
        return EXIT_INCONCLUSIVE
    return None


def _ca_step(
    args: argparse.Namespace,
    settings: Settings,
    report: DetectReport,
    roots: str | None,
    outcome: FixOutcome,
    out: Console,
) -> None:
    from tlsdoctor.render import check as show

    show.step(out, 2, _("Finding the inspection CA"))
    outcome.cas, outcome.ca_source, shown_source = find_cas(report, args.ca, settings, roots)
    show.cas(out, outcome.cas, shown_source)
    if settings.lab_public_root:
        # No need to add it here: the bundle's CA-only file takes every root of the roots file
        # that is not Mozilla's, and the lab's public root is one.
        show.line(
            out,
            _(
                "lab: the lab's public root is added to the CA-only file too, standing in "
                "for the public roots that Node and Java have built in"
            ),
            "dim",
        )


def _bundle_step(roots: str | None, outcome: FixOutcome, out: Console) -> BundleResult:
    from tlsdoctor.core.bundle import prepare_bundle
    from tlsdoctor.render import check as show

    show.step(out, 3, _("Building the bundle (public roots + inspection CA)"))
    bundle = prepare_bundle(outcome.cas, roots_path=roots)  # written with the plan, if agreed
    outcome.bundle = bundle
    show.bundle(out, bundle)
    return bundle


def _plan_step(bundle: BundleResult, outcome: FixOutcome, out: Console) -> Plan:
    from tlsdoctor.core.tools import plan_setup
    from tlsdoctor.render import check as show

    show.step(out, 4, _("Planning the per-tool settings"))
    plan = plan_setup(None, bundle.path, bundle.ca_path, environ=os.environ, pending=bundle.files)
    outcome.plan = plan
    show.plan(out, plan)
    if plan.is_empty():
        show.line(out, _("Every tool is already set up: nothing to change."))
    return plan


def _apply_step(args: argparse.Namespace, plan: Plan, outcome: FixOutcome, out: Console) -> bool:
    """False when the plan stays unapplied (no terminal to ask on, or not confirmed)."""
    from tlsdoctor.render import check as show

    show.step(out, 5, _("Applying"))
    if plan.is_empty():
        outcome.applied = True
        return True
    if not _may_apply(args, outcome, out):
        show.line(out, outcome.not_applied_reason or "")
        return False
    from tlsdoctor.cli._journal import journal_errors
    from tlsdoctor.core.changes import Journal, apply

    with journal_errors():
        outcome.apply_result = apply(plan, Journal())
    outcome.applied = True
    show.applied(out, outcome.apply_result)
    return True


def _check_step(
    args: argparse.Namespace,
    settings: Settings,
    report: DetectReport,
    plan: Plan,
    outcome: FixOutcome,
    out: Console,
) -> int:
    from tlsdoctor.cli.check import execute, parse_clients
    from tlsdoctor.core.clients import redact_proxy
    from tlsdoctor.render import check as show

    show.step(out, 6, _("Checking with the real clients"))
    env = _client_environment(settings, plan)
    outcome.check_urls = check_urls(report, settings.hosts)
    outcome.check = execute(
        outcome.check_urls,
        parse_clients(args.clients),
        env=env,
        proxy=settings.proxy,
        timeout=args.timeout,
    )
    show.check(out, outcome.check, outcome.check_urls, redact_proxy(settings.proxy))
    show.done(out, outcome, UNDO_COMMAND)
    return EXIT_OK if _all_ok(outcome) else EXIT_FINDINGS


def _client_environment(settings: Settings, plan: Plan) -> dict[str, str]:
    from tlsdoctor.cli.check import without_proxy

    env = environment_after(plan, os.environ)
    if not settings.use_env_proxy:
        env = without_proxy(env)  # clients go direct (or through --lab's proxy) as the probes did
    return env


def _all_ok(outcome: FixOutcome) -> bool:
    return all(r.ok for r in outcome.check) and (
        outcome.apply_result is None or outcome.apply_result.ok
    )


def _may_apply(args: argparse.Namespace, outcome: FixOutcome, out: Console) -> bool:
    if args.yes:
        return True
    if args.json:
        outcome.not_applied_reason = _(
            "No tool setting was changed: --json does not ask for confirmation. "
            "Run again with --yes to apply this plan."
        )
        return False
    if not sys.stdin.isatty():
        outcome.not_applied_reason = _(
            "No tool setting was changed: there is no terminal to ask for confirmation. "
            "Run again with --yes to apply this plan."
        )
        return False
    if confirm(out):
        return True
    outcome.not_applied_reason = _("No tool setting was changed (not confirmed).")
    return False
