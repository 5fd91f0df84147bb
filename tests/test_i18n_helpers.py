"""The i18n layer's helpers: OS error reasons and lists in the user's language."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_runner import run_cli

from tlsdoctor import i18n


@pytest.fixture
def japanese() -> Iterator[None]:
    i18n.set_language("ja")
    yield
    i18n.set_language("en")


def test_os_reason_keeps_the_c_library_words_in_english() -> None:
    i18n.set_language("en")
    err = OSError(errno.ENOENT, os.strerror(errno.ENOENT), "/x")
    assert i18n.os_reason(err) == "No such file or directory"


def test_os_reason_translates_known_errors(japanese: None) -> None:
    for code in (errno.ENOENT, errno.EACCES, errno.EROFS, errno.ENOSPC, errno.ECONNREFUSED):
        reason = i18n.os_reason(OSError(code, os.strerror(code)))
        assert reason != os.strerror(code)
        assert not reason.isascii(), reason


def test_os_reason_falls_back_to_strerror(japanese: None) -> None:
    assert i18n.os_reason(OSError(errno.EXDEV, os.strerror(errno.EXDEV))) == os.strerror(
        errno.EXDEV
    )
    assert i18n.os_reason(OSError("no errno")) == "no errno"


def test_join_list_per_language(japanese: None) -> None:
    assert i18n.join_list(["a", "b", "c"]) == "a、b、c"
    i18n.set_language("en")
    assert i18n.join_list(["a", "b"]) == "a, b"


def test_unwritable_output_file_reason_in_japanese(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    target = tmp_path / "missing" / "out.sarif"
    english = run_cli("lint", str(tmp_path), "-o", str(target), env=clean_env)
    assert english.returncode == 2
    assert "No such file or directory" in english.stderr
    assert "Errno" not in english.stderr
    japanese = run_cli("lint", str(tmp_path), "-o", str(target), "--lang", "ja", env=clean_env)
    assert japanese.returncode == 2
    assert "ファイルまたはフォルダーがありません" in japanese.stderr, japanese.stderr
