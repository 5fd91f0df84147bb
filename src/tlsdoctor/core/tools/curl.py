"""curl (``.curlrc cacert``) and wget (``.wgetrc ca_certificate``)."""

from __future__ import annotations

from pathlib import Path

from tlsdoctor.core.changes import Plan
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import Context, edit_line, not_installed

CURLRC_KEY = r"^\s*(?:--)?cacert(?:\s*[=:]\s*|\s+)(?P<value>.*)$"
WGETRC_KEY = r"^\s*ca_?certificate\s*=\s*(?P<value>.*)$"


def curlrc_path(ctx: Context) -> Path:
    """The first .curlrc curl reads: $CURL_HOME, then $XDG_CONFIG_HOME, then $HOME."""
    name = "_curlrc" if ctx.platform == "win32" else ".curlrc"
    curl_home = ctx.env_path("CURL_HOME")
    if curl_home:
        return curl_home / name
    xdg = ctx.config_home / name
    if xdg.exists():
        return xdg
    return ctx.home / name


def curl_quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def plan_curl(ctx: Context) -> Plan:
    if not ctx.which("curl") and not ctx.explicit:
        return not_installed("curl")
    bundle = str(ctx.bundle)
    return edit_line(
        ctx,
        "curl",
        curlrc_path(ctx),
        "cacert",
        bundle,
        section=None,
        key_pattern=CURLRC_KEY,
        line=f"cacert = {curl_quote(bundle)}",
        parse_value=_edit.quoted,
        insecure_file="curlrc",
    )


def wgetrc_path(ctx: Context) -> Path:
    return ctx.env_path("WGETRC") or ctx.home / ".wgetrc"


def plan_wget(ctx: Context) -> Plan:
    if not ctx.which("wget") and not ctx.explicit:
        return not_installed("wget")
    bundle = str(ctx.bundle)
    return edit_line(
        ctx,
        "wget",
        wgetrc_path(ctx),
        "ca_certificate",
        bundle,
        section=None,
        key_pattern=WGETRC_KEY,
        line=f"ca_certificate = {bundle}",
        parse_value=_edit.plain,
        insecure_file="wgetrc",
        syntax="wgetrc",
    )
