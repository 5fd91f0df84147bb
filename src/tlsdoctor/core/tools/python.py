"""Python tools: pip (pip.conf ``cert``), uv and poetry (shell profile), conda (``.condarc``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tlsdoctor.core.changes import Note, Plan
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import (
    Context,
    edit_file,
    not_installed,
    os_store_has_ca,
    tool_note,
)
from tlsdoctor.i18n import _

# pip started using the OS store (truststore) by default in 24.2, on Python 3.10 and later.
PIP_TRUSTSTORE_VERSION = (24, 2)
PYTHON_TRUSTSTORE_VERSION = (3, 10)


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


# ------------------------------------------------------------------ pip


def pip_program(ctx: Context) -> str | None:
    return ctx.which("pip3") or ctx.which("pip")


def pip_config_path(ctx: Context) -> Path:
    """The file pip reads as user configuration (PIP_CONFIG_FILE when it names a real file)."""
    env_file = ctx.environ.get("PIP_CONFIG_FILE")
    if env_file and env_file != os.devnull:
        return Path(env_file)
    if ctx.platform == "win32":
        appdata = ctx.environ.get("APPDATA") or str(ctx.home / "AppData" / "Roaming")
        return Path(appdata) / "pip" / "pip.ini"
    return ctx.config_home / "pip" / "pip.conf"


def pip_versions(ctx: Context) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """(pip version, Python version) of the pip on PATH, from ``pip --version``."""
    program = pip_program(ctx)
    if not program:
        return None
    try:
        out = ctx.run([program, "--version"], timeout=20).stdout
    except (OSError, TimeoutError):
        return None
    match = re.search(r"pip (\S+) from .*\(python (\d+\.\d+)\)", out)
    if not match:
        return None
    return _version_tuple(match.group(1)), _version_tuple(match.group(2))


def pip_uses_truststore(versions: tuple[tuple[int, ...], tuple[int, ...]] | None) -> bool:
    if versions is None:
        return False
    pip_version, python_version = versions
    return pip_version >= PIP_TRUSTSTORE_VERSION and python_version >= PYTHON_TRUSTSTORE_VERSION


def plan_pip(ctx: Context) -> Plan:
    path = pip_config_path(ctx)
    if not pip_program(ctx) and not path.exists() and not ctx.explicit:
        return not_installed("pip")
    versions = pip_versions(ctx)
    if pip_uses_truststore(versions) and os_store_has_ca(ctx.ca_pem, ctx.platform):
        return Plan(
            notes=[
                Note(
                    "pip",
                    _(
                        "pip uses the OS store (truststore) and the OS store already trusts "
                        "the inspection CA: no cert setting needed"
                    ),
                    "skipped",
                )
            ]
        )
    bundle = str(ctx.bundle)
    plan = edit_file(
        ctx,
        "pip",
        path,
        "global.cert",
        bundle,
        lambda text: _edit.set_ini(text, "global", "cert", bundle),
    )
    if ctx.environ.get("PIP_CONFIG_FILE") == os.devnull:
        plan.notes.append(
            Note(
                "pip",
                _(
                    "PIP_CONFIG_FILE is {devnull}: pip reads no config file until it is unset",
                    devnull=os.devnull,
                ),
                "warning",
            )
        )
    return plan


# ------------------------------------------------------------------ uv, poetry


def plan_uv(ctx: Context) -> Plan:
    if not ctx.which("uv") and not ctx.explicit:
        return not_installed("uv")
    return Plan(notes=[tool_note("uv")])


def plan_poetry(ctx: Context) -> Plan:
    if not ctx.which("poetry") and not ctx.explicit:
        return not_installed("poetry")
    return Plan(notes=[tool_note("poetry")])


# ------------------------------------------------------------------ conda


def condarc_path(ctx: Context) -> Path:
    return ctx.env_path("CONDARC") or ctx.home / ".condarc"


def plan_conda(ctx: Context) -> Plan:
    path = condarc_path(ctx)
    if not ctx.which("conda") and not path.exists() and not ctx.explicit:
        return not_installed("conda")
    bundle = str(ctx.bundle)
    return edit_file(
        ctx,
        "conda",
        path,
        "ssl_verify",
        bundle,
        lambda text: _edit.set_yaml_top(text, "ssl_verify", bundle),
    )
