"""Python tools: pip (pip.conf ``cert``), uv and poetry (shell profile), conda (``.condarc``)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from tlsdoctor.core.changes import Change, Note, Plan, message
from tlsdoctor.core.tools import _edit
from tlsdoctor.core.tools._base import (
    Context,
    edit_file,
    not_installed,
    os_store_has_ca,
    remove_insecure,
    tool_note,
)
from tlsdoctor.i18n import N_, _, join_list

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
    return pip_user_config_path(ctx)


def pip_user_config_path(ctx: Context) -> Path:
    """pip's current per-user file (it overrides the legacy ~/.pip/pip.conf)."""
    if ctx.platform == "win32":
        appdata = ctx.environ.get("APPDATA") or str(ctx.home / "AppData" / "Roaming")
        return Path(appdata) / "pip" / "pip.ini"
    return ctx.config_home / "pip" / "pip.conf"


def pip_versions(ctx: Context) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """(pip version, Python version) of the pip on PATH, from ``pip --version``."""
    out = ctx.version_output(pip_program(ctx))
    if out is None:
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
        plan = remove_insecure(ctx, "pip", path, "pipconf")
        plan.notes.append(
            Note(
                "pip",
                _(
                    "pip uses the OS store (truststore) and the OS store already trusts "
                    "the inspection CA: no cert setting needed"
                ),
                "skipped" if not plan.changes else "info",
            )
        )
        return plan
    bundle = str(ctx.bundle)
    plan = edit_file(
        ctx,
        "pip",
        path,
        "global.cert",
        bundle,
        lambda text: set_pip_cert(text, bundle),
        insecure_file="pipconf",
        syntax="ini",
    )
    for change in plan.changes:
        sections = command_cert_sections(change.old)
        if not sections:
            continue
        plan.notes.append(
            Note(
                "pip",
                _(
                    "{path} also sets cert in {sections}, which pip reads over [global] for "
                    "those commands: setup sets them to the bundle too",
                    path=str(change.path),
                    sections=join_list([f"[{s}]" for s in sections]),
                ),
                "info",
            )
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


def command_cert_sections(data: bytes | None) -> list[str]:
    """The sections of a pip.conf other than [global] that set cert ([install], [download]...):
    pip reads a command's own section over [global] for that command."""
    import configparser

    if not data:
        return []
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(data.decode("utf-8"))
    except (configparser.Error, UnicodeDecodeError):
        return []
    return [s for s in parser.sections() if s != "global" and parser.has_option(s, "cert")]


def set_pip_cert(text: str, bundle: str) -> tuple[str, str | None]:
    """[global] cert, and cert in each command's section that has one (else `pip install`
    would keep using the [install] one)."""
    new, old = _edit.set_ini(text, "global", "cert", bundle)
    for section in command_cert_sections(text.encode("utf-8")):
        new, _old = _edit.set_ini(new, section, "cert", bundle)
    return new, old


# ------------------------------------------------------------------ uv, poetry


def plan_uv(ctx: Context) -> Plan:
    if not ctx.which("uv") and not ctx.explicit:
        return not_installed("uv")
    return Plan(notes=[tool_note("uv")])


def poetry_config_dir(ctx: Context) -> Path:
    explicit = ctx.env_path("POETRY_CONFIG_DIR")
    if explicit:
        return explicit
    if ctx.platform == "win32":
        appdata = ctx.environ.get("APPDATA") or str(ctx.home / "AppData" / "Roaming")
        return Path(appdata) / "pypoetry"
    if ctx.platform == "darwin":
        return ctx.home / "Library" / "Application Support" / "pypoetry"
    return ctx.config_home / "pypoetry"


def poetry_repositories(path: Path) -> list[str]:
    """Names of the repositories configured in Poetry's config.toml."""
    from tlsdoctor._data import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    repos = data.get("repositories")
    return sorted(repos) if isinstance(repos, dict) else []


def plan_poetry(ctx: Context) -> Plan:
    """PyPI through REQUESTS_CA_BUNDLE (shell block); each configured repository by name."""
    path = poetry_config_dir(ctx) / "config.toml"
    if not ctx.which("poetry") and not path.exists() and not ctx.explicit:
        return not_installed("poetry")
    plan = Plan(notes=[tool_note("poetry")])
    bundle = str(ctx.bundle)
    text_plan = Plan()
    current = path
    for name in poetry_repositories(path):
        sub = edit_file(
            ctx,
            "poetry",
            current,
            f"certificates.{name}.cert",
            bundle,
            _poetry_editor(name, bundle, text_plan),
        )
        text_plan.extend(sub)
    # several repositories edit the same file: keep one change with every edit in it
    if text_plan.changes:
        first, last = text_plan.changes[0], text_plan.changes[-1]
        plan.changes.append(
            Change(
                path=path,
                old=first.old,
                new=last.new,
                description=message(N_("set the certificate of each Poetry repository")),
                tool="poetry",
                setting="certificates.<repository>.cert",
                old_value=first.old_value,
                new_value=bundle,
            )
        )
    plan.notes.extend(n for n in text_plan.notes if n.kind != "skipped" or not text_plan.changes)
    return plan


def _poetry_editor(name: str, bundle: str, done: Plan) -> Callable[[str], tuple[str, str | None]]:
    def edit(text: str) -> tuple[str, str | None]:
        if done.changes:  # continue from the previous repository's result
            text = (done.changes[-1].new or b"").decode("utf-8", errors="surrogateescape")
        section = f"certificates.{_toml_key(name)}"
        return _edit.set_line_value(
            text,
            section=section,
            key_pattern=_edit.ini_key("cert"),
            line=f"cert = {_edit.toml_string(bundle)}",
            parse_value=_edit.quoted,
        )

    return edit


def _toml_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _edit.toml_string(name)


# ------------------------------------------------------------------ conda


def condarc_path(ctx: Context) -> Path:
    return ctx.env_path("CONDARC") or ctx.home / ".condarc"


def condarc_search_paths(ctx: Context) -> list[Path]:
    """The user-level files conda reads, in its order (conda docs, "Searching for .condarc"):
    $XDG_CONFIG_HOME/conda, ~/.config/conda, ~/.conda, ~/.condarc, $CONDA_PREFIX, $CONDARC."""
    folders: list[Path] = []
    xdg = ctx.env_path("XDG_CONFIG_HOME")
    if xdg:
        folders.append(xdg / "conda")
    folders += [ctx.home / ".config" / "conda", ctx.home / ".conda"]
    found: list[Path] = []
    for folder in folders:
        found += [folder / ".condarc", folder / "condarc", *_condarc_d(folder)]
    found.append(ctx.home / ".condarc")
    prefix = ctx.env_path("CONDA_PREFIX")
    if prefix:
        found += [prefix / ".condarc", prefix / "condarc", *_condarc_d(prefix)]
    condarc = ctx.env_path("CONDARC")
    if condarc:
        found.append(condarc)
    unique: list[Path] = []
    for path in found:
        if path not in unique:
            unique.append(path)
    return unique


def _condarc_d(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in (folder / "condarc.d").iterdir() if p.suffix in (".yml", ".yaml"))
    except OSError:
        return []


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
        insecure_file="condarc",
        syntax="yaml",
    )
