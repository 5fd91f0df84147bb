"""curl's short options that take no value are written in three catalogs (explain's insecure
workarounds, lint's rules, setup's .curlrc reader): each must hold the same, right set, or
`-ok` (output to a file named k) and `-sk` (silent, insecure) are told apart differently."""

from __future__ import annotations

import re
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "src" / "tlsdoctor" / "data"

# curl's one-letter options without a value (curl --help all): -0 -1 -2 -3 -4 -6 -a -B -f -g
# -G -i -I -j -J -l -L -M -n -N -O -p -q -R -s -S -v -V -Z -#. Every other letter takes a value
# (-o FILE, -H HEADER, -u USER...), so a cluster ends there: -ok is "-o k".
NO_VALUE = set("012346aBfgGiIjJlLMnNOpqRsSvVZ#")

CLASS_BEFORE_K = re.compile(r"\[([^\]]*)\]\*k")  # the letters allowed before k in a cluster


def _expand(char_class: str) -> set[str]:
    chars: set[str] = set()
    i = 0
    while i < len(char_class):
        if i + 2 < len(char_class) and char_class[i + 1] == "-":
            chars.update(chr(c) for c in range(ord(char_class[i]), ord(char_class[i + 2]) + 1))
            i += 3
        else:
            chars.add(char_class[i])
            i += 1
    return chars


def test_every_catalog_reads_curl_option_clusters_alike() -> None:
    found = {
        f"{path.name}:{n}": _expand(m.group(1))
        for path in sorted(DATA.glob("*.toml"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "curl" in line or "insecure" in line
        for m in CLASS_BEFORE_K.finditer(line)
    }
    assert {name.split(":")[0] for name in found} >= {
        "errors.toml",
        "lint_rules.toml",
        "tools.toml",
    }
    wrong = {name: sorted(chars ^ NO_VALUE) for name, chars in found.items() if chars != NO_VALUE}
    assert not wrong, f"curl option classes that differ from curl's no-value options: {wrong}"
