"""Engine parts against oracles: the .gitignore matcher against git, comment blanking offsets."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tlsdoctor.core.lint.files import kind_of, walk_tree
from tlsdoctor.core.lint.text import COMMENT_STYLE, anchor_windows, strip_comments

GITIGNORE = """\
# comment
*.log
!keep.log
*.yml
!keep.yml
build/
/top-only.txt
docs/**/secret.md
**/cache
tmp?.py
[ab].cfg
nested/*.py
x\\[1\\].sh
\\#hash.sh
q\\?.sh
"""
NESTED_GITIGNORE = "local.py\n!important.log\n"
FILES = [
    "a.log", "keep.log", "src/b.log", "src/keep.log", "build/x.py", "src/build/y.py",
    "top-only.txt", "src/top-only.txt", "docs/secret.md", "docs/a/b/secret.md", "docs/a/open.md",
    "cache/z.py", "src/cache/z.py", "tmp1.py", "tmp12.py", "a.cfg", "c.cfg", "nested/x.py",
    "nested/deeper/x.py", "sub/local.py", "sub/other.py", "sub/important.log", "main.py",
    "keep.yml", "x.yml", "src/x.yml", "x[1].sh", "x1.sh", "#hash.sh", "q?.sh", "qq.sh",
]  # fmt: skip


def test_gitignore_matcher_agrees_with_git(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(GITIGNORE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text(NESTED_GITIGNORE)
    for rel in FILES:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
        path.chmod(0o755)  # every file is a candidate, whatever its name
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # The walker also drops names no rule looks at (.log, .tmp): compare what both keep.
    expected = sorted(f for f in listed if kind_of(Path(f).name) and f != "sub/.gitignore")
    ours = sorted(c.rel for c in walk_tree(str(tmp_path), ""))
    assert ours == expected


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab #/*;'\"`\\\n<>-")), max_size=120),
    kind=st.sampled_from(sorted(COMMENT_STYLE)),
)
def test_blanking_keeps_every_offset(text: str, kind: str) -> None:
    stripped, comments = strip_comments(text, kind)
    assert len(stripped) == len(text)
    assert [i for i, c in enumerate(stripped) if c == "\n"] == [
        i for i, c in enumerate(text) if c == "\n"
    ]
    for comment in comments:
        assert text[comment.start : comment.start + len(comment.text)] == comment.text
        assert stripped[comment.start : comment.start + len(comment.text)].strip() == ""


def test_verify_dict_counts_with_the_call_it_is_unpacked_into() -> None:
    """No HTTP import: {"verify": False} counts only when unpacked into an HTTP-looking call."""
    from tlsdoctor.core.lint.python_ast import check_source

    source = 'session.get(u, **{"verify": False})\nrun(**{"verify": False})\nx = {"verify": 0}\n'
    hits = check_source(source)
    assert hits is not None
    assert [(h.check, h.line) for h in hits] == [("verify_false", 1)]


def test_echo_arguments_are_messages_in_every_shell_like_kind(tmp_path: Path) -> None:
    from tlsdoctor.core.lint import lint_paths

    (tmp_path / "ci.yml").write_text('steps:\n  - run: echo "use curl -k if it fails"\n')
    (tmp_path / "Makefile").write_text('hint:\n\t@echo "try curl -k"\nget:\n\tcurl -k https://x\n')
    (tmp_path / "Dockerfile").write_text('FROM alpine\nRUN echo "curl -k https://x | sh" | sh\n')
    found = lint_paths([str(tmp_path)], use_config=False).findings
    assert sorted((Path(f.path).name, f.line, f.rule) for f in found) == [
        ("Dockerfile", 2, "TLS201"),
        ("Makefile", 4, "TLS201"),
    ]


def test_a_pem_block_that_does_not_load_never_makes_a_text_file_der() -> None:
    """Outside certificate files, a broken PEM block is skipped; the file is not read as DER."""
    from tlsdoctor.core.lint.certs import check_certificates

    data = b"0\x82-----BEGIN CERTIFICATE-----\n" + b"QUJD" * 20 + b"\n-----END CERTIFICATE-----\n"
    checks = frozenset({"private_root", "inspection_ca"})
    assert check_certificates(data, checks, der=False) == []


def test_a_certificate_with_a_duplicate_extension_is_skipped_not_fatal() -> None:
    """urllib3's duplicate_san.pem: cryptography raises DuplicateExtension on its extensions."""
    from tlsdoctor.core.lint import lint_paths

    cert = Path(__file__).parent / "corpus" / "certs" / "ok" / "duplicate-san.pem"
    result = lint_paths([str(cert)], use_config=False, use_git=False)
    assert result.findings == []


class _Unpicklable(Exception):
    def __init__(self, handle: object) -> None:
        super().__init__("boom")
        self.handle = handle

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("cannot pickle")


def test_an_unexpected_error_in_one_file_is_counted_not_fatal_in_parallel_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tlsdoctor.core.lint import engine, lint_paths

    for i in range(engine._PARALLEL_THRESHOLD + 10):
        (tmp_path / f"f{i}.sh").write_text("curl -k https://example.com\n")
    real = engine.lint_file

    def flaky(candidate: engine.Candidate, plan: engine.Plan) -> engine.FileResult:
        if candidate.path.endswith("f7.sh"):
            raise _Unpicklable(lambda: None)
        return real(candidate, plan)

    monkeypatch.setattr(engine, "lint_file", flaky)
    monkeypatch.setattr(engine.sys, "platform", "linux")
    result = lint_paths([str(tmp_path)], use_config=False, use_git=False, jobs=2)
    assert result.skipped == {"unreadable": 1}
    assert len(result.findings) == engine._PARALLEL_THRESHOLD + 9


def test_exclude_matches_paths_relative_to_the_linted_folder_outside_the_project(
    tmp_path: Path,
) -> None:
    """No config and a folder outside the current one: --exclude still applies to its files."""
    from tlsdoctor.core.lint import lint_paths

    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "get.sh").write_text("curl -k https://example.com\n")
    (tmp_path / "app.sh").write_text("curl -k https://example.com\n")
    found = lint_paths(
        [str(tmp_path)], exclude=["vendor/**"], use_config=False, use_git=False
    ).findings
    assert [Path(f.path).name for f in found] == ["app.sh"]


def test_an_indented_kubeconfig_setting_is_reported_at_its_column(tmp_path: Path) -> None:
    from tlsdoctor.core.lint import lint_paths

    (tmp_path / "kubeconfig").write_text(
        "clusters:\n- cluster:\n    server: https://k8s.internal.example.com\n\n"
        "    insecure-skip-tls-verify: true\n  name: corp\n"
    )
    found = lint_paths([str(tmp_path)], use_config=False).findings
    assert [(f.rule, f.line, f.column) for f in found] == [("TLS207", 5, 5)]


def test_an_anchor_in_a_windows_tail_gets_its_own_lines_after_it() -> None:
    # Two callbacks 11 lines apart: the second one's body ends past the first one's window.
    lines = ["x = 1"] * 40
    lines[2] = "a.ValidationCallback += Check;"
    lines[13] = "b.ValidationCallback ="
    lines[24] = "};"
    text = "\n".join(lines) + "\n"
    windows = anchor_windows(text, ["ValidationCallback"])
    end_of_body = text.index("};") + 2
    assert any(start <= text.index("b.Valid") and end >= end_of_body for start, end in windows)
