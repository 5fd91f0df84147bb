"""The one translation layer for every user-facing message.

Messages are written in English in the code and wrapped in ``_()``; the English text is the key.
Japanese translations live in ``locale/ja/*.toml`` (one file per area, a ``[messages]`` table of
``"English" = "日本語"``). Placeholders use ``str.format`` names: ``_("{n} hosts", n=3)``.

Data catalogs (errors, vendors, tools, lint rules) carry their own texts per language in fields
such as ``fix`` / ``fix_ja``; read them with :func:`localized`.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Mapping
from typing import Any

SUPPORTED = ("en", "ja")
_LOCALE_PACKAGE = "tlsdoctor.locale"

_language: str | None = None
_catalog: dict[str, str] | None = None


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """Pick the language the way gettext does: LANGUAGE, LC_ALL, LC_MESSAGES, then LANG."""
    env = os.environ if environ is None else environ
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if not value:
            continue
        first = value.split(":")[0].lower()
        return "ja" if first.startswith("ja") else "en"
    return "en"


def normalize(lang: str) -> str | None:
    """Map user input such as 'ja', 'ja_JP.UTF-8', 'EN' to a supported code, or None."""
    code = lang.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in SUPPORTED else None


def set_language(lang: str | None) -> str:
    """Set the output language (None: from the environment) and return the code in use."""
    global _language, _catalog
    chosen = normalize(lang) if lang else language_from_environment()
    _language = chosen or "en"
    _catalog = None
    return _language


def current_language() -> str:
    if _language is None:
        return set_language(None)
    return _language


def _load_catalog(lang: str) -> dict[str, str]:
    if lang == "en":
        return {}
    from importlib import resources

    from tlsdoctor._data import loads_toml

    merged: dict[str, str] = {}
    folder = resources.files(_LOCALE_PACKAGE).joinpath(lang)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = loads_toml(entry.read_text(encoding="utf-8"))
            merged.update(data.get("messages", {}))
    return merged


def catalog() -> dict[str, str]:
    global _catalog
    if _catalog is None:
        _catalog = _load_catalog(current_language())
    return _catalog


def _(message: str, /, **values: Any) -> str:
    """Translate ``message`` and fill its ``{placeholders}``."""
    text = catalog().get(message, message)
    return text.format(**values) if values else text


def _n(one: str, many: str, count: int, /, **values: Any) -> str:
    """``one`` (for a count of 1) or ``many``, translated and filled; ``{count}`` is given."""
    return _(one if count == 1 else many, count=count, **values)


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; translate it later with ``_()``."""
    return message


def localized(entry: Mapping[str, Any], field: str) -> Any:
    """Read ``field`` from a data-catalog entry in the current language (``field_ja`` for ja)."""
    lang = current_language()
    if lang != "en":
        value = entry.get(f"{field}_{lang}")
        if value:
            return value
    return entry.get(field)


def join_list(items: Iterable[str]) -> str:
    """Items of a list in running text: "a, b, c" in English, "a、b、c" in Japanese."""
    return ("、" if current_language() == "ja" else ", ").join(items)


# Why a file operation failed, in the user's language. English keeps the C library's own words
# (what people search for); other languages translate the common ones.
_OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EROFS: N_("Read-only file system"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EEXIST: N_("File exists"),
    errno.EBADF: N_("Bad file descriptor"),
    errno.ELOOP: N_("Too many levels of symbolic links"),
    errno.ENAMETOOLONG: N_("File name too long"),
    errno.EIO: N_("Input/output error"),
    errno.EDQUOT: N_("Disk quota exceeded"),
    errno.ENOTEMPTY: N_("Directory not empty"),
    errno.ECONNREFUSED: N_("Connection refused"),
    errno.ECONNRESET: N_("Connection reset by peer"),
    errno.ETIMEDOUT: N_("Connection timed out"),
    errno.ENETUNREACH: N_("Network is unreachable"),
    errno.EHOSTUNREACH: N_("No route to host"),
    errno.EADDRNOTAVAIL: N_("Cannot assign requested address"),
}


def os_reason(err: OSError) -> str:
    """The reason an OS call failed (``strerror``), translated when we know it."""
    known = _OS_REASONS.get(err.errno) if err.errno is not None else None
    if known is not None and current_language() != "en":
        return _(known)
    return err.strerror or str(err) or type(err).__name__
