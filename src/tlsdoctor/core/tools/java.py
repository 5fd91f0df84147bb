"""Java: a user truststore (the JDK's cacerts plus the CA) built with keytool; the JDK is untouched.

``-Djavax.net.ssl.trustStore`` replaces the JDK's roots, so the user truststore starts as a copy
of the JDK's ``cacerts`` and gets the inspection CA added: public sites keep working. keytool
builds it in a scratch folder; the journaled writer puts it in place like any other file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from tlsdoctor import paths
from tlsdoctor.core.changes import Note, Plan, message
from tlsdoctor.core.tools._base import (
    Context,
    ca_fingerprints,
    not_installed,
    put_file,
    split_pem,
)
from tlsdoctor.i18n import N_, _

STOREPASS = "changeit"  # the JDK's well-known default; a truststore holds no secrets
ALIAS = "tlsdoctor-inspection-ca"


def user_truststore_path(ctx: Context) -> Path:
    return paths.data_dir(ctx.environ, ctx.platform) / "java" / "truststore.p12"


def java_options(truststore: Path) -> str:
    return (
        f"{jvm_quote('-Djavax.net.ssl.trustStore=' + str(truststore))} "
        f"-Djavax.net.ssl.trustStorePassword={STOREPASS} "
        "-Djavax.net.ssl.trustStoreType=PKCS12"
    )


def jvm_quote(option: str) -> str:
    """``option`` as one JAVA_TOOL_OPTIONS word. The JVM splits that variable on whitespace;
    a ' or " starts a quoted run (whitespace kept, quotes dropped) that ends at the same quote,
    and an unmatched quote stops every JVM ("Unmatched quote in JAVA_TOOL_OPTIONS"). There is
    no escape character, so each " goes in '...' and everything else in "..."."""
    if not any(c.isspace() or c in "'\"" for c in option):
        return option
    return "'\"'".join(f'"{part}"' for part in option.split('"'))


def jdk_cacerts(ctx: Context) -> Path | None:
    """The cacerts of the JDK on JAVA_HOME or PATH (Java 9+ and Java 8 layouts)."""
    homes: list[Path] = []
    java_home = ctx.env_path("JAVA_HOME")
    if java_home:
        homes.append(java_home)
    java = ctx.which("java")
    if java:
        homes.append(Path(os.path.realpath(java)).parent.parent)
    for home in homes:
        for candidate in (
            home / "lib" / "security" / "cacerts",
            home / "jre" / "lib" / "security" / "cacerts",
        ):
            if candidate.is_file():
                return candidate
    return None


def aliases(count: int) -> list[str]:
    return [ALIAS if i == 0 else f"{ALIAS}-{i + 1}" for i in range(count)]


def truststore_fingerprints(ctx: Context, keytool: str, store: Path) -> set[str]:
    """SHA-256 fingerprints of our aliases in ``store`` (empty when absent or unreadable)."""
    found: set[str] = set()
    for alias in aliases(len(ca_fingerprints(ctx.ca_pem))):
        out = ctx.run(
            [
                keytool,
                "-list",
                "-v",
                "-keystore",
                str(store),
                "-storepass",
                STOREPASS,
                "-alias",
                alias,
            ],
            timeout=60,
        ).stdout
        match = re.search(r"SHA256:\s*([0-9A-F:]+)", out)
        if match:
            found.add(match.group(1).replace(":", ""))
    return found


def build_truststore(ctx: Context, keytool: str, base: Path, *, base_is_ours: bool) -> bytes:
    with tempfile.TemporaryDirectory(prefix="tlsdoctor-java-") as scratch:
        store = Path(scratch) / "truststore.p12"
        if base_is_ours:
            store.write_bytes(base.read_bytes())
        else:
            _keytool(
                ctx,
                [
                    keytool,
                    "-importkeystore",
                    "-noprompt",
                    "-srckeystore",
                    str(base),
                    "-srcstorepass",
                    STOREPASS,
                    "-destkeystore",
                    str(store),
                    "-deststoretype",
                    "PKCS12",
                    "-deststorepass",
                    STOREPASS,
                ],
            )
        pems = split_pem(ctx.ca_pem)
        for alias, pem in zip(aliases(len(pems)), pems, strict=True):
            cert = Path(scratch) / f"{alias}.pem"
            cert.write_bytes(pem)
            if base_is_ours:
                ctx.run(
                    [
                        keytool,
                        "-delete",
                        "-alias",
                        alias,
                        "-keystore",
                        str(store),
                        "-storepass",
                        STOREPASS,
                    ],
                    timeout=60,
                )
            _keytool(
                ctx,
                [
                    keytool,
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    alias,
                    "-file",
                    str(cert),
                    "-keystore",
                    str(store),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    STOREPASS,
                ],
            )
        return store.read_bytes()


def _keytool(ctx: Context, argv: list[str]) -> None:
    done = ctx.run(argv, timeout=120)
    if done.returncode != 0:
        raise ValueError((done.stdout + done.stderr).strip().splitlines()[-1:] or ["keytool"])


def plan_java(ctx: Context) -> Plan:
    keytool = ctx.which("keytool")
    if not keytool:
        return not_installed("java")
    target = user_truststore_path(ctx)
    ctx.shell_exports.append(("JAVA_TOOL_OPTIONS", java_options(target)))
    wanted = set(ca_fingerprints(ctx.ca_pem))
    if target.exists() and wanted <= truststore_fingerprints(ctx, keytool, target):
        return Plan(
            notes=[
                Note(
                    "java", _("{path} already holds the inspection CA", path=str(target)), "skipped"
                )
            ]
        )
    base = target if target.exists() else jdk_cacerts(ctx)
    if base is None:
        return Plan(notes=[Note("java", _("no JDK cacerts found (set JAVA_HOME)"), "manual")])
    try:
        content = build_truststore(ctx, keytool, base, base_is_ours=base == target)
    except ValueError as err:
        return Plan(notes=[Note("java", _("keytool failed: {error}", error=str(err)), "manual")])
    plan = put_file(
        ctx,
        "java",
        target,
        content,
        message(N_("user truststore: the JDK's public roots plus the inspection CA")),
    )
    plan.notes.append(
        Note(
            "java",
            _("JVMs use it through JAVA_TOOL_OPTIONS={options}", options=java_options(target)),
        )
    )
    return plan
