"""Node tools: npm and pnpm (``.npmrc cafile``), yarn classic and berry, Node itself."""

from __future__ import annotations

import re
from pathlib import Path

from tlsdoctor.core.changes import Note, Plan
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import (
    Context,
    edit_file,
    edit_line,
    not_installed,
    os_store_has_ca,
    tool_note,
)
from tlsdoctor.i18n import _


def npmrc_path(ctx: Context) -> Path:
    for name in ("npm_config_userconfig", "NPM_CONFIG_USERCONFIG"):
        value = ctx.environ.get(name)
        if value:
            return Path(value)
    return ctx.home / ".npmrc"


def _set_npmrc(path: Path, ctx: Context, tool: str) -> Plan:
    bundle = str(ctx.bundle)
    plan = edit_line(
        ctx,
        tool,
        path,
        "cafile",
        bundle,
        section=None,
        key_pattern=_edit.ini_key("cafile"),
        line=f"cafile={bundle}",
        parse_value=_edit.quoted,
        insecure_file="npmrc",
    )
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    if _edit.get_ini(text, None, "ca"):
        plan.notes.append(
            Note(
                tool,
                _(
                    "{path} also sets ca= inline certificates, which take precedence over cafile",
                    path=str(path),
                ),
                "warning",
            )
        )
    return plan


def plan_npm(ctx: Context) -> Plan:
    path = npmrc_path(ctx)
    if not ctx.which("npm") and not path.exists() and not ctx.explicit:
        return not_installed("npm")
    return _set_npmrc(path, ctx, "npm")


def plan_pnpm(ctx: Context, *, npm_planned: bool) -> Plan:
    if not ctx.which("pnpm") and not ctx.explicit:
        return not_installed("pnpm")
    if npm_planned:
        return Plan(notes=[Note("pnpm", _("pnpm reads the same .npmrc as npm"), "info")])
    return _set_npmrc(npmrc_path(ctx), ctx, "pnpm")


def yarn_major(ctx: Context) -> int | None:
    out = ctx.version_output(ctx.which("yarn"))
    if out is None:
        return None
    match = re.match(r"\s*(\d+)\.", out)
    return int(match.group(1)) if match else None


def plan_yarn(ctx: Context) -> Plan:
    major = yarn_major(ctx)
    if major is None and not ctx.explicit:
        return not_installed("yarn")
    bundle = str(ctx.bundle)
    if major is not None and major >= 2:
        key = "httpsCaFilePath" if major >= 4 else "caFilePath"
        rc_name = ctx.environ.get("YARN_RC_FILENAME") or ".yarnrc.yml"
        plan = edit_file(
            ctx,
            "yarn",
            ctx.home / rc_name,
            key,
            bundle,
            lambda text: _edit.set_yaml_top(text, key, bundle),
            insecure_file="yarnrc_yml",
            syntax="yaml",
        )
    else:
        plan = edit_line(
            ctx,
            "yarn",
            ctx.home / ".yarnrc",
            "cafile",
            bundle,
            section=None,
            key_pattern=r"^\s*cafile\s+(?P<value>.*)$",
            line=f"cafile {_edit.toml_string(bundle)}",
            parse_value=_edit.quoted,
            insecure_file="yarnrc",
        )
        if major is None:
            plan.notes.append(
                Note("yarn", _("yarn is not installed: only the classic ~/.yarnrc is written"))
            )
    plan.notes.append(tool_note("yarn"))
    return plan


# NODE_USE_SYSTEM_CA=1 arrived in 22.19 and 24.6 (--use-system-ca in 22.15 and 23.8).
SYSTEM_CA_ENV_SINCE = ((22, 19), (24, 6))


def node_version(ctx: Context) -> tuple[int, ...] | None:
    out = ctx.version_output(ctx.which("node"))
    if out is None:
        return None
    parts = re.findall(r"\d+", out)[:3]
    return tuple(int(p) for p in parts) if parts else None


def supports_system_ca_env(version: tuple[int, ...] | None) -> bool:
    if version is None or len(version) < 2:
        return False
    major_minor = version[:2]
    return (
        any(major_minor[0] == since[0] and major_minor >= since for since in SYSTEM_CA_ENV_SINCE)
        or major_minor[0] > SYSTEM_CA_ENV_SINCE[-1][0]
    )


def plan_node(ctx: Context) -> Plan:
    version = node_version(ctx)
    if version is None and not ctx.explicit:
        return not_installed("node")
    plan = Plan(notes=[tool_note("node")])
    if supports_system_ca_env(version) and os_store_has_ca(ctx.ca_pem, ctx.platform):
        plan.notes.append(
            Note(
                "node",
                _(
                    "this Node also reads the OS store with NODE_USE_SYSTEM_CA=1, and the OS "
                    "store holds the CA: that survives CA rotation by IT"
                ),
            )
        )
    return plan
