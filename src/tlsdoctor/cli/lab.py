"""`tlsdoctor lab start|stop|status`: TLS inspection reproduced on loopback with mitmproxy."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

from tlsdoctor.cli._options import add_json
from tlsdoctor.errors import EXIT_OK, UsageError
from tlsdoctor.i18n import _, join_list

ACTIONS = ("start", "stop", "status")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=ACTIONS, metavar="{start,stop,status}", help=_("what to do")
    )
    parser.add_argument(
        "--state-dir",
        metavar="DIR",
        help=_("where the lab keeps its state (default: TLSDOCTOR_LAB_DIR or the state dir)"),
    )
    add_json(parser)
    group = parser.add_argument_group(_("start options"))
    _add_ca_options(group)
    _add_traffic_options(group)
    _add_benchmark_options(group)


def _add_ca_options(group: argparse._ArgumentGroup) -> None:
    """How the inspection CA is named and which chain the proxy sends."""
    group.add_argument(
        "--vendor",
        metavar="NAME",
        help=_(
            "name the inspection CA as this product does: "
            "mitmproxy (default), zscaler, netskope, fortigate, umbrella, paloalto"
        ),
    )
    group.add_argument(
        "--ca-name", metavar="DN", help=_('custom CA subject, e.g. "CN=Acme Inspection CA,O=Acme"')
    )
    group.add_argument(
        "--ca-chain",
        action="store_true",
        help=_("the proxy sends leaf + inspection intermediate + root"),
    )
    group.add_argument(
        "--ca-intermediate-only",
        action="store_true",
        help=_("the proxy sends leaf + intermediate; the intermediate has an AIA URL to the root"),
    )
    group.add_argument(
        "--ca-noncompliant",
        action="store_true",
        help=_("inspection CA without critical basicConstraints and SKI/AKI (strict clients fail)"),
    )


def _add_traffic_options(group: argparse._ArgumentGroup) -> None:
    """What the proxy intercepts and whom it lets through."""
    group.add_argument(
        "--bypass",
        nargs="+",
        default=[],
        metavar="HOST",
        help=_("pass these lab sites through untouched (a no-decrypt list)"),
    )
    group.add_argument(
        "--no-intercept",
        action="store_true",
        help=_("pass everything through: a clean path through the same proxy"),
    )
    group.add_argument(
        "--proxy-auth",
        metavar="USER:PASS",
        help=_("the proxy requires these credentials (407 without them)"),
    )
    group.add_argument(
        "--socks5",
        action="store_true",
        help=_(
            "also listen as a SOCKS5 proxy (socks5h://127.0.0.1:PORT) that intercepts the same way"
        ),
    )


def _add_benchmark_options(group: argparse._ArgumentGroup) -> None:
    """The lab's speed and size, as the benchmarks tune them."""
    group.add_argument(
        "--handshake-delay-ms",
        type=int,
        default=0,
        metavar="N",
        help=_("delay each intercepted TLS handshake by N milliseconds"),
    )
    group.add_argument(
        "--ca-key",
        choices=("rsa", "ec"),
        help=_(
            "key type of the inspection CA: rsa (2048, as products use; default) or ec "
            "(P-256: cheaper handshakes, for benchmarks)"
        ),
    )
    group.add_argument(
        "--lazy-upstream",
        action="store_true",
        help=_(
            "answer CONNECT and mint the leaf from the SNI before reaching the site "
            "(the site is still verified once data flows; for benchmarks)"
        ),
    )
    group.add_argument(
        "--sites",
        type=int,
        default=0,
        metavar="N",
        help=_("add N more intercepted sites (site01.test, ...)"),
    )


_START_ONLY: tuple[tuple[str, Any], ...] = (
    ("vendor", None),
    ("ca_name", None),
    ("ca_chain", False),
    ("ca_intermediate_only", False),
    ("ca_noncompliant", False),
    ("bypass", []),
    ("no_intercept", False),
    ("proxy_auth", None),
    ("handshake_delay_ms", 0),
    ("sites", 0),
    ("ca_key", None),
    ("lazy_upstream", False),
    ("socks5", False),
)


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.lab.state import resolve_state_dir

    if args.state_dir is not None and not args.state_dir.strip():
        raise UsageError(_("--state-dir needs a folder name (it is empty)"))
    state_dir = resolve_state_dir(args.state_dir)
    if args.action != "start":
        given = [name for name, default in _START_ONLY if getattr(args, name) != default]
        if given:
            option = "--" + given[0].replace("_", "-")
            raise UsageError(
                _("{option} only applies to 'lab start'", option=option),
            )
    if args.action == "start":
        return _start(args, state_dir)
    if args.action == "stop":
        return _stop(args, state_dir)
    return _status(args, state_dir)


def _start(args: argparse.Namespace, state_dir: Any) -> int:
    from tlsdoctor.lab.control import Lab, LabStartError

    try:
        state = Lab.start(
            state_dir,
            vendor="mitmproxy" if args.vendor is None else args.vendor,
            ca_name=args.ca_name,
            ca_chain=args.ca_chain,
            ca_intermediate_only=args.ca_intermediate_only,
            ca_noncompliant=args.ca_noncompliant,
            bypass=args.bypass,
            no_intercept=args.no_intercept,
            proxy_auth=args.proxy_auth,
            handshake_delay_ms=args.handshake_delay_ms,
            sites=args.sites,
            ca_key=args.ca_key or "rsa",
            lazy_upstream=args.lazy_upstream,
            socks5=args.socks5,
        )
    except LabStartError as err:
        if err.log and getattr(args, "debug", False):  # the error names the log file otherwise
            sys.stderr.write(err.log + "\n")
        raise
    if args.json:
        from tlsdoctor.render.console import print_json

        print_json({"status": "running", **state.to_json()})
        return EXIT_OK
    _print_usage(state)
    return EXIT_OK


def _print_usage(state: Any) -> None:
    from tlsdoctor.lab.state import detect_command, stop_command
    from tlsdoctor.render.console import console

    out = console()
    proxy = shlex.quote(state.authenticated_proxy_url)
    ca = shlex.quote(str(state.inspection_ca))
    root = shlex.quote(str(state.public_root))
    out.print(_("The lab is running (state in {path}).", path=str(state.state_dir)))
    fields = [_("proxy:\t{url}", url=state.proxy_url)]
    if state.socks_url:
        fields.append(_("SOCKS5 proxy:\t{url}", url=state.socks_url))
    fields += [
        _("inspection CA:\t{path}  ({subject})", path=ca, subject=state.ca_subject),
        _("lab public root:\t{path}", path=root),
    ]
    if state.intercepted:
        fields.append(_("intercepted:\t{names}", names=_names(state.intercepted)))
    if state.bypassed:
        fields.append(_("passed through:\t{names}", names=_names(state.bypassed)))
    look_alikes = join_list(list(state.special.values())[:4])
    fields.append(_("look-alikes:\t{names}", names=look_alikes))
    if state.aia_url:
        fields.append(_("AIA URL:\t{url}", url=state.aia_url))
    _print_fields(out, fields)
    out.print("")
    out.print(_("Use it:"))
    out.print(f"  export HTTPS_PROXY={proxy} https_proxy={proxy}")
    out.print(f"  curl --cacert {ca} https://site1.test/")
    python = "import urllib.request as u; print(u.urlopen('https://site1.test/').read())"
    out.print(f'  SSL_CERT_FILE={ca} python3 -c "{python}"')
    out.print(_("Without the inspection CA the same command fails, as it would behind the proxy:"))
    out.print(f"  curl --cacert {root} https://site1.test/")
    if state.socks_url:
        _print_socks_usage(out, state, ca)
    out.print(_("See what tlsdoctor finds: {command}", command=detect_command(state.state_dir)))
    out.print(_("Stop it with: {command}", command=stop_command(state.state_dir)))


def _print_socks_usage(out: Any, state: Any, ca: str) -> None:
    socks = shlex.quote(state.authenticated_socks_url)
    out.print(_("Or through the SOCKS5 proxy (socks5h: the proxy resolves the lab names):"))
    out.print(f"  curl --proxy {socks} --cacert {ca} https://site1.test/")
    # HTTPS_PROXY wins over ALL_PROXY in every client: unset it for this one command.
    unset = "env -u HTTPS_PROXY -u https_proxy"
    out.print(f"  {unset} ALL_PROXY={socks} curl --cacert {ca} https://site1.test/")


def _print_fields(out: Any, fields: list[str]) -> None:
    """Lines "label:<TAB>value" as "  label:  value", the values lined up by display width (a
    Japanese label's characters take two columns each)."""
    from rich.cells import cell_len, set_cell_size
    from rich.text import Text

    pairs = [field.partition("\t")[::2] for field in fields]
    width = max(cell_len(label) for label, _value in pairs) + 2
    for label, value in pairs:
        out.print(Text("  " + set_cell_size(label, width) + value))


def _socks_fields(state: Any) -> list[str]:
    if not state.socks_url:
        return []
    socks = shlex.quote(state.authenticated_socks_url)
    return [
        _("SOCKS5 proxy:\t{url}", url=state.socks_url),
        _(
            "use SOCKS5:\t{variable} or curl --proxy {url}",
            variable=f"ALL_PROXY={socks}",
            url=socks,
        ),
    ]


def _names(names: list[str], limit: int = 8) -> str:
    shown = join_list(names[:limit])
    return shown + (_(" and {n} more", n=len(names) - limit) if len(names) > limit else "")


def _stop(args: argparse.Namespace, state_dir: Any) -> int:
    from tlsdoctor.lab.control import Lab
    from tlsdoctor.lab.state import load_state_file, require_folder

    require_folder(state_dir)
    try:
        load_state_file(state_dir)
    except UsageError as err:
        sys.stderr.write(
            _("warning: {error}; looking for the lab's processes by their command line", error=err)
            + "\n"
        )
    stopped = Lab.stop(state_dir)
    if args.json:
        from tlsdoctor.render.console import print_json

        print_json({"status": "stopped", "was_running": stopped, "state_dir": str(state_dir)})
        return EXIT_OK
    from tlsdoctor.render.console import console

    if stopped:
        console().print(_("The lab in {path} is stopped.", path=str(state_dir)))
    else:
        console().print(_("No lab was running in {path}.", path=str(state_dir)))
    return EXIT_OK


def _status(args: argparse.Namespace, state_dir: Any) -> int:
    from tlsdoctor.lab.control import Lab

    status, state = Lab.status(state_dir)
    if args.json:
        from tlsdoctor.render.console import print_json

        data: dict[str, Any] = {"status": status, "state_dir": str(state_dir)}
        if state is not None and status != "stopped":
            data.update(state.to_json())
            data["status"] = status
        print_json(data)
        return EXIT_OK if status == "running" else 1
    from tlsdoctor.render.console import console

    out = console()
    if status == "running" and state is not None:
        out.print(
            _("running: proxy {url}, state in {path}", url=state.proxy_url, path=str(state_dir))
        )
        fields = [
            _("inspection CA:\t{subject} ({vendor})", subject=state.ca_subject, vendor=state.vendor)
        ]
        if state.intercepted:
            fields.append(_("intercepted:\t{names}", names=_names(state.intercepted)))
        if state.bypassed:
            fields.append(_("passed through:\t{names}", names=_names(state.bypassed)))
        fields += _socks_fields(state)
        _print_fields(out, fields)
        return EXIT_OK
    if status == "degraded":
        from tlsdoctor.lab.state import STATE_FILE, stop_command

        if state is None:
            out.print(
                _(
                    "degraded: the lab state {path} cannot be read; '{command}' still ends "
                    "the lab's processes",
                    path=str(state_dir / STATE_FILE),
                    command=stop_command(state_dir),
                )
            )
            return 1
        out.print(
            _(
                "degraded: some lab processes have ended; run '{command}' then start again",
                command=stop_command(state_dir),
            )
        )
        return 1
    out.print(_("stopped (no lab is running in {path})", path=str(state_dir)))
    return 1
