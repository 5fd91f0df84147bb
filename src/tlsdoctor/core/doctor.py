"""``doctor``: audit the TLS trust settings already in place, each finding with its fix.

It reads the CA environment variables, the tools' user config files (the same locations setup
writes) and looks for three kinds of trouble: paths that point nowhere, bundles that would break
public or inspected sites (no public roots, no inspection CA, expired CAs) and settings that turn
verification off. It never changes anything.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from tlsdoctor import paths
from tlsdoctor.core.changes import NotRegularFile, english_text, message, read_bytes
from tlsdoctor.core.tools import _edit, cloud, curl, git, insecure, node, php, python, rust
from tlsdoctor.core.tools._base import Context, _pem_ders
from tlsdoctor.core.verify_switches import FALSE_WORDS, switches_off
from tlsdoctor.i18n import N_, _, os_reason

ERROR = "error"  # verification is off, or a setting that breaks every connection
WARNING = "warning"  # works for some hosts only, or will break soon
INFO = "info"

# Used until tlsdoctor.core.envvars is available: (name, semantics, wants).
FALLBACK_VARS: tuple[tuple[str, str, str], ...] = (
    ("SSL_CERT_FILE", "replace", "bundle"),
    ("SSL_CERT_DIR", "replace", "dir"),
    ("REQUESTS_CA_BUNDLE", "replace", "bundle"),
    ("CURL_CA_BUNDLE", "replace", "bundle"),
    ("NODE_EXTRA_CA_CERTS", "add", "ca"),
    ("AWS_CA_BUNDLE", "replace", "bundle"),
    ("GIT_SSL_CAINFO", "replace", "bundle"),
    ("PIP_CERT", "replace", "bundle"),
    ("CARGO_HTTP_CAINFO", "replace", "bundle"),
    ("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", "replace", "bundle"),
    ("HTTPLIB2_CA_CERTS", "replace", "bundle"),
    ("CLOUDSDK_CORE_CUSTOM_CA_CERTS_FILE", "replace", "bundle"),
    ("DENO_CERT", "add", "ca"),
)
# Variables that take a switch or a bundle path (conda's ssl_verify).
BOOLEAN_OR_PATH = frozenset({"CONDA_SSL_VERIFY"})
BOOLEAN_WORDS = FALSE_WORDS | {"true", "yes", "on", "1", "truststore"}
# Set but empty, these were an old trick to skip verification (requests before 2.28).
EMPTY_MEANS_NO_VERIFY = ("CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE")


@dataclass(frozen=True)
class _InsecureVariable:
    """An environment variable that turns certificate verification off (which values do:
    core/verify_switches.py, shared with lint)."""

    name: str
    id: str
    message: str  # may use {name} and {hosts} (the value)
    fix: str


INSECURE_VARIABLES: tuple[_InsecureVariable, ...] = (
    _InsecureVariable(
        "NODE_TLS_REJECT_UNAUTHORIZED",
        "node-tls-reject-unauthorized",
        N_(
            "NODE_TLS_REJECT_UNAUTHORIZED=0 turns certificate verification off for "
            "every Node program"
        ),
        N_("unset it and set NODE_EXTRA_CA_CERTS to the inspection CA ('tlsdoctor setup node')"),
    ),
    _InsecureVariable(
        "PYTHONHTTPSVERIFY",
        "pythonhttpsverify",
        N_("PYTHONHTTPSVERIFY=0 turns certificate verification off for Python's urllib"),
        N_("unset it and point SSL_CERT_FILE at the full bundle ('tlsdoctor setup shell')"),
    ),
    _InsecureVariable(
        "GIT_SSL_NO_VERIFY",
        "git-ssl-no-verify",
        N_("GIT_SSL_NO_VERIFY turns certificate verification off for git"),
        N_("unset it and set http.sslCAInfo to the full bundle ('tlsdoctor setup git')"),
    ),
    _InsecureVariable(
        "PIP_TRUSTED_HOST",
        "pip-trusted-host",
        N_("PIP_TRUSTED_HOST makes pip skip certificate checks for {hosts}"),
        N_("unset it and let pip trust the inspection CA ('tlsdoctor setup pip')"),
    ),
    _InsecureVariable(
        "CONDA_SSL_VERIFY",
        "conda-ssl-verify",
        N_("{name}={hosts} turns certificate verification off for conda"),
        N_("set it to the full bundle, or unset it and run 'tlsdoctor setup conda'"),
    ),
    _InsecureVariable(
        "npm_config_strict_ssl",
        "npm-strict-ssl",
        N_("{name}={hosts} turns certificate verification off for npm"),
        N_("unset it and set cafile to the full bundle ('tlsdoctor setup npm')"),
    ),
    _InsecureVariable(
        "NPM_CONFIG_STRICT_SSL",
        "npm-strict-ssl",
        N_("{name}={hosts} turns certificate verification off for npm"),
        N_("unset it and set cafile to the full bundle ('tlsdoctor setup npm')"),
    ),
    _InsecureVariable(
        "VAULT_SKIP_VERIFY",
        "vault-skip-verify",
        N_("{name}={hosts} turns certificate verification off for Vault"),
        N_("unset it and set VAULT_CACERT to the full bundle"),
    ),
    _InsecureVariable(
        "NOMAD_SKIP_VERIFY",
        "nomad-skip-verify",
        N_("{name}={hosts} turns certificate verification off for Nomad"),
        N_("unset it and set NOMAD_CACERT to the full bundle"),
    ),
    _InsecureVariable(
        "CONSUL_HTTP_SSL_VERIFY",
        "consul-http-ssl-verify",
        N_("{name}={hosts} turns certificate verification off for Consul"),
        N_("unset it and set CONSUL_CACERT to the full bundle"),
    ),
    _InsecureVariable(
        "GOVC_INSECURE",
        "govc-insecure",
        N_("{name}={hosts} turns certificate verification off for govc"),
        N_("unset it and set GOVC_TLS_CA_CERTS to the full bundle"),
    ),
    _InsecureVariable(
        "PERL_LWP_SSL_VERIFY_HOSTNAME",
        "perl-lwp-ssl-verify-hostname",
        N_("{name}={hosts} turns certificate verification off for Perl's LWP"),
        N_("unset it and set PERL_LWP_SSL_CA_FILE to the full bundle"),
    ),
    _InsecureVariable(
        "UV_INSECURE_HOST",
        "uv-insecure-host",
        N_("{name} makes uv skip certificate checks for {hosts}"),
        N_("unset it and point SSL_CERT_FILE at the full bundle"),
    ),
)


@dataclass(frozen=True)
class DoctorFinding:
    id: str
    severity: str
    subject: str  # the variable or file the finding is about
    message: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "subject": english_text(self.subject),  # scripts match it: never translated
            "message": self.message,
            "fix": self.fix,
        }


def env_var_specs() -> list[tuple[str, str, str]]:
    """(name, semantics, wants) for each CA variable, from the shared catalog when present."""
    try:
        import importlib

        envvars = importlib.import_module("tlsdoctor.core.envvars")
        specs = [
            (str(v.name), str(v.semantics), str(v.wants))
            for v in envvars.ENV_VARS
            if str(getattr(v, "wants", "")) in ("bundle", "ca", "dir")
        ]
    except (ImportError, AttributeError):
        specs = []
    names = {s[0] for s in specs}
    return specs + [s for s in FALLBACK_VARS if s[0] not in names]


# ------------------------------------------------------------------ certificate files


@dataclass
class _FileFacts:
    ders: list[bytes]
    expired: list[str]  # subjects of expired CA certificates
    ours: bool = False  # a bundle 'tlsdoctor bundle' wrote (rebuilt there, not pointed at)


def _file_facts(path: Path) -> _FileFacts | None:
    try:
        data = read_bytes(path)  # a FIFO is never opened for a blocking read
    except OSError:
        return None
    if data is None:
        return None
    ders = _pem_ders(data)
    # Public roots (certifi's, and those Mozilla shipped in recent years, which OS bundles keep
    # until they expire) are not the user's to renew: parse only the others, which is where an
    # expired inspection CA hides, even inside a full bundle.
    public = _public_roots()
    others = [der for der in ders if der not in public]
    if others:
        import hashlib

        from tlsdoctor.core.caexport import former_public_fingerprints

        former = former_public_fingerprints()
        others = [der for der in others if hashlib.sha256(der).hexdigest() not in former]
    expired = _expired_subjects(others)
    from tlsdoctor.core.bundle import MARKER

    return _FileFacts(ders, expired, data.startswith(MARKER.encode()))


def _expired_subjects(ders: list[bytes]) -> list[str]:
    from cryptography import x509

    from tlsdoctor.core.x509 import name_text

    now = _dt.datetime.now(_dt.timezone.utc)
    expired: list[str] = []
    for der in ders:
        try:
            cert = x509.load_der_x509_certificate(der)
            if cert.not_valid_after_utc < now:
                expired.append(name_text(cert.subject))
        except (ValueError, x509.InvalidVersion):
            continue
    return expired


_PUBLIC: set[bytes] | None = None


def _public_roots() -> set[bytes]:
    global _PUBLIC
    if _PUBLIC is None:
        import certifi

        _PUBLIC = set(_pem_ders(Path(certifi.where()).read_bytes()))
    return _PUBLIC


class _Problem(NamedTuple):
    """A finding about a certificate file, before it is tied to the setting naming it."""

    id: str
    severity: str
    message: str
    fix: str


def _setting_in(path: object, setting: str) -> str:
    """A finding's subject: a setting in a file ("~/.npmrc cafile"), as one phrase that the
    language can order."""
    return message(N_("{path} {setting}"), path=str(path), setting=setting)


def _folder_problems(subject: str, value: str, path: Path) -> Iterator[_Problem]:
    if not path.is_dir():
        yield _Problem(
            "dangling-path",
            ERROR,
            _("{subject} points at {path}, which does not exist", subject=subject, path=value),
            _("point it at an existing folder or remove the setting"),
        )


def _unreadable(subject: str, value: str) -> _Problem:
    return _Problem(
        "dangling-path",
        ERROR,
        _(
            "{subject} points at {path}, which does not exist or cannot be read",
            subject=subject,
            path=value,
        ),
        _(
            "build the bundle with 'tlsdoctor bundle' and run 'tlsdoctor setup', "
            "or remove the setting"
        ),
    )


def _public_roots_problems(
    subject: str, value: str, semantics: str, facts: _FileFacts
) -> Iterator[_Problem]:
    if semantics != "replace" or set(facts.ders) & _public_roots():
        return
    yield _Problem(
        "no-public-roots",
        ERROR,
        _(
            "{subject} replaces the default roots with {path}, which holds no public "
            "root: sites the proxy does not inspect will fail",
            subject=subject,
            path=value,
        ),
        _("use the full bundle (public roots + inspection CA) from 'tlsdoctor bundle'"),
    )


def _ca_only_for_add_problems(
    subject: str, semantics: str, facts: _FileFacts
) -> Iterator[_Problem]:
    if semantics != "add" or len(facts.ders) <= 20:
        return
    yield _Problem(
        "full-bundle-in-add",
        INFO,
        _(
            "{subject} adds to the default roots but points at a full bundle "
            "({count} certificates): duplicates only cause warnings",
            subject=subject,
            count=len(facts.ders),
        ),
        _("point it at the CA-only file (inspection-ca.pem)"),
    )


def _expired_problems(subject: str, value: str, facts: _FileFacts) -> Iterator[_Problem]:
    for name in facts.expired:
        yield _Problem(
            "expired-ca",
            WARNING,
            _(
                "{path} ({subject}) holds an expired certificate: {name}",
                path=value,
                subject=subject,
                name=name,
            ),
            _("export the current CA again ('tlsdoctor ca export') and rebuild the bundle"),
        )


class _Auditor:
    def __init__(
        self,
        environ: Mapping[str, str],
        ca: Path | None,
        platform: str,
        pip_global: Sequence[Path] | None = None,
    ) -> None:
        self.env = environ
        self.platform = platform
        self.pip_global = list(pip_global if pip_global is not None else pip_global_files(environ))
        self.findings: list[DoctorFinding] = []
        self.ca = ca if ca is not None and ca.is_file() else None
        self.ca_certs, self.ca_form = _ca_file(self.ca) if self.ca else ([], None)
        self.ca_ders = set(self.ca_certs)
        self.ctx = Context(environ=environ, bundle=Path(), ca=Path(), platform=platform)

    def add(self, id_: str, severity: str, subject: str, message: str, fix: str) -> None:
        self.findings.append(DoctorFinding(id_, severity, subject, message, fix))

    # -- a path that should hold certificates
    def check_path(
        self, subject: str, value: str, semantics: str, wants: str, fix: str | None = None
    ) -> None:
        """Judge the certificate file (or folder) ``value`` that ``subject`` names. ``fix``:
        the fix for every finding instead of each check's own (a setting setup cannot change)."""
        for problem in self._path_problems(value, semantics, wants, subject):
            self.add(problem.id, problem.severity, subject, problem.message, fix or problem.fix)

    def _path_problems(
        self, value: str, semantics: str, wants: str, subject: str
    ) -> Iterator[_Problem]:
        if not value:
            return
        path = Path(os.path.expanduser(value))
        if wants == "dir":
            yield from _folder_problems(subject, value, path)
            return
        facts = _file_facts(path)
        if facts is None:
            yield _unreadable(subject, value)
            return
        if not facts.ders:
            yield _Problem(
                "no-certificates",
                ERROR,
                _("{path} ({subject}) holds no PEM certificate", path=value, subject=subject),
                _("point it at a PEM bundle built by 'tlsdoctor bundle'"),
            )
            return
        yield from _public_roots_problems(subject, value, semantics, facts)
        yield from self._inspection_ca_problems(subject, value, facts)
        yield from _ca_only_for_add_problems(subject, semantics, facts)
        yield from _expired_problems(subject, value, facts)

    def _inspection_ca_problems(
        self, subject: str, value: str, facts: _FileFacts
    ) -> Iterator[_Problem]:
        if not self.ca_ders or set(facts.ders) & self.ca_ders:
            return
        yield _Problem(
            "no-inspection-ca",
            WARNING,
            _("{path} ({subject}) does not contain the inspection CA", path=value, subject=subject),
            _("rebuild it with 'tlsdoctor bundle' and run 'tlsdoctor setup' again")
            if facts.ours
            else _(
                "point {subject} at the full bundle from 'tlsdoctor bundle' ('tlsdoctor setup' "
                "does that for the tools it knows)",
                subject=subject,
            ),
        )

    # -- environment
    def audit_env(self) -> None:
        self._audit_ca_variables()
        self._audit_insecure_variables()

    def _audit_ca_variables(self) -> None:
        for name, semantics, wants in env_var_specs():
            value = self.env.get(name)
            if value is None:
                continue
            if value == "" and name in EMPTY_MEANS_NO_VERIFY:
                self.add(
                    "empty-ca-variable",
                    WARNING,
                    name,
                    _(
                        "{name} is set but empty (an old trick to skip verification; "
                        "requests >= 2.28 ignores it)",
                        name=name,
                    ),
                    _("remove it, or point it at the full bundle"),
                )
                continue
            if name in BOOLEAN_OR_PATH and value.strip().lower() in BOOLEAN_WORDS:
                continue  # a switch, not a path (false is reported as verification off)
            self.check_path(name, value, semantics, wants)

    def _audit_insecure_variables(self) -> None:
        for variable in INSECURE_VARIABLES:
            value = self.env.get(variable.name)
            if value is not None and switches_off(variable.name, value):
                self.add(
                    variable.id,
                    ERROR,
                    variable.name,
                    _(variable.message, name=variable.name, hosts=value),
                    _(variable.fix),
                )

    # -- config files
    def _audit_insecure(self, kind: str, path: Path, text: str, fix: str | None = None) -> None:
        """The settings of the ``[[insecure]]`` catalog (shared with setup) found in ``path``."""
        for hit in insecure.find(kind, text):
            self.add(hit.rule.id, ERROR, str(path), hit.message(str(path)), fix or hit.fix())

    def _read(self, path: Path) -> str | None:
        try:
            data = read_bytes(path)
        except NotRegularFile as err:
            if str(path) != os.devnull and not path.is_dir():  # /dev/null: "no config", on purpose
                self.add(
                    "not-a-regular-file",
                    INFO,
                    str(path),
                    _(
                        "{path} is not a regular file ({reason}): not read",
                        path=str(path),
                        reason=os_reason(err),
                    ),
                    _("point the setting at a regular file, or remove it"),
                )
            return None
        except OSError:
            return None
        return None if data is None else data.decode("utf-8", errors="replace")

    def audit_pip(self) -> None:
        """Every pip config file is searched for insecure settings, but only the ``cert`` pip
        uses is judged: a later file (or PIP_CERT) overrides the ones before it."""
        edited = python.pip_config_path(self.ctx)
        certs: list[tuple[Path, str]] = []
        for path in self._pip_files():
            text = self._read(path)
            if text is None:
                continue
            self._audit_by_hand_if_not_edited("pipconf", "pip", path, text, edited)
            cert = _edit.get_ini(text, "global", "cert")
            if cert:
                certs.append((path, cert))
        if certs and self.env.get("PIP_CERT") is None:
            path, cert = certs[-1]
            self.check_path(_setting_in(path, "[global] cert"), cert, "replace", "bundle")

    def _pip_files(self) -> list[Path]:
        """pip's config files, lowest precedence first: global, user (legacy, then current),
        site (the active virtualenv), PIP_CONFIG_FILE."""
        env_file = self.env.get("PIP_CONFIG_FILE")
        files: list[Path] = []
        if env_file != os.devnull and self.platform != "win32":
            files += self.pip_global
        if not (env_file and env_file != os.devnull and Path(env_file).exists()):
            files += [self.ctx.home / ".pip" / "pip.conf", python.pip_user_config_path(self.ctx)]
        if self.env.get("VIRTUAL_ENV") and env_file != os.devnull:
            files.append(Path(self.env["VIRTUAL_ENV"]) / "pip.conf")
        if env_file and env_file != os.devnull:
            files.append(Path(env_file))
        return files

    def _audit_by_hand_if_not_edited(
        self, kind: str, tool: str, path: Path, text: str, edited: Path, shown: str | None = None
    ) -> None:
        """The insecure settings in ``path`` (named ``shown`` in the message); in a file setup
        does not edit, the fix is to remove them by hand (running setup would not clear them)."""
        for hit in insecure.find(kind, text):
            fix = hit.fix()
            if path != edited:
                fix = _(
                    "remove {setting} from {path} by hand ('tlsdoctor setup {tool}' edits only "
                    "{edited})",
                    setting=hit.shown(),
                    path=str(path),
                    tool=tool,
                    edited=str(edited),
                )
            self.add(hit.rule.id, ERROR, str(path), hit.message(shown or str(path)), fix)

    def audit_npm(self) -> None:
        path = node.npmrc_path(self.ctx)
        text = self._read(path)
        if text is None:
            return
        self._audit_insecure("npmrc", path, text)
        cafile = _edit.get_line_value(
            text, section=None, key_pattern=_edit.ini_key("cafile"), parse_value=_edit.quoted
        )
        if cafile:
            self.check_path(_setting_in(path, "cafile"), cafile, "replace", "bundle")

    def audit_yarn(self) -> None:
        for name, kind in ((".yarnrc.yml", "yarnrc_yml"), (".yarnrc", "yarnrc")):
            path = self.ctx.home / name
            text = self._read(path)
            if text is not None:
                self._audit_insecure(kind, path, text)

    def audit_git(self) -> None:
        """git's global files (XDG first, ~/.gitconfig overrides it, GIT_CONFIG_GLOBAL replaces
        both), every file they include and GIT_CONFIG_COUNT's pairs: each searched for insecure
        settings, and the http.sslCAInfo git uses judged (see :meth:`_audit_git_cainfo`)."""
        edited = git.global_config_path(self.ctx)
        config = git.read_config(self.ctx, git.global_files(self.ctx), self._read)
        searched: set[Path] = set()
        for file in config.files:
            if file.path not in searched:
                searched.add(file.path)
                self._audit_by_hand_if_not_edited(
                    "gitconfig", "git", file.path, file.text, edited, shown=file.label()
                )
        if config.too_deep is not None:
            self._git_too_deep(config.too_deep)
        self._audit_git_environment()
        self._audit_git_cainfo(config, edited)

    def _audit_git_environment(self) -> None:
        """GIT_CONFIG_COUNT's pairs turning verification off (git reads them after every file)."""
        for n, key, value in git.environment_entries(self.env):
            name = key.lower()
            if not (name.startswith("http.") and name.endswith(".sslverify")):
                continue
            if value.strip().lower() in {*FALSE_WORDS, ""}:
                pair = f"GIT_CONFIG_KEY_{n}={key} GIT_CONFIG_VALUE_{n}={value}"
                self.add(
                    "git-ssl-verify",
                    ERROR,
                    f"GIT_CONFIG_KEY_{n}",
                    _("{pair} turns certificate verification off for git", pair=pair),
                    _(
                        "unset GIT_CONFIG_COUNT and its GIT_CONFIG_KEY_/GIT_CONFIG_VALUE_ pairs "
                        "(or drop this pair), and set http.sslCAInfo to the full bundle "
                        "('tlsdoctor setup git')"
                    ),
                )

    def _audit_git_cainfo(self, config: git.GitConfig, edited: Path) -> None:
        """Judge the http.sslCAInfo git uses, named where it comes from. GIT_SSL_CAINFO (judged
        with the CA variables) beats all config; a GIT_CONFIG_COUNT pair beats every file; among
        the files the last one read wins, and an includeIf file read after it wins in the
        repositories its condition matches. A per-URL pair is judged on its own."""
        pairs = git.environment_entries(self.env)
        for n, key, value in pairs:
            if key.lower() != "http.sslcainfo" and key.lower().endswith(".sslcainfo") and value:
                self.check_path(
                    f"GIT_CONFIG_VALUE_{n} ({key})", value, "replace", "bundle", _git_pair_fix(n)
                )
        if "GIT_SSL_CAINFO" in self.env:
            if not self.env["GIT_SSL_CAINFO"]:
                self.add(
                    "empty-ca-variable",
                    ERROR,
                    "GIT_SSL_CAINFO",
                    _(
                        "GIT_SSL_CAINFO is set but empty: git then fails every HTTPS "
                        "connection ('Problem with the SSL CA cert')"
                    ),
                    _("unset it, or point it at the full bundle"),
                )
            return
        plain = [(n, value) for n, key, value in pairs if key.lower() == "http.sslcainfo"]
        if plain:
            n, value = plain[-1]
            subject = f"GIT_CONFIG_VALUE_{n} (http.sslCAInfo)"
            self.check_path(subject, value, "replace", "bundle", _git_pair_fix(n))
            return
        for entry in config.used("http", "sslcainfo"):
            if entry.value:
                self._check_git_cainfo(entry, edited)

    def _check_git_cainfo(self, entry: git.Entry, edited: Path) -> None:
        """Judge one http.sslCAInfo; in a file setup does not edit, the fix is by hand."""
        setting = "http.sslCAInfo"
        if entry.file.condition is not None:
            setting += f' [includeIf "{entry.file.condition}"]'
        subject = _setting_in(entry.file.path, setting)
        fix = None
        if entry.file.path != edited:
            fix = _(
                "point http.sslCAInfo in {path} at the full bundle by hand, or remove it "
                "('tlsdoctor setup git' edits only {edited})",
                path=str(entry.file.path),
                edited=str(edited),
            )
        self.check_path(subject, entry.value or "", "replace", "bundle", fix)

    def _git_too_deep(self, file: git.ConfigFile) -> None:
        self.add(
            "git-include-depth",
            WARNING,
            str(file.path),
            _(
                "{path} nests includes deeper than {depth} (a file that includes itself?): "
                "git stops with 'exceeded maximum include depth' and the files beyond were "
                "not read",
                path=file.label(),
                depth=git.MAX_INCLUDE_DEPTH,
            ),
            _("remove the circular [include] path"),
        )

    def audit_conda(self) -> None:
        for path in python.condarc_search_paths(self.ctx):
            self._audit_condarc(path)

    def _audit_condarc(self, path: Path) -> None:
        text = self._read(path)
        if text is None:
            return
        self._audit_insecure("condarc", path, text)
        value = _edit.get_yaml_top(text, "ssl_verify")
        if value is None:
            return
        if value.lower() not in (*FALSE_WORDS, "true", "yes", "truststore"):
            self.check_path(_setting_in(path, "ssl_verify"), value, "replace", "bundle")

    def audit_curl_wget(self) -> None:
        path = curl.curlrc_path(self.ctx)
        text = self._read(path)
        if text is not None:
            self._audit_insecure("curlrc", path, text)
            cacert = _edit.get_line_value(
                text, section=None, key_pattern=curl.CURLRC_KEY, parse_value=_edit.quoted
            )
            if cacert:
                self.check_path(_setting_in(path, "cacert"), cacert, "replace", "bundle")
        path = curl.wgetrc_path(self.ctx)
        text = self._read(path)
        if text is not None:
            self._audit_insecure("wgetrc", path, text)
            ca = _edit.get_line_value(
                text, section=None, key_pattern=curl.WGETRC_KEY, parse_value=_edit.plain
            )
            if ca:
                self.check_path(_setting_in(path, "ca_certificate"), ca, "replace", "bundle")
        self._audit_own_wgetrc(path)

    def _audit_own_wgetrc(self, user_wgetrc: Path) -> None:
        """tlsdoctor's own wgetrc (what 'tlsdoctor env' exports as WGETRC), even when WGETRC
        is not set now: an older tlsdoctor copied check_certificate = off into it."""
        own = paths.data_dir(self.env) / "wgetrc"
        if own == user_wgetrc:
            return
        text = self._read(own)
        if text is not None:
            self._audit_insecure(
                "wgetrc", own, text, _("rebuild it with 'tlsdoctor bundle' (which never copies it)")
            )

    def audit_others(self) -> None:
        self._audit_cargo()
        self._audit_aws()
        self._audit_gcloud()
        self._audit_composer()

    def _audit_cargo(self) -> None:
        path = rust.cargo_config_path(self.ctx)
        text = self._read(path)
        if text is None:
            return
        cainfo = _edit.get_line_value(
            text, section="http", key_pattern=_edit.ini_key("cainfo"), parse_value=_edit.quoted
        )
        if cainfo:
            self.check_path(_setting_in(path, "http.cainfo"), cainfo, "replace", "bundle")

    def _audit_aws(self) -> None:
        path = cloud.aws_config_path(self.ctx)
        text = self._read(path)
        if text is None:
            return
        bundle = _edit.get_ini(text, "default", "ca_bundle")
        if bundle:
            self.check_path(_setting_in(path, "ca_bundle"), bundle, "replace", "bundle")

    def _audit_gcloud(self) -> None:
        path = cloud.gcloud_config_path(self.ctx)
        text = self._read(path)
        if text is None:
            return
        bundle = _edit.get_ini(text, "core", "custom_ca_certs_file")
        if bundle:
            self.check_path(
                _setting_in(path, "core/custom_ca_certs_file"), bundle, "replace", "bundle"
            )
        self._audit_insecure("gcloud", path, text)

    def _audit_composer(self) -> None:
        path = php.composer_home(self.ctx) / "config.json"
        text = self._read(path)
        if text is None:
            return
        self._audit_insecure("composer_json", path, text)
        cafile = _edit.get_json_path(text, ("config", "cafile"))
        if cafile:
            self.check_path(_setting_in(path, "cafile"), cafile, "replace", "bundle")

    def audit_ca(self) -> None:
        ca, ders, form = self.ca, self.ca_certs, self.ca_form
        if ca is None:
            return
        subject = message(N_("inspection CA"))
        if form is None:
            self.check_path(subject, str(ca), "add", "ca")
            return
        # PEM as UTF-16 text, DER...: doctor looks for its certificates, tools cannot read it.
        self.add("ca-not-pem", INFO, subject, _not_pem_message(form, str(ca)), _not_pem_fix(ca))
        for problem in _expired_problems(
            subject, str(ca), _FileFacts(ders, _expired_subjects(ders))
        ):
            self.add(problem.id, problem.severity, subject, problem.message, problem.fix)


def _ca_file(ca: Path) -> tuple[list[bytes], str | None]:
    """The certificates of the inspection CA file (DER) and, when they are not PEM text, its
    form ("utf-16", "binary"): the CA is looked for whatever form the user has it in."""
    from tlsdoctor.core.bundle import non_pem_form

    try:
        data = read_bytes(ca)
    except OSError:
        return [], None
    if not data:
        return [], None
    ders = _pem_ders(data)
    found = None if ders else non_pem_form(data)
    return (ders, None) if found is None else (found[1], found[0])


def _not_pem_message(form: str, path: str) -> str:
    if form == "utf-16":
        return _(
            "{path} (inspection CA) is PEM saved as UTF-16 text: doctor reads it, the tools "
            "given a CA file cannot",
            path=path,
        )
    return _(
        "{path} (inspection CA) is DER, PKCS#7 or PKCS#12: doctor reads it, the tools given "
        "a CA file need PEM",
        path=path,
    )


def _not_pem_fix(ca: Path) -> str:
    return _(
        "give the tools the PEM copy that 'tlsdoctor bundle --ca {path}' writes",
        path=str(ca),
    )


def _git_pair_fix(n: int) -> str:
    return _(
        "set GIT_CONFIG_VALUE_{n} to the full bundle from 'tlsdoctor bundle', or drop the pair "
        "from your environment: git reads it after every config file, so 'tlsdoctor setup git' "
        "cannot change what git uses",
        n=n,
    )


def pip_global_files(environ: Mapping[str, str]) -> list[Path]:
    """pip's system-wide files on Unix, in the order pip reads them: pip/pip.conf in each
    XDG_CONFIG_DIRS folder (default /etc/xdg), then /etc/pip.conf."""
    dirs = [d for d in environ.get("XDG_CONFIG_DIRS", "").split(os.pathsep) if d]
    return [Path(d) / "pip" / "pip.conf" for d in dirs or ["/etc/xdg"]] + [Path("/etc/pip.conf")]


def default_ca_path(environ: Mapping[str, str] | None = None) -> Path:
    return paths.data_dir(environ) / "inspection-ca.pem"


def audit(
    environ: Mapping[str, str] | None = None,
    *,
    ca: Path | None = None,
    platform: str = sys.platform,
    pip_global: Sequence[Path] | None = None,
) -> list[DoctorFinding]:
    """Every finding, worst first. ``ca``: the inspection CA (default: the one bundle wrote);
    ``pip_global``: pip's system-wide files (default: :func:`pip_global_files`)."""
    env = dict(os.environ if environ is None else environ)
    ca_path = ca if ca is not None else default_ca_path(env)
    auditor = _Auditor(env, ca_path, platform, pip_global)
    auditor.audit_env()
    auditor.audit_pip()
    auditor.audit_npm()
    auditor.audit_yarn()
    auditor.audit_git()
    auditor.audit_conda()
    auditor.audit_curl_wget()
    auditor.audit_others()
    auditor.audit_ca()
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    return sorted(auditor.findings, key=lambda f: order.get(f.severity, 3))
