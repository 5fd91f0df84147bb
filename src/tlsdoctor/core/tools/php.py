"""Composer: ``config.cafile`` in the global ``config.json``."""

from __future__ import annotations

from pathlib import Path

from tlsdoctor.core.changes import Plan
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import Context, edit_file, not_installed


def composer_home(ctx: Context) -> Path:
    explicit = ctx.env_path("COMPOSER_HOME")
    if explicit:
        return explicit
    if ctx.platform == "win32":
        appdata = ctx.environ.get("APPDATA") or str(ctx.home / "AppData" / "Roaming")
        return Path(appdata) / "Composer"
    legacy = ctx.home / ".composer"
    xdg = ctx.config_home / "composer"
    return legacy if legacy.exists() and not xdg.exists() else xdg


def plan_composer(ctx: Context) -> Plan:
    home = composer_home(ctx)
    if not ctx.which("composer") and not home.exists() and not ctx.explicit:
        return not_installed("composer")
    bundle = str(ctx.bundle)
    return edit_file(
        ctx,
        "composer",
        home / "config.json",
        "config.cafile",
        bundle,
        lambda text: _edit.set_json_path(text, ("config", "cafile"), bundle),
        insecure_file="composer_json",
    )
