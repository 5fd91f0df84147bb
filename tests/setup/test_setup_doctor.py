"""doctor: each insecure setting and each broken CA setting found from a planted sandbox."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import certfactory
import pytest
from setup_helpers import Certs, write_ca_as

from tlsdoctor.core import changes
from tlsdoctor.core.doctor import audit
from tlsdoctor.core.tools import plan_setup, python

Plant = Callable[[Path, dict[str, str], Certs], None]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


INSECURE: dict[str, Plant] = {
    "node-tls-reject-unauthorized": lambda h, e, c: e.update(NODE_TLS_REJECT_UNAUTHORIZED="0"),
    "pythonhttpsverify": lambda h, e, c: e.update(PYTHONHTTPSVERIFY="0"),
    "git-ssl-no-verify": lambda h, e, c: e.update(GIT_SSL_NO_VERIFY="1"),
    "vault-skip-verify": lambda h, e, c: e.update(VAULT_SKIP_VERIFY="true"),
    "nomad-skip-verify": lambda h, e, c: e.update(NOMAD_SKIP_VERIFY="1"),
    "consul-http-ssl-verify": lambda h, e, c: e.update(CONSUL_HTTP_SSL_VERIFY="no"),
    "govc-insecure": lambda h, e, c: e.update(GOVC_INSECURE="TRUE"),
    "perl-lwp-ssl-verify-hostname": lambda h, e, c: e.update(PERL_LWP_SSL_VERIFY_HOSTNAME="0"),
    "npm-strict-ssl": lambda h, e, c: write(h / ".npmrc", "strict-ssl=false\n"),
    "git-ssl-verify": lambda h, e, c: write(
        h / ".gitconfig", '[http "https://corp.example"]\n\tsslVerify = false\n'
    ),
    "pip-trusted-host": lambda h, e, c: write(
        h / ".config/pip/pip.conf", "[global]\ntrusted-host = pypi.org files.pythonhosted.org\n"
    ),
    "conda-ssl-verify": lambda h, e, c: write(h / ".condarc", "ssl_verify: false\n"),
    "curl-insecure": lambda h, e, c: write(h / ".curlrc", "silent\ninsecure\n"),
    "wget-check-certificate": lambda h, e, c: write(h / ".wgetrc", "check_certificate = off\n"),
    "yarn-strict-ssl": lambda h, e, c: write(h / ".yarnrc.yml", "enableStrictSsl: false\n"),
}

BROKEN: dict[str, Plant] = {
    "dangling-path": lambda h, e, c: e.update(SSL_CERT_FILE=str(h / "gone.pem")),
    "no-public-roots": lambda h, e, c: e.update(REQUESTS_CA_BUNDLE=str(c.ca)),
    "no-inspection-ca": lambda h, e, c: write(
        h / ".curlrc", f'cacert = "{__import__("certifi").where()}"\n'
    ),
    "full-bundle-in-add": lambda h, e, c: e.update(NODE_EXTRA_CA_CERTS=str(c.bundle)),
    "expired-ca": lambda h, e, c: e.update(NODE_EXTRA_CA_CERTS=str(expired_ca(h))),
    "empty-ca-variable": lambda h, e, c: e.update(CURL_CA_BUNDLE=""),
}


def expired_ca(folder: Path) -> Path:
    ca = certfactory.make_ca(
        certfactory.cn_name("Expired Inspection CA"),
        key_usage=False,
        ski=False,
        not_before=certfactory.NOW - dt.timedelta(days=400),
        not_after=certfactory.NOW - dt.timedelta(days=30),
    )
    path = folder / "expired.pem"
    path.write_bytes(ca.pem)
    return path


@pytest.mark.parametrize("finding_id", sorted({**INSECURE, **BROKEN}))
def test_doctor_finds_each_planted_problem(
    isolated_process_env: dict[str, str], certs: Certs, finding_id: str
) -> None:
    home = Path(isolated_process_env["HOME"])
    env = dict(isolated_process_env)
    assert [f.id for f in audit(env, ca=certs.ca)] == []  # the clean sandbox has nothing
    {**INSECURE, **BROKEN}[finding_id](home, env, certs)
    findings = audit(env, ca=certs.ca)
    assert finding_id in [f.id for f in findings], findings
    found = next(f for f in findings if f.id == finding_id)
    assert found.fix and found.message
    if finding_id in INSECURE:
        assert found.severity == "error"


def test_doctor_is_quiet_after_setup(
    isolated_process_env: dict[str, str], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    tools = ["pip", "npm", "git", "curl", "wget", "conda", "cargo", "aws", "gcloud", "composer"]
    changes.apply(plan_setup(tools, certs.bundle, certs.ca), changes.Journal())
    assert audit(dict(isolated_process_env), ca=certs.ca) == []


def test_doctor_checks_tool_configs_for_dangling_paths(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    home = Path(isolated_process_env["HOME"])
    gone = tmp_path / "moved-away.pem"
    write(home / ".gitconfig", f"[http]\n\tsslCAInfo = {gone}\n")
    write(home / ".aws/config", f"[default]\nca_bundle = {gone}\n")
    findings = audit(dict(isolated_process_env), ca=certs.ca)
    subjects = sorted(f.subject for f in findings if f.id == "dangling-path")
    assert any(".gitconfig" in s for s in subjects) and any(".aws" in s for s in subjects)


# setup removes what doctor reports in the file it edits for each tool (one shared catalog)
SETUP_FIXES: dict[str, tuple[str, Plant]] = {
    "npm-strict-ssl": ("npm", INSECURE["npm-strict-ssl"]),
    "git-ssl-verify": ("git", INSECURE["git-ssl-verify"]),
    "pip-trusted-host": ("pip", INSECURE["pip-trusted-host"]),
    "pip-trusted-host-multiline": (
        "pip",
        lambda h, e, c: write(
            h / ".config/pip/pip.conf",
            "[install]\ntrusted-host =\n    pypi.org\n    files.pythonhosted.org\nno-cache = 1\n",
        ),
    ),
    "conda-ssl-verify": ("conda", INSECURE["conda-ssl-verify"]),
    "curl-insecure": ("curl", INSECURE["curl-insecure"]),
    "wget-check-certificate": ("wget", INSECURE["wget-check-certificate"]),
    "yarn-strict-ssl": ("yarn", lambda h, e, c: write(h / ".yarnrc", "strict-ssl false\n")),
    # forms the real clients honour too (case+form: the finding id, then the variant)
    "curl-insecure+cluster": ("curl", lambda h, e, c: write(h / ".curlrc", "-sk\n")),
    "curl-insecure+upper": ("curl", lambda h, e, c: write(h / ".curlrc", "INSECURE\n")),
    "npm-strict-ssl+comment": (
        "npm",
        lambda h, e, c: write(Path(e["npm_config_userconfig"]), "strict-ssl=false ; x\n"),
    ),
    "git-ssl-verify+empty": (
        "git",
        lambda h, e, c: write(Path(e["GIT_CONFIG_GLOBAL"]), "[http]\n\tsslVerify =\n"),
    ),
    "git-ssl-verify+one-line": (
        "git",
        lambda h, e, c: write(Path(e["GIT_CONFIG_GLOBAL"]), "[http]sslVerify=false\n"),
    ),
    "git-ssl-verify+one-line-spaced": (
        "git",
        lambda h, e, c: write(Path(e["GIT_CONFIG_GLOBAL"]), '[http "https://x"] sslVerify = no\n'),
    ),
    "wget-check-certificate+dash": (
        "wget",
        lambda h, e, c: write(h / ".wgetrc", "check-certificate = off\n"),
    ),
    "composer-disable-tls": (
        "composer",
        lambda h, e, c: write(
            h / ".config/composer/config.json", '{"config": {"disable-tls": true}}\n'
        ),
    ),
    "gcloud-disable-ssl-validation": (
        "gcloud",
        lambda h, e, c: write(
            h / ".config/gcloud/configurations/config_default",
            "[auth]\ndisable_ssl_validation = True\n",
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(SETUP_FIXES))
def test_setup_removes_the_insecure_settings_doctor_reports(
    isolated_process_env: dict[str, str],
    certs: Certs,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    home = Path(isolated_process_env["HOME"])
    env = dict(isolated_process_env)
    tool, plant = SETUP_FIXES[case]
    plant(home, env, certs)
    finding_id = case.split("+")[0].removesuffix("-multiline")
    before = [f for f in audit(env, ca=certs.ca) if f.id == finding_id]
    assert before, "doctor must report the planted setting"
    plan = plan_setup([tool], certs.bundle, certs.ca, environ=env)
    removing = [c for c in plan.changes if c.removes]
    assert removing and all("turns verification back on" in r for r in removing[0].removes)
    assert removing[0].to_json()["removes"] == list(removing[0].removes)
    changes.apply(plan, changes.Journal())
    assert [f for f in audit(env, ca=certs.ca) if f.id == finding_id] == []
    changes.undo(changes.Journal())
    assert [f.id for f in audit(env, ca=certs.ca) if f.id == finding_id] == [finding_id]


@pytest.mark.parametrize(
    "pip_conf",
    [
        # configparser (what pip reads) carries a value over comments and blank lines
        "[global]\ntrusted-host = pypi.example\n# second mirror\n    files.example\ntimeout = 60\n",
        "[global]\nindex-url = https://x\ntrusted-host = a\n\n    b.example\ntimeout = 60\n",
    ],
)
def test_removing_trusted_host_keeps_pip_conf_readable_and_its_other_values(
    isolated_process_env: dict[str, str],
    certs: Certs,
    monkeypatch: pytest.MonkeyPatch,
    pip_conf: str,
) -> None:
    import configparser

    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    home = Path(isolated_process_env["HOME"])
    path = home / ".config/pip/pip.conf"
    write(path, pip_conf)
    before = configparser.ConfigParser()
    before.read_string(pip_conf)
    changes.apply(plan_setup(["pip"], certs.bundle, certs.ca, environ=isolated_process_env),
                  changes.Journal())  # fmt: skip
    after = configparser.ConfigParser()
    after.read_string(path.read_text())
    expected = {k: v for k, v in before["global"].items() if k != "trusted-host"}
    expected["cert"] = str(certs.bundle)
    assert dict(after["global"]) == expected


def test_a_backslash_continued_git_value_is_not_taken_for_sslverify(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    import subprocess

    home = Path(isolated_process_env["HOME"])
    gitconfig = home / ".gitconfig"
    write(gitconfig, "[http]\n\textraHeader = a \\\n sslVerify = false\n")

    def header() -> str:
        return subprocess.run(
            ["git", "config", "--file", str(gitconfig), "--get", "http.extraheader"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    original = header()
    assert "sslVerify = false" in original  # git reads it as part of the header's value
    changes.apply(plan_setup(["git"], certs.bundle, certs.ca, environ=isolated_process_env),
                  changes.Journal())  # fmt: skip
    assert header() == original


def test_doctor_reads_pips_multi_line_trusted_host(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    home = Path(isolated_process_env["HOME"])
    write(
        home / ".config/pip/pip.conf", "[global]\ntrusted-host =\n    pypi.org\n    example.org\n"
    )
    found = [
        f for f in audit(dict(isolated_process_env), ca=certs.ca) if f.id == "pip-trusted-host"
    ]
    assert len(found) == 1 and "pypi.org example.org" in found[0].message


def test_doctor_finds_an_expired_ca_inside_a_full_bundle(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    home = Path(isolated_process_env["HOME"])
    bundle = home / "full.pem"
    bundle.write_bytes(certs.bundle.read_bytes() + expired_ca(home).read_bytes())
    env = {**isolated_process_env, "SSL_CERT_FILE": str(bundle)}
    found = [f for f in audit(env, ca=certs.ca) if f.id == "expired-ca"]
    assert len(found) == 1 and "Expired Inspection CA" in found[0].message


@pytest.mark.parametrize("form", ["utf-16", "der"])
def test_doctor_looks_for_a_ca_given_as_utf16_or_der(
    isolated_process_env: dict[str, str], certs: Certs, form: str
) -> None:
    """--ca in a form the CLI accepts (Windows' UTF-16 PEM, DER) is the CA looked for: a bundle
    holding it is fine (it warned 'does not contain the inspection CA' and called the file
    'holds no PEM certificate', an error)."""
    home = Path(isolated_process_env["HOME"])
    pem = certs.authority.cert_pem.bytes()
    ca = write_ca_as(home / f"ca-{form}.crt", pem, form)
    env = {**isolated_process_env, "SSL_CERT_FILE": str(certs.bundle)}
    found = audit(env, ca=ca)
    assert [(f.id, f.severity, f.subject) for f in found] == [
        ("ca-not-pem", "info", "inspection CA")
    ]
    assert found[0].fix == f"give the tools the PEM copy that 'tlsdoctor bundle --ca {ca}' writes"


@pytest.mark.parametrize(
    "where", [".conda/.condarc", ".config/conda/.condarc", "xdg/conda/.condarc", "prefix/condarc"]
)
def test_doctor_reads_condas_other_config_files(
    isolated_process_env: dict[str, str], certs: Certs, where: str
) -> None:
    home = Path(isolated_process_env["HOME"])
    env = {**isolated_process_env, "XDG_CONFIG_HOME": str(home / "xdg")}
    env["CONDA_PREFIX"] = str(home / "prefix")
    write(home / where, "channels: [defaults]\nssl_verify: false\n")
    found = [f for f in audit(env, ca=certs.ca) if f.id == "conda-ssl-verify"]
    assert [f.subject for f in found] == [str(home / where)]


@pytest.mark.parametrize(
    ("name", "finding_id"),
    [
        ("CONDA_SSL_VERIFY", "conda-ssl-verify"),
        ("npm_config_strict_ssl", "npm-strict-ssl"),
        ("NPM_CONFIG_STRICT_SSL", "npm-strict-ssl"),
    ],
)
def test_doctor_reports_switches_that_turn_verification_off(
    isolated_process_env: dict[str, str], certs: Certs, name: str, finding_id: str
) -> None:
    env = {**isolated_process_env, name: "false"}
    found = audit(env, ca=certs.ca)
    assert [(f.id, f.severity, f.subject) for f in found] == [(finding_id, "error", name)]
    assert audit({**isolated_process_env, name: "true"}, ca=certs.ca) == []


def test_doctor_ignores_expired_former_public_roots_in_os_bundles(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    import hashlib

    from tlsdoctor.core.caexport import former_public_fingerprints
    from tlsdoctor.core.tools._base import _pem_ders, os_store_bundles

    bundles = os_store_bundles()
    former = former_public_fingerprints()
    if not bundles or not any(
        hashlib.sha256(d).hexdigest() in former for d in _pem_ders(bundles[0].read_bytes())
    ):
        pytest.skip("no OS bundle with former Mozilla roots here")
    env = {**isolated_process_env, "SSL_CERT_FILE": str(bundles[0])}
    assert [f for f in audit(env, ca=certs.ca) if f.id == "expired-ca"] == []


@pytest.mark.timeout(30)
def test_doctor_does_not_hang_on_a_fifo_config(
    isolated_process_env: dict[str, str], tmp_path: Path
) -> None:
    fifo = Path(isolated_process_env["HOME"]) / ".curlrc"
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    env = {**isolated_process_env, "SSL_CERT_FILE": str(fifo)}
    findings = audit(env, ca=tmp_path / "none.pem")  # would block forever on a blocking open
    assert [(f.id, f.severity) for f in findings if f.subject == str(fifo)] == [
        ("not-a-regular-file", "info")
    ]
    assert [f.id for f in findings if f.subject == "SSL_CERT_FILE"] == ["dangling-path"]


@pytest.mark.parametrize("value", ["1", "0", "false", ""])
def test_git_ssl_no_verify_switches_verification_off_whatever_its_value(
    isolated_process_env: dict[str, str], certs: Certs, value: str
) -> None:
    """git only asks whether the variable exists (http.c: getenv("GIT_SSL_NO_VERIFY"))."""
    found = audit({**isolated_process_env, "GIT_SSL_NO_VERIFY": value}, ca=certs.ca)
    assert [(f.id, f.subject) for f in found] == [("git-ssl-no-verify", "GIT_SSL_NO_VERIFY")]


def test_a_curl_flag_cluster_keeps_its_other_flags() -> None:
    from tlsdoctor.core.tools import insecure

    assert insecure.remove("curlrc", "-skL\n-ok\n")[0] == "-sL\n-ok\n"  # -ok is -o k


def pip_env(env: dict[str, str]) -> dict[str, str]:
    """The sandbox with pip reading its config files (PIP_CONFIG_FILE unset)."""
    return {k: v for k, v in env.items() if k != "PIP_CONFIG_FILE"}


def test_doctor_judges_only_the_pip_cert_pip_uses(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    """A system pip.conf without the inspection CA is overridden by the user file setup wrote
    (pip: global < user < site < PIP_CONFIG_FILE < PIP_CERT): no alarm."""
    home = Path(isolated_process_env["HOME"])
    env = pip_env(isolated_process_env)
    system = tmp_path / "etc" / "pip.conf"
    write(system, f"[global]\ncert = {__import__('certifi').where()}\n")

    def no_ca() -> list[str]:
        found = audit(env, ca=certs.ca, pip_global=[system])
        return [f.subject for f in found if f.id == "no-inspection-ca"]

    assert no_ca() == [f"{system} [global] cert"]  # the only pip cert: it is the one used
    write(home / ".config/pip/pip.conf", f"[global]\ncert = {certs.bundle}\n")
    assert no_ca() == []
    write(home / ".config/pip/pip.conf", "[global]\ntimeout = 5\n")
    write(home / ".pip/pip.conf", f"[global]\ncert = {certs.bundle}\n")  # legacy user file
    assert no_ca() == []
    env["PIP_CERT"] = str(certs.bundle)
    write(home / ".pip/pip.conf", "[global]\n")
    assert no_ca() == []


def test_doctor_tells_how_to_clear_trusted_host_in_files_setup_does_not_edit(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    home = Path(isolated_process_env["HOME"])
    env = pip_env(isolated_process_env)
    legacy = home / ".pip/pip.conf"
    write(legacy, "[global]\ntrusted-host = pypi.org\n")
    found = [
        f
        for f in audit(env, ca=certs.ca, pip_global=[tmp_path / "none.conf"])
        if f.id == "pip-trusted-host"
    ]
    assert [f.subject for f in found] == [str(legacy)]
    assert "by hand" in found[0].fix and str(legacy) in found[0].fix


def test_setup_keeps_the_http_header_of_a_one_line_sslverify(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """git reads '[http]sslVerify=false' as a header and a key: setup drops the key only, so
    the keys after it stay in [http] (checked with the real git when it is installed)."""
    import shutil
    import subprocess

    config = Path(isolated_process_env["GIT_CONFIG_GLOBAL"])
    write(config, "[http]sslVerify=false\n\tpostBuffer = 524288000\n[user]\n\tname = A\n")
    plan = plan_setup(["git"], certs.bundle, certs.ca, environ=isolated_process_env)
    changes.apply(plan, changes.Journal())
    text = config.read_text()
    assert "sslVerify" not in text and text.startswith("[http]\n\tpostBuffer = 524288000\n")
    if shutil.which("git"):

        def get(key: str) -> str:
            out = subprocess.run(
                ["git", "config", "--file", str(config), "--get", key],
                capture_output=True,
                text=True,
                check=False,
            )
            return out.stdout.strip()

        assert get("http.postbuffer") == "524288000" and get("http.sslverify") == ""


def test_doctor_reads_gits_xdg_config_too(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """git reads $XDG_CONFIG_HOME/git/config and ~/.gitconfig; setup edits ~/.gitconfig when
    it exists, so sslVerify=false in the XDG file is to be removed by hand."""
    home = Path(isolated_process_env["HOME"])
    env = {k: v for k, v in isolated_process_env.items() if k != "GIT_CONFIG_GLOBAL"}
    xdg = Path(env["XDG_CONFIG_HOME"]) / "git" / "config"
    write(xdg, "[http]\n\tsslVerify = false\n")
    found = [f for f in audit(env, ca=certs.ca) if f.id == "git-ssl-verify"]
    assert [f.subject for f in found] == [str(xdg)]
    assert "tlsdoctor setup git" in found[0].fix  # setup edits the XDG file: no ~/.gitconfig
    write(home / ".gitconfig", "[user]\n\tname = A\n")
    found = [f for f in audit(env, ca=certs.ca) if f.id == "git-ssl-verify"]
    assert [f.subject for f in found] == [str(xdg)]
    assert "by hand" in found[0].fix and str(home / ".gitconfig") in found[0].fix


def _git_get(env: dict[str, str], key: str, cwd: Path | None = None) -> str:
    import subprocess

    from fixtures_env import require_client

    git_program = require_client("git")
    argv = [git_program, "config", "--get", key]
    out = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    return out.stdout.strip()


def test_doctor_follows_gits_include_like_git(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """[include] path: '~/' and relative to the including file, nested, a missing one skipped;
    the last sslCAInfo read is the one judged, as real git reports it."""
    env = isolated_process_env
    home = Path(env["HOME"])
    gone = home / "gone.pem"
    write(
        home / ".gitconfig",
        '[include]\n\tpath = ~/.gitconfig.local\n[Include]\n\tPath = "sub/rel.conf" ; note\n'
        "[include]\n\tpath = missing.conf\n",
    )
    write(home / ".gitconfig.local", "[http]\n\tsslverify = no\n\tsslCAInfo = /first.pem\n")
    write(home / "sub/rel.conf", "[include]\n\tpath = ../last.conf\n")
    write(home / "last.conf", f"[http]\n\tsslCAInfo = {gone}\n")
    assert _git_get(env, "http.sslVerify") == "no" and _git_get(env, "http.sslCAInfo") == str(gone)
    found = audit(env, ca=certs.ca)
    verify = [f for f in found if f.id == "git-ssl-verify"]
    assert [f.subject for f in verify] == [str(home / ".gitconfig.local")]
    assert f"(included from {home / '.gitconfig'})" in verify[0].message
    assert "by hand" in verify[0].fix and str(home / ".gitconfig.local") in verify[0].fix
    dangling = [f for f in found if f.id == "dangling-path"]
    assert [f.subject for f in dangling] == [f"{home / 'last.conf'} http.sslCAInfo"]
    assert "by hand" in dangling[0].fix  # setup edits ~/.gitconfig, not last.conf


def test_doctor_reports_includeif_settings_as_conditional(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    """git reads an [includeIf "gitdir:..."] file only inside a matching repository: doctor
    cannot tell which repository will run, so it reports the file and names the condition."""
    import subprocess

    env = isolated_process_env
    home = Path(env["HOME"])
    write(home / ".gitconfig", '[includeIf "gitdir:~/work/"]\n\tpath = work.conf\n')
    write(home / "work.conf", "[http]\n\tsslVerify = false\n")
    repo = home / "work" / "repo"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True)
    assert _git_get(env, "http.sslVerify", cwd=tmp_path) == ""
    assert _git_get(env, "http.sslVerify", cwd=repo) == "false"
    found = [f for f in audit(env, ca=certs.ca) if f.id == "git-ssl-verify"]
    assert [f.subject for f in found] == [str(home / "work.conf")]
    assert 'only under includeIf "gitdir:~/work/"' in found[0].message


def test_doctor_stops_at_gits_include_depth(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """A circular include: git gives up after 10 levels (a fatal error); so does doctor, and
    says so, instead of looping."""
    env = isolated_process_env
    home = Path(env["HOME"])
    write(home / ".gitconfig", "[include]\n\tpath = loop.conf\n")
    write(home / "loop.conf", "[http]\n\tsslVerify = false\n[include]\n\tpath = .gitconfig\n")
    assert _git_get(env, "http.sslVerify") == ""  # git exits 128: exceeded maximum include depth
    found = audit(env, ca=certs.ca)
    assert [f.subject for f in found if f.id == "git-ssl-verify"] == [str(home / "loop.conf")]
    assert [f.id for f in found if f.id == "git-include-depth"] == ["git-include-depth"]


def test_setup_git_warns_about_included_files_it_does_not_edit(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """setup edits ~/.gitconfig only: an included sslVerify=false, and an included sslCAInfo
    read after setup's (which git would use instead), are named in the plan."""
    env = isolated_process_env
    home = Path(env["HOME"])
    write(home / ".gitconfig", "[http]\n\tsslVerify = false\n[include]\n\tpath = local.conf\n")
    write(home / "local.conf", "[http]\n\tsslverify = off\n\tsslCAInfo = /old.pem\n")
    plan = plan_setup(["git"], certs.bundle, certs.ca, environ=env)
    warnings = [n.text for n in plan.notes if n.tool == "git" and n.kind == "warning"]
    assert len(warnings) == 2
    assert all(str(home / "local.conf") in w and "by hand" in w for w in warnings)
    assert "git uses that one" in warnings[1]
    changes.apply(plan, changes.Journal())
    assert _git_get(env, "http.sslCAInfo") == "/old.pem"  # what the warning said


def test_doctor_resolves_a_relative_include_through_a_linked_folder_as_git_does(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """Dotfile managers link folders (~/.config/git -> ~/dotfiles/git): git opens a relative
    include beside the including file's path, and the file system resolves '..' through the
    link, so '../shared.conf' is ~/dotfiles/shared.conf, not ~/.config/shared.conf."""
    env = {k: v for k, v in isolated_process_env.items() if k != "GIT_CONFIG_GLOBAL"}
    home = Path(env["HOME"])
    config_home = Path(env["XDG_CONFIG_HOME"])
    write(home / "dotfiles/git/config", "[include]\n\tpath = ../shared.conf\n")
    write(home / "dotfiles/shared.conf", "[http]\n\tsslVerify = false\n")
    write(config_home / "shared.conf", "[user]\n\tname = decoy\n")
    config_home.mkdir(parents=True, exist_ok=True)
    (config_home / "git").symlink_to(home / "dotfiles/git")
    assert _git_get(env, "http.sslVerify") == "false"
    found = [f for f in audit(env, ca=certs.ca) if f.id == "git-ssl-verify"]
    assert len(found) == 1
    assert os.path.realpath(found[0].subject) == str(home / "dotfiles/shared.conf")


def test_includeif_sslcainfo_read_before_a_plain_one_is_not_used(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """An includeIf file's http.sslCAInfo counts only when no plain one is read after it: setup
    appends [http] to ~/.gitconfig after the includeIf, so git (and doctor) use setup's value in
    those repositories too. One read after setup's is what git uses there: doctor judges it and
    setup's plan names it."""
    import certifi

    env = isolated_process_env
    home = Path(env["HOME"])
    include = '[includeIf "gitdir:~/work/"]\n\tpath = work.conf\n'
    write(home / ".gitconfig", include)
    write(home / "work.conf", f"[http]\n\tsslCAInfo = {certifi.where()}\n")
    repo = home / "work" / "repo"
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True)
    plan = plan_setup(["git"], certs.bundle, certs.ca, environ=env)
    assert [n.text for n in plan.notes if n.kind == "warning"] == []
    changes.apply(plan, changes.Journal())
    assert _git_get(env, "http.sslCAInfo", cwd=repo) == str(certs.bundle)
    assert [f.id for f in audit(env, ca=certs.ca) if f.id == "no-inspection-ca"] == []
    write(home / ".gitconfig", f"[http]\n\tsslCAInfo = {certs.bundle}\n{include}")
    assert _git_get(env, "http.sslCAInfo", cwd=repo) == certifi.where()
    found = [f for f in audit(env, ca=certs.ca) if f.id == "no-inspection-ca"]
    assert [f.subject for f in found] == [
        f'{home / "work.conf"} http.sslCAInfo [includeIf "gitdir:~/work/"]'
    ]
    plan = plan_setup(["git"], certs.bundle, certs.ca, environ=env)
    warnings = [n.text for n in plan.notes if n.kind == "warning"]
    assert len(warnings) == 1 and "git uses that one" in warnings[0]
    assert 'only under includeIf "gitdir:~/work/"' in warnings[0]


def test_no_inspection_ca_fix_rebuilds_only_tlsdoctors_own_bundle(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    """'rebuild it with tlsdoctor bundle' fits a bundle tlsdoctor wrote (the CA rotated); a
    system or certifi file is never rebuilt by tlsdoctor: the setting is to point elsewhere."""
    import certifi
    import trustme

    from tlsdoctor.core.bundle import build_bundle
    from tlsdoctor.core.x509 import load_certificate_file

    env = isolated_process_env
    home = Path(env["HOME"])
    write(home / ".curlrc", f'cacert = "{certifi.where()}"\n')
    old_ca = tmp_path / "old-ca.pem"
    old_ca.write_bytes(trustme.CA().cert_pem.bytes())
    stale = tmp_path / "stale" / "bundle.pem"
    stale.parent.mkdir()
    build_bundle(load_certificate_file(str(old_ca)), out=stale)
    env["SSL_CERT_FILE"] = str(stale)
    fixes = {f.subject: f.fix for f in audit(env, ca=certs.ca) if f.id == "no-inspection-ca"}
    assert fixes["SSL_CERT_FILE"].startswith("rebuild it with 'tlsdoctor bundle'")
    curlrc = f"{home / '.curlrc'} cacert"
    assert fixes[curlrc].startswith(f"point {curlrc} at the full bundle")


@pytest.mark.parametrize("value", ["false", "0", ""])
def test_doctor_reads_gits_config_from_the_environment(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path, value: str
) -> None:
    """GIT_CONFIG_COUNT/GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n: read by git after every file."""
    gone = tmp_path / "gone.pem"
    env = {
        **isolated_process_env,
        "GIT_CONFIG_COUNT": "3",
        "GIT_CONFIG_KEY_0": "user.name",
        "GIT_CONFIG_VALUE_0": "x",
        "GIT_CONFIG_KEY_1": "http.https://git.example.com/.sslVerify",
        "GIT_CONFIG_VALUE_1": value,
        "GIT_CONFIG_KEY_2": "http.sslCAInfo",
        "GIT_CONFIG_VALUE_2": str(gone),
    }
    assert _git_get(env, "http.sslCAInfo") == str(gone)  # git itself reads them
    found = audit(env, ca=certs.ca)
    assert [(f.id, f.subject) for f in found] == [
        ("git-ssl-verify", "GIT_CONFIG_KEY_1"),
        ("dangling-path", "GIT_CONFIG_VALUE_2 (http.sslCAInfo)"),
    ]
    assert "GIT_CONFIG_COUNT" in found[0].fix


def test_doctor_ignores_a_git_environment_count_git_would_refuse(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    env = {**isolated_process_env, "GIT_CONFIG_COUNT": "2", "GIT_CONFIG_KEY_0": "http.sslVerify"}
    env["GIT_CONFIG_VALUE_0"] = "false"  # pair 1 is missing: git stops with an error
    assert audit(env, ca=certs.ca) == []


def test_doctor_judges_the_sslcainfo_git_uses_the_environments_over_the_files(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """A GIT_CONFIG_COUNT pair's http.sslCAInfo wins over every file (and GIT_SSL_CAINFO over
    both): doctor judges only the value git uses, named where it comes from."""
    import certifi

    env = {**isolated_process_env, "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.sslCAInfo"}
    home = Path(env["HOME"])
    write(home / ".gitconfig", f"[http]\n\tsslCAInfo = {certifi.where()}\n")
    env["GIT_CONFIG_VALUE_0"] = str(certs.bundle)
    assert _git_get(env, "http.sslCAInfo") == str(certs.bundle)  # git itself uses the pair
    assert audit(env, ca=certs.ca) == []  # the file's value (no inspection CA) is not used
    env["GIT_CONFIG_VALUE_0"] = certifi.where()
    write(home / ".gitconfig", f"[http]\n\tsslCAInfo = {certs.bundle}\n")
    found = audit(env, ca=certs.ca)
    assert [(f.id, f.subject) for f in found] == [
        ("no-inspection-ca", "GIT_CONFIG_VALUE_0 (http.sslCAInfo)")
    ]
    assert "set GIT_CONFIG_VALUE_0 to the full bundle" in found[0].fix
    plan = plan_setup(["git"], certs.bundle, certs.ca, environ=env)
    warnings = [n.text for n in plan.notes if n.kind == "warning"]
    assert len(warnings) == 1 and "GIT_CONFIG_VALUE_0" in warnings[0], warnings
    env["GIT_SSL_CAINFO"] = str(certs.bundle)  # beats all config (judged as a CA variable)
    assert audit(env, ca=certs.ca) == []
    env["GIT_SSL_CAINFO"] = ""  # git then fails every connection
    assert [(f.id, f.subject) for f in audit(env, ca=certs.ca)] == [
        ("empty-ca-variable", "GIT_SSL_CAINFO")
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VAULT_SKIP_VERIFY", "false"),
        ("VAULT_SKIP_VERIFY", "yes"),  # ParseBool rejects it: Vault stops with an error
        ("NOMAD_SKIP_VERIFY", "0"),
        ("CONSUL_HTTP_SSL_VERIFY", "true"),
        ("CONSUL_HTTP_SSL_VERIFY", ""),
        ("GOVC_INSECURE", "0"),
        ("PERL_LWP_SSL_VERIFY_HOSTNAME", "1"),
        ("PERL_LWP_SSL_VERIFY_HOSTNAME", "0.0"),  # a true string in Perl
    ],
)
def test_doctor_leaves_hashicorp_and_govc_switches_that_keep_verification(
    isolated_process_env: dict[str, str], certs: Certs, name: str, value: str
) -> None:
    """Only the values these Go clients read as "skip" are findings (strconv.ParseBool for
    Vault and Nomad; Consul skips for any set value that is not true; govc: 1 or true)."""
    env = dict(isolated_process_env, **{name: value})
    assert [f.id for f in audit(env, ca=certs.ca)] == []
