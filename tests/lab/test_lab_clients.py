"""Real clients through the lab: interception, bypass, look-alikes, proxy auth."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_env import require_client
from fixtures_lab import StartLab

from tlsdoctor.lab import Lab
from tlsdoctor.lab.state import LabState

pytestmark = [pytest.mark.lab, pytest.mark.clients]


def curl(
    env: dict[str, str], cacert: Path, url: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_client("curl"), "-sS", "--max-time", "10", "--cacert", str(cacert), *extra, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_curl_trusting_the_inspection_ca_reaches_an_intercepted_site(
    lab: LabState, clean_env: dict[str, str]
) -> None:
    result = curl(lab.client_env(clean_env), lab.inspection_ca, "https://site1.test/")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok site1.test\n"


def test_curl_with_only_the_public_root_fails_with_the_inspection_error(
    lab: LabState, clean_env: dict[str, str]
) -> None:
    result = curl(lab.client_env(clean_env), lab.public_root, "https://bank.test/")
    assert result.returncode == 60
    assert "unable to get local issuer certificate" in result.stderr


def test_without_the_proxy_the_lab_names_do_not_resolve_to_anything(
    lab: LabState, clean_env: dict[str, str]
) -> None:
    # The lab never touches DNS or /etc/hosts: the names only exist behind its proxy.
    result = curl(clean_env, lab.public_root, "https://site1.test/", "--connect-timeout", "3")
    assert result.returncode != 0


@pytest.mark.parametrize(
    ("kind", "code", "message"),
    [
        ("expired", 60, "certificate has expired"),
        ("wrong_host", 60, "no alternative certificate subject name matches"),
        ("self_signed", 60, "self-signed certificate"),
        ("incomplete_chain", 60, "unable to get local issuer certificate"),
        ("plain", 35, "wrong version number"),
        ("down", 56, "CONNECT tunnel failed, response 502"),
    ],
)
def test_look_alikes_pass_through_and_show_their_own_defect(
    lab: LabState, clean_env: dict[str, str], kind: str, code: int, message: str
) -> None:
    name = lab.special[kind]
    result = curl(lab.client_env(clean_env), lab.public_root, f"https://{name}/")
    assert (result.returncode, message in result.stderr) == (code, True), result.stderr
    # Trusting the inspection CA does not help: these are never re-signed.
    again = curl(lab.client_env(clean_env), lab.inspection_ca, f"https://{name}/")
    assert again.returncode == code, again.stderr


def test_hang_accepts_and_never_answers(lab: LabState, clean_env: dict[str, str]) -> None:
    result = curl(
        lab.client_env(clean_env), lab.public_root, "https://hang.test/", "--max-time", "1"
    )
    assert result.returncode == 28  # operation timed out, after the tunnel was opened


def test_the_proxy_refuses_names_outside_the_lab(lab: LabState, clean_env: dict[str, str]) -> None:
    result = curl(lab.client_env(clean_env), lab.public_root, "https://example.com/")
    assert result.returncode == 56
    assert "502" in result.stderr


def test_bypassed_host_works_with_the_public_root(
    start_lab: StartLab, clean_env: dict[str, str]
) -> None:
    state = start_lab(bypass=["bank.test"])
    assert state.bypassed == ["bank.test"]
    assert state.intercepted == ["site1.test", "site2.test"]
    env = state.client_env(clean_env)
    assert curl(env, state.public_root, "https://bank.test/").stdout == "ok bank.test\n"
    intercepted = curl(env, state.public_root, "https://site1.test/")
    assert intercepted.returncode == 60


def test_proxy_auth_answers_407_without_credentials(
    start_lab: StartLab, clean_env: dict[str, str]
) -> None:
    state = start_lab(proxy_auth="alice:s3cret")
    without = curl(
        state.client_env(clean_env, with_auth=False), state.inspection_ca, "https://site1.test/"
    )
    assert without.returncode == 56
    assert "407" in without.stderr
    with_auth = curl(state.client_env(clean_env), state.inspection_ca, "https://site1.test/")
    assert with_auth.returncode == 0, with_auth.stderr
    assert with_auth.stdout == "ok site1.test\n"


def test_proxy_auth_user_named_like_a_mitmproxy_auth_spec(
    start_lab: StartLab, clean_env: dict[str, str]
) -> None:
    # mitmproxy's own USER:PASS option would read this user as an LDAP server spec.
    state = start_lab(proxy_auth="ldapadmin:s3cret")
    result = curl(state.client_env(clean_env), state.inspection_ca, "https://site1.test/")
    assert (result.returncode, result.stdout) == (0, "ok site1.test\n"), result.stderr
    wrong = curl(
        {**state.client_env(clean_env, with_auth=False)},
        state.inspection_ca,
        "https://site1.test/",
        "--proxy-user",
        "ldapadmin:wrong",
    )
    assert wrong.returncode == 56
    assert "407" in wrong.stderr


ODD_CREDENTIALS = "user@corp.com:p#s/s %x?&=é'\"$"
_URLLIB_GET = (
    "import ssl, sys, urllib.request as u\n"
    "ctx = ssl.create_default_context(cafile=sys.argv[1])\n"
    "print(u.urlopen('https://site1.test/', context=ctx, timeout=10).read().decode(), end='')\n"
)


def test_proxy_credentials_with_url_characters_work_in_real_clients(
    start_lab: StartLab, clean_env: dict[str, str]
) -> None:
    state = start_lab(proxy_auth=ODD_CREDENTIALS)
    env = state.client_env(clean_env)
    assert env["HTTPS_PROXY"].endswith(f"@127.0.0.1:{state.proxy_port}")
    result = curl(env, state.inspection_ca, "https://site1.test/")
    assert (result.returncode, result.stdout) == (0, "ok site1.test\n"), result.stderr
    python = subprocess.run(
        [sys.executable, "-c", _URLLIB_GET, str(state.inspection_ca)],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (python.returncode, python.stdout) == (0, "ok site1.test\n"), python.stderr


def test_the_printed_export_line_works_in_a_shell(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    directory = tmp_path / "lab"
    command = [sys.executable, "-m", "tlsdoctor", "lab", "start", "--no-color"]
    started = subprocess.run(
        [*command, "--state-dir", str(directory), "--proxy-auth", ODD_CREDENTIALS],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    try:
        assert started.returncode == 0, started.stderr
        export = next(line for line in started.stdout.splitlines() if "export " in line)
        inspection_ca = directory / "inspection-ca.pem"
        script = f'{export}\nexec "$2" -sS --max-time 10 --cacert "$1" https://site1.test/\n'
        result = subprocess.run(
            [require_client("bash"), "-c", script, "-", str(inspection_ca), require_client("curl")],
            env=clean_env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert (result.returncode, result.stdout) == (0, "ok site1.test\n"), result.stderr
    finally:
        Lab.stop(directory)
