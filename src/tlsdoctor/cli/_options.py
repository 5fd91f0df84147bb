"""Options shared by several commands, so they read the same everywhere."""

from __future__ import annotations

import argparse

from tlsdoctor.i18n import _


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("machine-readable JSON output"))


def add_network(parser: argparse.ArgumentParser) -> None:
    """--proxy / --no-proxy / --timeout / --deadline, as detect, show and ca export use them."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--proxy",
        metavar="URL",
        help=_(
            "HTTP CONNECT proxy (default: HTTPS_PROXY/https_proxy/ALL_PROXY, NO_PROXY honoured)"
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
