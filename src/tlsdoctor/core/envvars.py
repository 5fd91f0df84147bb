"""Environment variables that point tools at the bundle, and the shell code that sets them.

The catalog lives in ``data/envvars.toml``: each entry has ``name``, ``tools``, ``semantics``
("replace" or "add"), ``wants`` ("bundle" or "ca"), ``note``/``note_ja`` and ``source``.
:func:`render_env` prints settings for bash, zsh, fish, PowerShell or cmd, scoped to the
current shell (the article's advice), with a comment per variable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tlsdoctor._data import load_data
from tlsdoctor.errors import UsageError
from tlsdoctor.i18n import _, join_list, localized

SHELLS = ("bash", "zsh", "fish", "powershell", "cmd")
WGETRC = "WGETRC"


@dataclass(frozen=True)
class EnvVar:
    name: str
    tools: tuple[str, ...]
    semantics: str  # "replace" | "add"
    wants: str  # "bundle" | "ca"
    note: str
    note_ja: str
    source: str
    tools_ja: tuple[str, ...] = ()

    def localized_note(self) -> str:
        return str(localized({"note": self.note, "note_ja": self.note_ja}, "note"))

    def localized_tools(self) -> str:
        """The tools as a list in running text, in the user's language."""
        tools = localized({"tools": self.tools, "tools_ja": self.tools_ja}, "tools")
        return join_list(tools)

    def value_for(self, bundle_path: str | Path, ca_path: str | Path) -> str:
        return str(ca_path if self.wants == "ca" else bundle_path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "tools": list(self.tools),
            "semantics": self.semantics,
            "wants": self.wants,
            "note": self.localized_note(),
            "source": self.source,
        }


def _load() -> tuple[EnvVar, ...]:
    entries = load_data("envvars.toml")["var"]
    return tuple(
        EnvVar(
            name=e["name"],
            tools=tuple(e["tools"]),
            semantics=e["semantics"],
            wants=e["wants"],
            note=e["note"],
            note_ja=e.get("note_ja", ""),
            source=e.get("source", ""),
            tools_ja=tuple(e.get("tools_ja", ())),
        )
        for e in entries
    )


ENV_VARS: tuple[EnvVar, ...] = _load()


def by_name(name: str) -> EnvVar | None:
    return next((v for v in ENV_VARS if v.name == name), None)


# --------------------------------------------------------------------------- quoting


def quote_posix(value: str) -> str:
    """Single-quoted for bash/zsh/sh: nothing inside is special except the quote itself."""
    return "'" + value.replace("'", "'\\''") + "'"


def quote_fish(value: str) -> str:
    """fish single quotes: only backslash and the quote are escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def quote_powershell(value: str) -> str:
    """PowerShell verbatim string: a quote is doubled (also the typographic ones)."""
    out = value
    for quote in ("'", "\u2018", "\u2019", "\u201a", "\u201b"):
        out = out.replace(quote, quote + quote)
    return "'" + out + "'"


def quote_cmd(value: str) -> str:
    """cmd.exe ``set "NAME=value"``; a value with a quote, % or newline cannot be set safely."""
    if any(ch in value for ch in ('"', "%", "\n", "\r", "!")):
        raise UsageError(
            _(
                "the path {path} contains a character cmd.exe cannot set safely "
                '(", %, ! or a newline): use --bundle with another path or PowerShell',
                path=value,
            )
        )
    return value


def _assignment(shell: str, name: str, value: str) -> str:
    if shell in ("bash", "zsh"):
        return f"export {name}={quote_posix(value)}"
    if shell == "fish":
        return f"set -gx {name} {quote_fish(value)}"
    if shell == "powershell":
        return f"$env:{name} = {quote_powershell(value)}"
    return f'set "{name}={quote_cmd(value)}"'


def _comment(shell: str, text: str) -> str:
    prefix = "rem " if shell == "cmd" else "# "
    return "\n".join(prefix + line for line in text.splitlines())


def _variable_comment(var: EnvVar) -> str:
    """The comment above a variable: what reads it and what it gets, one sentence per kind."""
    if var.semantics == "add":
        return _(
            "{name}: {tools} (adds to the defaults; gets the CA-only file)",
            name=var.name,
            tools=var.localized_tools(),
        )
    return _(
        "{name}: {tools} (replaces the default roots; gets the full bundle)",
        name=var.name,
        tools=var.localized_tools(),
    )


def render_env(
    shell: str,
    bundle_path: str | Path,
    ca_path: str | Path,
    *,
    wgetrc_path: str | Path | None = None,
    variables: Sequence[EnvVar] | None = None,
) -> str:
    """Shell code setting every variable for ``shell`` (bash, zsh, fish, powershell, cmd)."""
    if shell not in SHELLS:
        raise UsageError(
            _(
                "unknown shell {shell!r} (use one of: {shells})",
                shell=shell,
                shells=", ".join(SHELLS),
            )
        )
    lines = [
        _comment(
            shell,
            _(
                "tlsdoctor: trust the TLS inspection CA in THIS shell only.\n"
                "Do not copy these settings into production, CI images or customers' "
                "environments: they exist because of this network's inspection proxy."
            ),
        ),
        _comment(shell, _("bundle (public roots + inspection CA): {path}", path=str(bundle_path))),
        _comment(shell, _("inspection CA only: {path}", path=str(ca_path))),
        "",
    ]
    for var in variables if variables is not None else ENV_VARS:
        lines.append(_comment(shell, _variable_comment(var)))
        lines.append(_assignment(shell, var.name, var.value_for(bundle_path, ca_path)))
    if wgetrc_path is not None:
        lines.append(
            _comment(
                shell,
                _(
                    "WGETRC: wget (GnuTLS builds ignore SSL_CERT_FILE); a wgetrc that sets "
                    "ca_certificate to the bundle"
                ),
            )
        )
        lines.append(_assignment(shell, WGETRC, str(wgetrc_path)))
    return "\n".join(lines) + "\n"


def _wgetrc_row() -> dict[str, str]:
    return {
        "name": WGETRC,
        "tools": "wget",
        "semantics": "replace",
        "wants": "wgetrc",
        "note": _(
            "set only when the wgetrc beside the bundle exists: GnuTLS builds of wget ignore "
            "SSL_CERT_FILE, and wget has no CA variable; that wgetrc holds a copy of your "
            "~/.wgetrc plus ca_certificate = the bundle"
        ),
    }


def explain_rows() -> list[dict[str, str]]:
    """One row per variable ``env`` sets (WGETRC included), for ``env --explain``."""
    rows = [
        {
            "name": var.name,
            "tools": var.localized_tools(),
            "semantics": var.semantics,
            "wants": var.wants,
            "note": var.localized_note(),
        }
        for var in ENV_VARS
    ]
    return [*rows, _wgetrc_row()]


def env_values(
    bundle_path: str | Path,
    ca_path: str | Path,
    *,
    wgetrc_path: str | Path | None = None,
) -> list[dict[str, Any]]:
    """``env --json``: each variable ``env`` sets, with its value and whether it replaces/adds."""
    values: list[dict[str, Any]] = [
        {**var.to_dict(), "value": var.value_for(bundle_path, ca_path)} for var in ENV_VARS
    ]
    if wgetrc_path is not None:
        row = _wgetrc_row()
        values.append(
            {
                "name": WGETRC,
                "tools": ["wget"],
                "semantics": row["semantics"],
                "wants": row["wants"],
                "note": row["note"],
                "source": "https://www.gnu.org/software/wget/manual/wget.html#Wgetrc-Location",
                "value": str(wgetrc_path),
            }
        )
    return values
