"""Cloud CLIs: AWS (``ca_bundle`` in the config file) and gcloud (``core/custom_ca_certs_file``)."""

from __future__ import annotations

from pathlib import Path

from tlsdoctor.core.changes import Change, Note, Plan, message
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import Context, edit_file, not_installed
from tlsdoctor.i18n import N_, _


def aws_config_path(ctx: Context) -> Path:
    return ctx.env_path("AWS_CONFIG_FILE") or ctx.home / ".aws" / "config"


def plan_aws(ctx: Context) -> Plan:
    path = aws_config_path(ctx)
    if not ctx.which("aws") and not path.exists() and not ctx.explicit:
        return not_installed("aws")
    bundle = str(ctx.bundle)
    plan = edit_file(
        ctx,
        "aws",
        path,
        "default.ca_bundle",
        bundle,
        lambda text: _edit.set_ini(text, "default", "ca_bundle", bundle),
        syntax="ini",
    )
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    if "[profile " in text:
        plan.notes.append(
            Note(
                "aws",
                _(
                    "named profiles in {path} need their own ca_bundle (or AWS_CA_BUNDLE)",
                    path=str(path),
                ),
                "info",
            )
        )
    return plan


def gcloud_config_dir(ctx: Context) -> Path:
    explicit = ctx.env_path("CLOUDSDK_CONFIG")
    if explicit:
        return explicit
    if ctx.platform == "win32":
        appdata = ctx.environ.get("APPDATA") or str(ctx.home / "AppData" / "Roaming")
        return Path(appdata) / "gcloud"
    return ctx.config_home / "gcloud"


def gcloud_config_path(ctx: Context) -> Path:
    folder = gcloud_config_dir(ctx)
    name = ctx.environ.get("CLOUDSDK_ACTIVE_CONFIG_NAME")
    if not name:
        try:
            name = (folder / "active_config").read_text(encoding="utf-8").strip()
        except OSError:
            name = ""
    return folder / "configurations" / f"config_{name or 'default'}"


def plan_gcloud(ctx: Context) -> Plan:
    if not ctx.which("gcloud") and not gcloud_config_dir(ctx).exists() and not ctx.explicit:
        return not_installed("gcloud")
    bundle = str(ctx.bundle)
    plan = edit_file(
        ctx,
        "gcloud",
        gcloud_config_path(ctx),
        "core/custom_ca_certs_file",
        bundle,
        lambda text: _edit.set_ini(text, "core", "custom_ca_certs_file", bundle),
        insecure_file="gcloud",
        syntax="ini",
    )
    active = gcloud_config_dir(ctx) / "active_config"
    if plan.changes and not active.exists() and not ctx.environ.get("CLOUDSDK_ACTIVE_CONFIG_NAME"):
        # Without active_config, gcloud's first run creates the default configuration and
        # empties an existing config_default (seen with gcloud on this project's CI machine).
        plan.changes.insert(
            0,
            Change(
                path=active,
                old=None,
                new=b"default",
                description=message(N_("name the default configuration, or gcloud resets it")),
                tool="gcloud",
                setting="active_config",
                old_value=None,
                new_value="default",
            ),
        )
    return plan
