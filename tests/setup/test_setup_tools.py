"""plan_setup: each tool's file, key and value; replace vs add; idempotence; undo; bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from setup_helpers import Certs, snapshot, write_ca_as, write_home_file

from tlsdoctor import i18n
from tlsdoctor.core import changes
from tlsdoctor.core.tools import _edit, node, parse_tools, plan_setup, python, shell, system
from tlsdoctor.core.tools._base import os_store_has_ca
from tlsdoctor.errors import UsageError

FILE_TOOLS = ["pip", "conda", "npm", "git", "curl", "wget", "cargo", "composer", "aws", "gcloud"]


def only(plan: changes.Plan, tool: str) -> changes.Change:
    found = [c for c in plan.changes if c.tool == tool and c.setting != "active_config"]
    assert len(found) == 1, [c.path for c in plan.changes]
    return found[0]


def test_each_replace_style_tool_gets_the_full_bundle(
    isolated_process_env: dict[str, str], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    home = Path(isolated_process_env["HOME"])
    plan = plan_setup(FILE_TOOLS, certs.bundle, certs.ca)
    bundle = str(certs.bundle)
    expected = {
        "pip": (home / ".config/pip/pip.conf", f"[global]\ncert = {bundle}\n"),
        "conda": (home / ".condarc", f'ssl_verify: "{bundle}"\n'),
        "npm": (home / ".npmrc", f"cafile={bundle}\n"),
        "curl": (home / ".curlrc", f'cacert = "{bundle}"\n'),
        "wget": (home / ".wgetrc", f"ca_certificate = {bundle}\n"),
        "cargo": (home / ".cargo/config.toml", f'[http]\ncainfo = "{bundle}"\n'),
        "aws": (home / ".aws/config", f"[default]\nca_bundle = {bundle}\n"),
        "gcloud": (
            home / ".config/gcloud/configurations/config_default",
            f"[core]\ncustom_ca_certs_file = {bundle}\n",
        ),
    }
    for tool, (path, text) in expected.items():
        change = only(plan, tool)
        assert change.path == path, tool
        assert change.new == text.encode(), tool
        assert change.new_value == bundle
    composer = only(plan, "composer")
    assert json.loads(composer.new or b"") == {"config": {"cafile": bundle}}
    active = [c for c in plan.changes if c.setting == "active_config"]
    assert [(c.path.name, c.new) for c in active] == [("active_config", b"default")]
    git = only(plan, "git")
    assert git.path == home / ".gitconfig" and bundle.encode() in (git.new or b"")


def test_edits_keep_every_other_line(
    isolated_process_env: dict[str, str], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    home = Path(isolated_process_env["HOME"])
    pip_conf = home / ".config/pip/pip.conf"
    pip_conf.parent.mkdir(parents=True)
    pip_conf.write_text(
        "# mine\n[global]\ntimeout = 60\ncert = /old/ca.pem\n\n[install]\nuser = 1\n"
    )
    (home / ".npmrc").write_text("registry=https://registry.example/\n@scope:registry=x\n")
    (home / ".gitconfig").write_text("[user]\n\tname = A\n[http]\n\tproxy = http://p:3128\n")
    plan = plan_setup(["pip", "npm", "git"], certs.bundle, certs.ca)
    b = str(certs.bundle)
    pip = only(plan, "pip")
    assert pip.old_value == "/old/ca.pem"
    assert pip.new == (
        f"# mine\n[global]\ntimeout = 60\ncert = {b}\n\n[install]\nuser = 1\n".encode()
    )
    assert only(plan, "npm").new == (
        f"registry=https://registry.example/\n@scope:registry=x\ncafile={b}\n".encode()
    )
    git_new = (only(plan, "git").new or b"").decode()
    assert git_new.startswith("[user]\n\tname = A\n[http]\n\tproxy = http://p:3128\n")
    assert f"sslCAInfo = {b}" in git_new or f"sslcainfo = {b}" in git_new.lower()


def test_add_style_settings_get_the_ca_only(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    home = Path(isolated_process_env["HOME"])
    plan = plan_setup(
        ["node", "docker:registry.example:5000", "bash", "fish", "powershell"],
        certs.bundle,
        certs.ca,
    )
    bashrc = only_path(plan, home / ".bashrc").decode()
    assert f"export NODE_EXTRA_CA_CERTS='{certs.ca}'" in bashrc
    assert f"export SSL_CERT_FILE='{certs.bundle}'" in bashrc
    assert f"export REQUESTS_CA_BUNDLE='{certs.bundle}'" in bashrc
    assert "PIP_CERT" not in bashrc  # pip is decided by version, not by the profile
    assert bashrc.startswith(shell.BEGIN) and bashrc.rstrip().endswith(shell.END)
    fish = only_path(plan, home / ".config/fish/conf.d/tlsdoctor.fish").decode()
    assert f"set -gx NODE_EXTRA_CA_CERTS '{certs.ca}'" in fish
    pwsh = only_path(plan, home / ".config/powershell/Microsoft.PowerShell_profile.ps1").decode()
    assert f"$env:SSL_CERT_FILE = '{certs.bundle}'" in pwsh
    crt = home / ".config/docker/certs.d/registry.example:5000/tlsdoctor-inspection-ca.crt"
    assert only_path(plan, crt) == certs.authority.cert_pem.bytes()
    assert not plan.commands  # user scope: no command without --system


def only_path(plan: changes.Plan, path: Path) -> bytes:
    found = [c for c in plan.changes if c.path == path]
    assert len(found) == 1, [str(c.path) for c in plan.changes]
    return found[0].new or b""


def test_shell_block_is_replaced_in_place(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    home = Path(isolated_process_env["HOME"])
    (home / ".bashrc").write_text("alias ll='ls -l'\n")
    journal = changes.Journal()
    changes.apply(plan_setup(["bash"], certs.bundle, certs.ca), journal)
    text = (home / ".bashrc").read_text()
    assert text.startswith("alias ll='ls -l'\n\n" + shell.BEGIN)
    # a new bundle location: the same block is rewritten, not appended twice
    other = tmp_path / "other-bundle.pem"
    other.write_bytes(certs.bundle.read_bytes())
    changes.apply(plan_setup(["bash"], other, certs.ca), journal)
    text = (home / ".bashrc").read_text()
    assert text.count(shell.BEGIN) == 1 and str(other) in text and str(certs.bundle) not in text


def test_setup_twice_changes_nothing_and_undo_is_byte_identical(
    isolated_process_env: dict[str, str], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    home = Path(isolated_process_env["HOME"])
    (home / ".gitconfig").write_text("[user]\n\temail = a@example.com\n")
    (home / ".bashrc").write_bytes(b"# no trailing newline")
    state = ".local"  # tlsdoctor's own journal lives in .local/state/tlsdoctor
    assert not (home / state).exists()
    before = snapshot(home, skip=(state,))
    tools = [*FILE_TOOLS, "shell", "docker:reg.example"]
    first = changes.apply(plan_setup(tools, certs.bundle, certs.ca), changes.Journal())
    # + bashrc, two certs.d files and gcloud's active_config
    assert len(first.written) == len(FILE_TOOLS) + 4
    entries = len(changes.Journal().entries())
    again = plan_setup(tools, certs.bundle, certs.ca)
    assert again.is_empty(), [str(c.path) for c in again.changes]
    assert changes.apply(again, changes.Journal()).run_id is None
    assert len(changes.Journal().entries()) == entries  # the journal did not grow
    result = changes.undo(changes.Journal())
    assert result.ok
    assert snapshot(home, skip=(state,)) == before
    assert sorted(p.name for p in (home / state).rglob("*") if p.is_file()) != []
    assert not (home / ".local" / "share").exists()


def test_pip_is_left_alone_when_truststore_and_the_os_store_cover_it(
    isolated_process_env: dict[str, str], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: True)
    monkeypatch.setattr(python, "pip_versions", lambda ctx: ((24, 2), (3, 10)))
    plan = plan_setup(["pip"], certs.bundle, certs.ca)
    assert not plan.changes and plan.notes[0].kind == "skipped"
    monkeypatch.setattr(python, "pip_versions", lambda ctx: ((24, 1), (3, 12)))
    assert only(plan_setup(["pip"], certs.bundle, certs.ca), "pip").setting == "global.cert"
    monkeypatch.setattr(python, "pip_versions", lambda ctx: ((25, 0), (3, 9)))
    assert only(plan_setup(["pip"], certs.bundle, certs.ca), "pip").setting == "global.cert"


def test_os_store_lookup_reads_pem_bundles(certs: Certs) -> None:
    assert os_store_has_ca(certs.ca.read_bytes(), "darwin") is None
    assert os_store_has_ca(certs.ca.read_bytes(), "linux") in (False, None)


@pytest.mark.parametrize(
    ("major", "path", "key"),
    [
        (1, ".yarnrc", "cafile"),
        (3, ".yarnrc.yml", "caFilePath"),
        (4, ".yarnrc.yml", "httpsCaFilePath"),
    ],
)
def test_yarn_key_follows_the_version(
    isolated_process_env: dict[str, str],
    certs: Certs,
    monkeypatch: pytest.MonkeyPatch,
    major: int,
    path: str,
    key: str,
) -> None:
    monkeypatch.setattr(node, "yarn_major", lambda ctx: major)
    change = only(plan_setup(["yarn"], certs.bundle, certs.ca), "yarn")
    assert change.path == Path(isolated_process_env["HOME"]) / path
    assert change.setting == key and str(certs.bundle) in (change.new or b"").decode()


def test_system_plan_shows_exact_commands_and_their_undo(
    isolated_process_env: dict[str, str], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(system, "os_store_has_ca", lambda *a: False)
    monkeypatch.setattr(system, "sudo_prefix", lambda platform: ["sudo"])
    ctx_plan = system.plan_system(_ctx(isolated_process_env, certs, "linux"), family="debian")
    copy = (
        Path(isolated_process_env["XDG_DATA_HOME"]) / "tlsdoctor/system/tlsdoctor-inspection-ca.crt"
    )
    dest = "/usr/local/share/ca-certificates/tlsdoctor-inspection-ca.crt"
    assert [c.argv for c in ctx_plan.commands] == [
        ("sudo", "install", "-m", "0644", str(copy), dest),
        ("sudo", "update-ca-certificates"),
    ]
    assert ctx_plan.commands[0].undo == (
        ("sudo", "rm", "-f", dest),
        ("sudo", "update-ca-certificates", "--fresh"),
    )
    assert only_path(ctx_plan, copy) == certs.authority.cert_pem.bytes()
    assert any(n.kind == "warning" for n in ctx_plan.notes)
    rhel = system.plan_system(_ctx(isolated_process_env, certs, "linux"), family="redhat")
    assert rhel.commands[1].argv == ("sudo", "update-ca-trust", "extract")
    mac = system.plan_system(_ctx(isolated_process_env, certs, "darwin"))
    assert mac.commands[0].argv[:4] == ("sudo", "security", "add-trusted-cert", "-d")
    win = system.plan_system(_ctx(isolated_process_env, certs, "win32"))
    sha1 = system.sha1_thumbprint(certs.ca.read_bytes())
    assert win.commands[0].argv[:4] == ("certutil", "-addstore", "-f", "Root")
    assert win.commands[0].undo == (("certutil", "-delstore", "Root", sha1),)
    assert win.commands[0].description == "OS store: Windows machine Root store (certutil)"
    i18n.set_language("ja")
    try:
        win = system.plan_system(_ctx(isolated_process_env, certs, "win32"))
    finally:
        i18n.set_language("en")
    assert win.commands[0].description.startswith("OS の証明書ストア：Windows のコンピューター")


def _ctx(env: dict[str, str], certs: Certs, platform: str) -> system.Context:
    return system.Context(environ=env, bundle=certs.bundle, ca=certs.ca, platform=platform)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ("utf-16", "is PEM saved as UTF-16 text, which the tools cannot read"),
        ("der", "is DER, PKCS#7 or PKCS#12, which the tools cannot read: they need PEM"),
    ],
)
def test_a_ca_tools_cannot_read_is_refused_with_the_way_to_convert_it(
    certs: Certs, tmp_path: Path, form: str, message: str
) -> None:
    """setup points NODE_EXTRA_CA_CERTS and others at --ca itself: it must be PEM text (it said
    'no PEM certificate in ...' with no way forward, though bundle --ca reads these files)."""
    pem = certs.authority.cert_pem.bytes()
    ca = write_ca_as(tmp_path / f"ca-{form}.crt", pem, form)
    with pytest.raises(UsageError) as raised:
        plan_setup(["node"], certs.bundle, ca)
    assert str(raised.value) == f"--ca {ca} {message}"
    assert raised.value.hint == (
        f"run 'tlsdoctor bundle --ca {ca}' (it writes the CA as PEM), then setup again without --ca"
    )


def test_system_flag_adds_commands_only_with_the_flag(
    isolated_process_env: dict[str, str], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(system, "os_store_has_ca", lambda *a: False)
    monkeypatch.setattr(system, "detect_family", lambda platform: "debian")
    assert not plan_setup(["curl"], certs.bundle, certs.ca).commands
    assert plan_setup(["curl"], certs.bundle, certs.ca, system=True).commands


def test_bad_input_is_a_usage_error(certs: Certs, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown tool"):
        plan_setup(["gti"], certs.bundle, certs.ca)
    with pytest.raises(UsageError, match="not found"):
        plan_setup(["git"], tmp_path / "missing.pem", certs.ca)
    with pytest.raises(UsageError, match="full bundle"):
        plan_setup(["git"], certs.ca, certs.ca)  # the CA alone in a replace-style setting
    with pytest.raises(UsageError, match="registry"):
        parse_tools(["docker:bad/name"])
    assert parse_tools(["git,curl", "pwsh", "docker:r.example:443"]) == (
        ["git", "curl", "shell", "docker"],
        ["r.example:443"],
        ["powershell"],
    )


def test_ini_editor_handles_crlf_and_missing_newline() -> None:
    text, old = _edit.set_ini("[global]\r\nx = 1", "global", "cert", "/b.pem")
    assert text == "[global]\r\nx = 1\r\ncert = /b.pem\r\n" and old is None
    text, old = _edit.set_ini("[other]\nk = v\n", "global", "cert", "/b.pem")
    assert text == "[other]\nk = v\n\n[global]\ncert = /b.pem\n"
    assert _edit.get_ini(text, "global", "cert") == "/b.pem"


def test_environment_overrides_pick_the_file(
    isolated_process_env: dict[str, str],
    certs: Certs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    monkeypatch.setenv("PIP_CONFIG_FILE", str(tmp_path / "pip-env.conf"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("CARGO_HOME", str(tmp_path / "cargo"))
    plan = plan_setup(["pip", "aws", "cargo"], certs.bundle, certs.ca, environ=dict(os.environ))
    assert only(plan, "pip").path == tmp_path / "pip-env.conf"
    assert only(plan, "aws").path == tmp_path / "aws-config"
    assert only(plan, "cargo").path == tmp_path / "cargo" / "config.toml"


def test_node_system_ca_variable_versions() -> None:
    assert not node.supports_system_ca_env((20, 20, 2))
    assert not node.supports_system_ca_env((22, 15, 0))  # only the flag, not the variable
    assert node.supports_system_ca_env((22, 19, 0))
    assert not node.supports_system_ca_env((24, 5, 0))
    assert node.supports_system_ca_env((24, 6, 0))
    assert node.supports_system_ca_env((25, 0, 0))


def test_shell_plan_previews_the_block(isolated_process_env: dict[str, str], certs: Certs) -> None:
    plan = plan_setup(["bash"], certs.bundle, certs.ca)
    (change,) = plan.changes
    assert change.preview and change.preview.encode() == change.new


def test_poetry_sets_each_configured_repository_and_the_profile(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    home = Path(isolated_process_env["HOME"])
    config = home / ".config/pypoetry/config.toml"
    config.parent.mkdir(parents=True)
    b = str(certs.bundle)
    config.write_text(
        '[repositories.corp]\nurl = "https://pkgs.corp.example/simple/"\n\n'
        '[repositories."team.x"]\nurl = "https://team.example/simple/"\n\n'
        f'[certificates.done]\ncert = "{b}"\n'
    )
    plan = plan_setup(["poetry"], certs.bundle, certs.ca)
    poetry = only(plan, "poetry")
    text = (poetry.new or b"").decode()
    assert text.startswith(config.read_text())  # nothing else touched
    from tlsdoctor._data import tomllib

    parsed = tomllib.loads(text)
    assert parsed["certificates"]["corp"]["cert"] == b
    assert parsed["certificates"]["team.x"]["cert"] == b
    assert {c.tool for c in plan.changes} == {"poetry", "shell"}  # REQUESTS_CA_BUNDLE for PyPI
    changes.apply(plan, changes.Journal())
    assert plan_setup(["poetry"], certs.bundle, certs.ca).is_empty()


JAVA_OPTS = "-Djavax.net.ssl.trustStore=/tmp/x y/t.p12 -Djavax.net.ssl.trustStoreType=PKCS12"


@pytest.mark.parametrize("program", ["bash", "zsh", "fish"])
def test_java_tool_options_are_appended_to_the_users_own(
    clean_env: dict[str, str], tmp_path: Path, program: str
) -> None:
    import shutil
    import subprocess

    from fixtures_env import require_client

    require_client(program)
    pairs = [("SSL_CERT_FILE", "/b/it's.pem"), ("JAVA_TOOL_OPTIONS", JAVA_OPTS)]
    block = tmp_path / "block"
    block.write_text(shell.render_block("fish" if program == "fish" else "bash", pairs))
    src = f"source {block}" if program == "fish" else f". '{block}'"
    script = f'{src}; {src}; echo "[$JAVA_TOOL_OPTIONS]"'
    env = {**clean_env, "JAVA_TOOL_OPTIONS": "-Xmx1g"}
    done = subprocess.run(
        [str(shutil.which(program)), "-c", script], env=env, capture_output=True, text=True
    )
    assert done.stdout.strip() == f"[-Xmx1g {JAVA_OPTS}]", done.stderr
    env.pop("JAVA_TOOL_OPTIONS")
    done = subprocess.run(
        [str(shutil.which(program)), "-c", script], env=env, capture_output=True, text=True
    )
    assert done.stdout.strip() == f"[{JAVA_OPTS}]", done.stderr


def test_shell_plan_shows_the_old_blocks_values(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path
) -> None:
    home = Path(isolated_process_env["HOME"])
    old = tmp_path / "old-bundle.pem"
    old.write_bytes(certs.bundle.read_bytes())
    changes.apply(plan_setup(["bash"], old, certs.ca), changes.Journal())
    (change,) = plan_setup(["bash"], certs.bundle, certs.ca).changes
    assert change.old_value and f"SSL_CERT_FILE={old}" in change.old_value
    # no block yet: the variables this environment already sets are the old value
    (home / ".bashrc").unlink()
    env = {**isolated_process_env, "SSL_CERT_FILE": "/etc/ssl/mine.pem"}
    (change,) = plan_setup(["bash"], certs.bundle, certs.ca, environ=env).changes
    assert change.old_value and "SSL_CERT_FILE=/etc/ssl/mine.pem" in change.old_value


def test_java_plan_says_java_tool_options_are_appended(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    ctx_env = {**isolated_process_env, "JAVA_TOOL_OPTIONS": "-Xmx1g"}
    plan = shell.plan_shell(
        shell.Context(
            environ=ctx_env,
            bundle=certs.bundle,
            ca=certs.ca,
            shell_exports=[("JAVA_TOOL_OPTIONS", JAVA_OPTS)],
        ),
        ["bash"],
    )
    assert any("appended to, not replaced" in n.text and "-Xmx1g" in n.text for n in plan.notes)


@pytest.mark.parametrize(
    ("tool", "where", "content"),
    [
        ("cargo", ".cargo/config.toml", b"[http]\ncainfo = \n[net\n"),
        ("conda", ".condarc", b"channels: [defaults\nssl_verify: true\n"),
        ("aws", ".aws/config", b"region = us-east-1\n[default\n"),
        ("pip", ".config/pip/pip.conf", b"[global]\nindex-url = \x00\xff\xfe binary\n"),
        ("npm", ".npmrc", b"registry=\xff\xfe\x00\n"),
    ],
)
def test_setup_refuses_files_it_cannot_parse(
    isolated_process_env: dict[str, str],
    certs: Certs,
    monkeypatch: pytest.MonkeyPatch,
    tool: str,
    where: str,
    content: bytes,
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    path = write_home_file(Path(isolated_process_env["HOME"]), where, content)
    plan = plan_setup([tool], certs.bundle, certs.ca)
    assert [c for c in plan.changes if c.path == path] == []
    notes = [n for n in plan.notes if n.kind == "manual" and str(path) in n.text]
    assert notes and "cannot parse" in notes[0].text and "fix it by hand" in notes[0].text


@pytest.mark.parametrize(
    ("tool", "where", "content", "changed"),
    [
        ("pip", ".config/pip/pip.conf", b"[global]\ntimeout = 30\n", False),
        ("wget", ".wgetrc", b"tries = 2\n", False),
        ("curl", ".curlrc", b"silent\n", True),  # curl warns about line 1, reads the rest
    ],
)
def test_a_byte_order_mark_the_tool_stops_on_is_named(
    isolated_process_env: dict[str, str],
    certs: Certs,
    monkeypatch: pytest.MonkeyPatch,
    tool: str,
    where: str,
    content: bytes,
    changed: bool,
) -> None:
    """Notepad's UTF-8 BOM: pip ('File contains no section headers') and wget ('Syntax error
    in .wgetrc at line 1') fail on the whole file, so setting cert/ca_certificate in it cannot
    help (setup added wget's line all the same, and named a section-header error for pip)."""
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    path = write_home_file(Path(isolated_process_env["HOME"]), where, b"\xef\xbb\xbf" + content)
    plan = plan_setup([tool], certs.bundle, certs.ca)
    assert bool([c for c in plan.changes if c.path == path]) is changed
    notes = [n.text for n in plan.notes if n.kind == "manual" and str(path) in n.text]
    assert notes == (
        []
        if changed
        else [
            f"cannot parse {path} (it starts with a UTF-8 byte order mark, which the tool "
            "cannot read either): fix it by hand, then run setup again"
        ]
    )


def test_pip_cert_in_a_command_section_is_set_too(
    isolated_process_env: dict[str, str], certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip reads [install] over [global] for `pip install`: setting only global.cert left
    `pip install` on the old file (checked with the real pip: 'invalid path: /install.pem')."""
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    path = Path(isolated_process_env["HOME"]) / ".config/pip/pip.conf"
    path.parent.mkdir(parents=True)
    original = b"[install]\ncert = /install.pem\n[global]\ncert = /old.pem\n"
    path.write_bytes(original)
    plan = plan_setup(["pip"], certs.bundle, certs.ca)
    changes.apply(plan, changes.Journal())
    assert path.read_text() == (
        f"[install]\ncert = {certs.bundle}\n[global]\ncert = {certs.bundle}\n"
    )
    assert any("also sets cert in [install]" in n.text for n in plan.notes)
    assert not plan_setup(["pip"], certs.bundle, certs.ca).changes
    assert changes.undo(changes.Journal()).ok
    assert path.read_bytes() == original


def test_a_folder_where_npmrc_should_be_is_a_clear_note(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    npmrc = Path(isolated_process_env["HOME"]) / ".npmrc"
    npmrc.unlink(missing_ok=True)
    npmrc.mkdir()
    plan = plan_setup(["npm"], certs.bundle, certs.ca)
    assert plan.changes == []
    assert any(n.kind == "manual" and "it is a folder" in n.text for n in plan.notes)


@pytest.mark.parametrize("name", ["docker:reg:99999", "docker:reg:0", "docker::5000"])
def test_registry_ports_must_be_real_ports(name: str) -> None:
    with pytest.raises(UsageError):
        parse_tools([name])
    assert parse_tools(["docker:reg:65535"])[1] == ["reg:65535"]


def test_pending_files_each_have_their_own_description(tmp_path: Path) -> None:
    from tlsdoctor.core.tools import _plan_pending

    plan = _plan_pending(
        {tmp_path / n: b"x" for n in ("bundle.pem", "inspection-ca.pem", "wgetrc")}
    )
    descriptions = [c.description for c in plan.changes]
    assert len(set(descriptions)) == 3
    assert "wgetrc" in descriptions[2] and "CA alone" in descriptions[1]


def test_fix_plan_indents_multi_line_notes_and_shows_removals() -> None:
    import io

    from rich.console import Console

    from tlsdoctor.render import check as render

    out = io.StringIO()
    the_plan = changes.Plan(
        changes=[
            changes.Change(
                Path("/h/.npmrc"), b"a", b"b", "d", "npm", removes=("remove strict-ssl=false: x",)
            )
        ],
        notes=[changes.Note("docker", "COPY a b\nRUN update-ca-certificates", "manual")],
    )
    render.plan(Console(file=out, width=200), the_plan)
    lines = out.getvalue().splitlines()
    copy = next(i for i, line in enumerate(lines) if "COPY a b" in line)
    assert lines[copy + 1].index("RUN") == lines[copy].index("COPY")
    assert any("remove strict-ssl=false" in line for line in lines)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["fifo", "socket", "devnull"])
def test_a_config_path_that_is_not_a_regular_file_is_left_alone(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path, kind: str
) -> None:
    """npm_config_userconfig=/dev/null (or a FIFO, a socket): never planned as a change."""
    import socket

    path = tmp_path / f"special-{kind}"
    held = None
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        held = socket.socket(socket.AF_UNIX)
        held.bind(str(path))
    else:
        path = Path(os.devnull)
    env = {**isolated_process_env, "npm_config_userconfig": str(path), "WGETRC": str(path)}
    try:
        plan = plan_setup(["npm", "wget"], certs.bundle, certs.ca, environ=env)
    finally:
        if held is not None:
            held.close()
    assert plan.changes == []
    warned = sorted(n.tool for n in plan.notes if n.kind == "warning" and str(path) in n.text)
    assert warned == ["npm", "wget"]
    assert all("not a regular file" in n.text for n in plan.notes if n.kind == "warning")


@pytest.mark.parametrize(
    "profile",
    [
        "export A=1\n# >>> tlsdoctor >>>\nexport SSL_CERT_FILE=/old\nexport B=2\nalias x=y\n",
        "export A=1\nalias x=y\n# <<< tlsdoctor <<<\n",
        "# >>> tlsdoctor >>>\nexport B=2\n# >>> tlsdoctor >>>\nalias x=y\n# <<< tlsdoctor <<<\n",
    ],
)
def test_a_damaged_block_is_never_edited(
    isolated_process_env: dict[str, str], certs: Certs, profile: str
) -> None:
    """A start marker left without its end marker: the next edit would pair it with the new
    block's end marker and delete the user's lines in between."""
    bashrc = Path(isolated_process_env["HOME"]) / ".bashrc"
    bashrc.write_text(profile)
    plan = plan_setup(["bash"], certs.bundle, certs.ca)
    assert [c.path for c in plan.changes] == []
    notes = [n.text for n in plan.notes if n.kind == "manual"]
    assert len(notes) == 1 and "cannot parse" in notes[0] and "tlsdoctor" in notes[0], notes
    assert bashrc.read_text() == profile


@pytest.mark.parametrize("shell_name", ["bash", "fish", "powershell"])
def test_setup_shell_keeps_what_setup_java_added_to_the_block(
    isolated_process_env: dict[str, str], certs: Certs, shell_name: str
) -> None:
    from tlsdoctor.core.tools._base import Context
    from tlsdoctor.core.tools.java import java_options

    ctx = Context(environ=isolated_process_env, bundle=certs.bundle, ca=certs.ca)
    ctx.shell_exports.append(("JAVA_TOOL_OPTIONS", java_options(Path("/home/J S/t.p12"))))
    profile = shell.profile_path(ctx, shell_name)
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text(
        "export FOO=1\n\n" + shell.render_block(shell_name, shell.exported_variables(ctx))
    )
    plan = plan_setup([shell_name], certs.bundle, certs.ca)
    assert plan.changes == []  # 'setup java' then 'setup shell': nothing to change
    assert any("keeps JAVA_TOOL_OPTIONS" in n.text for n in plan.notes)


# PowerShell ends a verbatim '...' string at any of these (its tokenizer's IsSingleQuote);
# a pair of them stands for one literal quote. pwsh cannot run here: this reads the string back.
PS_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"


def read_ps_verbatim(code: str, start: int) -> tuple[str, int]:
    """The value of the verbatim string opening at ``code[start]``, and the index after it."""
    assert code[start] in PS_SINGLE_QUOTES
    out, i = [], start + 1
    while i < len(code):
        if code[i] in PS_SINGLE_QUOTES:
            if i + 1 < len(code) and code[i + 1] in PS_SINGLE_QUOTES:
                out.append(code[i])
                i += 2
                continue
            return "".join(out), i + 1
        out.append(code[i])
        i += 1
    raise AssertionError(f"unterminated string in {code!r}")


@pytest.mark.parametrize("quote", ["'", "\u2018", "\u2019", "\u201a", "\u201b"])
def test_powershell_block_escapes_typographic_single_quotes(
    isolated_process_env: dict[str, str], certs: Certs, tmp_path: Path, quote: str
) -> None:
    """A path like /home/O’Brien: PowerShell takes ’ for a closing quote, so setup's block
    must double it as env does, or the rest of the path would run as code."""
    folder = tmp_path / f"O{quote}Brien; calc"
    folder.mkdir()
    bundle, ca = folder / "bundle.pem", folder / "inspection-ca.pem"
    bundle.write_bytes(certs.bundle.read_bytes())
    ca.write_bytes(certs.ca.read_bytes())
    plan = plan_setup(["powershell"], bundle, ca)
    [change] = plan.changes
    for line in (change.new or b"").decode().splitlines():
        if line.startswith("$env:SSL_CERT_FILE = "):
            value, end = read_ps_verbatim(line, len("$env:SSL_CERT_FILE = "))
            assert value == str(bundle) and end == len(line)
            break
    else:
        raise AssertionError("no SSL_CERT_FILE line")
    ctx_line = shell.render_block("powershell", [("JAVA_TOOL_OPTIONS", f"-Dx={folder}")])
    opening = ctx_line.index("+ ") + 2
    assert read_ps_verbatim(ctx_line, opening)[0] == f"-Dx={folder}"


def test_appended_note_says_not_set_in_its_own_words() -> None:
    """An unset JAVA_TOOL_OPTIONS is its own sentence, not '(now: (not set))'."""
    assert shell._appended_note("JAVA_TOOL_OPTIONS", "-Xmx1g").endswith("(now: -Xmx1g)")
    assert shell._appended_note("JAVA_TOOL_OPTIONS", None).endswith("(not set now)")
    i18n.set_language("ja")
    try:
        note = shell._appended_note("JAVA_TOOL_OPTIONS", "")
    finally:
        i18n.set_language("en")
    assert note.endswith("（現在は未設定）") and "（（" not in note


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[global]\nindex-url = \x00 binary\n", "バイナリデータを含んでいます"),
        (b"[global]\ntimeout = \xff\n", "オフセット 19 に UTF-8 として読めないバイトがあります"),
    ],
)
def test_why_a_file_cannot_be_parsed_is_said_in_japanese(
    isolated_process_env: dict[str, str],
    certs: Certs,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    reason: str,
) -> None:
    monkeypatch.setattr(python, "os_store_has_ca", lambda *a: False)
    path = Path(isolated_process_env["HOME"]) / ".config/pip/pip.conf"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    i18n.set_language("ja")
    try:
        plan = plan_setup(["pip"], certs.bundle, certs.ca)
    finally:
        i18n.set_language("en")
    notes = [n.text for n in plan.notes if n.kind == "manual" and str(path) in n.text]
    assert notes == [
        f"{path} を解析できません（{reason}）。手で修正してから、もう一度 setup を実行してください"
    ]


def test_a_byte_order_mark_cargo_skips_is_kept_and_the_table_found(
    isolated_process_env: dict[str, str], certs: Certs
) -> None:
    """cargo reads a config.toml that starts with a BOM (cargo 1.95 here), so setup edits it
    (it refused it as "Invalid statement"), sees its first table and keeps the mark."""
    path = Path(isolated_process_env["HOME"]) / ".cargo/config.toml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b'\xef\xbb\xbf[http]\ncainfo = "/old.pem"\n[net]\nretry = 2\n')
    plan = plan_setup(["cargo"], certs.bundle, certs.ca)
    changes.apply(plan, changes.Journal())
    assert path.read_bytes() == (
        b'\xef\xbb\xbf[http]\ncainfo = "' + str(certs.bundle).encode() + b'"\n[net]\nretry = 2\n'
    )
