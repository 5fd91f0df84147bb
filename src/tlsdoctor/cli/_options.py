"""Options shared by several commands, so they read the same everywhere."""

from __future__ import annotations

import argparse
import math
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _

if TYPE_CHECKING:
    from tlsdoctor.core.explain import Finding


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("machine-readable JSON output"))


def add_jobs(parser: argparse.ArgumentParser, help_text: str) -> None:
    """-j/--jobs N: worker processes, 0 (default) for one per CPU (lint, explain --file)."""
    parser.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N", help=help_text)


def _jobs(text: str) -> int:
    if not text.strip().isascii() or not text.strip().isdigit():
        raise argparse.ArgumentTypeError(_("--jobs must be 0 or more"))
    return int(text)


def add_network(parser: argparse.ArgumentParser) -> None:
    """--proxy / --no-proxy / --timeout / --deadline, as detect, show and ca export use them."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--proxy",
        metavar="URL",
        help=_(
            "proxy to probe through: http://HOST:PORT (CONNECT), socks5h://HOST:PORT or "
            "socks5://HOST:PORT (default: https_proxy/HTTPS_PROXY, then all_proxy/ALL_PROXY, "
            "lower case first; NO_PROXY as curl and Python read it)"
        ),
    )
    group.add_argument(
        "--no-proxy", action="store_true", help=_("connect directly, ignoring proxy settings")
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help=_("timeout for each host (default: %(default)s)"),
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help=_("total time limit for all hosts (default: %(default)s)"),
    )


def add_roots(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--roots",
        metavar="PEMFILE",
        help=_("replace the reference public roots (default: certifi's Mozilla set)"),
    )


def add_lab(parser: argparse.ArgumentParser, help_text: str) -> None:
    """--lab [STATE_DIR]: take proxy, roots and hosts from the running loopback lab.

    With no value it reads the default lab (TLSDOCTOR_LAB_DIR, else the per-user state dir);
    write ``--lab=DIR`` or put host names before it, since a bare word after --lab is the DIR.
    """
    parser.add_argument(
        "--lab", nargs="?", const="", default=None, metavar="STATE_DIR", help=help_text
    )


def require_file_names(args: argparse.Namespace, options: dict[str, str]) -> None:
    """An option naming a file (``options``: dest -> how the user wrote it) may not be empty:
    ``--ca ""`` (an unset shell variable) is a usage error, not "no --ca" nor the folder ".".
    """
    for dest, option in options.items():
        value = getattr(args, dest, None)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                require_file_name_given(option, item)


def require_file_name_given(option: str, value: str) -> None:
    if not value.strip():
        raise UsageError(_("{option} needs a file name (it is empty)", option=option))


def is_positive_seconds(value: float) -> bool:
    """A usable time limit: not 0 or negative, and not nan or inf (float() reads both)."""
    return math.isfinite(value) and value > 0


def check_network_options(args: argparse.Namespace) -> None:
    """Reject bad --timeout/--deadline/--proxy values before any connection is made."""
    if not (is_positive_seconds(args.timeout) and is_positive_seconds(args.deadline)):
        raise UsageError(_("--timeout and --deadline must be positive numbers of seconds"))
    if getattr(args, "proxy", None) == "":  # an unset variable in a script: not "use the env"
        raise UsageError(_("--proxy needs a URL (it is empty); use --no-proxy to connect directly"))
    if getattr(args, "proxy", None):
        from tlsdoctor.core.probe import parse_proxy

        parse_proxy(args.proxy)


@dataclass(frozen=True)
class Network:
    """Where probes go and which roots count as public, after --proxy/--no-proxy/--roots/--lab."""

    proxy: str | None
    use_env_proxy: bool
    roots: str | None
    lab_hosts: tuple[str, ...] = ()
    lab_intercepted: tuple[str, ...] = ()


def network_from(args: argparse.Namespace) -> Network:
    """Validate the network options; with --lab, the lab's proxy and public root fill the gaps."""
    check_network_options(args)
    if getattr(args, "lab", None) is not None and args.no_proxy:
        raise UsageError(
            _("--no-proxy and --lab cannot be combined: --lab always goes through the lab's proxy")
        )
    require_file_names(args, {"roots": "--roots"})
    network = Network(args.proxy, not args.no_proxy, args.roots)
    if getattr(args, "lab", None) is not None:
        from tlsdoctor.lab.state import read_state

        _check_lab_folder(args.lab)
        state = read_state(args.lab or None)
        network = Network(
            proxy=network.proxy or state.authenticated_proxy_url,
            use_env_proxy=False,
            roots=network.roots or str(state.public_root),
            lab_hosts=tuple(state.hosts),
            lab_intercepted=tuple(state.intercepted),
        )
    if network.roots is not None:
        from tlsdoctor.core.trust import mozilla_roots

        mozilla_roots(network.roots)  # an unreadable --roots is a usage error before any probing
    return network


def _check_lab_folder(value: str) -> None:
    """A bare word after --lab is its STATE_DIR: a host name put there is a folder that does
    not exist, which should say so rather than 'no lab is running in ./HOST'."""
    looks_like_a_host = "/" not in value and os.sep not in value and ("." in value or ":" in value)
    if value and looks_like_a_host and not os.path.exists(value):
        raise UsageError(
            _(
                "--lab took {value!r} as the lab's state folder, and there is no such folder",
                value=value,
            ),
            hint=_("put host names before --lab, or write --lab=STATE_DIR"),
        )


def probe_findings_with(args: argparse.Namespace, findings: list[Finding]) -> None:
    """explain/run --probe: settle the findings with the detect engine and these options."""
    from tlsdoctor.core.explain import probe_findings

    probe_findings(
        findings,
        proxy=args.proxy,
        use_env_proxy=not args.no_proxy,
        roots_path=args.roots,
        timeout=args.timeout,
        deadline=args.deadline,
    )
