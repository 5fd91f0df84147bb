"""cargo: ``[http] cainfo`` in ``$CARGO_HOME/config.toml``."""

from __future__ import annotations

from pathlib import Path

from tlsdoctor.core.changes import Plan
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import Context, edit_line, not_installed


def cargo_home(ctx: Context) -> Path:
    return ctx.env_path("CARGO_HOME") or ctx.home / ".cargo"


def cargo_config_path(ctx: Context) -> Path:
    home = cargo_home(ctx)
    legacy = home / "config"
    modern = home / "config.toml"
    return legacy if legacy.exists() and not modern.exists() else modern


def plan_cargo(ctx: Context) -> Plan:
    if not ctx.which("cargo") and not cargo_home(ctx).exists() and not ctx.explicit:
        return not_installed("cargo")
    bundle = str(ctx.bundle)
    return edit_line(
        ctx,
        "cargo",
        cargo_config_path(ctx),
        "http.cainfo",
        bundle,
        section="http",
        key_pattern=_edit.ini_key("cainfo"),
        line=f"cainfo = {_edit.toml_string(bundle)}",
        parse_value=_edit.quoted,
        syntax="toml",
    )
