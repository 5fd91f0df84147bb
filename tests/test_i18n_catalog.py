"""Every message the code wraps in _() has a Japanese translation with the same placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from tlsdoctor import i18n

SRC = Path(__file__).resolve().parent.parent / "src" / "tlsdoctor"
# argparse's own %-style messages are translated too, but are not in our sources.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%s")


def wrapped_messages() -> dict[str, str]:
    """English text -> 'file:line' for each literal passed to _(), N_() or _n() (both forms)
    in src/."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            texts = {"_": 1, "N_": 1, "_n": 2}.get(node.func.id, 0)
            for arg in node.args[:texts]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def format_fields(text: str) -> set[str]:
    fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return fields | set(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def japanese() -> dict[str, str]:
    i18n.set_language("ja")
    try:
        return dict(i18n.catalog())
    finally:
        i18n.set_language("en")


def test_every_message_has_a_japanese_translation(japanese: dict[str, str]) -> None:
    missing = [
        f"{where}: {text!r}" for text, where in wrapped_messages().items() if text not in japanese
    ]
    assert not missing, "untranslated messages:\n" + "\n".join(missing)


def test_translations_keep_placeholders(japanese: dict[str, str]) -> None:
    wrong = [
        text
        for text, translated in japanese.items()
        if format_fields(text) != format_fields(translated)
    ]
    assert not wrong, f"placeholders differ: {wrong}"


def test_translations_are_japanese(japanese: dict[str, str]) -> None:
    # Kana, kanji, or Japanese (full-width) punctuation: "{name}：{tools}（{semantics}）" is one.
    kana_or_kanji = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
    not_japanese = [t for t, ja in japanese.items() if not kana_or_kanji.search(ja)]
    assert not not_japanese, f"not translated to Japanese: {not_japanese}"


def test_a_message_in_several_catalogs_reads_the_same() -> None:
    """The catalogs are merged into one: a message translated twice must not differ (the file
    loaded last would win silently, in every command)."""
    from tlsdoctor._data import loads_toml

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted((SRC / "locale" / "ja").glob("*.toml")):
        for text, translated in loads_toml(path.read_text(encoding="utf-8"))["messages"].items():
            first = seen.setdefault(text, (path.name, translated))
            if first[1] != translated:
                clashes.append(f"{text!r}: {first[0]} {first[1]!r} vs {path.name} {translated!r}")
    assert not clashes, "\n".join(clashes)
