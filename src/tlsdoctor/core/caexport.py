"""Find the inspection root CA behind a host's chain, the safe way.

Order (issue 4):

1. the presented chain, when it contains a self-signed root;
2. the OS trust store (and the files inspection agents leave): a certificate whose subject is the
   top certificate's issuer AND whose key verifies the top certificate's signature;
3. the AIA caIssuers URL of the top certificate, fetched over plain HTTP through the same proxy;
   what comes back is used only when its key verifies the top certificate's signature;
4. otherwise, exactly what to ask the IT department for.

Steps 2 and 3 repeat while they find an intermediate, so a proxy that sends only its leaf and
intermediate still resolves to the root. A chain that ends in a root of the public set (Mozilla,
or ``--roots``) is not inspection: nothing is exported.
"""

from __future__ import annotations

import functools
import os
import sys
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlsdoctor.core.x509 import (
    Certificate,
    aia_ca_issuers,
    describe,
    format_fingerprint,
    is_self_signed,
    load_certificates,
    sha256_fingerprint,
    signed_by,
)
from tlsdoctor.errors import InputError
from tlsdoctor.i18n import N_, _, os_reason

MAX_AIA_BYTES = 1024 * 1024
MAX_DEPTH = 6

# Linux folders where administrators drop extra anchors (read even before update-ca-* ran).
LINUX_ANCHOR_DIRS = (
    "usr/local/share/ca-certificates",  # Debian, Ubuntu, Alpine (update-ca-certificates)
    "etc/pki/ca-trust/source/anchors",  # RHEL, Fedora (update-ca-trust)
    "usr/share/pki/ca-trust-source/anchors",  # RHEL, Fedora (packaged)
    "etc/ca-certificates/trust-source/anchors",  # Arch (trust anchor)
    "usr/share/pki/trust/anchors",  # SUSE (packaged)
    "etc/pki/trust/anchors",  # SUSE
)

Fetcher = Callable[[str, "str | None", float], bytes]


@dataclass(frozen=True)
class Candidate:
    certificate: Certificate
    origin: str  # "os-store" | "agent-file"
    source: str  # path or store name


@dataclass
class AskIT:
    """What to ask the IT department for when the root could not be found."""

    issuer: str
    aki: str | None
    top_subject: str
    top_sha256: str

    def message(self) -> str:
        key = self.aki or _("(none in the certificate)")
        return _(
            "Ask your IT department for the root CA certificate (PEM or DER .cer, no private key) "
            "of the TLS inspection proxy: issuer name {issuer}, authority key identifier {aki}. "
            "The last certificate the proxy presented was {subject} (SHA-256 {fingerprint}).",
            issuer=self.issuer,
            aki=key,
            subject=self.top_subject,
            fingerprint=format_fingerprint(self.top_sha256),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "aki": self.aki,
            "top_subject": self.top_subject,
            "top_sha256": self.top_sha256,
            "message": self.message(),
        }


@dataclass
class ExportResult:
    # found: a root to trust | not-intercepted: the chain ends at a public root |
    # not-found: see ask_it | no-chain: the host could not be reached
    status: str
    method: str | None = None  # "chain" | "os-store" | "agent-file" | "aia"
    roots: list[Certificate] = field(default_factory=list)
    intermediates: list[Certificate] = field(default_factory=list)
    chain: list[Certificate] = field(default_factory=list)
    source: str | None = None
    host: str | None = None
    port: int = 443
    ask_it: AskIT | None = None
    public_root: str | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def exit_code(self) -> int:
        """0 found, 3 the host could not be reached, 1 otherwise (ca export and bundle)."""
        return {"found": 0, "no-chain": 3}.get(self.status, 1)

    def to_dict(self) -> dict[str, Any]:
        from tlsdoctor.core.x509 import strict_defects, to_pem

        return {
            "status": self.status,
            "method": self.method,
            "host": self.host,
            "port": self.port,
            "source": self.source,
            "roots": [
                {
                    **describe(c).to_dict(),
                    "defects": [d.to_dict() for d in strict_defects(c)],
                    "pem": to_pem([c]),
                }
                for c in self.roots
            ],
            "intermediates": [
                {"subject": describe(c).subject, "sha256": sha256_fingerprint(c)}
                for c in self.intermediates
            ],
            "chain": [
                {"subject": describe(c).subject, "issuer": describe(c).issuer} for c in self.chain
            ],
            "public_root": self.public_root,
            "ask_it": self.ask_it.to_dict() if self.ask_it else None,
            "notes": list(self.notes),
            "error": self.error,
        }


# --------------------------------------------------------------------------- candidates


def linux_anchor_certificates(sysroot: str | Path | None = None) -> list[Candidate]:
    """Certificates in the distributions' anchor folders (possibly not in the bundle yet)."""
    root = Path(sysroot or os.environ.get("TLSDOCTOR_SYSROOT") or "/")
    found: list[Candidate] = []
    for relative in LINUX_ANCHOR_DIRS:
        folder = root / relative
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.stat().st_size > 1024 * 1024:
                continue
            try:
                certs = load_certificates(path.read_bytes(), source=str(path))
            except (InputError, OSError):
                continue
            found.extend(Candidate(c, "os-store", str(path)) for c in certs)
    return found


def os_candidates(sysroot: str | Path | None = None) -> list[Candidate]:
    """Everything the OS trusts or keeps as CA: the store, anchor folders, platform extras."""
    from tlsdoctor.core.trust import os_roots

    store = os_roots(sysroot)
    found = [Candidate(c, "os-store", store.source or "os") for c in store.certificates]
    use_tree = sysroot is not None or bool(os.environ.get("TLSDOCTOR_SYSROOT"))
    if use_tree or sys.platform.startswith("linux"):
        found.extend(linux_anchor_certificates(sysroot))
    if not use_tree and sys.platform == "darwin":
        from tlsdoctor.core.trust import macos

        # Present in a keychain but without trust settings still counts as a candidate: the
        # signature check decides, and the user is told where it came from.
        found.extend(
            Candidate(c, "os-store", "macOS keychain") for c in macos.load_all_certificates()
        )
    if not use_tree and sys.platform == "win32":
        from tlsdoctor.core.trust import windows

        found.extend(
            Candidate(c, "os-store", "Windows CA store") for c in windows.load_intermediates()
        )
    if not use_tree and sys.platform.startswith("linux"):
        from tlsdoctor.core.trust import linux, wsl

        if wsl.is_wsl():
            # os_roots() returns the Windows store under WSL; the distribution's own counts too.
            found.extend(
                Candidate(c, "os-store", "linux") for c in linux.linux_roots().certificates
            )
    return found


def agent_candidates(sysroot: str | Path | None = None) -> list[Candidate]:
    from tlsdoctor.core.trust import agents

    return [
        Candidate(c, "agent-file", f"{f.vendor}: {f.path}")
        for f in agents.find_agent_files(sysroot=sysroot)
        for c in f.certificates
    ]


# --------------------------------------------------------------------------- AIA


def fetch_http(url: str, proxy: str | None, timeout: float) -> bytes:
    """GET a plain-HTTP URL (through ``proxy`` when given), at most MAX_AIA_BYTES."""
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler({"http": proxy} if proxy else {})
    ]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"User-Agent": "tlsdoctor (AIA fetch)"})
    with opener.open(request, timeout=timeout) as response:
        data: bytes = response.read(MAX_AIA_BYTES + 1)
    if len(data) > MAX_AIA_BYTES:
        raise InputError(_("the AIA response from {url} is too large", url=url))
    return data


def _aia_issuer(
    top: Certificate, proxy: str | None, timeout: float, fetch: Fetcher, notes: list[str]
) -> tuple[Certificate, str] | None:
    for url in aia_ca_issuers(top):
        if not url.lower().startswith("http://"):
            notes.append(_("skipped the AIA URL {url}: only plain http:// is fetched", url=url))
            continue
        try:
            data = fetch(url, proxy, timeout)
            fetched = load_certificates(data, source=url)
        except InputError as err:
            notes.append(_("AIA {url}: {error}", url=url, error=str(err)))
            continue
        except (OSError, ValueError) as err:
            reason = os_reason(err) if isinstance(err, OSError) else str(err)
            notes.append(_("AIA {url}: {error}", url=url, error=reason or type(err).__name__))
            continue
        issuer = next((c for c in fetched if signed_by(top, c)), None)
        if issuer is None:
            notes.append(
                _(
                    "AIA {url} returned a certificate that did not sign {subject}: ignored",
                    url=url,
                    subject=describe(top).subject,
                )
            )
            continue
        return issuer, url
    return None


# --------------------------------------------------------------------------- the search


def chain_top(chain: Sequence[Certificate]) -> tuple[Certificate, list[Certificate]]:
    """Follow signatures from the leaf through the presented chain; (top, intermediates)."""
    current = chain[0]
    path: list[Certificate] = []
    remaining = list(chain[1:])
    while not is_self_signed(current):
        nxt = next((c for c in remaining if signed_by(current, c)), None)
        if nxt is None:
            break
        remaining.remove(nxt)
        path.append(nxt)
        current = nxt
    return current, path


def find_root(
    chain: Sequence[Certificate],
    *,
    public: Iterable[Certificate],
    candidates: Sequence[Candidate] = (),
    proxy: str | None = None,
    timeout: float = 5.0,
    fetch: Fetcher | None = None,
    use_aia: bool = True,
) -> ExportResult:
    """Resolve the root CA behind ``chain`` (leaf first) using the documented order."""
    if not chain:
        return ExportResult(status="no-chain", error=_("no certificate chain to examine"))
    public_list = list(public)
    public_fps = {sha256_fingerprint(c) for c in public_list}
    top, intermediates = chain_top(chain)
    result = ExportResult(status="not-found", chain=list(chain))
    if is_self_signed(top):
        return _settle_presented_root(result, chain[0], top, intermediates, public_fps)
    search = _IssuerSearch(
        public_list,
        public_fps,
        candidates,
        (fetch or fetch_http) if use_aia else None,
        proxy,
        timeout,
        result.notes,
    )
    return _climb_to_root(result, top, intermediates, search)


@dataclass
class _IssuerSearch:
    """Where find_root looks for the issuer of the top certificate, in the documented order."""

    public: list[Certificate]
    public_fps: set[str]
    candidates: Sequence[Candidate]
    fetch: Fetcher | None  # None: AIA is not used
    proxy: str | None
    timeout: float
    notes: list[str]

    def public_issuer(self, top: Certificate) -> Certificate | None:
        return next((c for c in self.public if _issued(top, c)), None)

    def other_issuer(self, top: Certificate) -> tuple[Certificate, str, str] | None:
        """(issuer, method, source) from the OS store or agent files, else from AIA."""
        match = next((c for c in self.candidates if _issued(top, c.certificate)), None)
        if match is not None:
            return match.certificate, match.origin, match.source
        self._note_name_only_matches(top)
        if self.fetch is None:
            return None
        fetched = _aia_issuer(top, self.proxy, self.timeout, self.fetch, self.notes)
        if fetched is None:
            return None
        return fetched[0], "aia", fetched[1]

    def _note_name_only_matches(self, top: Certificate) -> None:
        """Say so when a certificate had the issuer's name but its key did not sign ``top``."""
        for cand in self.candidates:
            if cand.certificate.subject != top.issuer:
                continue
            note = _(
                "{source} holds a certificate named {subject} (SHA-256 {fingerprint}), but its "
                "key did not sign {top}: ignored (another CA with the same name, or a CA that "
                "was rotated)",
                source=cand.source,
                subject=describe(cand.certificate).subject,
                fingerprint=format_fingerprint(sha256_fingerprint(cand.certificate)),
                top=describe(top).subject,
            )
            if note not in self.notes:
                self.notes.append(note)


def _issued(cert: Certificate, issuer: Certificate) -> bool:
    return issuer.subject == cert.issuer and signed_by(cert, issuer)


def _settle_presented_root(
    result: ExportResult,
    leaf: Certificate,
    root: Certificate,
    intermediates: list[Certificate],
    public_fps: set[str],
) -> ExportResult:
    if root is leaf and not describe(root).is_ca:
        result.status = "self-signed-server"
        result.notes.append(
            _("the host presents a self-signed server certificate: there is no CA to export")
        )
        return result
    # chain_top's path ends with the root itself when the root is not the leaf.
    return _settle(result, root, intermediates[:-1], "chain", "chain", public_fps)


def _climb_to_root(
    result: ExportResult,
    top: Certificate,
    intermediates: list[Certificate],
    search: _IssuerSearch,
) -> ExportResult:
    """Look up issuers until a self-signed or public one; failing that, say what to ask IT for."""
    for _depth in range(MAX_DEPTH):
        public_issuer = search.public_issuer(top)
        if public_issuer is not None:
            return _settle(
                result, public_issuer, intermediates, "public", "public", search.public_fps
            )
        found = search.other_issuer(top)
        if found is None:
            break
        issuer, method, source = found
        if is_self_signed(issuer) or sha256_fingerprint(issuer) in search.public_fps:
            return _settle(result, issuer, intermediates, method, source, search.public_fps)
        intermediates.append(issuer)
        top = issuer
    return _ask_it_for(result, top, intermediates)


def _ask_it_for(
    result: ExportResult, top: Certificate, intermediates: list[Certificate]
) -> ExportResult:
    result.intermediates = intermediates
    info = describe(top)
    result.ask_it = AskIT(
        issuer=info.issuer,
        aki=info.aki,
        top_subject=info.subject,
        top_sha256=sha256_fingerprint(top),
    )
    return result


def _settle(
    result: ExportResult,
    root: Certificate,
    intermediates: list[Certificate],
    method: str,
    source: str,
    public_fps: set[str],
) -> ExportResult:
    result.intermediates = intermediates
    if sha256_fingerprint(root) in public_fps:
        result.status = "not-intercepted"
        result.public_root = describe(root).subject
        return result
    result.status = "found"
    if method == "aia":
        result.notes.append(
            _(
                "this root was downloaded from the AIA URL: before trusting it, confirm its "
                "SHA-256 fingerprint {fingerprint} with your IT department",
                fingerprint=format_fingerprint(sha256_fingerprint(root)),
            )
        )
    result.method = method
    result.source = source
    result.roots = [root]
    return result


def export_from_host(
    host: str,
    port: int = 443,
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    timeout: float = 5.0,
    roots_path: str | None = None,
    sysroot: str | Path | None = None,
    fetch: Fetcher | None = None,
) -> ExportResult:
    """Probe ``host`` and resolve the root of the chain it presents."""
    from tlsdoctor.core.probe import probe, proxy_from_environment
    from tlsdoctor.core.trust import mozilla_roots

    probed = probe(host, port, proxy=proxy, use_env_proxy=use_env_proxy, timeout=timeout)
    if probed.error or not probed.chain:
        return ExportResult(
            status="no-chain", host=host, port=port, error=probed.error or _("no certificate")
        )
    used_proxy = proxy or (proxy_from_environment(host, port) if use_env_proxy else None)
    result = find_root(
        probed.chain,
        public=mozilla_roots(roots_path).certificates,
        candidates=[*os_candidates(sysroot), *agent_candidates(sysroot)],
        proxy=used_proxy,
        timeout=timeout,
        fetch=fetch,
    )
    result.host, result.port = host, port
    if result.status == "not-found" and sysroot is None and result.ask_it is not None:
        from tlsdoctor.core.trust import wsl

        if wsl.is_wsl():
            result.notes.extend(windows_store_hints(result.ask_it.issuer, wsl.load_store_entries()))
    return result


def windows_store_hints(issuer: str, entries: Sequence[Any]) -> list[str]:
    """Under WSL, when PowerShell could not export the store: name the Windows root to export."""
    from tlsdoctor.core.trust.wsl import common_name

    wanted = common_name(_cn_of_rfc4514(issuer))
    return [
        _(
            "Windows trusts a certificate named {subject} (SHA-1 {sha1}): export it from "
            "certmgr.msc as Base-64 .cer and give it to 'tlsdoctor ca check' and "
            "'tlsdoctor bundle --ca'",
            subject=entry.subject,
            sha1=entry.sha1,
        )
        for entry in entries
        if common_name(entry.subject) == wanted
    ]


def _cn_of_rfc4514(name: str) -> str:
    for part in name.split(","):
        key, _sep, value = part.partition("=")
        if key.strip().upper() == "CN":
            return f"CN={value.strip()}"
    return name


@functools.cache
def former_public_fingerprints() -> frozenset[str]:
    """SHA-256 of roots that were in Mozilla's set in recent years (older certifi releases, a
    Debian ca-certificates snapshot): ``data/public_roots_history.toml``, regenerated by
    ``scripts/make_public_roots.py``."""
    from tlsdoctor._data import load_data

    return frozenset(entry["sha256"] for entry in load_data("public_roots_history.toml")["root"])


@dataclass
class TrustedRoots:
    """``--all``: the self-signed CAs trusted here that the installed public set lacks."""

    organisation: list[Candidate] = field(default_factory=list)  # what the organisation added
    # public roots no longer in (or not yet in) the installed Mozilla set: not exported
    other_public: list[Candidate] = field(default_factory=list)


def trusted_roots_outside_public(
    *, roots_path: str | None = None, sysroot: str | Path | None = None
) -> TrustedRoots:
    """Self-signed CAs the OS trusts (or agents left) that are not in the public set, split
    into what the organisation added and public roots of another Mozilla snapshot."""
    from tlsdoctor.core.trust import mozilla_roots

    public_fps = {sha256_fingerprint(c) for c in mozilla_roots(roots_path).certificates}
    former = former_public_fingerprints()
    seen: set[str] = set()
    found = TrustedRoots()
    for cand in [*os_candidates(sysroot), *agent_candidates(sysroot)]:
        fp = sha256_fingerprint(cand.certificate)
        if fp in public_fps or fp in seen:
            continue
        info = describe(cand.certificate)
        if not (info.self_signed and info.is_ca):
            continue
        seen.add(fp)
        (found.other_public if fp in former else found.organisation).append(cand)
    return found


def organisation_roots(
    *, roots_path: str | None = None, sysroot: str | Path | None = None
) -> list[Candidate]:
    """``--all``: self-signed CAs the OS trusts (or agents left) that are in no public set."""
    return trusted_roots_outside_public(roots_path=roots_path, sysroot=sysroot).organisation


def first_intercepted_host(
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    roots_path: str | None = None,
    timeout: float = 5.0,
    deadline: float = 20.0,
) -> tuple[str | None, str]:
    """(first intercepted host of a detect run over its default hosts, the verdict)."""
    from tlsdoctor.core.detect import detect

    report = detect(
        None,
        proxy=proxy,
        use_env_proxy=use_env_proxy,
        roots_path=roots_path,
        timeout=timeout,
        deadline=deadline,
    )
    for evidence in report.hosts:
        if evidence.status == "intercepted":
            return evidence.label, report.verdict
    return None, report.verdict


# What 'ca export' and 'bundle' say when first_intercepted_host finds none: one whole sentence
# per verdict, so that the verdict is translated with it (the code alone reached Japanese users),
# and per command, whose way out differs ('bundle' also takes --ca). "" is any other verdict.
_NO_HOST_MESSAGES: dict[tuple[str, str], str] = {
    ("ca", "clean"): N_(
        "no intercepted host found among the default hosts (verdict: clean); give --host HOST"
    ),
    ("ca", "inconclusive"): N_(
        "no intercepted host found among the default hosts (verdict: inconclusive); "
        "give --host HOST"
    ),
    ("ca", ""): N_(
        "no intercepted host found among the default hosts (verdict: {verdict}); give --host HOST"
    ),
    ("bundle", "clean"): N_(
        "no --ca given and no intercepted host found (verdict: clean): "
        "pass --ca FILE or --host HOST"
    ),
    ("bundle", "inconclusive"): N_(
        "no --ca given and no intercepted host found (verdict: inconclusive): "
        "pass --ca FILE or --host HOST"
    ),
    ("bundle", ""): N_(
        "no --ca given and no intercepted host found (verdict: {verdict}): "
        "pass --ca FILE or --host HOST"
    ),
}


def no_intercepted_host_message(command: str, verdict: str) -> str:
    """Why ``command`` ("ca" or "bundle") has no host to export from, in the user's language."""
    known = _NO_HOST_MESSAGES.get((command, verdict))
    if known is not None:
        return _(known)
    return _(_NO_HOST_MESSAGES[(command, "")], verdict=verdict)
