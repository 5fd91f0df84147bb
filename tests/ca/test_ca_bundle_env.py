"""The combined bundle, its staleness check, and the shell settings that point tools at it."""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import ssl
import stat
import subprocess
import sys
from pathlib import Path

import certfactory
import certifi
import pytest
from loopback import leaf_under, tls_server, write_chain

from tlsdoctor import i18n
from tlsdoctor.cli.main import main
from tlsdoctor.core import bundle, envvars
from tlsdoctor.core.x509 import load_certificates, parse_pem_tolerant, sha256_fingerprint
from tlsdoctor.errors import InputError, UsageError

REQUIRED_VARS = {
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "AWS_CA_BUNDLE",
    "GIT_SSL_CAINFO",
    "PIP_CERT",
    "CONDA_SSL_VERIFY",
    "CARGO_HTTP_CAINFO",
    "DENO_CERT",
    "HTTPLIB2_CA_CERTS",
    "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH",
    "CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE",
}


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, object]:
    public_a = certfactory.make_ca("Public A")
    public_b = certfactory.make_ca("Public B")
    roots = tmp_path / "roots.pem"
    roots.write_bytes(public_a.pem + public_b.pem + public_a.pem.replace(b"\n", b"\r\n"))
    inspection = certfactory.make_ca("Inspection Root")
    return {"roots": roots, "a": public_a, "b": public_b, "ca": inspection}


def fps(certs: list) -> list[str]:
    return [sha256_fingerprint(c) for c in certs]


def test_bundle_counts_given_public_roots_in_words(tmp_path: Path, pki: dict) -> None:
    ca, a, b = pki["ca"], pki["a"], pki["b"]
    result = bundle.prepare_bundle([ca.cert, a.cert, b.cert], roots_path=pki["roots"])
    assert "2 of the given certificates are public roots already in the base set" in (
        result.warnings
    )


def test_bundle_dedupes_orders_and_says_what_is_inside(tmp_path: Path, pki: dict) -> None:
    ca, a, b = pki["ca"], pki["a"], pki["b"]
    out = tmp_path / "out dir" / "bundle.pem"
    result = bundle.build_bundle([ca.cert, ca.cert, a.cert], roots_path=pki["roots"], out=out)
    assert result.path == out and result.ca_path == out.with_name("inspection-ca.pem")
    assert (result.count, result.public_count) == (3, 2)
    assert fps(result.cas) == fps([ca.cert, a.cert])
    assert "one of the given certificates is a public root already in the base set" in (
        result.warnings
    )
    text = out.read_text()
    assert fps(parse_pem_tolerant(text)) == fps([ca.cert, a.cert, b.cert])
    assert text.startswith("# tlsdoctor-bundle: 1\n")
    assert f"# roots-source: {pki['roots']}" in text
    assert f"# ca: {sha256_fingerprint(ca.cert)} " in text
    assert "\r" not in text
    # the CA-only file (additive settings) also gets --roots certificates unknown to Mozilla
    ca_text = result.ca_path.read_text()
    assert fps(load_certificates(ca_text.encode())) == fps([ca.cert, a.cert, b.cert])
    assert "# --roots, not in Mozilla's set: CN=Public B,O=tlsdoctor tests" in ca_text
    for path in (out, result.ca_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in out.parent.iterdir()) == [
        "bundle.pem",
        "inspection-ca.pem",
        "wgetrc",
    ]
    assert (out.parent / "wgetrc").read_text().endswith(f"ca_certificate = {out}\n")
    # OpenSSL (through Python's ssl) reads the whole thing
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(out))
    assert len(ctx.get_ca_certs()) == 3


def test_default_bundle_uses_certifi_and_the_data_dir(
    isolated_process_env: dict[str, str],
    pki: dict,
) -> None:
    result = bundle.build_bundle([pki["ca"].cert])
    expected_dir = Path(isolated_process_env["XDG_DATA_HOME"]) / "tlsdoctor"
    assert result.path == expected_dir / "bundle.pem"
    certifi_count = len(set(fps(parse_pem_tolerant(Path(certifi.where()).read_bytes()))))
    assert result.public_count == certifi_count > 100
    assert bundle.check_bundle() == []


def test_a_bundle_needs_a_ca(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no inspection CA to add"):
        bundle.build_bundle([], out=tmp_path / "b.pem")


def test_check_finds_stale_bundles(tmp_path: Path, pki: dict) -> None:
    out = tmp_path / "bundle.pem"
    bundle.build_bundle([pki["ca"].cert], roots_path=pki["roots"], out=out)
    assert bundle.check_bundle(out) == []
    rotated = certfactory.make_ca("Inspection Root")  # same name, new key
    assert [f.id for f in bundle.check_bundle(out, current_cas=[rotated.cert])] == ["ca-rotated"]
    with Path(pki["roots"]).open("ab") as handle:
        handle.write(certfactory.make_ca("Public C").pem)
    assert [f.id for f in bundle.check_bundle(out)] == ["roots-changed"]
    assert [f.id for f in bundle.check_bundle(tmp_path / "none.pem")] == ["missing"]


def test_check_finds_expiring_and_expired_cas(tmp_path: Path, pki: dict) -> None:
    soon = certfactory.make_ca("Soon", not_after=certfactory.NOW + dt.timedelta(days=10))
    gone = certfactory.make_ca("Gone", not_after=certfactory.NOW - dt.timedelta(hours=1))
    out = tmp_path / "bundle.pem"
    bundle.build_bundle([soon.cert, gone.cert], roots_path=pki["roots"], out=out)
    ids = sorted(f.id for f in bundle.check_bundle(out))
    assert ids == ["ca-expired", "ca-expiring"]


def test_check_finds_a_certifi_update(tmp_path: Path, pki: dict) -> None:
    out = tmp_path / "bundle.pem"
    bundle.build_bundle([pki["ca"].cert], out=out)
    text = out.read_text()
    end = "-----END CERTIFICATE-----\n"
    head, last_block = text.rstrip("\n").rsplit("-----BEGIN CERTIFICATE-----", 1)
    out.write_text(head)  # the last public root is gone
    assert last_block.endswith("-----END CERTIFICATE-----") and end
    findings = bundle.check_bundle(out)  # certifi is as recorded: the file itself was changed
    assert [f.id for f in findings] == ["bundle-edited"]
    assert "not certifi (1 of certifi's roots missing" in findings[0].message
    _rewrite_header(out, "roots-sha256", "0" * 64)  # built from another certifi file
    findings = bundle.check_bundle(out)
    assert [f.id for f in findings] == ["certifi-updated"]
    assert "1 roots missing" in findings[0].message


def test_check_flags_a_ca_only_file_used_as_bundle(tmp_path: Path, pki: dict) -> None:
    lone = tmp_path / "zscaler.pem"
    lone.write_bytes(pki["ca"].pem)
    ids = [f.id for f in bundle.check_bundle(lone)]
    assert "not-tlsdoctor" in ids and "missing-public-roots" in ids


def test_bundle_cli_json_and_check(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    pki: dict,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ca_file = tmp_path / "ca.cer"
    ca_file.write_bytes(pki["ca"].der)
    out = tmp_path / "b.pem"
    args = ["bundle", "--ca", str(ca_file), "--roots", str(pki["roots"]), "--out", str(out)]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["count"] == 3 and report["public_count"] == 2
    assert report["cas"][0]["sha256"] == sha256_fingerprint(pki["ca"].cert)
    assert main(["bundle", "--check", "--out", str(out)]) == 0
    assert "is up to date" in capsys.readouterr().out
    assert main(["bundle", "--check", "--out", str(out), "--ca", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.startswith("tlsdoctor: error: ")
    monkeypatch.setattr("tlsdoctor.core.detect.DEFAULT_HOSTS", ("127.0.0.1:1",))
    assert main(["bundle", "--out", str(out)]) == 3  # inconclusive, as 'ca export' says
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "no --ca given: looking for an intercepted host first..."
    assert err[-1].startswith("tlsdoctor: error: no --ca given and no intercepted host found")


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_bundle_export_failures_exit_as_ca_export_does(
    tmp_path: Path,
    isolated_process_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    json_flag: list[str],
) -> None:
    """A script tells 'root not found' (1) and 'host unreachable' (3) from bad input (2)."""
    _root, leaf = leaf_under("Acme Inspection Root")
    chain, key = write_chain(tmp_path / "server", leaf)  # the proxy keeps its root to itself
    out = ["--out", str(tmp_path / "b.pem"), *json_flag]
    with tls_server(chain, key) as port:
        host = f"127.0.0.1:{port}"
        assert main(["bundle", "--host", host, *out]) == 1
        assert main(["ca", "export", "--host", host, *json_flag]) == 1
    captured = capsys.readouterr()
    assert "tlsdoctor: error: could not export a CA from 127.0.0.1:" in captured.err
    assert main(["bundle", "--host", "127.0.0.1:1", *out]) == 3
    assert main(["ca", "export", "--host", "127.0.0.1:1", *json_flag]) == 3
    assert not (tmp_path / "b.pem").exists()


def test_bundle_out_names_its_path_in_the_next_step(
    tmp_path: Path, pki: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    ca_file = tmp_path / "ca.cer"
    ca_file.write_bytes(pki["ca"].der)
    out = tmp_path / "my bundles" / "b.pem"
    out.parent.mkdir()
    assert main(["bundle", "--ca", str(ca_file), "--out", str(out)]) == 0  # certifi's roots
    printed = capsys.readouterr().out
    assert f"Wrote {out}: " in printed and " public roots + 1 inspection CA." in printed
    next_step = printed.splitlines()[-1]
    command = f"tlsdoctor env --bundle {shlex.quote(str(out))}"
    assert next_step == f'Next: eval "$({command})" (this shell only), then tlsdoctor check.'
    assert main(shlex.split(command)[1:]) == 0  # the suggested command works as printed
    assert f"export SSL_CERT_FILE={shlex.quote(str(out))}" in capsys.readouterr().out


# --------------------------------------------------------------------------- env


def test_catalog_has_every_required_variable() -> None:
    names = [v.name for v in envvars.ENV_VARS]
    assert set(names) >= REQUIRED_VARS
    assert len(names) == len(set(names))
    for var in envvars.ENV_VARS:
        assert var.semantics in ("replace", "add") and var.wants in ("bundle", "ca")
        assert var.tools and var.note and var.note_ja and var.source
        assert (var.semantics == "add") == (var.wants == "ca")
    assert envvars.by_name("NODE_EXTRA_CA_CERTS").wants == "ca"
    assert envvars.by_name("SSL_CERT_FILE").semantics == "replace"


NASTY = '/tmp/dir with spaces/it\'s "quoted" $HOME `cmd` \\back\\slash/bundle.pem'


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_real_shells_read_back_the_exact_paths(shell: str, clean_env: dict[str, str]) -> None:
    program = shutil.which(shell)
    if program is None:
        pytest.skip(f"{shell} is not installed")
    ca_path = NASTY.replace("bundle.pem", "inspection-ca.pem")
    code = envvars.render_env(shell, NASTY, ca_path, wgetrc_path="/tmp/w rc")
    show = 'printf "%s\\n%s\\n%s" "$SSL_CERT_FILE" "$NODE_EXTRA_CA_CERTS" "$WGETRC"'
    if shell == "fish":
        show = 'printf "%s\\n%s\\n%s" $SSL_CERT_FILE $NODE_EXTRA_CA_CERTS $WGETRC'
    done = subprocess.run(
        [program, "-c", code + "\n" + show],
        capture_output=True,
        text=True,
        env=clean_env,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == [NASTY, ca_path, "/tmp/w rc"]


def test_powershell_and_cmd_syntax() -> None:
    ps = envvars.render_env("powershell", "C:\\Users\\O'Brien\\b.pem", "C:\\ca.pem")
    assert "$env:SSL_CERT_FILE = 'C:\\Users\\O''Brien\\b.pem'" in ps
    assert "$env:NODE_EXTRA_CA_CERTS = 'C:\\ca.pem'" in ps
    cmd = envvars.render_env("cmd", "C:\\Program Files\\b.pem", "C:\\ca.pem")
    assert 'set "CURL_CA_BUNDLE=C:\\Program Files\\b.pem"' in cmd
    assert cmd.startswith("rem tlsdoctor:")
    with pytest.raises(UsageError, match=r"cmd\.exe cannot set safely"):
        envvars.render_env("cmd", "C:\\100%\\b.pem", "C:\\ca.pem")


def test_each_variable_gets_the_right_file_and_a_comment() -> None:
    code = envvars.render_env("bash", "/b/bundle.pem", "/b/inspection-ca.pem")
    lines = code.splitlines()
    assert "production" in code and "THIS shell only" in code
    for var in envvars.ENV_VARS:
        want = "/b/inspection-ca.pem" if var.wants == "ca" else "/b/bundle.pem"
        index = lines.index(f"export {var.name}='{want}'")
        assert lines[index - 1].startswith(f"# {var.name}: ")


def test_env_cli(
    isolated_process_env: dict[str, str],
    pki: dict,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["env"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("tlsdoctor: error: no bundle at ")
    assert err[1].startswith("hint: build it first")
    # certifi's roots: env refuses a bundle without a full set of public roots
    result = bundle.build_bundle([pki["ca"].cert])
    assert main(["env", "--shell", "bash"]) == 0
    out = capsys.readouterr().out
    assert f"export SSL_CERT_FILE='{result.path}'" in out
    assert f"export NODE_EXTRA_CA_CERTS='{result.ca_path}'" in out
    assert f"export WGETRC='{result.wgetrc_path}'" in out
    assert main(["--lang", "ja", "env", "--shell", "fish"]) == 0
    ja = capsys.readouterr().out
    assert "本番環境" in ja and f"set -gx GIT_SSL_CAINFO '{result.path}'" in ja
    assert main(["env", "--explain"]) == 0
    table = capsys.readouterr().out
    for name in REQUIRED_VARS:
        assert name in table


# ------------------------------------------------- --check against the installed certifi


def _rewrite_header(path: Path, field: str, value: str) -> None:
    text = path.read_text()
    lines = [
        f"# {field}: {value}" if ln.startswith(f"# {field}: ") else ln for ln in text.split("\n")
    ]
    path.write_text("\n".join(lines))


def test_check_finds_roots_certifi_no_longer_has(tmp_path: Path, pki: dict) -> None:
    out = tmp_path / "bundle.pem"
    bundle.build_bundle([pki["ca"].cert], out=out)
    assert bundle.check_bundle(out) == []
    distrusted = certfactory.make_ca("Distrusted Public Root")
    out.write_text(out.read_text() + distrusted.pem.decode())  # as if certifi had dropped it
    _rewrite_header(out, "roots-sha256", "0" * 64)  # built from another certifi file
    findings = bundle.check_bundle(out)
    assert [f.id for f in findings] == ["certifi-updated"]
    assert "0 roots missing, 1 roots no longer in Mozilla's set" in findings[0].message


def test_check_finds_an_older_certifi_version_and_hash(tmp_path: Path, pki: dict) -> None:
    out = tmp_path / "bundle.pem"
    bundle.build_bundle([pki["ca"].cert], out=out)
    _rewrite_header(out, "roots-sha256", "0" * 64)
    findings = bundle.check_bundle(out)
    assert [f.id for f in findings] == ["roots-changed"]
    _rewrite_header(out, "certifi-version", "2022.9.24")
    findings = bundle.check_bundle(out)
    assert [f.id for f in findings] == ["certifi-updated"]
    assert "certifi 2022.9.24 -> " in findings[0].message


def test_check_rejects_options_it_would_ignore(
    tmp_path: Path, pki: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "b.pem")
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(pki["ca"].pem)
    both = ["--ca", str(ca_file), "--host", "127.0.0.1:1"]
    assert main(["bundle", "--out", out, *both]) == 2
    assert "--ca and --host cannot be combined" in capsys.readouterr().err
    assert main(["bundle", "--check", "--out", out, *both]) == 2
    assert "--ca and --host cannot be combined" in capsys.readouterr().err
    assert main(["bundle", "--check", "--out", out, "--roots", str(pki["roots"])]) == 2
    assert "--roots is only used with --check --host" in capsys.readouterr().err


# --------------------------------------------------------------------- which shell runs `env`


def _fake_proc(root: Path, pid: int, name: str, ppid: int) -> None:
    (root / str(pid)).mkdir(parents=True)
    (root / str(pid) / "comm").write_text(name + "\n")
    (root / str(pid) / "stat").write_text(f"{pid} ({name}) S {ppid} 1 1 0 -1\n")


def test_calling_shell_walks_up_past_launchers(tmp_path: Path) -> None:
    from tlsdoctor.cli.env import calling_shell

    _fake_proc(tmp_path, 300, "uv (x) y", 200)  # odd names: the stat split must hold
    _fake_proc(tmp_path, 200, "python3", 100)
    _fake_proc(tmp_path, 100, "-zsh", 1)
    assert calling_shell(300, tmp_path) == "zsh"
    _fake_proc(tmp_path, 400, "dash", 1)
    assert calling_shell(400, tmp_path) == "bash"
    _fake_proc(tmp_path, 500, "make", 1)
    assert calling_shell(500, tmp_path) is None
    assert calling_shell(999, tmp_path) is None


@pytest.mark.parametrize(
    ("shell", "login_shell"), [("bash", "fish"), ("zsh", "fish"), ("fish", "bash")]
)
def test_env_follows_the_calling_shell_not_login_shell(
    shell: str, login_shell: str, tmp_path: Path, pki: dict, clean_env: dict[str, str]
) -> None:
    program, login = shutil.which(shell), shutil.which(login_shell)
    if program is None or login is None:
        pytest.skip(f"{shell} or {login_shell} is not installed")
    out = tmp_path / "b.pem"
    bundle.build_bundle([pki["ca"].cert], out=out)  # certifi's roots: a full bundle
    tlsdoctor = Path(sys.executable).with_name("tlsdoctor")
    if shell == "fish":
        # fish also understands `export`: check that its own syntax was printed, too.
        code = (
            f"{tlsdoctor} env --bundle {out} | source; printf '%s' $SSL_CERT_FILE; "
            f"{tlsdoctor} env --bundle {out} | string match -q 'set -gx SSL_CERT_FILE *'"
        )
    else:
        code = f'eval "$({tlsdoctor} env --bundle {out})"; printf "%s" "$SSL_CERT_FILE"'
    done = subprocess.run(
        [program, "-c", code],
        capture_output=True,
        text=True,
        env={**clean_env, "SHELL": login},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == str(out) and "invalid option" not in done.stderr


def test_an_unwritable_out_is_an_input_error(
    tmp_path: Path, pki: dict, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(pki["ca"].pem)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    base = ["bundle", "--ca", str(ca_file), "--roots", str(pki["roots"])]
    assert main([*base, "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"tlsdoctor: error: --out {tmp_path} is a directory")
    bad = str(blocker / "x.pem")
    assert main([*base, "--out", bad]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"tlsdoctor: error: cannot write --out {bad}: ")
        and len(err.splitlines()) == 1
    )
    # ca export --all writes through the same path
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path / "root"))
    (tmp_path / "root" / "usr/local/share/ca-certificates").mkdir(parents=True)
    (tmp_path / "root" / "usr/local/share/ca-certificates/corp.crt").write_bytes(pki["ca"].pem)
    assert main(["ca", "export", "--all", "--out", bad]) == 2
    assert capsys.readouterr().err.startswith(f"tlsdoctor: error: cannot write --out {bad}: ")
    assert main(["ca", "export", "--all", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    for command in ([*base, "--out", ""], ["ca", "export", "--all", "--out", ""]):
        assert main(command) == 2
        assert capsys.readouterr().err == (
            "tlsdoctor: error: --out needs a file name (it is empty)\n"
        )


def test_env_explain_piped_is_plain_and_whole(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "ja", "env", "--explain"]) == 0
    text = capsys.readouterr().out
    assert "…" not in text and "WGETRC" in text
    i18n.set_language("ja")
    try:
        rows = envvars.explain_rows()
    finally:
        i18n.set_language("en")
    for row in rows:
        assert f"{row['name']}\n  読むツール：{row['tools']}\n" in text  # never cut
        assert row["note"] in text


def test_env_json_lists_values_and_semantics(
    isolated_process_env: dict[str, str], pki: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    result = bundle.build_bundle([pki["ca"].cert])  # certifi's roots: a full bundle
    assert main(["env", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    values = {v["name"]: (v["value"], v["semantics"]) for v in report["variables"]}
    assert values["SSL_CERT_FILE"] == (str(result.path), "replace")
    assert values["NODE_EXTRA_CA_CERTS"] == (str(result.ca_path), "add")
    assert values["WGETRC"] == (str(result.wgetrc_path), "replace")
    assert set(values) >= REQUIRED_VARS | {"WGETRC"}
    assert main(["env", "--explain", "--json"]) == 0
    names = [v["name"] for v in json.loads(capsys.readouterr().out)["variables"]]
    assert "WGETRC" in names and "SSL_CERT_FILE" in names


def test_export_out_folder_problems_and_symlinks(
    tmp_path: Path, pki: dict, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped folder is an error (no folders created), a file in the way is named as such,
    and a symlinked --out is written through: the link stays, its target gets the PEM."""
    monkeypatch.setenv("TLSDOCTOR_SYSROOT", str(tmp_path / "root"))
    (tmp_path / "root" / "usr/local/share/ca-certificates").mkdir(parents=True)
    (tmp_path / "root" / "usr/local/share/ca-certificates/corp.crt").write_bytes(pki["ca"].pem)
    export = ["ca", "export", "--all", "--out"]
    missing = tmp_path / "missing" / "dir" / "ca.pem"
    assert main([*export, str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"tlsdoctor: error: cannot write --out {missing}: "
        f"the folder {missing.parent} does not exist\n"
    )
    assert not (tmp_path / "missing").exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main([*export, str(blocker / "sub" / "x.pem")]) == 2
    err = capsys.readouterr().err
    assert err.endswith(f": {blocker} is a file, not a folder\n") and "exists" not in err
    real = tmp_path / "real.pem"
    real.write_text("old")
    link = tmp_path / "link.pem"
    link.symlink_to(real.name)
    assert main([*export, str(link)]) == 0
    assert link.is_symlink() and load_certificates(real.read_bytes())[0] == pki["ca"].cert
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert main([*export, str(fifo)]) == 2
    assert "is not a regular file" in capsys.readouterr().err
    assert fifo.exists() and not fifo.is_file()


def test_env_in_japanese_names_the_tools_in_japanese(
    isolated_process_env: dict[str, str], pki: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each variable's comment is one Japanese sentence: full-width punctuation, the tools
    listed with 、 and no English prose such as 'libcurl programs' or '(partly)'."""
    bundle.build_bundle([pki["ca"].cert])
    assert main(["--lang", "ja", "env", "--shell", "bash"]) == 0
    out = capsys.readouterr().out
    assert "# CURL_CA_BUNDLE：curl、libcurl を使うプログラム、" in out
    assert "Bun（一部）" in out and "（既定のルートを置き換えます。" in out
    for english in ("libcurl programs", "(partly)", "(fallback)", "Electron apps", "remotes"):
        assert english not in out


def test_env_explain_table_folds_japanese_instead_of_cutting_it() -> None:
    """On a terminal the table wraps a long Japanese note inside its cell (rich's default
    ellipsis lost the end of every note)."""
    import io

    from rich.console import Console

    from tlsdoctor.render.ca import render_explain

    i18n.set_language("ja")
    try:
        rows = envvars.explain_rows()
        out = io.StringIO()
        render_explain(Console(file=out, force_terminal=True, width=100), rows)
    finally:
        i18n.set_language("en")
    text = out.getvalue()
    assert "…" not in text and "WGETRC" in text


def test_out_never_replaces_a_file_that_is_not_a_certificate_file(
    tmp_path: Path, pki: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped --out (a profile, a program) or a wgetrc tlsdoctor did not write beside the
    bundle is left alone: exit 2, one line, nothing written; its own files are replaced."""
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(pki["ca"].pem)
    base = ["bundle", "--ca", str(ca_file), "--roots", str(pki["roots"]), "--out"]
    profile = tmp_path / "bashrc"
    profile.write_text("export PATH=/opt/bin:$PATH\n")
    program = tmp_path / "prog"
    program.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(100))
    for target in (profile, program):
        before = target.read_bytes()
        assert main([*base, str(target)]) == 2
        err = capsys.readouterr().err
        assert err == (
            f"tlsdoctor: error: {target} already exists and holds no certificate: tlsdoctor "
            "does not replace it; give another file name, or move it away first\n"
        )
        assert target.read_bytes() == before
    assert main(["ca", "export", "--host", "127.0.0.1:1", "--out", str(profile)]) == 2
    assert "holds no certificate" in capsys.readouterr().err  # before anything is probed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bashrc", "ca.pem", "prog", "roots.pem"]
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "wgetrc").write_text("check_certificate = on\n")
    assert main([*base, str(etc / "bundle.pem")]) == 2
    assert "was not written by tlsdoctor" in capsys.readouterr().err
    assert sorted(p.name for p in etc.iterdir()) == ["wgetrc"]
    own = tmp_path / "own"
    own.mkdir()
    for _run in range(2):  # its own bundle, CA file and wgetrc are replaced again
        assert main([*base, str(own / "bundle")]) == 0
    assert sorted(p.name for p in own.iterdir()) == ["bundle", "inspection-ca.pem", "wgetrc"]


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["setup", "--ca", ""], "--ca"),
        (["setup", "--bundle", " "], "--bundle"),
        (["doctor", "--ca", ""], "--ca"),
        (["env", "--bundle", ""], "--bundle"),
        (["bundle", "--ca", ""], "--ca"),
        (["bundle", "--check", "--out", ""], "--out"),
        (["bundle", "--ca", "x.pem", "--roots", ""], "--roots"),
        (["fix", "--ca", ""], "--ca"),
        (["fix", "--roots", ""], "--roots"),
        (["check", "--source", ""], "--source"),
        (["ca", "export", "--roots", "", "--host", "127.0.0.1:1"], "--roots"),
    ],
)
def test_an_empty_file_name_is_a_usage_error(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--ca "$UNSET": one line, exit 2, before anything is read, probed or written (it was
    taken as no option at all, or as the folder '.')."""
    assert main(argv) == 2
    assert (
        capsys.readouterr().err == f"tlsdoctor: error: {option} needs a file name (it is empty)\n"
    )
    assert main(["ca", "check", ""]) == 2
    assert "FILE is empty" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize(
    "argv",
    [["ca", "check"], ["bundle", "--out", "bundle.pem", "--ca"], ["doctor", "--ca"]],
)
def test_a_named_pipe_nobody_writes_to_does_not_hang(
    argv: list[str], tmp_path: Path, clean_env: dict[str, str]
) -> None:
    """open() of a FIFO waits for a writer: ca check, bundle --ca and doctor --ca hung."""
    fifo = tmp_path / "ca.pem"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "tlsdoctor", *argv, str(fifo)],
        cwd=tmp_path,
        env=dict(clean_env, HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr == f"tlsdoctor: error: {fifo}: empty file\n"
