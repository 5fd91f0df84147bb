"""`tlsdoctor check [URL...]`: run the real clients found here and show which ones work.

The clients run with the current environment and config files (that is what is checked), with
verification on. ``--source FILE`` runs them with the environment a shell has after sourcing FILE
(for example the profile block `setup` wrote) without touching this shell.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

from tlsdoctor.cli._options import add_json, add_lab, is_positive_seconds
from tlsdoctor.errors import EXIT_FINDINGS, EXIT_INCONCLUSIVE, EXIT_OK, UsageError
from tlsdoctor.i18n import _, os_reason

if TYPE_CHECKING:
    from tlsdoctor.core.clients import ClientResult, ClientSpec

# Used when no URL is given and the detect engine's list is not available.
FALLBACK_HOSTS = ("www.google.com", "github.com", "www.wikipedia.org")
DEFAULT_HOST_COUNT = 3
SOURCE_SNIFF_SIZE = 8192  # bytes of a --source file looked at for binary data


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "urls",
        nargs="*",
        metavar="URL",
        help=_("HTTPS URL or host to request (default: a few hosts from the detect list)"),
    )
    parser.add_argument(
        "--clients",
        metavar="A,B,...",
        help=_("only these clients (see --list); default: every installed client"),
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help=_("time limit for each client request (default: %(default)s)"),
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--proxy",
        metavar="URL",
        help=_("send every client through this HTTP CONNECT proxy (default: from the environment)"),
    )
    group.add_argument(
        "--no-proxy",
        action="store_true",
        help=_("remove proxy variables from the clients' environment"),
    )
    add_lab(parser, _("check the running lab's intercepted and bypassed sites through its proxy"))
    parser.add_argument(
        "--source",
        metavar="FILE",
        help=_(
            "run the clients with the environment after sourcing FILE in bash "
            "(for example the shell profile setup wrote)"
        ),
    )
    parser.add_argument(
        "--list",
        action="store_true",
        help=_("list the known clients and whether they are installed"),
    )
    parser.add_argument(
        "--verbose", action="store_true", help=_("show versions and the client output of every row")
    )
    add_json(parser)


@contextmanager
def progress(message: str) -> Iterator[None]:
    """A transient spinner on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    from tlsdoctor.render.console import console

    with console(stderr=True).status(message):
        yield


def parse_clients(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise UsageError(_("--clients needs at least one client name"))
    return names


def default_urls() -> list[str]:
    """A few hosts from detect's list (unrelated public sites)."""
    try:
        from tlsdoctor.core.detect import DEFAULT_HOSTS

        hosts = list(DEFAULT_HOSTS) or list(FALLBACK_HOSTS)
    except ImportError:  # pragma: no cover - detect is part of the package
        hosts = list(FALLBACK_HOSTS)
    return [f"https://{h}/" for h in hosts[:DEFAULT_HOST_COUNT]]


def sourced_environment(path: str, base: Mapping[str, str]) -> dict[str, str]:
    """The environment bash has after sourcing ``path`` (the file's own output is discarded)."""
    if not os.path.lexists(path):
        raise UsageError(_("{option} file not found: {path}", option="--source", path=path))
    if not os.path.isfile(path):
        raise UsageError(_("cannot read {path}", path=path))
    refuse_unsourceable(path)
    bash = shutil.which("bash", path=base.get("PATH"))
    if bash is None:
        raise UsageError(_("--source needs bash on PATH"))
    script = '. "$1" >/dev/null 2>&1 </dev/null; status=$?; env -0; exit $status'
    try:
        done = subprocess.run(
            [bash, "--noprofile", "--norc", "-c", script, "tlsdoctor", path],
            env=dict(base),
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as err:
        reason = os_reason(err) if isinstance(err, OSError) else str(err)
        raise UsageError(_("cannot source {path}: {error}", path=path, error=reason)) from err
    env: dict[str, str] = {}
    for item in done.stdout.split(b"\0"):
        key, sep, value = item.decode("utf-8", errors="replace").partition("=")
        if sep and key:
            env[key] = value
    if not env:
        raise UsageError(_("cannot source {path}: {error}", path=path, error=done.returncode))
    return env


def refuse_unsourceable(path: str) -> None:
    """Refuse a file bash cannot source as a script: unreadable, UTF-16 text or binary data.

    bash would fail on it, check would go on with this shell's environment and the user would
    read the result as the profile's.
    """
    from tlsdoctor.core.utf16 import utf16_codec

    try:
        with open(path, "rb") as file:
            head = file.read(SOURCE_SNIFF_SIZE)
    except OSError as err:
        raise UsageError(
            _("cannot source {path}: {error}", path=path, error=os_reason(err))
        ) from err
    if utf16_codec(head):
        raise UsageError(
            _(
                "cannot source {path}: it is UTF-16 text, which bash cannot read "
                "(save it as UTF-8)",
                path=path,
            )
        )
    if b"\0" in head:
        raise UsageError(
            _("cannot source {path}: it is binary data, not a shell script of settings", path=path)
        )


def without_proxy(env: Mapping[str, str]) -> dict[str, str]:
    from tlsdoctor.core.clients import PROXY_ENV_VARS

    return {k: v for k, v in env.items() if k not in PROXY_ENV_VARS}


def profile_not_loaded(env: Mapping[str, str]) -> dict[str, object] | None:
    """tlsdoctor's profile block whose variables this environment lacks (setup ran, but this
    shell was started before it): {"profile": path, "missing": [names]}, or None."""
    from pathlib import Path

    from tlsdoctor.core.changes import read_text
    from tlsdoctor.core.tools import shell
    from tlsdoctor.core.tools._base import Context

    ctx = Context(environ=env, bundle=Path(), ca=Path())
    for name in shell.SHELLS:
        path = shell.profile_path(ctx, name)
        text = read_text(path)  # a FIFO is never opened for a blocking read
        if text is None:
            continue
        missing = [
            var
            for var, value in shell.block_variables(text).items()
            if not (value in env.get(var, "") if var in shell.APPENDED else env.get(var) == value)
        ]
        if missing:
            return {"profile": str(path), "missing": missing}
    return None


def settle_ambiguous(results: list[ClientResult], *, proxy: str | None, timeout: float) -> None:
    """Probe the hosts of failures whose message alone is ambiguous (Node's
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: a server without its intermediate, or a leaf-only inspection
    proxy) with explain's probe engine, through the proxy the clients used; in place."""
    import urllib.parse

    ambiguous = [
        r
        for r in results
        if r.status == "tls-error" and r.finding is not None and r.finding.ambiguous
    ]
    if not ambiguous:
        return
    from tlsdoctor.core.explain import probe_findings

    for result in ambiguous:
        if not result.finding.hosts:
            parts = urllib.parse.urlsplit(result.url)
            result.finding.hosts = [(parts.hostname or "", parts.port or 443)]
    with progress(_("Probing the hosts of ambiguous failures...")):
        probe_findings(
            [r.finding for r in ambiguous],
            proxy=proxy,
            use_env_proxy=False,
            timeout=min(timeout, 10.0),
            deadline=max(timeout, 20.0),
        )


def lab_targets(directory: str) -> tuple[list[str], str]:
    """(intercepted + bypassed site URLs, proxy URL) of the running lab."""
    from tlsdoctor.lab.state import read_state

    state = read_state(directory or None)
    return [state.url(name) for name in state.hosts], state.authenticated_proxy_url


def execute(
    urls: list[str],
    clients: list[str] | None,
    *,
    env: Mapping[str, str],
    proxy: str | None,
    timeout: float,
) -> list[ClientResult]:
    """run_checks with user errors turned into UsageError."""
    from tlsdoctor.core.clients import UnknownClientError, run_checks

    try:
        return run_checks(urls, clients, env=env, proxy=proxy, timeout=timeout)
    except UnknownClientError as err:
        raise UsageError(
            _("unknown client: {names}", names=", ".join(err.names)),
            hint=_("known clients: {names}", names=", ".join(err.known)),
        ) from err
    except ValueError as err:
        raise UsageError(
            _("not an HTTPS URL: {url}", url=str(err)),
            hint=_("give a host name or an https:// URL"),
        ) from err


def validate_arguments(args: argparse.Namespace) -> None:
    """Reject bad URLs, --proxy and --clients before any client runs (no name is looked up)."""
    from tlsdoctor.core.clients import normalize_url, validate_proxy

    for url in args.urls:
        try:
            normalize_url(url)
        except ValueError:
            raise UsageError(
                _("not an HTTPS URL: {url}", url=url),
                hint=_("give a host name or an https:// URL"),
            ) from None
    if args.proxy:
        try:
            validate_proxy(args.proxy)
        except ValueError:
            raise UsageError(
                _("not a proxy URL: {url}", url=args.proxy),
                hint=_("give it as http://HOST:PORT"),
            ) from None
    clients = parse_clients(args.clients)
    if clients:
        from tlsdoctor.core.clients import client_specs

        known = [spec.id for spec in client_specs()]
        unknown = [name for name in clients if name not in known]
        if unknown:
            raise UsageError(
                _("unknown client: {names}", names=", ".join(unknown)),
                hint=_("known clients: {names}", names=", ".join(known)),
            )


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.core.clients import (
        available_clients,
        client_specs,
        effective_proxy,
        redact_proxy,
    )
    from tlsdoctor.render.console import console, print_json

    if not is_positive_seconds(args.timeout):
        raise UsageError(_("--timeout must be a positive number of seconds"))
    validate_arguments(args)
    from tlsdoctor.cli._options import require_file_names

    require_file_names(args, {"source": "--source"})
    env: dict[str, str] = dict(os.environ)
    if args.source:
        env = sourced_environment(args.source, env)
    if args.list:
        return _list(client_specs(), available_clients(env), args.json)
    clients = parse_clients(args.clients)
    urls = list(args.urls)
    proxy: str | None = args.proxy
    if args.lab is not None:
        lab_urls, lab_proxy = lab_targets(args.lab)
        urls = urls or lab_urls
        proxy = proxy or lab_proxy
    if args.no_proxy:
        env = without_proxy(env)
    urls = urls or default_urls()
    not_loaded = None if args.source else profile_not_loaded(env)
    with progress(_("Running clients...")):
        results = execute(urls, clients, env=env, proxy=proxy, timeout=args.timeout)
    settle_ambiguous(results, proxy=effective_proxy(env, proxy), timeout=args.timeout)
    shown_proxy = redact_proxy(effective_proxy(env, proxy))
    from tlsdoctor.core.clients import normalize_url
    from tlsdoctor.render.check import check_json, render_check

    shown_urls = [normalize_url(u) for u in urls]
    if args.json:
        print_json(check_json(results, shown_urls, shown_proxy, args.source, profile=not_loaded))
    else:
        render_check(
            results,
            shown_urls,
            shown_proxy,
            console(),
            verbose=args.verbose,
            profile_not_loaded=not_loaded,
        )
    if all(r.status == "missing" for r in results):  # also no rows: no client could run
        return EXIT_INCONCLUSIVE
    return EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS


def _list(specs: list[ClientSpec], installed: list[str], as_json: bool) -> int:
    from tlsdoctor.i18n import localized
    from tlsdoctor.render.console import console, print_json

    rows = [
        {
            "client": s.id,
            "installed": s.id in installed,
            "tls_library": localized(
                {"tls_library": s.tls_library, "tls_library_ja": s.tls_library_ja}, "tls_library"
            ),
        }
        for s in specs
    ]
    if as_json:
        print_json({"clients": rows})
        return EXIT_OK
    from rich.cells import cell_len, set_cell_size
    from rich.text import Text

    out = console()
    marks = [_("installed") if row["installed"] else _("not installed") for row in rows]
    # padded by display width: a Japanese character takes two columns
    width = max(14, *(cell_len(mark) for mark in marks))
    for row, mark in zip(rows, marks, strict=True):
        out.print(Text(f"{row['client']:<12} {set_cell_size(mark, width)} {row['tls_library']}"))
    return EXIT_OK
