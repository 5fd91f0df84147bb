"""A marked block in the shell profile (bash, zsh, fish, PowerShell) exporting the CA variables.

Replace-style variables get the full bundle, add-style ones (NODE_EXTRA_CA_CERTS) the CA only.
The block sits between two marker lines and is rewritten in place, so setup stays idempotent;
undo restores the profile byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from tlsdoctor.core.changes import Note, Plan
from tlsdoctor.core.tools._base import Context, edit_file
from tlsdoctor.i18n import _

BEGIN = "# >>> tlsdoctor >>>"
END = "# <<< tlsdoctor <<<"
HEADER = "# Managed by 'tlsdoctor setup'; 'tlsdoctor undo' removes it."

SHELLS = ("bash", "zsh", "fish", "powershell")

# Used until tlsdoctor.core.envvars is available: (name, "bundle" | "ca").
FALLBACK_VARS: tuple[tuple[str, str], ...] = (
    ("SSL_CERT_FILE", "bundle"),
    ("REQUESTS_CA_BUNDLE", "bundle"),
    ("CURL_CA_BUNDLE", "bundle"),
    ("NODE_EXTRA_CA_CERTS", "ca"),
    ("AWS_CA_BUNDLE", "bundle"),
    ("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "bundle"),
    ("HTTPLIB2_CA_CERTS", "bundle"),
    ("CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE", "bundle"),
)
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


def exported_variables(ctx: Context) -> list[tuple[str, str]]:
    """(NAME, value) pairs for the block, from the shared variable list when it exists."""
    pairs: list[tuple[str, str]] = []
    try:
        import importlib

        envvars = importlib.import_module("tlsdoctor.core.envvars")  # the CA work's catalog
        spec = [
            (str(v.name), str(v.wants))
            for v in envvars.ENV_VARS
            if str(getattr(v, "wants", "")) in ("bundle", "ca")
        ]
    except (ImportError, AttributeError):
        spec = list(FALLBACK_VARS)
    if not spec:
        spec = list(FALLBACK_VARS)
    seen: set[str] = set()
    for name, wants in spec:
        if name in NOT_EXPORTED or name in seen:
            continue
        seen.add(name)
        pairs.append((name, str(ctx.ca if wants == "ca" else ctx.bundle)))
    pairs.extend(ctx.shell_exports)
    return pairs


def _sh(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _fish(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ps(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def render_block(shell: str, pairs: Iterable[tuple[str, str]]) -> str:
    lines = [BEGIN, HEADER]
    for name, value in pairs:
        if shell == "fish":
            lines.append(f"set -gx {name} {_fish(value)}")
        elif shell == "powershell":
            lines.append(f"$env:{name} = {_ps(value)}")
        else:
            lines.append(f"export {name}={_sh(value)}")
    lines.append(END)
    return "\n".join(lines) + "\n"


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


def plan_shell(ctx: Context, shells: list[str]) -> Plan:
    plan = Plan()
    pairs = exported_variables(ctx)
    for shell in shells:
        block = render_block(shell, pairs)
        path = profile_path(ctx, shell)
        sub = edit_file(
            ctx,
            "shell",
            path,
            _("tlsdoctor block ({shell})", shell=shell),
            _("{count} variables", count=len(pairs)),
            _block_editor(block),
            preview=block,
        )
        plan.extend(sub)
    plan.notes.append(
        Note("shell", _("open a new shell (or source the profile) to pick the variables up"))
    )
    return plan


def _block_editor(block: str) -> Callable[[str], tuple[str, str | None]]:
    return lambda text: _block_edit(text, block)


def _block_edit(text: str, block: str) -> tuple[str, str | None]:
    new, old = replace_block(text, block)
    # edit_file compares the old and new "values": the block itself stands for its value here.
    if old == block:
        return text, None
    return new, None
