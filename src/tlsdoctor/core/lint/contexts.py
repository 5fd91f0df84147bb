"""Where a pattern match in data formats is a setting and where it is prose.

TOML catalogs and YAML/JSON descriptions often *mention* insecure settings; only keys (TOML) and
values outside prose keys (YAML/JSON) count.
"""

from __future__ import annotations

import re

from .text import Window

_TOML_KEY = re.compile(r"[ \t]*(\"[^\"\s]*\"|'[^'\s]*'|[\w.-]+)[ \t]*=")


def at_toml_key(text: str, offset: int) -> bool:
    """In TOML only settings count: the match must start in a key (``KEY = value``).

    String values there are usually prose (catalogs, messages) that mention a setting.
    """
    line_start = text.rfind("\n", 0, offset) + 1
    key = _TOML_KEY.match(text, line_start)
    return key is not None and key.start(1) <= offset < key.end(1)


PROSE_KINDS = frozenset({"yaml", "json", "kubeconfig"})
# YAML/JSON under these folders are message catalogs (Rails config/locales/en.yml, i18next
# locales/ja/translation.json, Angular assets/i18n/ja.json): every value is a message for
# people, so they are read as documentation (TLS401 and embedded certificates only).
MESSAGE_CATALOG_DIRS = frozenset(
    {"locale", "locales", "i18n", "l10n", "translations", "lang", "langs", "languages"}
)


def is_message_catalog(rel: str, kind: str | None) -> bool:
    """Whether a YAML/JSON file (path relative to the project) lies in a locale folder."""
    if kind not in ("yaml", "json"):
        return False
    folders = rel.lower().split("/")[:-1]
    return any(folder in MESSAGE_CATALOG_DIRS for folder in folders)


_PROSE_KEY = re.compile(
    r"[ \t]*(?:-[ \t]*)?[\"']?(?P<key>name|description|desc|title|summary|help|message|msg"
    r"|comment|comments|note|notes|label|text|doc)[\"']?[ \t]*:",
    re.IGNORECASE,
)
# `- name: NODE_TLS_REJECT_UNAUTHORIZED` (Kubernetes/Helm env lists, JSON manifests): a name
# that is one identifier names a variable; it is not a sentence.
_IDENTIFIER_VALUE = re.compile(r"[ \t]*[\"']?[A-Za-z_][A-Za-z0-9_]*[\"']?[ \t]*,?[ \t]*(?:#.*)?$")


def _prose_key_value(line: str) -> re.Match[str] | None:
    """The prose key at the start of ``line``, unless it is a name: holding an identifier."""
    key = _PROSE_KEY.match(line)
    if key is None:
        return None
    if key.group("key").lower() == "name" and _IDENTIFIER_VALUE.match(line, key.end()):
        return None
    return key


def in_prose_value(text: str, offset: int) -> bool:
    """YAML/JSON values of keys such as name: or description: are prose, not settings.

    That includes YAML block scalars (``description: >-`` and the more indented lines below).
    """
    line_start = text.rfind("\n", 0, offset) + 1
    line = text[line_start : text.find("\n", line_start) % (len(text) + 1)]
    key = _prose_key_value(line)
    if key is not None and line_start + key.end() <= offset:
        return True
    indent = len(line) - len(line.lstrip())
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        above = text[start:end]
        if above.strip():
            above_indent = len(above) - len(above.lstrip())
            if above_indent < indent:
                return _PROSE_KEY.match(above) is not None and bool(_BLOCK.search(above))
        end = start - 1
    return False


_BLOCK = re.compile(r":[ \t]*[>|][-+0-9]*[ \t]*$")


# Terraform: a string is a value (a variable's value, a path, a file for another tool in a
# heredoc), except the text of description-like attributes (`description = "..."`,
# `error_message = <<-EOT ... EOT`), which is prose.
_HCL_PROSE_KEY = re.compile(
    r"(?:.*[{,])?[ \t]*\"?(?:description|error_message|summary|title|message|comment|note|notes"
    r"|help|label|doc)\"?[ \t]*[=:][ \t]*",
    re.IGNORECASE,
)


def in_hcl_prose_value(text: str, string: Window | None) -> bool:
    """Whether ``string`` (a string literal's span in a Terraform file) is a description."""
    if string is None:
        return False
    line_start = text.rfind("\n", 0, string[0]) + 1
    return _HCL_PROSE_KEY.fullmatch(text, line_start, string[0]) is not None
