"""docs/rules/*.md, generated from the rule catalog (one page per rule, like ruff's rule docs).

Regenerate with ``python -m tlsdoctor.core.lint.docs docs/rules``; a test checks they match.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .rules import Rule, catalog

KIND_NAMES = {
    "python": "Python",
    "js": "JavaScript/TypeScript",
    "go": "Go",
    "java": "Java/Kotlin/Scala",
    "jenkinsfile": (
        "Jenkinsfiles, Groovy (Jenkins shared libraries) and Gradle builds (.gradle, .gradle.kts)"
    ),
    "csharp": "C#",
    "ruby": "Ruby",
    "php": "PHP",
    "rust": "Rust",
    "dart": "Dart/Flutter",
    "swift": "Swift",
    "objc": "Objective-C (.m, .mm)",
    "perl": "Perl (.pl, .pm)",
    "r": "R",
    "elixir": "Elixir (.ex, .exs)",
    "erlang": "Erlang (.erl, .hrl)",
    "lua": "Lua/OpenResty",
    "shell": "shell scripts",
    "powershell": "PowerShell",
    "dockerfile": "Dockerfiles",
    "makefile": "Makefiles",
    "yaml": "YAML (GitHub Actions, GitLab CI, Ansible, .yarnrc.yml...)",
    "json": "JSON (package.json, daemon.json, VS Code settings...)",
    "toml": "TOML (uv.toml, pyproject.toml, netlify.toml...)",
    "ini": "INI/.cfg/.conf",
    "env": ".env files",
    "npmrc": ".npmrc",
    "yarnrc": ".yarnrc",
    "pipconf": "pip.conf/pip.ini",
    "requirements": "requirements files",
    "gitconfig": ".gitconfig",
    "condarc": ".condarc",
    "curlrc": ".curlrc",
    "wgetrc": ".wgetrc",
    "kubeconfig": "kubeconfig",
    "terraform": "Terraform/OpenTofu (.tf, .tofu, .tfvars, .tf.json)",
    "properties": ".properties",
    "cert": "certificates (.pem .crt .cer .der)",
    "docs": "documentation (.md .rst .txt), YAML/JSON message catalogs (locales/, i18n/...)",
}


def _kinds(rule: Rule) -> str:
    return ", ".join(sorted(KIND_NAMES.get(k, k) for k in rule.kinds))


def _block(lang: str, text: str) -> str:
    return f"```{lang}\n{text.strip(chr(10))}\n```"


def render(rule: Rule) -> str:
    e = rule.entry
    lang = str(e.get("lang", ""))
    default = "on by default" if rule.default else "off by default (enable with `--select`)"
    return "\n".join(
        [
            f"# {rule.id}: {rule.name}",
            "",
            f"**{e['title']}**",
            "",
            f"Severity: {rule.severity} · {default} · Looks at: {_kinds(rule)}",
            "",
            "## Why is this bad?",
            "",
            str(e["why"]),
            "",
            "## Example",
            "",
            _block(lang, str(e["bad"])),
            "",
            "Use instead:",
            "",
            _block(lang, str(e["good"])),
            "",
            "## Fix",
            "",
            str(e["fix"]),
            "",
            "## Suppressing",
            "",
            f"Add `tlsdoctor: ignore[{rule.id}]` in a comment on the line, or list the rule under",
            "`per-file-ignores` in `[tool.tlsdoctor.lint]` (pyproject.toml) or `.tlsdoctor.toml`.",
            "Test fixtures that must contain the pattern belong in `exclude`.",
            "",
            "## 日本語",
            "",
            f"**{e['title_ja']}**",
            "",
            str(e["why_ja"]),
            "",
            f"修正方法: {e['fix_ja']}",
            "",
        ]
    )


def render_index() -> str:
    lines = [
        "# tlsdoctor lint rules",
        "",
        "Generated from `src/tlsdoctor/data/lint_rules.toml`; see [../lint.md](../lint.md).",
        "",
        "| Rule | Title | Severity | Default |",
        "|---|---|---|---|",
    ]
    for rule in catalog():
        default = "on" if rule.default else "off"
        title = str(rule.entry["title"]).replace("|", "\\|")
        lines.append(f"| [{rule.id}]({rule.id}.md) | {title} | {rule.severity} | {default} |")
    return "\n".join(lines) + "\n"


def pages() -> dict[str, str]:
    out = {f"{rule.id}.md": render(rule) for rule in catalog()}
    out["README.md"] = render_index()
    return out


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/rules")
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages().items():
        (folder / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
