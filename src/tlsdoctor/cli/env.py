"""`tlsdoctor env`: shell settings that point tools at the bundle, for this shell only.

eval "$(tlsdoctor env)"                      # bash, zsh
tlsdoctor env --shell fish | source          # fish
tlsdoctor env --shell powershell | Invoke-Expression
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tlsdoctor.cli._options import add_json
from tlsdoctor.errors import EXIT_OK, InputError
from tlsdoctor.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tlsdoctor.core.envvars import SHELLS

    parser.add_argument(
        "--shell",
        choices=SHELLS,
        default=None,
        help=_(
            "shell syntax (default: the shell that runs tlsdoctor, else $SHELL, else bash; "
            "powershell on Windows)"
        ),
    )
    parser.add_argument(
        "--bundle",
        metavar="PATH",
        help=_("the bundle to point at (default: the one 'tlsdoctor bundle' wrote)"),
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help=_("print which tools read each variable and whether it replaces or adds"),
    )
    add_json(parser)


# Process names of shells, and the syntax tlsdoctor prints for them (sh/dash read POSIX export).
_SHELL_SYNTAX = {
    "bash": "bash",
    "zsh": "zsh",
    "fish": "fish",
    "sh": "bash",
    "dash": "bash",
    "ksh": "bash",
    "mksh": "bash",
    "pwsh": "powershell",
    "powershell": "powershell",
}
# How far up to look: `eval "$(tlsdoctor env)"` makes tlsdoctor a child of the shell (or of its
# command-substitution subshell); launchers such as `uv run` or `python -m` add a level or two.
_MAX_ANCESTORS = 4


def _process_name(pid: int, proc: Path) -> tuple[str, int] | None:
    """(name, parent pid) of ``pid`` from /proc, or None when it cannot be read."""
    try:
        name = (proc / str(pid) / "comm").read_text(encoding="utf-8", errors="replace").strip()
        stat = (proc / str(pid) / "stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    # stat is "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after
    # the last ")".
    fields = stat.rpartition(")")[2].split()
    try:
        return name, int(fields[1])
    except (IndexError, ValueError):
        return None


def calling_shell(pid: int | None = None, proc: Path = Path("/proc")) -> str | None:
    """The syntax of the nearest shell among this process's ancestors (Linux /proc only)."""
    current = os.getppid() if pid is None else pid
    for _level in range(_MAX_ANCESTORS):
        if current <= 1:
            return None
        found = _process_name(current, proc)
        if found is None:
            return None
        name, parent = found
        syntax = _SHELL_SYNTAX.get(name.lstrip("-").removesuffix(".exe"))
        if syntax is not None:
            return syntax
        current = parent
    return None


def default_shell(environ: dict[str, str] | None = None) -> str:
    """The shell that runs ``tlsdoctor env``: the nearest shell among the parent processes
    (so `eval "$(tlsdoctor env)"` in bash works when the login shell is fish), else $SHELL,
    else bash (powershell on Windows)."""
    detected = calling_shell() if environ is None else None
    if detected is not None:
        return detected
    env = os.environ if environ is None else environ
    name = Path(env.get("SHELL", "")).name
    if name in ("bash", "zsh", "fish"):
        return name
    if sys.platform == "win32":
        return "powershell"
    return "bash"


def _safe_wgetrc(path: Path) -> Path | None:
    """The wgetrc to export as WGETRC; None when there is none, or when it turns wget's
    verification off (built from a ~/.wgetrc with check_certificate = off by an older
    tlsdoctor): exporting it would switch verification off in every shell that evals us."""
    from tlsdoctor.core import bundle
    from tlsdoctor.core.changes import read_text

    text = read_text(path)
    if text is None:
        return None
    _kept, dropped = bundle.wgetrc_without_insecure(text)
    if not dropped:
        return path
    message = _(
        "{path} sets {setting}, which turns verification off: WGETRC is not exported; "
        "rebuild it with 'tlsdoctor bundle'",
        path=str(path),
        setting=dropped[0],
    )
    sys.stderr.write(_("warning: {text}", text=message) + "\n")
    return None


def run(args: argparse.Namespace) -> int:
    from tlsdoctor.cli._options import require_file_names
    from tlsdoctor.core import bundle, envvars
    from tlsdoctor.render.console import console

    require_file_names(args, {"bundle": "--bundle"})
    if args.explain:
        if args.json:
            from tlsdoctor.render.console import print_json

            print_json({"variables": envvars.explain_rows()})
            return EXIT_OK
        from tlsdoctor.render.ca import render_explain

        render_explain(console(), envvars.explain_rows())
        return EXIT_OK
    bundle_path = Path(args.bundle) if args.bundle else bundle.default_bundle_path()
    bundle_path = bundle_path.expanduser().absolute()
    if not bundle_path.is_file():
        raise InputError(
            _("no bundle at {path}", path=str(bundle_path)),
            hint=_("build it first: tlsdoctor bundle --ca FILE (or tlsdoctor bundle --host HOST)"),
        )
    ca_path = bundle.ca_path_for(bundle_path)
    if not ca_path.is_file():
        raise InputError(
            _(
                "no CA-only file at {path} (NODE_EXTRA_CA_CERTS needs it): rebuild the bundle "
                "with 'tlsdoctor bundle'",
                path=str(ca_path),
            )
        )
    wgetrc_path = _safe_wgetrc(bundle.wgetrc_path_for(bundle_path))
    findings = bundle.check_bundle(bundle_path)
    if args.json:
        from tlsdoctor.render.console import print_json

        print_json(
            {
                "bundle": str(bundle_path),
                "ca": str(ca_path),
                "variables": envvars.env_values(bundle_path, ca_path, wgetrc_path=wgetrc_path),
                "findings": [f.to_dict() for f in findings],
            }
        )
        return EXIT_OK
    text = envvars.render_env(
        args.shell or default_shell(), bundle_path, ca_path, wgetrc_path=wgetrc_path
    )
    sys.stdout.write(text)
    for finding in findings:
        if finding.severity == "error":  # still printed: the user decides; eval ignores stderr
            sys.stderr.write(_("warning: {text}", text=finding.message) + "\n")
    return EXIT_OK
