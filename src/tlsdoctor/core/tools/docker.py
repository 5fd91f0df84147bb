"""Docker: the CA in ``certs.d/<registry>/`` (ADD semantics) and a note for image builds.

User scope writes the rootless daemon's folder (``$XDG_CONFIG_HOME/docker/certs.d``) and the
podman/buildah one (``$XDG_CONFIG_HOME/containers/certs.d``); the rootful daemon's
``/etc/docker/certs.d`` is only touched through ``--system`` commands.
"""

from __future__ import annotations

import re

from tlsdoctor.core.changes import Command, Note, Plan, message
from tlsdoctor.core.tools._base import Context, put_file, split_pem, tool_note
from tlsdoctor.i18n import N_, _

FILE_NAME = "tlsdoctor-inspection-ca.crt"
_REGISTRY = re.compile(r"^[A-Za-z0-9.-]+(?::\d{1,5})?$")

DOCKERFILE_NOTE = (
    "COPY inspection-ca.crt /usr/local/share/ca-certificates/inspection-ca.crt\n"
    "RUN update-ca-certificates"
)


def valid_registry(name: str) -> bool:
    """HOST[:PORT] with a port from 1 to 65535 (certs.d folders are named like that)."""
    if not _REGISTRY.match(name):
        return False
    host, _sep, port = name.partition(":")
    return bool(host.strip(".-")) and (not port or 0 < int(port) <= 65535)


def plan_docker(ctx: Context, registries: list[str], *, system: bool, sudo: list[str]) -> Plan:
    plan = Plan()
    content = b"".join(split_pem(ctx.ca_pem))
    for registry in registries:
        for folder in ("docker", "containers"):
            path = ctx.config_home / folder / "certs.d" / registry / FILE_NAME
            plan.extend(
                put_file(
                    ctx,
                    "docker",
                    path,
                    content,
                    message(
                        N_("trust the inspection CA for registry {registry}"), registry=registry
                    ),
                )
            )
        if system:
            dest = f"/etc/docker/certs.d/{registry}/{FILE_NAME}"
            plan.commands.append(
                Command(
                    argv=(*sudo, "install", "-D", "-m", "0644", str(ctx.ca), dest),
                    undo=((*sudo, "rm", "-f", dest),),
                    description=message(
                        N_("trust the inspection CA for registry {registry} (rootful daemon)"),
                        registry=registry,
                    ),
                    tool="docker",
                )
            )
    if not registries:
        plan.notes.append(
            Note(
                "docker", _("name the registries to trust: setup docker:REGISTRY[:PORT]"), "manual"
            )
        )
    plan.notes.append(tool_note("docker"))
    plan.notes.append(Note("docker", DOCKERFILE_NOTE, "manual"))
    return plan
