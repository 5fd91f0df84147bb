"""Help text wraps by display width: Japanese help fits the terminal, ASCII words stay whole."""

from __future__ import annotations

import re

import pytest
from cli_runner import run_cli

from tlsdoctor.cli.main import COMMANDS
from tlsdoctor.render.text import display_width, wrap

SAMPLE = (
    "インスペクション CA をこの製品と同じ名前にする：mitmproxy（既定）、zscaler、netskope、"
    "fortigate、umbrella、paloalto"
)


@pytest.mark.parametrize("width", [20, 33, 54])
def test_lines_fit_by_columns_and_keep_ascii_words(width: int) -> None:
    lines = wrap(SAMPLE, width)
    assert all(display_width(line) <= width for line in lines), lines
    words = set(re.findall(r"[a-z]+", SAMPLE))
    assert words <= set(re.findall(r"[a-z]+", " ".join(lines)))  # none cut in two
    assert "".join(lines).replace(" ", "") == SAMPLE.replace(" ", "")


def test_closing_punctuation_never_starts_a_line() -> None:
    for width in range(8, 40):
        for line in wrap(SAMPLE, width)[1:]:
            assert line[0] not in "、。）：", (width, line)


def test_english_wraps_at_spaces_only() -> None:
    text = "answer CONNECT and mint the leaf from the SNI before reaching the site"
    lines = wrap(text, 24)
    assert " ".join(lines) == text
    assert all(len(line) <= 24 for line in lines)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_japanese_help_fits_80_columns(command: str, clean_env: dict[str, str]) -> None:
    env = dict(clean_env, COLUMNS="80")
    proc = run_cli(command, "--help", "--lang", "ja", env=env)
    assert proc.returncode == 0, proc.stderr
    too_wide = [line for line in proc.stdout.splitlines() if display_width(line) > 80]
    # argparse's usage lines are ASCII and wrapped by argparse itself.
    assert not [line for line in too_wide if not line.isascii()], too_wide


def test_small_kana_and_long_vowel_never_start_a_line() -> None:
    text = (
        "各コマンドのオプションは 'tlsdoctor COMMAND --help' で表示できます。"
        "チェックとショートカット"
    )
    for width in range(8, 60):
        for line in wrap(text, width)[1:]:
            assert line[0] not in "ョッャューィ", (width, line)


def test_japanese_help_headings_take_full_width_colons(clean_env: dict[str, str]) -> None:
    proc = run_cli("detect", "--help", "--lang", "ja", env=dict(clean_env, COLUMNS="80"))
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("使い方：tlsdoctor detect ")
    assert "位置引数：" in lines and "オプション：" in lines
    assert not [line for line in lines if not line.isascii() and line.endswith(":")]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_usage_continuation_lines_align_under_the_first_argument(
    lang: str, clean_env: dict[str, str]
) -> None:
    proc = run_cli("detect", "--help", "--lang", lang, env=dict(clean_env, COLUMNS="70"))
    usage = proc.stdout.split("\n\n", 1)[0].splitlines()
    assert len(usage) > 1, usage
    first_argument = display_width(usage[0].split("[-h]", 1)[0])
    for line in usage[1:]:
        assert len(line) - len(line.lstrip(" ")) == first_argument, usage
