"""The setup, undo and doctor commands: plan output, --apply, --json, Japanese, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from setup_helpers import Certs, snapshot

from tlsdoctor import i18n
from tlsdoctor.cli.main import main
from tlsdoctor.core.tools import python, system


@pytest.fixture(autouse=True)
def english_afterwards() -> object:
    yield None
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def no_truststore_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)


def files(certs: Certs) -> list[str]:
    return ["--bundle", str(certs.bundle), "--ca", str(certs.ca)]


def test_plan_shows_old_and_new_values_and_writes_nothing(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    home = Path(isolated_process_env["HOME"])
    (home / ".gitconfig").write_text("[http]\n\tsslCAInfo = /old/bundle.pem\n")
    before = snapshot(home)
    assert main(["setup", "git", "curl", *files(certs)]) == 0
    out = capsys.readouterr().out
    assert "http.sslCAInfo: /old/bundle.pem -> " + str(certs.bundle) in out
    assert "cacert: (not set) -> " + str(certs.bundle) in out
    assert "--apply" in out
    assert snapshot(home) == before


def test_one_change_is_said_in_the_singular(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["setup", "git", *files(certs)]) == 0
    assert "1 change to make:" in capsys.readouterr().out
    assert main(["setup", "git", "--apply", *files(certs)]) == 0
    out = capsys.readouterr().out
    assert "Making 1 change:" in out and "Wrote 1 file " in out, out
    assert main(["undo"]) == 0
    assert "Undid 1 setup run:" in capsys.readouterr().out


def test_a_ca_only_bundle_is_refused_in_the_singular(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["setup", "git", "--bundle", str(certs.ca), "--ca", str(certs.ca)]) == 2
    err = capsys.readouterr().err
    assert f"tlsdoctor: error: {certs.ca} holds 1 certificate: replace-style" in err, err


def test_apply_twice_then_undo(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    home = Path(isolated_process_env["HOME"])
    before = snapshot(home)
    assert main(["setup", "git", "curl", "npm", "--apply", *files(certs)]) == 0
    assert "Wrote 3 files" in capsys.readouterr().out
    assert main(["setup", "git", "curl", "npm", "--apply", *files(certs)]) == 0
    assert "nothing to change" in capsys.readouterr().out
    assert main(["undo", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and {f["status"] for f in data["files"]} == {"removed", "restored"}
    assert snapshot(home, skip=(".local",)) == before
    assert main(["undo"]) == 0
    assert "Nothing to undo" in capsys.readouterr().out


def test_plan_json(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["setup", "npm", "node", "--json", *files(certs)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["apply"] is False and data["commands"] == [] and data["system_warning"] is None
    by_tool = {c["tool"]: c for c in data["changes"]}
    assert by_tool["npm"]["setting"] == "cafile"
    assert by_tool["npm"]["new_value"] == str(certs.bundle)
    assert by_tool["npm"]["action"] == "modify"  # the sandbox has an empty .npmrc
    assert by_tool["shell"]["action"] == "create"


def test_system_plan_json_has_the_commands_and_the_warning(
    isolated_process_env: dict[str, str],
    certs: Certs,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(system, "os_store_has_ca", lambda *a: False)
    monkeypatch.setattr(system, "detect_family", lambda platform: "debian")
    monkeypatch.setattr(system, "sudo_prefix", lambda platform: ["sudo"])
    assert main(["setup", "curl", "--system", "--json", *files(certs)]) == 0
    data = json.loads(capsys.readouterr().out)
    argvs = [c["argv"] for c in data["commands"]]
    assert argvs[-1] == ["sudo", "update-ca-certificates"]
    assert data["commands"][0]["undo"][-1] == ["sudo", "update-ca-certificates", "--fresh"]
    assert "every program" in data["system_warning"]
    assert main(["setup", "curl", "--system", *files(certs)]) == 0
    out = capsys.readouterr().out
    assert "$ sudo update-ca-certificates" in out and "every program" in out


def test_japanese_plan(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--lang", "ja", "setup", "curl", *files(certs)]) == 0
    out = capsys.readouterr().out
    assert "行う変更（1 件）" in out and "（未設定）" in out and "--apply" in out
    assert "（作成）" in out and "(作成)" not in out  # full-width around Japanese
    assert "cacert：（未設定） → " in out, out  # the setting line is one sentence, ordered in ja
    assert main(["--lang", "ja", "setup", "curl", "--apply", *files(certs)]) == 0
    capsys.readouterr()
    assert main(["--lang", "ja", "undo"]) == 0
    out = capsys.readouterr().out
    assert "setup の実行 1 件を元に戻しました：" in out and "： " not in out


def test_japanese_doctor_names_the_setting_in_the_file(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    """The subject 'FILE SETTING' is one phrase the catalog can order: 'FILE の SETTING'."""
    npmrc = Path(isolated_process_env["HOME"]) / ".npmrc"
    npmrc.write_text("cafile=/nonexistent/ca.pem\n")
    assert main(["--lang", "ja", "doctor", "--ca", str(certs.ca)]) == 1
    out = capsys.readouterr().out
    assert f"{npmrc} の cafile が指す /nonexistent/ca.pem" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["setup", "gti"], "unknown tool 'gti'"),
        (["setup", "git", "--bundle", "/nonexistent/bundle.pem"], "file not found"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    isolated_process_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert err.splitlines()[0].startswith("tlsdoctor: error:")


def test_doctor_json_and_exit_code(
    isolated_process_env: dict[str, str],
    certs: Certs,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["doctor", "--json", "--ca", str(certs.ca)]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    monkeypatch.setenv("NODE_TLS_REJECT_UNAUTHORIZED", "0")
    assert main(["doctor", "--json", "--ca", str(certs.ca)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["error"] == 1
    assert data["findings"][0]["id"] == "node-tls-reject-unauthorized"
    assert main(["--lang", "ja", "doctor", "--ca", str(certs.ca)]) == 1
    assert "証明書の検証を無効にします" in capsys.readouterr().out


def test_commands_run_as_a_real_process(clean_env: dict[str, str], certs: Certs) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "setup", "wget", "--apply", *files(certs)],
        env=clean_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wgetrc = Path(clean_env["HOME"], ".wgetrc").read_text()
    assert wgetrc == f"ca_certificate = {certs.bundle}\n"
    undone = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "undo"],
        env=clean_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert undone.returncode == 0 and not Path(clean_env["HOME"], ".wgetrc").exists()


def test_cli_apply_killed_midway_then_undo(clean_env: dict[str, str], certs: Certs) -> None:
    home = Path(clean_env["HOME"])
    (home / ".gitconfig").write_text("[user]\n\tname = A\n")
    before = snapshot(home)
    env = {**clean_env, "TLSDOCTOR_TEST_CRASH_AFTER": "1"}
    cmd = [sys.executable, "-m", "tlsdoctor", "setup", "git", "curl", "wget", "--apply"]
    killed = subprocess.run(
        [*cmd, *files(certs)], env=env, capture_output=True, text=True, timeout=60
    )
    assert killed.returncode == -9
    assert str(certs.bundle) in (home / ".gitconfig").read_text()  # the first file: whole
    assert not (home / ".curlrc").exists()  # the second: untouched (staged copy only)
    undone = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", "undo", "--json"],
        env=clean_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert snapshot(home, skip=(".local",)) == before


@pytest.mark.parametrize(
    "line", ["check_certificate = off", "check-certificate=OFF", "  CheckCertificate =  no"]
)
def test_bundle_and_env_never_carry_check_certificate_off(
    isolated_process_env: dict[str, str],
    certs: Certs,
    capsys: pytest.CaptureFixture[str],
    line: str,
) -> None:
    """The wgetrc that 'env' exports as WGETRC must not turn wget's verification off."""
    home = Path(isolated_process_env["HOME"])
    (home / ".wgetrc").write_text(f"{line}\ntries = 3\n")
    assert main(["bundle", "--ca", str(certs.ca)]) == 0
    err = capsys.readouterr().err
    data = Path(isolated_process_env["XDG_DATA_HOME"]) / "tlsdoctor"
    wgetrc = (data / "wgetrc").read_text()
    assert "tries = 3" in wgetrc and "certificate =" in wgetrc
    assert "check" not in wgetrc.lower()
    assert main(["bundle", "--ca", str(certs.ca), "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    assert any("check_certificate = off" in w and "not copied" in w for w in warnings), (
        err,
        warnings,
    )
    # a wgetrc an older tlsdoctor wrote with the setting: env does not export it, doctor flags it
    (data / "wgetrc").write_text(f"{line}\nca_certificate = {data / 'bundle.pem'}\n")
    assert main(["env", "--shell", "bash"]) == 0
    out, err = capsys.readouterr()
    assert "WGETRC" not in out and "SSL_CERT_FILE" in out
    assert "WGETRC is not exported" in err
    assert main(["doctor", "--json"]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    own = [f for f in found if f["subject"] == str(data / "wgetrc")]
    assert [f["id"] for f in own] == ["wget-check-certificate"]
    assert "tlsdoctor bundle" in own[0]["fix"]


def test_undo_says_when_it_brings_back_an_insecure_setting(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    npmrc = Path(isolated_process_env["npm_config_userconfig"])
    npmrc.write_text("strict-ssl=false\n")
    assert main(["setup", "npm", "--apply", *files(certs)]) == 0
    capsys.readouterr()
    assert main(["undo"]) == 0
    out = capsys.readouterr().out
    assert npmrc.read_text() == "strict-ssl=false\n"  # still byte for byte
    assert "verification is off again in this file: strict-ssl=false is back" in out
    assert main(["setup", "npm", "--apply", *files(certs)]) == 0
    npmrc.write_text(npmrc.read_text() + "progress=false\n")  # edited since: kept
    capsys.readouterr()
    assert main(["undo", "--json"]) == 1
    (row,) = json.loads(capsys.readouterr().out)["files"]
    assert row["status"] == "kept-both" and "strict-ssl" not in row["description"]
    assert row["description"].startswith("set cafile to ")


def test_undo_describes_a_change_in_its_own_language_not_setups(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    npmrc = Path(isolated_process_env["npm_config_userconfig"])
    npmrc.write_text("strict-ssl=false\n")
    assert main(["--lang", "en", "setup", "npm", "--apply", *files(certs)]) == 0
    npmrc.write_text(npmrc.read_text() + "progress=false\n")  # edited since: undo describes it
    capsys.readouterr()
    assert main(["--lang", "ja", "undo", "--json"]) == 1
    (row,) = json.loads(capsys.readouterr().out)["files"]
    assert row["description"] == f"cafile を {certs.bundle} に設定する"


def test_undo_shows_the_text_of_a_journal_written_before_messages_were_stored(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    from tlsdoctor.core.changes import Journal

    npmrc = Path(isolated_process_env["npm_config_userconfig"])
    npmrc.write_text("strict-ssl=false\n")
    assert main(["setup", "npm", "--apply", *files(certs)]) == 0
    journal = Journal()
    lines = [json.loads(line) for line in journal.file.read_text().splitlines()]
    for entry in lines:
        entry.pop("message", None)  # as an older tlsdoctor wrote it
    journal.file.write_text("".join(json.dumps(e) + "\n" for e in lines))
    npmrc.write_text(npmrc.read_text() + "progress=false\n")
    capsys.readouterr()
    assert main(["--lang", "ja", "undo"]) == 1
    out = capsys.readouterr().out
    assert f"（手動で戻してください）：set cafile to {certs.bundle}\n" in out, out


def test_doctor_json_subjects_do_not_follow_lang(
    isolated_process_env: dict[str, str], certs: Certs, capsys: pytest.CaptureFixture[str]
) -> None:
    npmrc = Path(isolated_process_env["npm_config_userconfig"])
    npmrc.write_text("cafile=/nonexistent/bundle.pem\n")
    subjects = {}
    for lang in ("en", "ja"):
        assert main(["--lang", lang, "doctor", "--json", "--ca", str(certs.ca)]) == 1
        found = json.loads(capsys.readouterr().out)["findings"]
        subjects[lang] = [(f["id"], f["severity"], f["subject"]) for f in found]
    assert subjects["ja"] == subjects["en"]
    assert ("dangling-path", "error", f"{npmrc} cafile") in subjects["ja"]
    assert main(["--lang", "ja", "doctor", "--ca", str(certs.ca)]) == 1
    assert f"{npmrc} の cafile" in capsys.readouterr().out  # the human text stays Japanese


def test_bad_ca_paths_give_one_clear_line_and_exit_2(
    isolated_process_env: dict[str, str],
    certs: Certs,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["setup", "--bundle", str(certs.bundle), "--ca", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "is a folder, not a certificate file" in err and "not found" not in err
    garbage = tmp_path / "g.pem"
    garbage.write_text("garbage\n")
    for ca in (garbage, tmp_path, tmp_path / "missing.pem"):
        assert main(["doctor", "--ca", str(ca)]) == 2
        err = capsys.readouterr().err
        assert str(ca) in err and len(err.strip().splitlines()) == 1, err


def test_bundle_out_refuses_a_missing_folder_like_ca_export(
    isolated_process_env: dict[str, str],
    certs: Certs,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A mistyped --out folder is one line, exit 2, and nothing is created (as 'ca export
    --out' does); an existing folder is written to."""
    missing = tmp_path / "missing" / "dir" / "bundle.pem"
    assert main(["bundle", "--ca", str(certs.ca), "--out", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"tlsdoctor: error: cannot write --out {missing}: "
        f"the folder {missing.parent} does not exist\n"
    )
    assert not (tmp_path / "missing").exists()
    dangling = tmp_path / "link.pem"
    dangling.symlink_to(tmp_path / "gone" / "bundle.pem")
    assert main(["bundle", "--ca", str(certs.ca), "--out", str(dangling)]) == 2
    assert "does not exist" in capsys.readouterr().err and not (tmp_path / "gone").exists()
    out = tmp_path / "bundle.pem"
    assert main(["bundle", "--ca", str(certs.ca), "--out", str(out)]) == 0
    assert certs.ca.read_bytes().strip() in out.read_bytes()


@pytest.mark.parametrize("name", ["inspection-ca.pem", "wgetrc"])
def test_bundle_out_refuses_the_name_of_a_file_written_beside_it(
    isolated_process_env: dict[str, str],
    certs: Certs,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    """The CA-only file and the wgetrc go beside the bundle under fixed names: a bundle named
    like one of them would be overwritten by it (a "bundle" with the CA alone, which breaks
    every public host once SSL_CERT_FILE points at it). One line, exit 2, nothing written; a
    link to such a name too."""
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["bundle", "--ca", str(certs.ca), "--out", str(folder / name)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tlsdoctor: error: ") and err.count("\n") == 1 and name in err
    assert list(folder.iterdir()) == []
    link = folder / "bundle.pem"
    link.symlink_to(name)
    assert main(["bundle", "--ca", str(certs.ca), "--out", str(link)]) == 2
    assert list(folder.iterdir()) == [link] and not link.exists()


def _unwritable_folder(tmp_path: Path) -> Path:
    """A real folder this user cannot write in: a 0o555 one, or for root (who may write
    anywhere on a writable file system) the process's /proc folder."""
    import os

    if os.geteuid() != 0:
        folder = tmp_path / "store"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    if not os.path.isdir("/proc/self"):
        pytest.skip("needs /proc when run as root")
    return Path(os.path.realpath("/proc/self"))


def test_setup_leaves_a_profile_linked_into_a_read_only_place_alone(
    isolated_process_env: dict[str, str],
    certs: Certs,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """home-manager links ~/.bashrc into the read-only /nix/store: the plan says setup cannot
    write it (with the link's target) instead of an apply that writes the other files and
    then stops on a temporary file's name; the rest is applied, exit 0."""
    home = Path(isolated_process_env["HOME"])
    store = _unwritable_folder(tmp_path)
    (home / ".bashrc").symlink_to(store / "bashrc")
    (home / ".npmrc").write_text("registry=https://registry.npmjs.org/\n")
    assert main(["setup", "bash", "npm", "--apply", "--json", *files(certs)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [c["tool"] for c in data["changes"]] == ["npm"]
    warnings = [n["text"] for n in data["notes"] if n["kind"] == "warning"]
    assert len(warnings) == 1 and f"cannot write {home / '.bashrc'} -> {store}" in warnings[0]
    assert "setup leaves it alone" in warnings[0]
    assert str(certs.bundle) in (home / ".npmrc").read_text()
    assert (home / ".bashrc").is_symlink() and not (home / ".bashrc").exists()


def test_open_a_new_shell_only_when_a_profile_is_written(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    """The closing advice matches what is written: a profile setup cannot write (or one already
    up to date) is no reason to open a new shell."""
    from tlsdoctor.core import changes
    from tlsdoctor.core.tools import plan_setup

    env = isolated_process_env
    home = Path(env["HOME"])
    advice = "open a new shell (or source the profile) to pick the variables up"

    def notes() -> list[str]:
        return [n.text for n in plan_setup(["bash"], certs.bundle, certs.ca, environ=env).notes]

    (home / ".bashrc").symlink_to(_unwritable_folder(tmp_path) / "bashrc")
    assert advice not in notes() and any("cannot write" in n for n in notes())
    (home / ".bashrc").unlink()
    (home / ".bashrc").write_text("export X=1\n")
    plan = plan_setup(["bash"], certs.bundle, certs.ca, environ=env)
    assert advice in [n.text for n in plan.notes]
    changes.apply(plan, changes.Journal())
    assert advice not in notes()  # already set up: nothing written


def test_setup_warns_when_the_ca_is_no_ca_or_the_bundle_lacks_it(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    """setup wires --ca into NODE_EXTRA_CA_CERTS and the Java truststore and --bundle into the
    replace-style settings: a server certificate handed over as the CA, or a bundle without
    the CA (certifi's own), leaves the tools failing behind the proxy; the plan says so."""
    import certifi

    from tlsdoctor.core.tools import plan_setup

    env = isolated_process_env

    def warnings(bundle: Path, ca: Path) -> list[str]:
        plan = plan_setup(["npm"], bundle, ca, environ=env)
        return [n.text for n in plan.notes if n.kind == "warning"]

    assert warnings(certs.bundle, certs.ca) == []
    lacking = warnings(Path(certifi.where()), certs.ca)
    assert len(lacking) == 1 and f"does not contain the CA in {certs.ca}" in lacking[0]
    leaf = tmp_path / "leaf.pem"
    leaf.write_bytes(certs.authority.issue_cert("site.test").cert_chain_pems[0].bytes())
    assert [w.split(" is ")[1] for w in warnings(certs.bundle, leaf)] == [
        "a server certificate, not a CA: trusting it will not help with other hosts"
    ]


@pytest.mark.parametrize("option", ["--ca", "--roots"])
def test_fix_names_why_a_file_option_cannot_be_read(
    isolated_process_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    option: str,
) -> None:
    """A symlink loop or a folder was "file not found", which sent users looking for a typo."""
    loop = tmp_path / "loop.pem"
    loop.symlink_to(tmp_path / "other.pem")
    (tmp_path / "other.pem").symlink_to(loop)
    for value, reason in (
        (loop, "Too many levels of symbolic links"),
        (tmp_path, "Is a directory"),
    ):
        assert main(["fix", option, str(value), "--host", "127.0.0.1:1"]) == 2
        err = capsys.readouterr().err
        assert err == f"tlsdoctor: error: cannot read {value}: {reason}\n"


def test_fix_reads_the_ca_from_a_pipe(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    """`fix --ca <(cat ca.pem)`: a pipe is not a regular file, and was "file not found"."""
    line = '"$0" -m tlsdoctor fix --ca <(cat "$1") --host 127.0.0.1:1 --json'
    done = subprocess.run(
        ["bash", "-c", line, sys.executable, str(certs.ca)],
        env=isolated_process_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "not found" not in done.stderr and "cannot read" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["ca"]["certificates"], done.stdout
