"""Product naming from CA names (data/vendors.toml)."""

from __future__ import annotations

import re

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

from tlsdoctor._data import load_data
from tlsdoctor.core.vendors import catalog, identify


@pytest.mark.parametrize(
    ("name", "product"),
    [
        ("CN=Zscaler Root CA,OU=Zscaler Inc.,O=Zscaler Inc.,C=US", "Zscaler"),
        ("CN=Zscaler Intermediate Root CA (zscalerthree.net) (t) ,O=Zscaler Inc.", "Zscaler"),
        ("CN=caadmin.netskope.com,OU=Cert Management,O=netSkope Inc", "Netskope"),
        ("CN=ca.acme.goskope.com", "Netskope"),
        ("CN=FortiGate CA,OU=Certificate Authority,O=Fortinet", "FortiGate"),
        ("CN=Fortinet_CA_SSL", "FortiGate"),
        ("CN=Cisco Umbrella Root CA,O=Cisco", "Cisco Umbrella"),
        ("CN=Cisco Umbrella Primary SubCA,O=Cisco", "Cisco Umbrella"),
        ("CN=Gateway CA - Cloudflare Managed G1 0123abcd", "Cloudflare Gateway (WARP)"),
        ("CN=Forward-Trust-CA,O=Example Corp IT", "Palo Alto Networks (Forward Trust CA)"),
        ("CN=Sophos SSL CA_C1234-ABC", "Sophos"),
        ("O=Blue Coat Systems", "Symantec Blue Coat"),
        ("CN=Kaspersky Anti-Virus Personal Root Certificate", "Kaspersky"),
        ("CN=Avast Web/Mail Shield Root", "Avast Antivirus"),
        ("CN=ESET SSL Filter CA,O=ESET\\, spol. s r. o.", "ESET SSL Filter"),
        ("CN=mitmproxy,O=mitmproxy", "mitmproxy"),
        ("CN=PortSwigger CA,OU=PortSwigger CA,O=PortSwigger", "Burp Suite"),
        ("CN=DO_NOT_TRUST_FiddlerRoot", "Fiddler"),
        ("Zscaler Inc.", "Zscaler"),
        ("/C=US/O=Zscaler Inc./CN=Zscaler Root CA", "Zscaler"),
        ("/CN=Avast Web/Mail Shield Root", "Avast Antivirus"),
    ],
)
def test_known_products(name: str, product: str) -> None:
    assert identify(name) == product


@pytest.mark.parametrize(
    "name",
    [
        "CN=R11,O=Let's Encrypt,C=US",
        "CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US",
        "CN=ACME Corp Inspection CA,O=ACME Corp",
        "CN=Fortinet Fan Club",
        "CN=mitmproxy-lookalike",
    ],
)
def test_other_names_are_not_products(name: str) -> None:
    assert identify(name) is None


def test_identify_takes_a_certificate_name() -> None:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Zscaler Inc."),
            x509.NameAttribute(NameOID.COMMON_NAME, "Zscaler Root CA"),
        ]
    )
    assert identify(name) == "Zscaler"


def test_catalog_entries_are_complete_and_unique() -> None:
    entries = load_data("vendors.toml")["vendor"]
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert entry["product"] and entry["source"], entry["id"]
        patterns = [p for field in ("cn", "o", "ou") for p in entry.get(field, [])]
        assert patterns, entry["id"]
        for pattern in patterns:
            re.compile(pattern)
    assert len(catalog()) == len(entries)
