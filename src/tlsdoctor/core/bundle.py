"""The combined bundle: public roots (certifi's Mozilla set, or --roots) + inspection CA(s).

Most knobs (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, AWS_CA_BUNDLE, GIT_SSL_CAINFO...)
*replace* a tool's default roots, so they need the public roots too: hosts the proxy does not
inspect (bypassed domains, off-VPN) are still signed by public CAs. Additive knobs
(NODE_EXTRA_CA_CERTS, DENO_CERT) get ``inspection-ca.pem`` beside the bundle, with only the CAs.

Both files are canonical PEM re-encoded from DER (never a ``cat`` of raw files: CRLF, DER and
missing newlines corrupt bundles), deduplicated by SHA-256, in a stable order, written atomically.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tlsdoctor import paths
from tlsdoctor._version import __version__
from tlsdoctor.core.x509 import (
    Certificate,
    describe,
    load_certificate_file,
    parse_pem_tolerant,
    sha256_fingerprint,
    to_pem,
)
from tlsdoctor.errors import InputError
from tlsdoctor.i18n import _, os_reason

BUNDLE_NAME = "bundle.pem"
CA_NAME = "inspection-ca.pem"
WGETRC_NAME = "wgetrc"
MARKER = "# tlsdoctor-bundle: 1"
# A bundle for replace-style variables with fewer public roots than this is suspicious.
MIN_PUBLIC_ROOTS = 20
EXPIRY_WARNING_DAYS = 30


@dataclass(frozen=True)
class BundleResult:
    path: Path
    ca_path: Path
    count: int  # certificates in the bundle
    public_count: int  # of which public roots
    cas: list[Certificate]  # inspection CAs added (deduplicated, in order)
    roots_source: str
    roots_sha256: str
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)
    wgetrc_path: Path | None = None
    files: dict[Path, bytes] = field(default_factory=dict, repr=False)  # path -> its content

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ca_path": str(self.ca_path),
            "wgetrc_path": str(self.wgetrc_path) if self.wgetrc_path else None,
            "count": self.count,
            "public_count": self.public_count,
            "roots_source": self.roots_source,
            "duplicates": self.duplicates,
            "cas": [
                {
                    "subject": describe(c).subject,
                    "sha256": sha256_fingerprint(c),
                    "not_after": describe(c).not_after,
                }
                for c in self.cas
            ],
            "warnings": list(self.warnings),
        }


def default_bundle_path() -> Path:
    return paths.data_dir() / BUNDLE_NAME


def ca_path_for(bundle_path: Path) -> Path:
    return bundle_path.with_name(CA_NAME)


def wgetrc_path_for(bundle_path: Path) -> Path:
    return bundle_path.with_name(WGETRC_NAME)


def _certifi_path() -> str:
    import certifi

    return str(certifi.where())


def _certifi_version() -> str:
    try:
        import certifi

        return str(getattr(certifi, "__version__", ""))
    except ImportError:  # pragma: no cover - certifi is a dependency
        return ""


def load_public_roots(roots_path: str | Path | None = None) -> tuple[list[Certificate], str, str]:
    """(certificates, source path, sha256 of the file) of the public base."""
    source = str(Path(roots_path).absolute()) if roots_path is not None else _certifi_path()
    try:
        data = Path(source).read_bytes()
    except OSError as err:
        raise InputError(
            _(
                "cannot read the roots file {path}: {reason}",
                path=source,
                reason=os_reason(err),
            )
        ) from None
    certs = load_certificate_file(source) if roots_path is not None else parse_pem_tolerant(data)
    if not certs:
        raise InputError(_("no certificate found in the roots file {path}", path=source))
    return certs, source, hashlib.sha256(data).hexdigest()


def non_pem_form(data: bytes) -> tuple[str, list[bytes]] | None:
    """For a file with no PEM certificate that still holds certificates tlsdoctor reads:
    ("utf-16", DERs) for PEM saved as UTF-16 (Windows tools), ("binary", DERs) for DER, PKCS#7
    or PKCS#12. Tools given a file (NODE_EXTRA_CA_CERTS, cafile...) read neither. None when the
    file holds no certificate at all."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from tlsdoctor.core.utf16 import utf16_codec
    from tlsdoctor.core.x509 import load_certificates

    try:
        certs = load_certificates(data)
    except InputError:
        return None
    form = "utf-16" if utf16_codec(data) else "binary"
    return form, [cert.public_bytes(Encoding.DER) for cert in certs]


def dedupe(certs: Iterable[Certificate]) -> tuple[list[Certificate], int]:
    seen: set[str] = set()
    unique: list[Certificate] = []
    duplicates = 0
    for cert in certs:
        fp = sha256_fingerprint(cert)
        if fp in seen:
            duplicates += 1
            continue
        seen.add(fp)
        unique.append(cert)
    return unique, duplicates


def ca_warnings(cas: Sequence[Certificate]) -> list[str]:
    """Plain warnings about what was handed over as "the inspection CA"."""
    warnings: list[str] = []
    for cert in cas:
        info = describe(cert)
        if info.role == "leaf":
            warnings.append(
                _(
                    "{subject} is a server certificate, not a CA: trusting it will not help "
                    "with other hosts",
                    subject=info.subject,
                )
            )
        elif info.role == "intermediate":
            warnings.append(
                _(
                    "{subject} is an intermediate CA: add its root too (tlsdoctor ca export "
                    "finds it), or tools other than Python may still fail",
                    subject=info.subject,
                )
            )
        if info.expired:
            warnings.append(
                _("{subject} has expired ({date})", subject=info.subject, date=info.not_after)
            )
    return warnings


def _header(
    public: Sequence[Certificate],
    cas: Sequence[Certificate],
    source: str,
    roots_sha256: str,
    using_certifi: bool,
) -> str:
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    lines = [
        MARKER,
        "# Combined CA bundle written by tlsdoctor: public roots + inspection CA(s).",
        "# Rebuild it with `tlsdoctor bundle`; check it with `tlsdoctor bundle --check`.",
        "# Do not copy it into production images or customers' environments.",
        f"# generated: {now}",
        f"# tlsdoctor-version: {__version__}",
        f"# roots-source: {source}",
        f"# roots-kind: {'certifi' if using_certifi else 'file'}",
        f"# roots-sha256: {roots_sha256}",
        f"# public-roots: {len(public)}",
    ]
    if using_certifi:
        lines.append(f"# certifi-version: {_certifi_version()}")
    lines.append(f"# inspection-cas: {len(cas)}")
    for cert in cas:
        info = describe(cert)
        lines.append(f"# ca: {info.sha256} {info.not_after} {info.subject}")
    return "\n".join(lines) + "\n\n"


def render_bundle(
    public: Sequence[Certificate],
    cas: Sequence[Certificate],
    source: str,
    roots_sha256: str,
    using_certifi: bool,
) -> str:
    parts = [_header(public, cas, source, roots_sha256, using_certifi)]
    for cert in cas:
        parts.append(f"# Inspection CA: {describe(cert).subject}\n")
        parts.append(to_pem([cert]))
    if cas:
        parts.append("\n# Public roots\n")
    parts.append(to_pem(public))
    return "".join(parts)


def render_ca_file(cas: Sequence[Certificate], extra_roots: Sequence[Certificate] = ()) -> str:
    """The file for additive settings: the CA(s), plus --roots certificates that tools with a
    built-in Mozilla list would not know (a private "public" base, as in the lab)."""
    lines = [
        "# Inspection CA(s) only, written by tlsdoctor, for additive settings such as",
        "# NODE_EXTRA_CA_CERTS. Replace-style settings need bundle.pem (public roots + these).",
    ]
    fps = {sha256_fingerprint(c) for c in cas}
    extra = [c for c in extra_roots if sha256_fingerprint(c) not in fps]
    for cert in cas:
        lines.append(f"# {sha256_fingerprint(cert)} {describe(cert).subject}")
    for cert in extra:
        lines.append(f"# --roots, not in Mozilla's set: {describe(cert).subject}")
    return "\n".join(lines) + "\n" + to_pem([*cas, *extra])


def _outside_mozilla(
    public: Sequence[Certificate], roots_path: str | Path | None
) -> list[Certificate]:
    if roots_path is None:
        return []
    mozilla = {
        sha256_fingerprint(c) for c in parse_pem_tolerant(Path(_certifi_path()).read_bytes())
    }
    return [c for c in public if sha256_fingerprint(c) not in mozilla]


def render_wgetrc(bundle_path: Path, existing: str | None) -> str:
    """A wgetrc for WGETRC: the user's own settings first, then the bundle (GnuTLS wget
    ignores SSL_CERT_FILE, and wget has no CA environment variable of its own).

    Settings that turn verification off (``check_certificate = off``) are never copied."""
    out = ["# wgetrc written by tlsdoctor (WGETRC points here while `tlsdoctor env` is in effect)."]
    if existing:
        kept, _dropped = wgetrc_without_insecure(existing)
        out.append("# --- copied from ~/.wgetrc when the bundle was built ---")
        out.extend(
            line for line in kept.splitlines() if not line.strip().startswith("ca_certificate")
        )
        out.append("# --- end of copy ---")
    out.append(f"ca_certificate = {bundle_path}")
    return "\n".join(out) + "\n"


def wgetrc_without_insecure(text: str) -> tuple[str, list[str]]:
    """``text`` without the settings that turn wget's verification off, and those settings
    as the plan shows them (the ``[[insecure]]`` catalog that setup and doctor use)."""
    from tlsdoctor.core.tools import insecure

    kept, hits = insecure.remove("wgetrc", text)
    return kept, [str(hit.rule.entry.get("shown", hit.rule.id)) for hit in hits]


def _wgetrc_warnings(existing: str | None) -> list[str]:
    if not existing:
        return []
    _kept, dropped = wgetrc_without_insecure(existing)
    return [
        _(
            "~/.wgetrc sets {setting}, which turns verification off: it is not copied into "
            "tlsdoctor's wgetrc ('tlsdoctor setup wget' removes it from ~/.wgetrc too)",
            setting=setting,
        )
        for setting in dict.fromkeys(dropped)
    ]


def build_bundle(
    cas: Sequence[Certificate],
    *,
    roots_path: str | Path | None = None,
    out: str | Path | None = None,
) -> BundleResult:
    """Write the combined bundle and the CA-only file; return what was written."""
    from tlsdoctor.core.changes import atomic_write

    result = prepare_bundle(cas, roots_path=roots_path, out=out)
    for path in result.files:  # every file checked before the first is written
        problem = replace_problem(path, certificates=path != result.wgetrc_path)
        if problem is not None:
            raise InputError(problem)
    for path, data in result.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)
    return result


def replace_problem(path: Path, *, certificates: bool = True) -> str | None:
    """Why tlsdoctor must not replace ``path`` with a file it writes, or None.

    It replaces nothing but an empty file, a file it wrote itself, and (``certificates``) a
    certificate file (one holding a PEM certificate, or named ``*.pem``, ``*.crt``...): a
    mistyped ``--out ~/.bashrc`` or ``--out /usr/bin/ls``, or a system ``wgetrc`` beside
    ``--out /etc/bundle.pem``, is left alone.
    """
    from tlsdoctor.core.changes import read_bytes

    try:
        data = read_bytes(path)  # through a link; a FIFO or device is never opened for reading
    except OSError as err:
        return _(
            "{path} is not a regular file ({reason}): tlsdoctor does not replace it",
            path=str(path),
            reason=os_reason(err),
        )
    if data is None or not data.strip() or _OURS in data.split(b"\n", 1)[0]:
        return None
    if certificates:
        if _PEM_CERTIFICATE in data or path.suffix.lower() in _CERTIFICATE_SUFFIXES:
            return None
        return _(
            "{path} already exists and holds no certificate: tlsdoctor does not replace it; "
            "give another file name, or move it away first",
            path=str(path),
        )
    return _(
        "{path} already exists and was not written by tlsdoctor, which writes its wgetrc "
        "beside the bundle under that name: put the bundle in another folder, or move {path} "
        "away first",
        path=str(path),
    )


_OURS = b"written by tlsdoctor"  # in the first line of the CA-only file and the wgetrc
_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
_CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der", ".ca-bundle")


def prepare_bundle(
    cas: Sequence[Certificate],
    *,
    roots_path: str | Path | None = None,
    out: str | Path | None = None,
) -> BundleResult:
    """The bundle, the CA-only file and the wgetrc beside them, in ``files``; nothing written.

    ``fix`` hands ``files`` to the setup plan, so that they are written (journaled, undoable)
    only once the user has agreed.
    """
    if not cas:
        raise InputError(
            _("no inspection CA to add: give --ca FILE or run 'tlsdoctor ca export' first")
        )
    public_all, source, roots_sha = load_public_roots(roots_path)
    public, public_dupes = dedupe(public_all)
    public_fps = {sha256_fingerprint(c) for c in public}
    unique_cas, ca_dupes = dedupe(cas)
    extra = [c for c in unique_cas if sha256_fingerprint(c) not in public_fps]
    warnings = ca_warnings(unique_cas)
    already_public = len(unique_cas) - len(extra)
    if already_public:
        warnings.append(
            _("one of the given certificates is a public root already in the base set")
            if already_public == 1
            else _(
                "{count} of the given certificates are public roots already in the base set",
                count=already_public,
            )
        )
    bundle_path = Path(out) if out is not None else default_bundle_path()
    ca_path = ca_path_for(bundle_path)
    wgetrc = wgetrc_path_for(bundle_path)
    _refuse_a_shared_name(bundle_path, (ca_path, wgetrc))
    user_wgetrc = _user_wgetrc()
    texts = {
        bundle_path: render_bundle(public, extra, source, roots_sha, roots_path is None),
        ca_path: render_ca_file(unique_cas, _outside_mozilla(public, roots_path)),
        wgetrc: render_wgetrc(bundle_path, user_wgetrc),
    }
    warnings.extend(_wgetrc_warnings(user_wgetrc))
    return BundleResult(
        path=bundle_path,
        ca_path=ca_path,
        count=len(public) + len(extra),
        public_count=len(public),
        cas=unique_cas,
        roots_source=source,
        roots_sha256=roots_sha,
        duplicates=public_dupes + ca_dupes,
        warnings=warnings,
        wgetrc_path=wgetrc,
        files={path: text.encode("utf-8") for path, text in texts.items()},
    )


def _refuse_a_shared_name(bundle_path: Path, beside: tuple[Path, ...]) -> None:
    """A bundle named like a file written beside it (or a link to one) would be overwritten
    by that file: a "bundle" holding the CA alone breaks every public host."""
    real = os.path.realpath(bundle_path)
    for other in beside:
        if os.path.realpath(other) == real:
            raise InputError(
                _(
                    "the bundle cannot be {path}: tlsdoctor writes {name} beside the bundle "
                    "under that name; give the bundle another name (such as bundle.pem)",
                    path=str(bundle_path),
                    name=other.name,
                )
            )


def _user_wgetrc() -> str | None:
    from tlsdoctor.core.changes import read_text

    return read_text(paths.home() / ".wgetrc")  # a FIFO is never opened for a blocking read


# --------------------------------------------------------------------------- --check


@dataclass(frozen=True)
class BundleFinding:
    id: str  # missing | unreadable | not-tlsdoctor | certifi-updated | bundle-edited |
    #          roots-changed | ca-expired | ca-expiring | ca-rotated | missing-public-roots |
    #          ca-missing
    severity: str  # "error" | "warning"
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "message": self.message}


_HEADER_FIELD = re.compile(r"^# ([a-z0-9-]+): (.*)$")


def read_header(text: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("-----BEGIN"):
            break
        match = _HEADER_FIELD.match(line)
        if match:
            fields.setdefault(match.group(1), []).append(match.group(2).strip())
    return fields


def check_bundle(
    path: str | Path | None = None,
    *,
    current_cas: Sequence[Certificate] | None = None,
    now: _dt.datetime | None = None,
) -> list[BundleFinding]:
    """Why an existing bundle may be stale; an empty list means it is current."""
    bundle_path = Path(path) if path is not None else default_bundle_path()
    moment = now or _dt.datetime.now(_dt.timezone.utc)
    try:
        text = bundle_path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [
            BundleFinding(
                "missing",
                "error",
                _("no bundle at {path}: run 'tlsdoctor bundle'", path=str(bundle_path)),
            )
        ]
    except OSError as err:
        return [
            BundleFinding(
                "unreadable",
                "error",
                _(
                    "cannot read {path}: {reason}",
                    path=str(bundle_path),
                    reason=os_reason(err),
                ),
            )
        ]
    certs = parse_pem_tolerant(text)
    header = read_header(text)
    findings: list[BundleFinding] = []
    if MARKER.split(": ")[0][2:] not in header:
        findings.append(
            BundleFinding(
                "not-tlsdoctor",
                "warning",
                _("this bundle was not written by tlsdoctor; only its contents are checked"),
            )
        )
    findings.extend(_check_roots(header, certs))
    findings.extend(_check_cas(header, certs, current_cas, moment))
    return findings


def _check_roots(header: dict[str, list[str]], certs: Sequence[Certificate]) -> list[BundleFinding]:
    findings: list[BundleFinding] = []
    kind = (header.get("roots-kind") or [""])[0]
    source = (header.get("roots-source") or [""])[0]
    if kind == "certifi" or not header:
        findings.extend(_check_certifi(header, certs))
    elif kind == "file" and source:
        try:
            data = Path(source).read_bytes()
        except OSError:
            data = None
        recorded = (header.get("roots-sha256") or [""])[0]
        if data is not None and hashlib.sha256(data).hexdigest() != recorded:
            findings.append(
                BundleFinding(
                    "roots-changed",
                    "warning",
                    _("the roots file {path} changed since the bundle was built", path=source),
                )
            )
    public_count = int((header.get("public-roots") or ["0"])[0] or 0) if header else len(certs)
    if public_count < MIN_PUBLIC_ROOTS and kind != "file":
        findings.append(
            BundleFinding(
                "missing-public-roots",
                "error",
                _(
                    "the bundle holds only {count} public roots: replace-style settings "
                    "(SSL_CERT_FILE, REQUESTS_CA_BUNDLE...) will break every host the proxy "
                    "does not inspect",
                    count=public_count,
                ),
            )
        )
    return findings


def _check_certifi(
    header: dict[str, list[str]], certs: Sequence[Certificate]
) -> list[BundleFinding]:
    """Compare a certifi-based bundle with the installed certifi: roots added and removed
    (distrusted) since, the recorded certifi version and the recorded file hash."""
    data = Path(_certifi_path()).read_bytes()
    base = {sha256_fingerprint(c) for c in parse_pem_tolerant(data)}
    in_bundle = {sha256_fingerprint(c) for c in certs}
    missing = len(base - in_bundle)
    if not header:  # not ours: which certificates are the CAs is unknown, only count missing
        if not missing:
            return []
        message = _(
            "certifi's Mozilla roots changed since the bundle was built "
            "({count} roots missing): run 'tlsdoctor bundle' again",
            count=missing,
        )
        return [BundleFinding("certifi-updated", "error", message)]
    cas = {entry.split(" ", 1)[0] for entry in header.get("ca", [])}
    removed = len(in_bundle - cas - base)
    recorded_version = (header.get("certifi-version") or [""])[0]
    version = _certifi_version()
    recorded_sha = (header.get("roots-sha256") or [""])[0]
    data_sha = hashlib.sha256(data).hexdigest()
    certifi_unchanged = recorded_version == version and recorded_sha == data_sha != ""
    findings: list[BundleFinding] = []
    if (missing or removed) and certifi_unchanged:
        message = _(
            "the bundle file was changed since it was built, not certifi ({count} of certifi's "
            "roots missing, {removed} other roots added): run 'tlsdoctor bundle' again",
            count=missing,
            removed=removed,
        )
        return [BundleFinding("bundle-edited", "warning", message)]
    if missing or removed or (recorded_version and recorded_version != version):
        findings.append(
            BundleFinding(
                "certifi-updated",
                "warning",
                _(
                    "certifi's Mozilla roots changed since the bundle was built (certifi "
                    "{old} -> {new}; {count} roots missing, {removed} roots no longer in "
                    "Mozilla's set): run 'tlsdoctor bundle' again",
                    old=recorded_version or "?",
                    new=version or "?",
                    count=missing,
                    removed=removed,
                ),
            )
        )
    if not findings and recorded_sha and recorded_sha != data_sha:
        findings.append(
            BundleFinding(
                "roots-changed",
                "warning",
                _(
                    "the roots file {path} changed since the bundle was built",
                    path=_certifi_path(),
                ),
            )
        )
    return findings


def _check_cas(
    header: dict[str, list[str]],
    certs: Sequence[Certificate],
    current_cas: Sequence[Certificate] | None,
    moment: _dt.datetime,
) -> list[BundleFinding]:
    findings: list[BundleFinding] = []
    recorded = {entry.split(" ", 1)[0] for entry in header.get("ca", [])}
    by_fp = {sha256_fingerprint(c): c for c in certs}
    cas = [by_fp[fp] for fp in recorded if fp in by_fp]
    if header and not recorded:
        findings.append(
            BundleFinding("ca-missing", "error", _("the bundle holds no inspection CA"))
        )
    for cert in cas:
        info = describe(cert, now=moment)
        days_left = (cert.not_valid_after_utc - moment).days
        if info.expired:
            findings.append(
                BundleFinding(
                    "ca-expired",
                    "error",
                    _(
                        "the inspection CA {subject} expired on {date}",
                        subject=info.subject,
                        date=info.not_after,
                    ),
                )
            )
        elif days_left < EXPIRY_WARNING_DAYS:
            findings.append(
                BundleFinding(
                    "ca-expiring",
                    "warning",
                    _(
                        "the inspection CA {subject} expires in {days} days",
                        subject=info.subject,
                        days=days_left,
                    ),
                )
            )
    if current_cas is not None:
        for cert in current_cas:
            if sha256_fingerprint(cert) not in by_fp:
                findings.append(
                    BundleFinding(
                        "ca-rotated",
                        "error",
                        _(
                            "the inspection CA in use now ({subject}) is not in the bundle: "
                            "the CA was rotated, run 'tlsdoctor bundle' again",
                            subject=describe(cert).subject,
                        ),
                    )
                )
    return findings
