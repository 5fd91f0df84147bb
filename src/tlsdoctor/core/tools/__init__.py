"""Per-tool trust integrations: each tool family knows how its tools read trust.

:func:`plan_setup` asks every selected tool for its changes and returns one :class:`Plan` for
the journaled writer (:mod:`tlsdoctor.core.changes`). Replace-style settings get the full bundle,
add-style ones the CA-only file (see ``data/tools.toml`` and ``docs/setup.md``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from tlsdoctor.core.changes import Change, Message, Note, Plan, message, read_bytes
from tlsdoctor.core.tools import cloud, curl, docker, git, java, node, php, python, rust, shell
from tlsdoctor.core.tools import system as system_store
from tlsdoctor.core.tools._base import (
    Context,
    read_planned,
    split_pem,
    writable_only,
)
from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import N_, _

__all__ = ["ALL_TOOLS", "MIN_BUNDLE_CERTS", "Context", "parse_tools", "plan_setup"]

PlanFn = Callable[[Context], Plan]

SIMPLE: dict[str, PlanFn] = {
    "pip": python.plan_pip,
    "uv": python.plan_uv,
    "poetry": python.plan_poetry,
    "conda": python.plan_conda,
    "npm": node.plan_npm,
    "yarn": node.plan_yarn,
    "node": node.plan_node,
    "git": git.plan_git,
    "curl": curl.plan_curl,
    "wget": curl.plan_wget,
    "cargo": rust.plan_cargo,
    "composer": php.plan_composer,
    "aws": cloud.plan_aws,
    "gcloud": cloud.plan_gcloud,
    "java": java.plan_java,
}
# Every tool name setup accepts, in the order plans are made and shown.
ALL_TOOLS: tuple[str, ...] = (
    "pip", "uv", "poetry", "conda", "npm", "pnpm", "yarn", "node", "git", "curl", "wget",
    "cargo", "composer", "aws", "gcloud", "java", "docker", "shell", *shell.SHELLS,
)  # fmt: skip
# Tools whose user-scope mechanism is an environment variable in the shell profile.
NEEDS_SHELL = frozenset({"uv", "poetry", "node", "java"})
# A replace-style setting pointed at fewer certificates than this would break public sites.
MIN_BUNDLE_CERTS = 10


def parse_tools(names: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """Split user input into (tools, docker registries, shells); UsageError for unknown names."""
    tools: list[str] = []
    registries: list[str] = []
    shells: list[str] = []
    for raw in names:
        for name in filter(None, (part.strip() for part in raw.split(","))):
            lowered = name.lower()
            if lowered.startswith("docker:"):
                registry = name.split(":", 1)[1]
                if not docker.valid_registry(registry):
                    raise UsageError(
                        _("not a registry name: {name!r} (use docker:HOST[:PORT])", name=name)
                    )
                registries.append(registry)
                lowered = "docker"
            elif lowered in ("pwsh", "ps"):
                lowered = "powershell"
            if lowered not in ALL_TOOLS:
                raise UsageError(
                    _("unknown tool {name!r}", name=name),
                    hint=_("known tools: {tools}", tools=", ".join(ALL_TOOLS)),
                )
            if lowered in shell.SHELLS:
                shells.append(lowered)
                lowered = "shell"
            if lowered not in tools:
                tools.append(lowered)
    return tools, registries, shells


def _check_files(bundle: Path, ca: Path, pending: Mapping[Path, bytes]) -> None:
    for label, path in (("--bundle", bundle), ("--ca", ca)):
        if path not in pending and path.is_dir():
            raise UsageError(
                _(
                    "{option} {path} is a folder, not a certificate file",
                    option=label,
                    path=str(path),
                )
            )
        if path not in pending and not path.is_file():
            raise UsageError(
                _("{option} file not found: {path}", option=label, path=str(path)),
                hint=_("build it first with 'tlsdoctor bundle'"),
            )
    ca_data = read_planned(ca, pending)
    if not split_pem(ca_data):
        raise _no_pem(ca, ca_data)
    require_full_bundle(bundle, len(split_pem(read_planned(bundle, pending))))


def _no_pem(ca: Path, data: bytes) -> UsageError:
    from tlsdoctor.core.bundle import non_pem_form

    found = non_pem_form(data)
    hint = _(
        "run 'tlsdoctor bundle --ca {path}' (it writes the CA as PEM), then setup again "
        "without --ca",
        path=str(ca),
    )
    if found is None:
        return UsageError(_("no PEM certificate in {path}", path=str(ca)))
    if found[0] == "utf-16":
        return UsageError(
            _("--ca {path} is PEM saved as UTF-16 text, which the tools cannot read", path=str(ca)),
            hint=hint,
        )
    return UsageError(
        _(
            "--ca {path} is DER, PKCS#7 or PKCS#12, which the tools cannot read: they need PEM",
            path=str(ca),
        ),
        hint=hint,
    )


def require_full_bundle(bundle: Path, count: int) -> None:
    """Refuse a bundle without public roots (``count`` certificates) for replace-style
    settings: setup and env would break every site the proxy does not inspect."""
    if count == 1:
        raise UsageError(
            _(
                "{path} holds 1 certificate: replace-style settings need the full "
                "bundle (public roots + inspection CA), not the CA alone",
                path=str(bundle),
            )
        )
    if count < MIN_BUNDLE_CERTS:
        raise UsageError(
            _(
                "{path} holds {count} certificates: replace-style settings need the full "
                "bundle (public roots + inspection CA), not the CA alone",
                path=str(bundle),
                count=count,
            )
        )


def _ca_notes(bundle: Path, ca: Path, pending: Mapping[Path, bytes]) -> list[Note]:
    """Warnings about the files setup is handed (``bundle`` and ``fix`` warned already about
    the ones they build): a --ca that is no CA or has expired, else a bundle without it."""
    if ca in pending:
        return []
    from tlsdoctor.core.bundle import ca_warnings
    from tlsdoctor.core.x509 import parse_pem_tolerant

    ca_data = read_planned(ca, pending)
    ca_pems = split_pem(ca_data)
    notes = [Note("ca", text, "warning") for text in ca_warnings(parse_pem_tolerant(ca_data))]
    if not notes and not set(ca_pems) & set(split_pem(read_planned(bundle, pending))):
        text = _(
            "{bundle} does not contain the CA in {ca}: the tools given the bundle will still "
            "fail on the sites the proxy inspects; build it with 'tlsdoctor bundle --ca {ca}'",
            bundle=str(bundle),
            ca=str(ca),
        )
        notes.append(Note("ca", text, "warning"))
    return notes


def plan_setup(
    tools: list[str] | None,
    bundle: Path,
    ca: Path,
    *,
    environ: Mapping[str, str] | None = None,
    system: bool = False,
    platform: str = sys.platform,
    pending: Mapping[Path, bytes] | None = None,
) -> Plan:
    """Plan the trust settings for ``tools`` (None: every supported tool found on this machine).

    Nothing is written: hand the plan to :func:`tlsdoctor.core.changes.apply`. ``pending``:
    files not written yet (``fix``'s bundle), planned first and read from here meanwhile.
    """
    env = dict(os.environ if environ is None else environ)
    bundle = Path(os.path.abspath(bundle))
    ca = Path(os.path.abspath(ca))
    files = {Path(os.path.abspath(path)): data for path, data in (pending or {}).items()}
    explicit = tools is not None
    if tools is None:
        selected = [t for t in ALL_TOOLS if t not in shell.SHELLS]
        registries: list[str] = []
        shells: list[str] = []
    else:
        selected, registries, shells = parse_tools(tools)
        if NEEDS_SHELL & set(selected) and "shell" not in selected:
            selected.append("shell")
    _check_files(bundle, ca, files)
    ctx = Context(
        environ=env, bundle=bundle, ca=ca, platform=platform, explicit=explicit, pending=files
    )
    plan = _plan_pending(files)
    plan.notes.extend(_ca_notes(bundle, ca, files))
    # the shell block comes last: other tools (java) add variables to it
    for tool in sorted(selected, key=lambda t: (t == "shell", ALL_TOOLS.index(t))):
        plan.extend(writable_only(_plan_one(ctx, tool, selected, registries, shells, system)))
    if system:
        plan.extend(system_store.plan_system(ctx))
    return plan


def _pending_description(path: Path) -> Message:
    from tlsdoctor.core import bundle

    if path.name == bundle.CA_NAME:
        return message(N_("the inspection CA alone, for add-style settings (NODE_EXTRA_CA_CERTS)"))
    if path.name == bundle.WGETRC_NAME:
        return message(N_("a wgetrc pointing wget at the bundle (for WGETRC)"))
    return message(
        N_("tlsdoctor's bundle (public roots + inspection CA), for replace-style settings")
    )


def _plan_pending(files: Mapping[Path, bytes]) -> Plan:
    return Plan(
        changes=[
            Change(
                path=path,
                old=read_bytes(path),
                new=data,
                description=_pending_description(path),
                tool="bundle",
            )
            for path, data in files.items()
        ]
    )


def _plan_one(
    ctx: Context,
    tool: str,
    selected: list[str],
    registries: list[str],
    shells: list[str],
    system: bool,
) -> Plan:
    if tool in SIMPLE:
        return SIMPLE[tool](ctx)
    if tool == "pnpm":
        return node.plan_pnpm(ctx, npm_planned="npm" in selected)
    if tool == "docker":
        return docker.plan_docker(
            ctx, registries, system=system, sudo=system_store.sudo_prefix(ctx.platform)
        )
    return shell.plan_shell(ctx, shells or shell.detected_shells(ctx))
