"""What a message names: hosts (and ports), the issuer, and the inspection product behind it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tlsdoctor.core.explain.signatures import Catalog, catalog

MAX_HOSTS = 16  # per finding


def first_group(matches: Sequence[re.Match[str]], prefix: str) -> str | None:
    """The first non-empty named group starting with ``prefix`` in ``matches``."""
    for match in matches:
        for name, value in match.groupdict().items():
            if name.startswith(prefix) and value:
                return value
    return None


def search_groups(
    patterns: Sequence[re.Pattern[str]], lines: Sequence[str], name: str
) -> str | None:
    for pattern in patterns:
        for line in lines:
            m = pattern.search(line)
            if m and m.group(name):
                return m.group(name)
    return None


def hosts_near(
    matches: Sequence[re.Match[str]], cat: Catalog, context: Sequence[str]
) -> list[tuple[str, int]]:
    """The hosts of one occurrence: a host group of its matches first, then its context.

    A name quoted without a port (wget's 'The certificate of ‘localhost’') takes the port of a
    URL for the same host nearby (wget's "--… https://localhost:44303/" line); a host named both
    with an explicit port and with the default one is tried with the explicit port first."""
    found: list[tuple[str, int]] = []
    nearby = hosts_in(context, cat)
    named = first_group(matches, "host")
    if named:
        name = clean_host(named)
        found.extend(pair for pair in nearby if pair[0] == name and pair[1] != 443)
        found.append((name, 443))
    found.extend(nearby)
    unique: list[tuple[str, int]] = []
    for host in found:
        if host[0] and host not in unique and host[0] not in cat.ignore_hosts:
            unique.append(host)
    explicit = {name for name, port in unique if port != 443}
    unique.sort(key=lambda pair: pair[1] == 443 and pair[0] in explicit)  # stable
    return unique[:MAX_HOSTS]


def hosts_in(lines: Iterable[str], cat: Catalog | None = None) -> list[tuple[str, int]]:
    """(host, port) pairs named in ``lines`` (URLs, 'host=...', wget's quotes...), in order."""
    cat = cat or catalog()
    found: list[tuple[str, int]] = []
    for line in lines:
        for pattern in cat.hosts:
            for m in pattern.finditer(line):
                host = clean_host(m.group("host"))
                port = int(m.groupdict().get("port") or 443)
                if host and (host, port) not in found and host not in cat.ignore_hosts:
                    found.append((host, port))
                    if len(found) >= MAX_HOSTS:
                        return found
    return found


def clean_host(host: str) -> str:
    return host.strip().strip("[]'\"‘’.").lower()


def product_of(issuer: str | None) -> str | None:
    if not issuer:
        return None
    try:
        from tlsdoctor.core.vendors import identify
    except ImportError:  # pragma: no cover - the vendor catalog ships with the package
        return None
    return identify(issuer.replace("; ", ", "))
