"""Probes -> verdict: does this network re-sign HTTPS, and with which CA?

For every host: read the presented chain (core.probe), validate it against the public roots and
the OS store the way OpenSSL does (core.trust.verify), name the product from the CA names
(core.vendors), then group the re-signed hosts by the CA that signs them.

A host is ``intercepted`` when its chain does not reach a public root and the signing CA is a
known inspection product, is trusted by the OS but not public (a locally installed root), or
re-signs two or more unrelated hosts of the run. An unknown issuer seen on one host only is
reported as an ``error`` on that host: one chain cannot tell inspection from a broken server.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography import x509

from tlsdoctor.core.probe import (
    ProbeResult,
    Target,
    as_targets,
    check_seconds,
    probe_many,
    unique_targets,
)
from tlsdoctor.core.trust import RootStore, fingerprint, mozilla_roots, os_roots
from tlsdoctor.core.trust.verify import (
    VerifyResult,
    hostname_matches,
    strict_findings,
    verify_chain,
)
from tlsdoctor.core.vendors import UNKNOWN_ADMIN_CA, identify_chain, product_text
from tlsdoctor.core.x509 import aia_ca_issuers, name_text
from tlsdoctor.i18n import _, join_list

Verdict = Literal["clean", "intercepted", "partial", "inconclusive"]
HostStatus = Literal["clean", "intercepted", "error"]

# General public HTTPS sites of different owners and CAs (no package registries on purpose).
DEFAULT_HOSTS: tuple[str, ...] = (
    "www.google.com",  # Google Trust Services
    "github.com",  # Sectigo
    "www.wikipedia.org",  # Let's Encrypt / DigiCert
    "www.microsoft.com",  # Microsoft / DigiCert
    "www.apple.com",  # Apple / DigiCert
    "www.cloudflare.com",  # Google Trust Services / Let's Encrypt via Cloudflare
    "letsencrypt.org",  # Let's Encrypt
    "www.amazon.com",  # DigiCert / Amazon
)


def short_name(name: x509.Name) -> str:
    """The CN (else the O) of a name, for sentences; the full RFC 4514 form otherwise."""
    for oid in (x509.NameOID.COMMON_NAME, x509.NameOID.ORGANIZATION_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value).strip()
    return name_text(name)


@dataclass
class HostEvidence:
    host: str
    port: int
    status: HostStatus
    issuer: str | None = None  # the leaf's issuer
    root: str | None = None  # the root the chain ends in (or claims to)
    root_short: str | None = None  # its CN (else O), for tables
    trusted_public: bool = False
    trusted_os: bool = False
    product: str | None = None
    sha256: str | None = None  # of the leaf
    error: str | None = None
    error_kind: str | None = None
    via_proxy: str | None = None
    strict_findings: list[str] = field(default_factory=list)
    chain: list[x509.Certificate] = field(default_factory=list)
    public_result: VerifyResult | None = None
    os_result: VerifyResult | None = None
    ca_key: bytes | None = None  # DER of the signing root's name: groups hosts by CA
    elapsed: float = 0.0

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == 443 else f"{host}:{self.port}"

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "status": self.status,
            "issuer": self.issuer,
            "product": self.product,
            "trusted_public": self.trusted_public,
            "trusted_os": self.trusted_os,
            "error": self.error,
            "root": self.root,
            "sha256": self.sha256,
            "error_kind": self.error_kind,
            "via_proxy": self.via_proxy,
            "strict_findings": list(self.strict_findings),
        }


@dataclass
class InspectionCA:
    subject: str
    name: str  # short form (CN) for sentences
    sha256: str | None  # None when the root itself was neither presented nor found in the OS
    in_os_store: bool
    certificate: x509.Certificate | None
    product: str
    hosts: list[str] = field(default_factory=list)
    presented: list[x509.Certificate] = field(default_factory=list)  # CA certs the proxy sent
    fetch_url: str | None = None  # the top certificate's http:// AIA caIssuers URL (ca export)

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "sha256": self.sha256,
            "in_os_store": self.in_os_store,
            "product": self.product,
            "hosts": list(self.hosts),
        }


@dataclass
class DetectReport:
    verdict: Verdict
    products: list[str]
    inspection_cas: list[InspectionCA]
    hosts: list[HostEvidence]
    summary: list[str]
    public_roots: str | None = None
    os_roots: str | None = None
    elapsed: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "products": list(self.products),
            "inspection_cas": [ca.to_json() for ca in self.inspection_cas],
            "hosts": [h.to_json() for h in self.hosts],
            "summary": list(self.summary),
            "public_roots": self.public_roots,
            "os_roots": self.os_roots,
        }

    @property
    def exit_code(self) -> int:
        return {"clean": 0, "intercepted": 1, "partial": 1, "inconclusive": 3}[self.verdict]


# ------------------------------------------------------------------------------------ detect


def detect(
    hosts: Sequence[str | Target] | None = None,
    *,
    proxy: str | None = None,
    use_env_proxy: bool = True,
    roots_path: str | None = None,
    os_store: RootStore | None = None,
    timeout: float = 5.0,
    deadline: float = 20.0,
    progress: Callable[[ProbeResult], None] | None = None,
) -> DetectReport:
    """Probe ``hosts`` (default: DEFAULT_HOSTS) and tell whether TLS is inspected, with evidence."""
    import time

    started = time.monotonic()
    check_seconds(timeout=timeout, deadline=deadline)
    public = mozilla_roots(roots_path)  # a bad --roots fails before any probing
    wanted = hosts if hosts or isinstance(hosts, str) else DEFAULT_HOSTS  # "" is not "none"
    targets = unique_targets(as_targets(wanted))
    # Each chain is examined as soon as it arrives, while the slower hosts are still answering.
    stores: list[RootStore] = []
    examined: dict[int, HostEvidence] = {}

    def on_result(result: ProbeResult) -> None:
        if not stores:
            stores.append(os_store if os_store is not None else os_roots())
        examined[id(result)] = _examine(result, public, stores[0])
        if progress is not None:
            progress(result)

    results = probe_many(
        targets,
        proxy=proxy,
        use_env_proxy=use_env_proxy,
        timeout=timeout,
        deadline=deadline,
        progress=on_result,
    )
    system = stores[0] if stores else (os_store if os_store is not None else os_roots())
    evidence = [examined.get(id(r)) or _examine(r, public, system) for r in results]
    report = _conclude(evidence, public, system)
    report.elapsed = time.monotonic() - started
    return report


def analyse(results: Sequence[ProbeResult], public: RootStore, system: RootStore) -> DetectReport:
    """Turn probe results into evidence and a verdict (no network: usable on recorded chains)."""
    return _conclude([_examine(r, public, system) for r in results], public, system)


def _conclude(evidence: list[HostEvidence], public: RootStore, system: RootStore) -> DetectReport:
    _settle_unknown_issuers(evidence)
    cas = _inspection_cas(evidence, system)
    _add_strict_findings(evidence, public, system, cas)
    verdict = _verdict(evidence)
    products = sorted({ca.product for ca in cas})
    report = DetectReport(
        verdict=verdict,
        products=products,
        inspection_cas=cas,
        hosts=evidence,
        summary=[],
        public_roots=public.source,
        os_roots=system.source,
    )
    report.summary = summary_lines(report)
    return report


def _examine(result: ProbeResult, public: RootStore, system: RootStore) -> HostEvidence:
    ev = HostEvidence(
        host=result.host,
        port=result.port,
        status="error",
        via_proxy=result.via_proxy,
        elapsed=result.elapsed,
    )
    if not result.chain:
        ev.error = result.error or _("no certificate presented")
        ev.error_kind = result.error_kind or "tls"
        return ev
    chain = result.chain
    leaf = chain[0]
    # x509.Name objects are rebuilt on every access: read each name once.
    names = [(c.subject, c.issuer) for c in chain]
    ev.chain = list(chain)
    ev.issuer = name_text(names[0][1])
    ev.sha256 = fingerprint(leaf)
    ev.public_result = verify_chain(chain, public)
    ev.os_result = verify_chain(chain, system)
    ev.trusted_public = ev.public_result.trusted
    ev.trusted_os = ev.os_result.trusted
    top_subject, top_issuer = names[-1]
    root_name = top_subject if top_subject == top_issuer else top_issuer
    root = ev.public_result.anchor.subject if ev.public_result.anchor is not None else root_name
    ev.root, ev.root_short = name_text(root), short_name(root)
    if ev.trusted_public:
        ev.status = "clean"  # not re-signed; the host may still have its own problem
        ev.error = hostname_error(leaf, result.host)
        if ev.error is not None:
            ev.error_kind = "hostname"
        return ev
    ev.ca_key = root_name.public_bytes()
    ev.error = _("not trusted by the public roots: {reason}", reason=ev.public_result.error or "?")
    ev.error_kind = "untrusted"
    if names[0][0] == names[0][1] and _not_a_ca(leaf):
        ev.error = _(
            "self-signed server certificate: {reason}", reason=ev.public_result.error or "?"
        )
        ev.ca_key = None
        return ev
    if _public_issuer(chain, [issuer for _subject, issuer in names], public):
        ev.ca_key = None  # a public CA's certificate with another problem (expired, ...)
        return ev
    vendor = identify_chain(_ca_names(names))
    if vendor is not None:
        _mark_intercepted(ev, vendor.product)
    elif ev.trusted_os:
        _mark_intercepted(ev, UNKNOWN_ADMIN_CA)
    return ev


def _mark_intercepted(ev: HostEvidence, product: str) -> None:
    ev.status = "intercepted"
    ev.product = product
    ev.error = None
    ev.error_kind = None


def _not_a_ca(cert: x509.Certificate) -> bool:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (x509.ExtensionNotFound, ValueError):
        return True
    return not constraints.ca


def _public_issuer(
    chain: Sequence[x509.Certificate], issuers: Sequence[x509.Name], public: RootStore
) -> bool:
    """Some certificate of the chain names a public root as its issuer and is signed by it."""
    for cert, issuer in zip(chain, issuers, strict=True):
        for root in public.by_subject(issuer):
            try:
                cert.verify_directly_issued_by(root)
            except Exception:
                continue
            return True
    return False


def _ca_names(names: Sequence[tuple[x509.Name, x509.Name]]) -> list[x509.Name]:
    """Issuer of the leaf first, then each CA upwards: where a product's name shows."""
    found: list[x509.Name] = [names[0][1]]
    for subject, issuer in names[1:]:
        found.extend([subject, issuer])
    return found


# Second-level labels under which each name belongs to a different owner (co.uk, com.au...).
_SHARED_SUFFIXES = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go"})


def owner(host: str) -> str:
    """Who a name belongs to, roughly (the registrable domain): two names of one company's
    domain signed by its private CA are an intranet, not evidence of interception."""
    from tlsdoctor.core.probe import is_ip

    if is_ip(host):
        return host
    labels = _ascii(host).rstrip(".").lower().split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SHARED_SUFFIXES else 2
    return ".".join(labels[-keep:])


def _settle_unknown_issuers(evidence: list[HostEvidence]) -> None:
    """An unknown issuer that re-signs two or more unrelated hosts is an inspection CA."""
    by_ca: dict[bytes, set[str]] = {}
    for ev in evidence:
        if ev.ca_key is not None and ev.status != "clean":
            by_ca.setdefault(ev.ca_key, set()).add(owner(ev.host))
    for ev in evidence:
        if ev.status == "error" and ev.ca_key is not None and len(by_ca[ev.ca_key]) >= 2:
            _mark_intercepted(ev, UNKNOWN_ADMIN_CA)


def _inspection_cas(evidence: list[HostEvidence], system: RootStore) -> list[InspectionCA]:
    groups: dict[bytes, list[HostEvidence]] = {}
    for ev in evidence:
        if ev.status == "intercepted" and ev.ca_key is not None:
            groups.setdefault(ev.ca_key, []).append(ev)
    cas: list[InspectionCA] = []
    for members in groups.values():
        first = members[0]
        root = _find_root(members, system)
        presented = [c for c in first.chain[1:] if c.subject != c.issuer]
        top = first.chain[-1]
        root_name = (
            root.subject
            if root is not None
            else (top.subject if top.subject == top.issuer else top.issuer)
        )
        subject = name_text(root_name)
        in_os = any(m.trusted_os for m in members) or (root is not None and system.contains(root))
        cas.append(
            InspectionCA(
                subject=subject,
                name=short_name(root_name),
                sha256=fingerprint(root) if root is not None else None,
                in_os_store=in_os,
                certificate=root,
                product=first.product or UNKNOWN_ADMIN_CA,
                hosts=[m.label for m in members],
                presented=presented,
                fetch_url=_fetch_url(top) if root is None else None,
            )
        )
    return cas


def _fetch_url(top: x509.Certificate) -> str | None:
    """Where ``ca export`` can fetch the issuer of ``top`` (it reads plain-HTTP AIA only)."""
    return next((u for u in aia_ca_issuers(top) if u.lower().startswith("http://")), None)


def _find_root(members: list[HostEvidence], system: RootStore) -> x509.Certificate | None:
    """The inspection root: sent by the proxy, or found in the OS store by name and signature."""
    for ev in members:
        if ev.os_result is not None and ev.os_result.trusted and ev.os_result.anchor is not None:
            return ev.os_result.anchor
        top = ev.chain[-1]
        if len(ev.chain) > 1 and top.subject == top.issuer:
            return top
    top = members[0].chain[-1]
    for candidate in system.by_subject(top.issuer):
        try:
            top.verify_directly_issued_by(candidate)
        except Exception:
            continue
        return candidate
    return None


def _add_strict_findings(
    evidence: list[HostEvidence], public: RootStore, system: RootStore, cas: list[InspectionCA]
) -> None:
    """What Python 3.13+ and rustls would say about chains the OpenSSL default accepts."""
    ca_roots = {
        c.certificate.subject.public_bytes(): c.certificate
        for c in cas
        if c.certificate is not None
    }
    for ev in evidence:
        if not ev.chain:
            continue
        store: RootStore | None = None
        if ev.trusted_public:
            store = public
        elif ev.trusted_os:
            store = system
        elif ev.ca_key is not None and ev.ca_key in ca_roots:
            store = RootStore("inspection-ca", None, (ca_roots[ev.ca_key],))
            if not verify_chain(ev.chain, store).trusted:
                store = None
        if store is None:
            continue
        hostname = _ascii(ev.host)
        ev.strict_findings = [
            f.message for f in strict_findings(ev.chain, store, hostname=hostname)
        ]


def hostname_error(leaf: x509.Certificate, host: str) -> str | None:
    """Why ``leaf`` is not valid for ``host`` (its SANs, as OpenSSL clients match them), or None;
    detect and show judge it the same way, whatever the trust."""
    if hostname_matches(leaf, _ascii(host)):
        return None
    return _("the certificate is not valid for {host}", host=host)


def _ascii(host: str) -> str:
    from tlsdoctor.core.probe import to_ascii_host

    try:
        return to_ascii_host(host)
    except Exception:
        return host


def _verdict(evidence: Sequence[HostEvidence]) -> Verdict:
    intercepted = sum(1 for e in evidence if e.status == "intercepted")
    clean = sum(1 for e in evidence if e.status == "clean")
    if intercepted and clean:
        return "partial"
    if intercepted:
        return "intercepted"
    if clean:
        return "clean"
    return "inconclusive"


# ----------------------------------------------------------------------------------- summary


def summary_lines(report: DetectReport) -> list[str]:
    lines: list[str] = []
    hosts = report.hosts
    if report.verdict in ("intercepted", "partial"):
        for ca in report.inspection_cas:
            lines.extend(_ca_lines(ca))
    if report.verdict == "partial":
        lines.extend(_passed_through_lines(hosts))
    if report.verdict == "clean":
        lines.append(_clean_line(report))
    lines.extend(_error_lines(report))
    strict = [h for h in hosts if h.strict_findings]
    if strict:
        lines.append(
            _(
                "stricter clients (Python 3.13+, rustls) reject the chains of: {hosts} (see the "
                "findings)",
                hosts=join_list(h.label for h in strict),
            )
        )
    return lines


def _passed_through_lines(hosts: list[HostEvidence]) -> list[str]:
    """Hosts the proxy does not re-sign: a bypass list, unless the host's own certificate fails
    anyway (a look-alike: wrong name...), which no CA file of the user's would change."""
    clean = [h for h in hosts if h.status == "clean"]
    bypassed = [h.label for h in clean if h.error is None]
    broken = [h.label for h in clean if h.error is not None]
    lines: list[str] = []
    if bypassed:
        lines.append(
            _(
                "not inspected: {hosts} (a bypass list). A CA file that replaces the default "
                "roots must hold the public roots too (a combined bundle), never the inspection "
                "CA alone",
                hosts=join_list(bypassed),
            )
        )
    if broken:
        lines.append(
            _(
                "not re-signed, but failing on a certificate problem of their own (see the "
                "details): {hosts}",
                hosts=join_list(broken),
            )
        )
    return lines


def _clean_line(report: DetectReport) -> str:
    """No re-signing seen; how many hosts that claim rests on when some failed."""
    clean = sum(h.status == "clean" for h in report.hosts)
    if clean == len(report.hosts):
        return _(
            "every reachable host presents a chain the public roots trust: no TLS inspection seen"
        )
    return _(
        "no TLS inspection seen on {n} of the {total} hosts (chains the public roots trust); "
        "{failed} could not be checked or have certificate problems of their own (below)",
        n=clean,
        total=len(report.hosts),
        failed=len(report.hosts) - clean,
    )


def _ca_lines(ca: InspectionCA) -> list[str]:
    lines: list[str] = []
    if len(ca.hosts) >= 2:
        lines.append(
            _(
                "one issuer, {name}, re-signs {n} unrelated hosts",
                name=ca.name,
                n=len(ca.hosts),
            )
        )
    else:
        lines.append(_("{name} re-signs {host}", name=ca.name, host=join_list(ca.hosts)))
    lines.append(_("product: {product}", product=product_text(ca.product)))
    if ca.in_os_store:
        lines.append(
            _(
                "your OS trusts it, so browsers work; tools with their own roots "
                "(Python certifi, Node, Java) will fail"
            )
        )
    else:
        lines.append(
            _(
                "your OS does not trust it either: browsers and tools will show certificate "
                "errors until the inspection CA is installed"
            )
        )
    if ca.sha256 is None and ca.fetch_url:
        lines.append(
            _(
                "the proxy does not send its root and the OS store does not hold it, but its "
                "certificate says where to fetch it: run 'tlsdoctor ca export' (it checks the "
                "signature), or ask IT for the CA certificate"
            )
        )
    elif ca.sha256 is None:
        lines.append(
            _(
                "the proxy does not send its root and the OS store does not hold it: "
                "ask IT for the CA certificate (or export it from a browser)"
            )
        )
    return lines


def _error_lines(report: DetectReport) -> list[str]:
    errors = [h for h in report.hosts if h.status == "error"]
    if not errors:
        return []
    lines: list[str] = []
    kinds = {h.error_kind for h in errors}
    reachable = [h for h in report.hosts if h.chain]
    if report.verdict == "inconclusive":
        if not reachable:
            lines.append(_("no host could be checked: no TLS handshake completed"))
        else:
            lines.append(
                _(
                    "no host could be classified: the chains are untrusted but no inspection "
                    "product or shared issuer was seen; probe more hosts to tell inspection "
                    "from broken servers"
                )
            )
    else:
        lines.extend(_failed_host_lines(errors))
    if "proxy_auth" in kinds:
        lines.append(
            _(
                "the proxy requires authentication (HTTP 407): put the credentials in the proxy "
                "URL, e.g. http://user:password@proxy:port; if they are there, check them "
                "(characters such as @ or : in them must be percent-encoded, @ as %40)"
            )
        )
    if "proxy" in kinds:
        lines.append(
            _(
                "the proxy cannot be reached or refuses tunnels: check HTTPS_PROXY / --proxy, "
                "or try --no-proxy"
            )
        )
    if "deadline" in kinds:
        lines.append(_deadline_line(errors))
    if "dns" in kinds and not reachable:
        lines.append(
            _(
                "host names do not resolve: no network or DNS here, or a proxy is needed "
                "(--proxy URL)"
            )
        )
    if not reachable:
        lines.extend(_connection_lines(errors))
    return lines


def _failed_host_lines(errors: list[HostEvidence]) -> list[str]:
    """Hosts that answered with an untrusted chain of their own, then hosts never checked."""
    own = [h.label for h in errors if h.chain]
    unchecked = [h.label for h in errors if not h.chain]
    lines: list[str] = []
    if own:
        lines.append(
            _(
                "chains the public roots do not trust, with no sign of re-signing: {hosts}",
                hosts=join_list(own),
            )
        )
    if unchecked:
        lines.append(_("could not be checked: {hosts}", hosts=join_list(unchecked)))
    return lines


def _deadline_line(errors: list[HostEvidence]) -> str:
    """Hosts the run's total deadline cut short: the run's limit, not the hosts or the proxy."""
    return _(
        "the total deadline (--deadline) ran out before these hosts answered: {hosts}; a larger "
        "--deadline gives them more time",
        hosts=join_list(h.label for h in errors if h.error_kind == "deadline"),
    )


def _connection_lines(errors: list[HostEvidence]) -> list[str]:
    """Failed connections: through a proxy it answered itself (502...); else maybe offline."""
    failed = [h for h in errors if h.error_kind in ("timeout", "refused")]
    lines: list[str] = []
    if any(not h.via_proxy for h in failed):
        lines.append(
            _(
                "connections fail or time out: the network may be offline or only reachable "
                "through a proxy (--proxy URL)"
            )
        )
    if any(h.via_proxy for h in failed):
        lines.append(
            _(
                "the proxy answered but could not reach these hosts (see the details): they "
                "may be down, or blocked by the proxy"
            )
        )
    return lines
