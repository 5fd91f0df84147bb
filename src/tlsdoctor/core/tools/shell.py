"""A marked block in the shell profile (bash, zsh, fish, PowerShell) exporting the CA variables.

Replace-style variables get the full bundle, add-style ones (NODE_EXTRA_CA_CERTS) the CA only.
The block sits between two marker lines and is rewritten in place, so setup stays idempotent;
undo restores the profile byte for byte.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from tlsdoctor.core.changes import Note, Plan, read_text
from tlsdoctor.core.envvars import ENV_VARS, quote_fish, quote_posix, quote_powershell
from tlsdoctor.core.tools._base import Context, edit_file, writable_only
from tlsdoctor.i18n import _

BEGIN = "# >>> tlsdoctor >>>"
END = "# <<< tlsdoctor <<<"
HEADER = "# Managed by 'tlsdoctor setup'; 'tlsdoctor undo' removes it."

SHELLS = ("bash", "zsh", "fish", "powershell")

# Set through each tool's own config instead (pip decides by version; git/cargo have files),
# or not a file variable at all.
NOT_EXPORTED = frozenset(
    {
        "PIP_CERT",
        "GIT_SSL_CAINFO",
        "CARGO_HTTP_CAINFO",
        "SSL_CERT_DIR",
        "GIT_SSL_CAPATH",
        "NODE_USE_SYSTEM_CA",
        "UV_SYSTEM_CERTS",
        "UV_NATIVE_TLS",
        "DENO_TLS_CA_STORE",
        "NODE_OPTIONS",
        "JAVA_TOOL_OPTIONS",
        "NIX_SSL_CERT_FILE",
    }
)


# Option lists the user may already set: the block appends to them instead of replacing them.
APPENDED = frozenset({"JAVA_TOOL_OPTIONS"})
# Variables a tool's own setup adds to the block (ctx.shell_exports): a run without that tool
# keeps them, so 'setup shell' never undoes 'setup java'.
TOOL_VARIABLES = {"JAVA_TOOL_OPTIONS": "java"}


def exported_variables(ctx: Context) -> list[tuple[str, str]]:
    """(NAME, value) pairs for the block, from the shared variable list (data/envvars.toml)."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for var in ENV_VARS:
        if var.wants not in ("bundle", "ca") or var.name in NOT_EXPORTED or var.name in seen:
            continue
        seen.add(var.name)
        pairs.append((var.name, str(ctx.ca if var.wants == "ca" else ctx.bundle)))
    pairs.extend(ctx.shell_exports)
    return pairs


def first_option(value: str) -> str:
    """The first word of an option list, as the JVM splits it: whitespace inside '...' or
    "..." does not end it (a trustStore path with a space)."""
    quote = ""
    for i, char in enumerate(value.lstrip()):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char.isspace():
            return value.lstrip()[:i]
    return value.strip()


def _append_line(shell: str, name: str, value: str) -> str:
    """Append ``value`` to the option list in ``name`` once (sourcing twice adds nothing)."""
    first = first_option(value)
    if shell == "fish":
        return (
            f'if not string match -q -- {quote_fish("* " + first + " *")} " ${name} "; '
            f'set -gx {name} (string trim -- "${name} "{quote_fish(value)}); end'
        )
    if shell == "powershell":
        return (
            f'if (-not (" $env:{name} ").Contains({quote_powershell(" " + first + " ")})) '
            f'{{ $env:{name} = ("$env:{name} " + {quote_powershell(value)}).Trim() }}'
        )
    return (
        f'case " ${{{name}-}} " in *{quote_posix(" " + first + " ")}*) ;; '
        f'*) export {name}="${{{name}:+${name} }}"{quote_posix(value)} ;; esac'
    )


def render_block(shell: str, pairs: Iterable[tuple[str, str]]) -> str:
    lines = [BEGIN, HEADER]
    for name, value in pairs:
        if name in APPENDED:
            lines.append(_append_line(shell, name, value))
        elif shell == "fish":
            lines.append(f"set -gx {name} {quote_fish(value)}")
        elif shell == "powershell":
            lines.append(f"$env:{name} = {quote_powershell(value)}")
        else:
            lines.append(f"export {name}={quote_posix(value)}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def block_problem(text: str) -> str | None:
    """Why the marked block in ``text`` cannot be replaced safely, or None (one whole block, or
    none). A start marker without its end marker (a block removed by hand, one line left) would
    make the next edit take the user's own lines after it for part of the block."""
    marks = [line.strip() for line in text.splitlines() if line.strip() in (BEGIN, END)]
    if not marks or marks == [BEGIN, END]:
        return None
    if marks.count(BEGIN) > 1 or marks.count(END) > 1:
        return _("more than one tlsdoctor block: keep one, delete the other lines between markers")
    if marks == [BEGIN]:
        return _("'{begin}' has no '{end}' line after it", begin=BEGIN, end=END)
    return _("'{end}' has no '{begin}' line before it", begin=BEGIN, end=END)


def replace_block(text: str, block: str) -> tuple[str, str | None]:
    """Put ``block`` in place of the existing marked block, or append it."""
    start = text.find(BEGIN)
    if start != -1:
        end = text.find(END, start)
        if end != -1:
            end += len(END)
            if text[end : end + 2] == "\r\n":
                end += 2
            elif text[end : end + 1] == "\n":
                end += 1
            old = text[start:end]
            return text[:start] + block + text[end:], old
    prefix = text
    if prefix and not prefix.endswith("\n"):
        prefix += "\n"
    if prefix.strip():
        prefix += "\n"
    return prefix + block, None


def profile_path(ctx: Context, shell: str) -> Path:
    if shell == "bash":
        return ctx.home / ".bashrc"
    if shell == "zsh":
        zdotdir = ctx.env_path("ZDOTDIR")
        return (zdotdir or ctx.home) / ".zshrc"
    if shell == "fish":
        return ctx.config_home / "fish" / "conf.d" / "tlsdoctor.fish"
    if ctx.platform == "win32":
        return ctx.home / "Documents" / "PowerShell" / "Microsoft.PowerShell_profile.ps1"
    return ctx.config_home / "powershell" / "Microsoft.PowerShell_profile.ps1"


def detected_shells(ctx: Context) -> list[str]:
    """Shells in use: the login shell, plus any whose profile already exists."""
    login = Path(ctx.environ.get("SHELL", "")).name
    found: list[str] = []
    for shell in SHELLS:
        program = "pwsh" if shell == "powershell" else shell
        in_use = login == program or (shell == "powershell" and ctx.platform == "win32")
        if (
            in_use
            or profile_path(ctx, shell).exists()
            or (shell == "fish" and (ctx.config_home / "fish").is_dir())
        ):
            found.append(shell)
    if not found:
        found.append("powershell" if ctx.platform == "win32" else "bash")
    return found


def _kept_tool_variables(path: Path, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The variables of tools not in this run that the profile's block already sets."""
    planned = {name for name, _value in pairs}
    current = block_variables(read_text(path) or "")
    return [(n, v) for n, v in current.items() if n in TOOL_VARIABLES and n not in planned]


def plan_shell(ctx: Context, shells: list[str]) -> Plan:
    plan = Plan()
    base = exported_variables(ctx)
    for shell in shells:
        path = profile_path(ctx, shell)
        kept = _kept_tool_variables(path, base)
        pairs = base + kept
        block = render_block(shell, pairs)
        for name, _value in kept:
            plan.notes.append(
                Note(
                    "shell",
                    _(
                        "{path}: the block keeps {name} from 'tlsdoctor setup {tool}'",
                        path=str(path),
                        name=name,
                        tool=TOOL_VARIABLES[name],
                    ),
                )
            )
        sub = writable_only(
            edit_file(
                ctx,
                "shell",
                path,
                _("tlsdoctor block ({shell})", shell=shell),
                _("{count} variables", count=len(pairs)),
                _block_editor(block),
                preview=block,
                syntax="tlsdoctor-block",
            )
        )
        sub.changes = [
            dataclasses.replace(c, old_value=_old_values(ctx, c.old, pairs)) for c in sub.changes
        ]
        plan.extend(sub)
    for name in sorted({name for name, _value in base} & APPENDED):
        plan.notes.append(Note("shell", _appended_note(name, ctx.environ.get(name))))
    if plan.changes:  # a profile was changed (not one up to date, or one setup cannot write)
        plan.notes.append(
            Note("shell", _("open a new shell (or source the profile) to pick the variables up"))
        )
    return plan


# The last quoted literal of a block line, per shell quoting: sh 'a'\''b', fish 'a\'b', ps 'a''b'.
_LITERALS: dict[str, tuple[str, Callable[[str], str]]] = {
    "sh": (r"'((?:[^']|'\\'')*)'[^']*$", lambda v: v.replace("'\\''", "'")),
    "fish": (r"'((?:[^'\\]|\\.)*)'[^']*$", lambda v: re.sub(r"\\(.)", r"\1", v)),
    "ps": (r"'((?:[^']|'')*)'[^']*$", lambda v: v.replace("''", "'")),
}


def block_variables(text: str) -> dict[str, str]:
    """NAME -> value of the variables the marked block in ``text`` sets (empty: no block)."""
    start = text.find(BEGIN)
    end = text.find(END, start + 1) if start != -1 else -1
    if start == -1 or end == -1:
        return {}
    found: dict[str, str] = {}
    for line in text[start:end].splitlines():
        name = re.search(r"(export |set -gx |\$env:)(\w+)", line)
        if not name:
            continue
        kind = {"export ": "sh", "set -gx ": "fish", "$env:": "ps"}[name.group(1)]
        pattern, unquote = _LITERALS[kind]
        value = re.search(pattern, line[name.end() :])
        if value:
            found[name.group(2)] = unquote(value.group(1))
    return found


def _appended_note(name: str, value: str | None) -> str:
    if not value:  # its own sentence: "(now: (not set))" nests parentheses
        return _(
            "{name} is appended to, not replaced: options you already set stay (not set now)",
            name=name,
        )
    return _(
        "{name} is appended to, not replaced: options you already set stay (now: {value})",
        name=name,
        value=value,
    )


def _old_values(ctx: Context, old: bytes | None, pairs: list[tuple[str, str]]) -> str | None:
    """What the plan shows as the block's old value: the old block's variables, else the ones
    this environment already sets; None when there are neither."""
    text = "" if old is None else old.decode("utf-8", errors="replace")
    current = block_variables(text)
    if current:
        return ", ".join(f"{k}={v}" for k, v in current.items())
    names = [name for name, _value in pairs if ctx.environ.get(name)]
    if not names:
        return None
    return _(
        "in this environment: {values}", values=", ".join(f"{n}={ctx.environ[n]}" for n in names)
    )


def _block_editor(block: str) -> Callable[[str], tuple[str, str | None]]:
    return lambda text: _block_edit(text, block)


def _block_edit(text: str, block: str) -> tuple[str, str | None]:
    new, old = replace_block(text, block)
    # edit_file compares the old and new "values": the block itself stands for its value here.
    if old == block:
        return text, None
    return new, None
