"""Which files to lint and what kind each one is.

Inside a git work tree the list comes from ``git ls-files --cached --others --exclude-standard``
(so .gitignore, .git/info/exclude and the global excludes apply exactly as git applies them);
elsewhere a small .gitignore matcher walks the tree. Symlinks found in the tree are not
followed (a target inside the tree is linted under its own name, one outside never is); a
symlink named on the command line is. Binary and very large files are skipped by the engine.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_SIZE = 2 * 1024 * 1024
# Never descended into below the linted folder (a folder given on the command line is linted).
ALWAYS_SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
    | {".tox", ".nox", ".venv", "venv", "node_modules", "__pypackages__"}
)

_BY_SUFFIX: dict[str, str] = {
    ".py": "python",
    ".pyw": "python",
    ".js": "js",
    ".mjs": "js",
    ".cjs": "js",
    ".jsx": "js",
    ".ts": "js",
    ".tsx": "js",
    ".mts": "js",
    ".cts": "js",
    ".vue": "js",
    ".go": "go",
    ".java": "java",
    ".kt": "java",
    ".kts": "java",
    # Groovy: Jenkins shared libraries (vars/*.groovy) run sh steps as a Jenkinsfile does.
    ".groovy": "jenkinsfile",
    # Gradle builds run commands too (Exec tasks, exec { commandLine ... }): Groovy or Kotlin
    # code with shell steps, linted like a Jenkinsfile.
    ".gradle": "jenkinsfile",
    ".scala": "java",
    ".cs": "csharp",
    ".rb": "ruby",
    ".gemspec": "ruby",
    ".rake": "ruby",
    ".php": "php",
    ".rs": "rust",
    ".dart": "dart",
    ".swift": "swift",
    ".m": "objc",
    ".mm": "objc",
    ".pl": "perl",
    ".pm": "perl",
    ".r": "r",
    ".ex": "elixir",
    ".exs": "elixir",
    ".erl": "erlang",
    ".hrl": "erlang",
    ".lua": "lua",
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".ksh": "shell",
    ".fish": "shell",
    ".ps1": "powershell",
    ".psm1": "powershell",
    ".dockerfile": "dockerfile",
    ".mk": "makefile",
    ".yml": "yaml",
    ".yaml": "yaml",
    ".json": "json",
    ".jsonc": "json",
    ".toml": "toml",
    ".ini": "ini",
    ".cfg": "ini",
    ".conf": "ini",
    ".env": "env",
    ".properties": "properties",
    ".kubeconfig": "kubeconfig",
    ".tf": "terraform",
    ".tofu": "terraform",
    ".tfvars": "terraform",
    ".md": "docs",
    ".markdown": "docs",
    ".rst": "docs",
    ".adoc": "docs",
    ".txt": "docs",
    ".pem": "cert",
    ".crt": "cert",
    ".cer": "cert",
    ".der": "cert",
    ".cert": "cert",
    ".ca-bundle": "cert",
}

_BY_NAME: dict[str, str] = {
    "dockerfile": "dockerfile",
    "containerfile": "dockerfile",
    "makefile": "makefile",
    "gnumakefile": "makefile",
    "gemfile": "ruby",
    "rakefile": "ruby",
    "vagrantfile": "ruby",
    ".npmrc": "npmrc",
    "npmrc": "npmrc",
    ".yarnrc": "yarnrc",
    ".yarnrc.yml": "yaml",
    ".pnpmrc": "npmrc",
    "pip.conf": "pipconf",
    "pip.ini": "pipconf",
    ".gitconfig": "gitconfig",
    "gitconfig": "gitconfig",
    ".condarc": "condarc",
    "condarc": "condarc",
    ".curlrc": "curlrc",
    "_curlrc": "curlrc",
    ".wgetrc": "wgetrc",
    "wgetrc": "wgetrc",
    ".env": "env",
    ".envrc": "env",
    "kubeconfig": "kubeconfig",
    "daemon.json": "json",
    "jenkinsfile": "jenkinsfile",
    "procfile": "shell",
    ".gemrc": "yaml",  # RubyGems' config (:ssl_verify_mode: 0)
    "gemrc": "yaml",
    "maven.config": "shell",  # .mvn/maven.config: Maven's command-line options, one per line
}

_REQUIREMENTS = re.compile(r"(?:.*requirements.*|constraints.*)\.(?:txt|in)$")
_SHEBANG = re.compile(
    rb"#![^\n]*\b(python[0-9.]*|bash|sh|zsh|ksh|node|ruby|php|pwsh|perl|Rscript|lua|elixir)\b"
)
_SHEBANG_KINDS = {
    "node": "js",
    "ruby": "ruby",
    "php": "php",
    "pwsh": "powershell",
    "perl": "perl",
    "Rscript": "r",
    "lua": "lua",
    "elixir": "elixir",
}


def kind_of(name: str) -> str | None:
    """The file kind for a file name, or None for files no rule looks at (by name only)."""
    lower = name.lower()
    by_name = _BY_NAME.get(lower)
    if by_name:
        return by_name
    # Containerfile: Podman/Buildah's name for a Dockerfile, linted the same way.
    if lower.startswith(("dockerfile.", "containerfile.")) or lower.endswith(
        (".dockerfile", ".containerfile")
    ):
        return "dockerfile"
    if lower.endswith((".tf.json", ".tofu.json", ".tfvars.json")):
        return "terraform"  # Terraform's JSON syntax: the same attributes as in .tf
    if lower.startswith("jenkinsfile.") or lower.endswith((".jenkinsfile", ".gradle.kts")):
        return "jenkinsfile"
    if lower.startswith(".env.") or lower.endswith(".env"):
        return "env"
    if _REQUIREMENTS.match(lower):
        return "requirements"
    if lower.endswith(".gitlab-ci.yml"):
        return "yaml"
    _, dot, suffix = lower.rpartition(".")
    return _BY_SUFFIX.get("." + suffix) if dot else None


def kind_from_shebang(head: bytes) -> str | None:
    found = _SHEBANG.match(head)
    if not found:
        return None
    interpreter = found.group(1).decode("ascii")
    if interpreter.startswith("python"):
        return "python"
    return _SHEBANG_KINDS.get(interpreter, "shell")


@dataclass(frozen=True)
class Candidate:
    """A file to lint: where it is, how to show it, its kind (None: decide from the shebang)."""

    path: str
    display: str
    kind: str | None
    rel: str
    explicit: bool = False


@dataclass
class _Ignore:
    """The .gitignore rules of one directory (used outside git work trees)."""

    base: str
    rules: list[tuple[re.Pattern[str], bool, bool]] = field(default_factory=list)


def _compile_gitignore_line(line: str) -> tuple[re.Pattern[str], bool, bool] | None:
    text = line.rstrip("\n").rstrip("\r")
    if not text.strip() or text.startswith("#"):
        return None
    text = text.rstrip(" ") if not text.endswith("\\ ") else text
    negate = text.startswith("!")
    if negate:
        text = text[1:]
    text = text.removeprefix("\\")
    dir_only = text.endswith("/")
    text = text.rstrip("/")
    anchored = "/" in text
    text = text.lstrip("/")
    regex = _glob_to_regex(text)
    prefix = "" if anchored else r"(?:.*/)?"
    return re.compile(prefix + regex + r"$"), negate, dir_only


def _glob_to_regex(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        if glob[i] == "\\" and i + 1 < len(glob):  # `\[`, `\*`, `\ `: the next character as is
            out.append(re.escape(glob[i + 1]))
            i += 2
        elif glob.startswith("**/", i):
            out.append(r"(?:.*/)?")
            i += 3
        elif glob.startswith("/**", i) and i + 3 == len(glob):
            out.append(r"/.*")
            i += 3
        elif glob.startswith("**", i):
            out.append(r".*")
            i += 2
        elif glob[i] == "*":
            out.append(r"[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append(r"[^/]")
            i += 1
        elif glob[i] == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(glob[i]))
                i += 1
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def _load_ignore(directory: str, base: str) -> _Ignore | None:
    try:
        with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError:
        return None
    rules = [rule for rule in map(_compile_gitignore_line, lines) if rule]
    return _Ignore(base, rules) if rules else None


def _ignored(stack: Sequence[_Ignore], rel: str, is_dir: bool) -> bool:
    """Last matching rule wins, deeper .gitignore files after shallower ones (as git does)."""
    verdict = False
    for ignore in stack:
        local = rel[len(ignore.base) + 1 :] if ignore.base else rel
        for pattern, negate, dir_only in ignore.rules:
            if dir_only and not is_dir:
                continue
            if pattern.match(local):
                verdict = not negate
    return verdict


def walk_tree(root: str, display_root: str, *, gitignore: bool = True) -> Iterator[Candidate]:
    """Walk ``root`` honouring .gitignore files, never following a symlink."""
    top = _load_ignore(root, "") if gitignore else None
    yield from _walk(root, "", [top] if top else [], display_root, gitignore)


def _walk(
    directory: str,
    rel: str,
    stack: list[_Ignore],
    display_root: str,
    gitignore: bool,
) -> Iterator[Candidate]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        child_rel = f"{rel}/{entry.name}" if rel else entry.name
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir()
            is_file = entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        if is_link:
            continue  # inside the tree its target is linted under its own name; outside, never
        if is_dir:
            if entry.name in ALWAYS_SKIPPED_DIRS or _ignored(stack, child_rel, True):
                continue
            nested = _load_ignore(entry.path, child_rel) if gitignore else None
            inner = [*stack, nested] if nested else stack
            yield from _walk(entry.path, child_rel, inner, display_root, gitignore)
        elif is_file and not _ignored(stack, child_rel, False):
            # Only regular files: opening a FIFO, socket or device could block or never end.
            kind = kind_of(entry.name)
            if kind is None and not _executable(entry):
                continue
            yield Candidate(entry.path, _join(display_root, child_rel), kind, child_rel)


def _executable(entry: os.DirEntry[str]) -> bool:
    """Files without a known name are read for a shebang only when they are executable."""
    if "." in entry.name:
        return False
    try:
        return bool(entry.stat().st_mode & stat.S_IXUSR)
    except OSError:
        return False


def _join(display_root: str, rel: str) -> str:
    return rel if display_root in ("", ".") else f"{display_root.rstrip('/')}/{rel}"


def git_files(root: str) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files under ``root`` (relative), or None."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=root,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    names = sorted({n for n in done.stdout.decode("utf-8", "surrogateescape").split("\0") if n})
    if not names and _ignored_by_git(root):
        return None  # a folder named explicitly but ignored (a virtualenv...): walk it anyway
    return names


def _ignored_by_git(root: str) -> bool:
    try:
        done = subprocess.run(
            ["git", "check-ignore", "-q", "."], cwd=root, capture_output=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _from_git(root: str, names: Iterable[str], display_root: str) -> Iterator[Candidate]:
    for rel in names:
        parts = rel.split("/")
        if any(part in ALWAYS_SKIPPED_DIRS for part in parts[:-1]):
            continue
        path = os.path.join(root, rel)
        try:
            info = os.lstat(path)
        except OSError:
            continue  # deleted in the work tree
        if not stat.S_ISREG(info.st_mode):
            continue  # a symlink, or a FIFO/socket/device that reading could block on
        kind = kind_of(parts[-1])
        if kind is None and ("." in parts[-1] or not info.st_mode & stat.S_IXUSR):
            continue
        yield Candidate(path, _join(display_root, rel), kind, rel)


def candidates(paths: Sequence[str], *, use_git: bool = True) -> Iterator[Candidate]:
    """Files under each path (directories walked, files taken as given).

    ``use_git=False`` is ripgrep's --no-ignore: .gitignore files are not read either.
    """
    seen: set[str] = set()
    for given in paths:
        display_root = given if given not in ("", ".") else ""
        display_root = display_root.removeprefix("./")
        if os.path.isdir(given):
            listing = git_files(given) if use_git else None
            found = (
                _from_git(given, listing, display_root)
                if listing is not None
                else walk_tree(given, display_root, gitignore=use_git)
            )
        else:
            name = os.path.basename(given)
            shown = given.removeprefix("./")
            found = iter([Candidate(given, shown, kind_of(name), shown, explicit=True)])
        for candidate in found:
            key = os.path.normpath(candidate.path)
            if key not in seen:
                seen.add(key)
                yield candidate


def matches_any(display: str, globs: Sequence[str]) -> bool:
    """Glob match on the displayed path, its name, and every parent folder (like ruff's exclude)."""
    if not globs:
        return False
    path = display.removeprefix("./")
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for glob in globs:
        pattern = glob.removeprefix("./").rstrip("/")
        if not pattern:  # "" or "/" would match the empty first part of every absolute path
            continue
        if fnmatch.fnmatchcase(parts[-1], pattern):
            return True
        if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            return True
    return False


def resolve_display(path: str) -> str:
    return Path(path).as_posix()
