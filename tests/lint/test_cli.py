"""tlsdoctor lint on the command line: exit codes, formats, discovery, suppression, config."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tlsdoctor.cli.main import main
from tlsdoctor.core.lint import lint_paths

REPO = Path(__file__).resolve().parents[2]
BAD_PY = 'import requests\n\nrequests.get("https://x.example", verify=False)\n'
GOOD_PY = 'import requests\n\nrequests.get("https://x.example", verify="/etc/ssl/b.pem")\n'


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", "--no-config", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(BAD_PY)
    (tmp_path / "ok.py").write_text(GOOD_PY)
    (tmp_path / "install.sh").write_text("#!/bin/sh\ncurl -fsSLk https://x.example | sh\n")
    return tmp_path


def test_exit_1_with_findings_and_0_when_clean(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, str(project))
    assert code == 1
    assert f"{project}/app.py:3:35: TLS101" in out
    assert f"{project}/install.sh:2:6: TLS201" in out
    code, out, _err = run(capsys, str(project / "ok.py"))
    assert code == 0
    assert "No problems found (1 file checked)." in out


def test_json_has_exactly_the_documented_shape(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "--format", "json", str(project))
    data = json.loads(out)
    assert code == 1 and list(data) == ["findings"]
    first = data["findings"][0]
    assert list(first) == ["rule", "path", "line", "column", "message", "severity"]
    assert first == {
        "rule": "TLS101",
        "path": f"{project}/app.py",
        "line": 3,
        "column": 35,
        "message": "Certificate verification disabled with verify=False",
        "severity": "error",
    }
    assert [f["rule"] for f in data["findings"]] == ["TLS101", "TLS201"]


def test_sarif_has_what_github_code_scanning_reads(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    code, out, _err = run(capsys, "--format", "sarif")
    sarif = json.loads(out)
    assert code == 1
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    run0 = sarif["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    assert run0["tool"]["driver"]["name"] == "tlsdoctor"
    for rule in rules:
        assert rule["id"].startswith("TLS") and rule["shortDescription"]["text"]
        assert rule["helpUri"].endswith(f"docs/rules/{rule['id']}.md")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = {r["ruleId"]: r for r in run0["results"]}
    assert set(results) == {"TLS101", "TLS201"}
    result = results["TLS101"]
    assert rules[result["ruleIndex"]]["id"] == "TLS101"
    assert result["level"] == "error" and result["message"]["text"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 35}


def test_usage_errors_exit_2_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--select", "TLS999", str(project))
    assert code == 2 and out == ""
    assert err.splitlines()[0] == "tlsdoctor: error: unknown rule 'TLS999' in --select"
    assert "Traceback" not in err
    code, _out, err = run(capsys, str(project / "missing"))
    assert code == 2
    assert err == f"tlsdoctor: error: no such file or folder: {project / 'missing'}\n"


def test_named_paths_that_cannot_be_read_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dangling symlink or a symlink loop named on the command line is not a clean run."""
    os.symlink(tmp_path / "nowhere.sh", tmp_path / "dangling.sh")
    os.symlink(tmp_path / "loop_b", tmp_path / "loop_a")
    os.symlink(tmp_path / "loop_a", tmp_path / "loop_b")
    (tmp_path / "ok.sh").write_text("curl https://x\n")
    for name, reason in (
        ("dangling.sh", "No such file or directory"),
        ("loop_a", "Too many levels of symbolic links"),
    ):
        code, out, err = run(capsys, "--json", str(tmp_path / "ok.sh"), str(tmp_path / name))
        assert (code, out) == (2, "")
        assert err == f"tlsdoctor: error: cannot read {tmp_path / name}: {reason}\n"
    code, _out, _err = run(capsys, str(tmp_path))  # found by walking: skipped, never fatal
    assert code == 0


def test_select_and_ignore(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--format", "json", "--select", "TLS2", str(project))
    assert code == 1
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["TLS201"]
    code, out, _err = run(capsys, "--format", "json", "--ignore", "TLS101,TLS201", str(project))
    assert code == 0 and json.loads(out) == {"findings": []}


def test_inline_suppression_names_the_rule(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "import requests\n"
        'requests.get("https://x", verify=False)  # tlsdoctor: ignore[TLS101]\n'
        'requests.get("https://x", verify=False)  # tlsdoctor: ignore[TLS203]\n'
    )
    (tmp_path / "b.sh").write_text("curl -k https://x  # tlsdoctor: ignore[TLS201, TLS202]\n")
    findings = lint_paths([str(tmp_path)], use_config=False).findings
    assert [(Path(f.path).name, f.line, f.rule) for f in findings] == [("a.py", 3, "TLS101")]


def test_gitignore_is_respected_outside_and_inside_git(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("build/\n*.generated.py\n!keep.generated.py\n")
    for rel in ("build/x.py", "src/a.generated.py", "src/keep.generated.py", "src/real.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(BAD_PY)

    def linted() -> list[str]:
        result = lint_paths([str(tmp_path)], use_config=False)
        return sorted(Path(f.path).relative_to(tmp_path).as_posix() for f in result.findings)

    assert linted() == ["src/keep.generated.py", "src/real.py"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert linted() == ["src/keep.generated.py", "src/real.py"]
    everything = lint_paths([str(tmp_path)], use_config=False, use_git=False).findings
    assert len(everything) == 4
    named = lint_paths([str(tmp_path / "build")], use_config=False).findings  # ignored, but named
    assert [Path(f.path).name for f in named] == ["x.py"]


def test_symlinks_are_not_followed_out_of_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    tree = tmp_path / "tree"
    outside.mkdir()
    tree.mkdir()
    (outside / "secret.py").write_text(BAD_PY)
    (tree / "ok.py").write_text(GOOD_PY)
    os.symlink(outside / "secret.py", tree / "link.py")
    os.symlink(outside, tree / "linked_dir")
    assert lint_paths([str(tree)], use_config=False).findings == []


def test_binary_and_large_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\0\0" + BAD_PY.encode())
    (tmp_path / "big.py").write_text(BAD_PY + "#" * 5000 + "\n")
    (tmp_path / "pyproject.toml").write_text("[tool.tlsdoctor.lint]\nmax-file-size = 1000\n")
    result = lint_paths([str(tmp_path)])
    assert result.findings == []
    assert result.skipped == {"binary": 1, "large": 1}


def test_project_config_in_pyproject_and_tlsdoctor_toml(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "pyproject.toml").write_text(
        '[tool.tlsdoctor.lint]\nignore = ["TLS201"]\n'
        '[tool.tlsdoctor.lint.per-file-ignores]\n"ok.py" = ["TLS1"]\n'
    )
    assert [f.rule for f in lint_paths(["."]).findings] == ["TLS101"]
    (project / ".tlsdoctor.toml").write_text('[lint]\nexclude = ["app.py"]\n')
    assert [f.rule for f in lint_paths(["."]).findings] == ["TLS201"]
    (project / ".tlsdoctor.toml").write_text('[lint]\nexclude-paths = ["app.py"]\n')
    code = main(["lint", "."])
    assert code == 2
    assert "unknown lint setting 'exclude-paths'" in capsys.readouterr().err
    (project / ".tlsdoctor.toml").write_text("[lint\n")
    assert main(["--lang", "ja", "lint", "."]) == 2
    err = capsys.readouterr().err
    assert "は正しい TOML ではありません：" in err and err.count("\n") == 1


def test_japanese_messages(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--lang", "ja", "lint", "--no-config", "--format", "json", str(project)])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    assert findings[0]["message"] == "verify=False で証明書の検証が無効になっています"


def test_pre_commit_hook_manifest() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "tlsdoctor-lint")
    assert hook["entry"] == "tlsdoctor lint" and hook["language"] == "python"


def test_the_project_passes_its_own_lint() -> None:
    result = lint_paths([str(REPO)])
    assert [f"{f.path}:{f.line} {f.rule}" for f in result.findings] == []


def test_library_face() -> None:
    import tlsdoctor

    assert tlsdoctor.lint is lint_paths


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    (tmp_path / "u.py").write_text(
        'import requests\nx = "日本語"; requests.get("u", verify=False)\n'
    )
    (tmp_path / "u.sh").write_text('echo "日本語"; curl -k https://x\n')
    found = {
        f.rule: (f.line, f.column) for f in lint_paths([str(tmp_path)], use_config=False).findings
    }
    assert found == {"TLS101": (2, 30), "TLS201": (1, 18)}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_named_pipes_are_never_opened(tmp_path: Path) -> None:
    """A FIFO would block open()/read() forever: walked or named, it is skipped."""
    (tmp_path / "a.sh").write_text("curl -k https://x\n")
    os.mkfifo(tmp_path / "p.sh")
    os.mkfifo(tmp_path / "q")
    (tmp_path / "q").chmod(0o755)  # executable, no extension: would be read for a shebang
    walked = lint_paths([str(tmp_path)], use_config=False, jobs=1)
    assert [Path(f.path).name for f in walked.findings] == ["a.sh"]
    named = lint_paths([str(tmp_path / "p.sh"), str(tmp_path / "q")], use_config=False, jobs=1)
    assert named.findings == [] and named.skipped == {"special": 2}
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    in_git = lint_paths([str(tmp_path)], use_config=False, jobs=1)
    assert [Path(f.path).name for f in in_git.findings] == ["a.sh"]


def test_suppression_on_the_first_line_of_a_multi_line_construct(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "import requests\n"
        "requests.get(  # tlsdoctor: ignore[TLS101]\n    u,\n    verify=False,\n)\n"
        "requests.get(  # tlsdoctor: ignore[TLS103]\n    u,\n    verify=False,\n)\n"
    )
    (tmp_path / "b.cs").write_text(
        "h.ServerCertificateCustomValidationCallback = (m, c, ch, e) =>  // tlsdoctor: ignore\n"
        "{\n    return true;\n};\n"
    )
    findings = lint_paths([str(tmp_path)], use_config=False).findings
    assert [(Path(f.path).name, f.line, f.rule) for f in findings] == [("a.py", 8, "TLS101")]


def test_options_and_config_that_would_fail_quietly_are_errors(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "--select", "TLS1", "--ignore", "TLS1", str(project))
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith("tlsdoctor: error: no rules selected")
    code, out, err = run(capsys, "--select", "", str(project))
    assert (code, out) == (2, "")
    assert "--select needs at least one rule" in err
    monkeypatch.chdir(project)
    (project / "pyproject.toml").write_text("[tool.tlsdoctor]\nlint = 3\n")
    assert main(["lint", "."]) == 2
    assert "tool.tlsdoctor.lint must be a table" in capsys.readouterr().err
    (project / "pyproject.toml").write_text(
        '[tool.tlsdoctor.lint.per-file-ignores]\n"ok.py" = ["TLS999"]\n'
    )
    assert main(["lint", "."]) == 2
    assert "unknown rule 'TLS999' in per-file-ignores" in capsys.readouterr().err
    for key in ("select", "extend-select", "ignore"):  # named with the config file, not --select
        (project / "pyproject.toml").write_text(f'[tool.tlsdoctor.lint]\n{key} = ["TLS999"]\n')
        assert main(["lint", "."]) == 2
        err = capsys.readouterr().err.splitlines()[0]
        config = project / "pyproject.toml"
        assert err == f"tlsdoctor: error: unknown rule 'TLS999' in {key} ({config})"


def test_extend_select_adds_to_the_default_rules(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "README.md").write_text("If it fails, run `curl -k https://x.example`.\n")
    code, out, _err = run(capsys, "--format", "json", "--extend-select", "TLS401", str(project))
    assert code == 1
    assert sorted({f["rule"] for f in json.loads(out)["findings"]}) == [
        "TLS101",
        "TLS201",
        "TLS401",
    ]
    code, out, _err = run(capsys, "--format", "json", "--select", "TLS401", str(project))
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["TLS401"]


def test_skipped_files_are_counted_in_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "blob.sh").write_bytes(b"\0\0curl -k https://x\n")
    (tmp_path / "ok.sh").write_text("curl -fsSL https://x\n")
    code, out, _err = run(capsys, str(tmp_path))
    assert code == 0
    assert out.splitlines() == [
        "No problems found (1 file checked).",
        "Skipped 1 file (1 binary).",
    ]
    code, out, _err = run(capsys, "--format", "json", str(tmp_path))
    assert json.loads(out) == {"findings": []}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_summaries_count_in_english_and_japanese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Singular and plural in English; Japanese lists are separated with 、."""
    (tmp_path / "a.sh").write_text("curl -k https://x\n")
    (tmp_path / "blob.sh").write_bytes(b"\0\0curl -k https://x\n")
    os.mkfifo(tmp_path / "p.sh")
    os.mkfifo(tmp_path / "q.sh")
    named = [str(tmp_path / name) for name in ("a.sh", "blob.sh", "p.sh", "q.sh")]
    _code, out, _err = run(capsys, *named)
    assert out.splitlines()[-2:] == [
        "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file checked.",
        "Skipped 3 files (1 binary, 2 not regular files).",
    ]
    code = main(["--lang", "ja", "lint", "--no-config", *named])
    assert code == 1
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "1 個のファイルを検査し、問題が 1 件見つかりました（エラー 1 件、警告 0 件、情報 0 件）。",
        "3 個のファイルを検査しませんでした（バイナリ 1 個、通常のファイル以外 2 個）。",
    ]
    _code, out, _err = run(capsys, named[2])
    assert out.splitlines() == [
        "No problems found (0 files checked).",
        "Skipped 1 file (1 not a regular file).",
    ]


def test_utf16_text_with_a_byte_order_mark_is_linted(tmp_path: Path) -> None:
    (tmp_path / "u16.sh").write_bytes("\ufeffecho hi\ncurl -k https://x\n".encode("utf-16-le"))
    (tmp_path / "u16be.ps1").write_bytes(
        "\ufeffInvoke-WebRequest -SkipCertificateCheck https://x\n".encode("utf-16-be")
    )
    result = lint_paths([str(tmp_path)], use_config=False)
    assert [(Path(f.path).name, f.line, f.rule) for f in result.findings] == [
        ("u16.sh", 2, "TLS201"),
        ("u16be.ps1", 1, "TLS141"),
    ]
    assert result.skipped == {}


def test_japanese_rule_list_shows_whole_titles(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Japanese titles have few spaces: they are folded, never cut with an ellipsis."""
    from tlsdoctor import i18n
    from tlsdoctor.core.lint import catalog

    monkeypatch.setenv("COLUMNS", "80")
    assert main(["--lang", "ja", "lint", "--list-rules"]) == 0
    out = capsys.readouterr().out
    i18n.set_language("ja")
    try:
        titles = [rule.text("title") for rule in catalog()]
    finally:
        i18n.set_language("en")
    assert "…" not in out
    flat = "".join(out.split())
    assert all("".join(title.split()) in flat for title in titles)
    # wrapped by display width: a line fits, an ASCII word stays whole and is not left alone on
    # its line ('aiohttp' / 'などのオプション…', 'v' / 'erify_ssl=False')
    from rich.cells import cell_len

    assert all(cell_len(line) <= 80 for line in out.splitlines())
    assert "aiohttp などのオプション" in out and "verify_ssl=False" in out


def test_an_empty_exclude_is_an_error_not_an_exclusion_of_everything(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--exclude=` matched the empty first part of every absolute path: 0 files, exit 0.
    for glob in ("", "/", " "):
        code, out, err = run(capsys, f"--exclude={glob}", str(project / "app.py"))
        assert (code, out) == (2, "")
        assert err.splitlines() == [
            "tlsdoctor: error: --exclude needs a glob: an empty one would match every path"
        ]
    (project / ".tlsdoctor.toml").write_text('[lint]\nexclude = [""]\n')
    result = lint_paths([str(project / "app.py")])
    assert [f.rule for f in result.findings] == ["TLS101"]


def test_a_certificate_with_a_negative_serial_is_read_without_a_warning(tmp_path: Path) -> None:
    # /usr holds such old certificates: cryptography warned on stderr for each one.
    import datetime
    import warnings

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Old Private Root")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder(subject_name=name, issuer_name=name, public_key=key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    version_and_serial = b"\xa0\x03\x02\x01\x02\x02\x01\x01"
    assert der.count(version_and_serial) == 1
    (tmp_path / "old-root.der").write_bytes(
        der.replace(version_and_serial, version_and_serial[:-1] + b"\xff")
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = lint_paths([str(tmp_path)], use_config=False, use_git=False)
    assert [str(w.message) for w in caught] == []
    assert [f.rule for f in result.findings] == ["TLS302"]
