"""Shared pieces for the setup/undo/doctor tests: a CA, a full bundle, a sandbox snapshot."""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass
from pathlib import Path

import certifi
import pytest
import trustme


@dataclass
class Certs:
    ca: Path  # CA-only file (what add-style settings get)
    bundle: Path  # certifi roots + the CA (what replace-style settings get)
    authority: trustme.CA


@pytest.fixture
def certs(tmp_path: Path) -> Certs:
    authority = trustme.CA(organization_name="tlsdoctor test inspection")
    folder = tmp_path / "files"
    folder.mkdir()
    ca = folder / "inspection-ca.pem"
    ca.write_bytes(authority.cert_pem.bytes())
    bundle = folder / "bundle.pem"
    bundle.write_bytes(Path(certifi.where()).read_bytes() + authority.cert_pem.bytes())
    return Certs(ca=ca, bundle=bundle, authority=authority)


def write_ca_as(path: Path, pem: bytes, form: str) -> Path:
    """The CA in a form Windows users hand over: "utf-16" (PEM with CRLF, BOM) or "der"."""
    if form == "utf-16":
        path.write_bytes(pem.decode().replace("\n", "\r\n").encode("utf-16"))
    else:
        path.write_bytes(ssl.PEM_cert_to_DER_cert(pem.decode()))
    return path


def write_home_file(home: Path, where: str, content: bytes) -> Path:
    """A config file at ``where`` under the sandbox HOME, its folders made."""
    path = home / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def snapshot(root: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file and folder under ``root`` -> sha256 (folders: 'dir'), symlinks as links."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if any(rel == s or rel.startswith(s + "/") for s in skip):
            continue
        if path.is_symlink():
            out[rel] = "link:" + str(path.readlink())
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
