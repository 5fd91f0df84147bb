"""Text printed to a terminal wraps by display width (Japanese too), later lines indented.

rich alone breaks lines only at spaces: a Japanese sentence came out with a line starting with
"、" and a lone "CA", continuation lines at column 0. Output that is not a terminal is unchanged.
"""

from __future__ import annotations

import io

import pytest

from tlsdoctor import i18n
from tlsdoctor.core.explain import explain_text
from tlsdoctor.render.console import _console_class, print_wrapped
from tlsdoctor.render.explain import render_findings
from tlsdoctor.render.text import display_width

CLOSING = "、。）」ー"
SENTENCE = (
    "社内ネットワークのプロキシ（Zscaler、Netskope、FortiGate、mitmproxy など）が HTTPS の"
    "証明書を独自のルート CA で再署名しています。ブラウザーは OS の証明書ストア経由でその CA "
    "を信頼しています。"
)


def terminal(width: int, *, tty: bool = True) -> tuple[io.StringIO, object]:
    out = io.StringIO()
    console = _console_class()(
        file=out,
        width=width,
        force_terminal=tty,
        soft_wrap=not tty,
        no_color=True,
        color_system=None,
        highlight=False,
        emoji=False,
    )
    return out, console


def lines_of(out: io.StringIO) -> list[str]:
    return out.getvalue().rstrip("\n").split("\n")


@pytest.mark.parametrize("width", [30, 47, 60, 61, 80])
def test_a_japanese_line_wraps_by_display_width_under_its_indent(width: int) -> None:
    out, console = terminal(width)
    console.print("   " + SENTENCE)
    lines = lines_of(out)
    assert len(lines) > 1
    for line in lines:
        assert display_width(line) <= width, line
        assert line.startswith("   ") and not line.startswith("    "), line
        assert line[3] not in CLOSING, line
    assert "".join(line[3:] for line in lines).replace(" ", "") == SENTENCE.replace(" ", "")


def test_the_body_of_a_labelled_line_hangs_under_its_first_character() -> None:
    out, console = terminal(40)
    print_wrapped(console, "  [bold]補足[/bold] ", "node：" + SENTENCE, markup=True)
    lines = lines_of(out)
    assert lines[0].startswith("  補足 node：")
    assert all(line.startswith(" " * 7) and line[7] != " " for line in lines[1:]), lines


def test_each_line_of_a_text_with_newlines_starts_under_the_first() -> None:
    out, console = terminal(80)
    print_wrapped(console, "  note ", "first\nsecond")
    assert lines_of(out) == ["  note first", "       second"]


def test_output_that_is_not_a_terminal_is_not_wrapped() -> None:
    out, console = terminal(40, tty=False)
    console.print("   " + SENTENCE)
    assert lines_of(out) == ["   " + SENTENCE]


def test_explain_in_japanese_on_a_narrow_terminal() -> None:
    log = "curl: (60) SSL certificate problem: self-signed certificate in certificate chain"
    i18n.set_language("ja")
    try:
        out, console = terminal(60)
        render_findings(console, explain_text(log))  # type: ignore[arg-type]
    finally:
        i18n.set_language("en")
    lines = [line for line in lines_of(out) if line.strip()]
    assert len(lines) > 10
    for line in lines:
        assert display_width(line) <= 60, line
        assert line.lstrip()[0] not in CLOSING, line
    assert lines[1].startswith("   ") and "インスペクション" in lines[0] + lines[1]
