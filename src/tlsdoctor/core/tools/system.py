"""The OS trust store (``--system`` only): the exact commands, data-driven from tools.toml.

Every command has its undo counterpart, recorded in the journal. The store family is found the
way mkcert finds it: by the first anchors folder that exists (macOS and Windows by platform).
Each certificate gets its own ``.crt`` file first (update-ca-certificates reads one per file),
written by the journaled writer under tlsdoctor's data folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tlsdoctor import paths
from tlsdoctor._data import load_data
from tlsdoctor.core.changes import Command, Note, Plan, message
from tlsdoctor.core.tools._base import (
    Context,
    os_store_has_ca,
    put_file,
    sha1_thumbprint,
    split_pem,
)
from tlsdoctor.i18n import N_, _

NAME = "tlsdoctor-inspection-ca"


def families() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = load_data("tools.toml")["system"]
    return data


def detect_family(platform: str, root: Path = Path("/")) -> str | None:
    for name, entry in families().items():
        if entry["platform"] != platform:
            continue
        if platform != "linux":
            return name
        if (root / str(entry["anchors"]).lstrip("/")).is_dir():
            return name
    return None


def sudo_prefix(platform: str) -> list[str]:
    if platform == "win32":
        return []
    geteuid = getattr(os, "geteuid", None)
    return [] if geteuid is not None and geteuid() == 0 else ["sudo"]


def _fill(argv: list[str], values: dict[str, str]) -> tuple[str, ...]:
    return tuple(part.format(**values) for part in argv)


def plan_system(ctx: Context, family: str | None = None) -> Plan:
    plan = Plan(
        notes=[
            Note(
                "system",
                _(
                    "--system changes the trust store of the whole machine: every program "
                    "and every user will trust this CA"
                ),
                "warning",
            )
        ]
    )
    family = family or detect_family(ctx.platform)
    if family is None:
        plan.notes.append(
            Note("system", _("no supported OS trust store found on this machine"), "manual")
        )
        return plan
    if os_store_has_ca(ctx.ca_pem, ctx.platform):
        plan.notes.append(
            Note("system", _("the OS trust store already holds the inspection CA"), "skipped")
        )
        return plan
    entry = families()[family]
    sudo = [] if ctx.platform == "win32" else sudo_prefix(ctx.platform)
    folder = paths.data_dir(ctx.environ, ctx.platform) / "system"
    for index, pem in enumerate(split_pem(ctx.ca_pem)):
        name = NAME if index == 0 else f"{NAME}-{index + 1}"
        source = folder / f"{name}.crt"
        plan.extend(
            put_file(
                ctx,
                "system",
                source,
                pem,
                message(N_("one-certificate copy of the CA for the OS store")),
            )
        )
        values = {
            "ca": str(source),
            "name": name,
            "sha1": sha1_thumbprint(pem),
        }
        values["dest"] = str(entry["dest"]).format(**values)
        label = {"en": str(entry["label"]), "ja": str(entry.get("label_ja") or entry["label"])}
        installs = [_fill(argv, values) for argv in entry["install"]]
        undos = [_fill(argv, values) for argv in entry["uninstall"]]
        for i, argv in enumerate(installs):
            # undo replays commands backwards: the first install step carries the whole
            # uninstall sequence, so it runs last and in the order tools.toml lists it
            undo = tuple((*sudo, *u) for u in undos) if i == 0 else ()
            plan.commands.append(
                Command(
                    argv=(*sudo, *argv),
                    undo=undo,
                    description=message(N_("OS store: {label}"), label=label),
                    tool="system",
                    admin=True,
                )
            )
    return plan
