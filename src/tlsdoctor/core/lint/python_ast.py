"""Precise checks for Python source, on the syntax tree.

Working on the tree means comments, docstrings and strings that merely mention ``verify=False``
are not findings, and ``verify=True`` / ``verify="/path/bundle.pem"`` never are.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from tlsdoctor.core.verify_switches import switches_off

OBSOLETE_PROTOCOLS = frozenset(
    {
        "PROTOCOL_SSLv2",
        "PROTOCOL_SSLv3",
        "PROTOCOL_TLSv1",
        "PROTOCOL_TLSv1_1",
        "SSLv2_METHOD",
        "SSLv3_METHOD",  # (SSLv23_METHOD negotiates the best version: not a pin)
        "TLSv1_METHOD",
        "TLSv1_1_METHOD",
    }
)
OBSOLETE_TLS_VERSIONS = frozenset({"SSLv3", "TLSv1", "TLSv1_1"})
NO_VERIFY_MODES = frozenset({"CERT_NONE", "VERIFY_NONE"})
NO_VERIFY_STRINGS = frozenset({"CERT_NONE", "NONE", "none"})
CERT_REQS_KEYWORDS = frozenset({"cert_reqs", "ssl_cert_reqs"})
CERT_REQS_KEYS = CERT_REQS_KEYWORDS | {"verify_mode"}
# Flags that tell a server from a client: true means "server" (a server does not verify its
# clients by default, so CERT_NONE on its side is no bypass).
SIDE_FLAGS = {"server_side": True, "is_server": True, "is_client": False, "client_side": False}
VERIFY_OFF_KEYWORDS = frozenset({"verify_ssl", "verify_certs", "ssl_verify"})
# aiohttp: ssl=False skips verification on the connector and on request methods. Elsewhere
# (redis, asyncpg...) ssl=False means "plain TCP", which is not this rule's business.
AIOHTTP_SSL_CALLS = frozenset(
    {"TCPConnector", "get", "post", "put", "patch", "delete", "head", "options", "request"}
    | {"ws_connect", "_request"}
)
ENV_SETTERS = frozenset({"setdefault", "putenv", "setenv", "__setitem__"})
# Where an obsolete protocol constant actually selects the protocol (elsewhere it sits in a
# capability table or a comparison): these keywords, these assignment targets, the first
# argument of these calls, and function defaults.
PROTOCOL_KEYWORDS = frozenset(
    {"ssl_version", "method", "protocol", "ssl_protocol", "tls_version", "version"}
    | {"minimum_version", "maximum_version", "min_version", "max_version"}
)
PROTOCOL_TARGETS = PROTOCOL_KEYWORDS - {"method", "version"}
PROTOCOL_CALLS = frozenset({"SSLContext", "Context", "wrap_socket"})
# verify=False is a TLS setting in HTTP clients; elsewhere (numpy, mpmath...) it means
# something else. It counts when the file imports one of these or the call looks like HTTP.
HTTP_MODULES = frozenset(
    {"requests", "httpx", "niquests", "urllib3", "aiohttp", "boto3", "botocore", "aioboto3"}
    | {"aiobotocore", "s3fs", "pip", "hvac", "kubernetes", "docker", "openai", "anthropic"}
    | {"elasticsearch", "opensearchpy", "zeep", "gitlab", "github", "jira", "atlassian"}
    | {"minio", "httplib2", "tornado", "websocket", "websockets", "treq", "requests_toolbelt"}
    | {"azure", "ldap3", "pysnow", "suds", "xmlrpc", "pyVim", "pyVmomi", "ovirtsdk4"}
    # Dotted entries match that package and below: `google` alone is also JWT, protobuf...
    | {"google.auth.transport", "googleapiclient", "google_auth_httplib2"}
)
# verify=False here checks no TLS: a JWT's signature (`jwt.decode(token, verify=False)`).
NOT_TLS_VERIFY_CALLS = frozenset({"decode", "decode_complete", "decode_token"})
NOT_TLS_VERIFY_BASES = frozenset({"jwt", "jose", "jws", "jwk"})
# A dict passed as one of these is what is sent (body, query, headers), not the client's options.
PAYLOAD_KEYWORDS = frozenset({"data", "json", "params", "headers", "body", "payload"})


def _is_http_module(module: str) -> bool:
    parts = module.split(".")
    return any(".".join(parts[:n]) in HTTP_MODULES for n in range(1, len(parts) + 1))


def _not_tls_verify(call: ast.Call, name: str) -> bool:
    """`jwt.decode(token, verify=False)`, `jose.jwt.decode(...)`: a signature check."""
    if name in NOT_TLS_VERIFY_CALLS:
        return True
    func = call.func
    while isinstance(func, ast.Attribute):
        func = func.value
        if _base_name(func).lower() in NOT_TLS_VERIFY_BASES:
            return True
    return False


HTTP_CALLS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"}
    | {"urlopen", "Session", "session", "Client", "AsyncClient", "client", "resource"}
    | {"AsyncSession", "Request", "HTTPAdapter", "PoolManager", "fetch", "mount", "connect"}
)
ENV_VARIABLES = frozenset(
    {
        "PYTHONHTTPSVERIFY",
        "NODE_TLS_REJECT_UNAUTHORIZED",
        "GIT_SSL_NO_VERIFY",
        "CURL_CA_BUNDLE",
        "AZURE_CLI_DISABLE_CONNECTION_VERIFICATION",
        "VAULT_SKIP_VERIFY",
        "NOMAD_SKIP_VERIFY",
        "CONSUL_HTTP_SSL_VERIFY",
        "GOVC_INSECURE",
        "PERL_LWP_SSL_VERIFY_HOSTNAME",
    }
)


@dataclass(frozen=True)
class Hit:
    check: str
    line: int
    column: int  # 1-based
    span_start: int
    end_line: int


def env_value_disables(name: str, value: object) -> bool:
    """Whether setting environment variable ``name`` to ``value`` switches verification off."""
    text = str(int(value)) if isinstance(value, bool) else str(value)
    return switches_off(name, text)


def _is_false(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _is_falsy_flag(node: ast.AST | None) -> bool:
    """False or 0: ``verify=0`` switches verification off as surely as ``verify=False``."""
    if not isinstance(node, ast.Constant):
        return False
    value = node.value
    return value is False or (type(value) is int and value == 0)


def _const(node: ast.AST | None) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, bool)):
        return node.value
    return _MISSING


_MISSING = object()


def _env_const(node: ast.AST) -> object:
    """An environment value: a constant, also wrapped in str() (`str("true")`, `str(1)`)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "str"
        and len(node.args) == 1
        and not node.keywords
    ):
        node = node.args[0]
    return _const(node)


def _func_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _base_name(node: ast.AST) -> str:
    """The object an attribute hangs on: `session` in `session.verify`."""
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _looks_http(node: ast.AST) -> bool:
    """`requests.get(...)`, `self.session.verify = ...`, `http_client.get(...)`."""
    text = ast.unparse(node.func if isinstance(node, ast.Call) else node)[:200].lower()
    return any(word in text for word in ("requests", "httpx", "session", "client", "http"))


def _wrap_socket_checked(call: ast.Call) -> bool:
    """`ssl.wrap_socket(..., cert_reqs=ssl.CERT_REQUIRED)` verifies; `server_side=True` is a
    server, which does not verify its clients by design."""
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg == "server_side" and _const(value) is True:
            return True
        if keyword.arg == "cert_reqs" and (
            _base_name(value) == "CERT_REQUIRED" or _const(value) == "CERT_REQUIRED"
        ):
            return True
    return False


def _target_name(target: ast.AST) -> str:
    """The name an assignment sets: `x`, `obj.x`, `opts["x"]` give "x"."""
    if isinstance(target, ast.Subscript):
        name = _const(target.slice)
        return name if isinstance(name, str) else ""
    return _base_name(target)


def _server_branch(node: ast.IfExp) -> ast.AST | None:
    """The branch of `CERT_REQUIRED if is_client else CERT_NONE` taken by a server (which
    does not ask clients for certificates by default), or None when the test names no side."""
    test, negated = node.test, False
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        test, negated = test.operand, True
    side = _base_name(test).lstrip("_")
    if side not in SIDE_FLAGS:
        return None
    server_when_true = SIDE_FLAGS[side] != negated
    return node.body if server_when_true else node.orelse


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _is_zero(node: ast.AST) -> bool:
    """0 (or False) where ssl expects a verify mode: the value of ssl.CERT_NONE."""
    return isinstance(node, ast.Constant) and not isinstance(node.value, str) and node.value == 0


def _names_no_verify(value: ast.AST) -> bool:
    """A cert_reqs value that means "no verification": "CERT_NONE" (urllib3 reads the name) or 0."""
    return _const(value) in NO_VERIFY_STRINGS or _is_zero(value)


class _Checker:
    """One pass over ``ast.walk`` (much cheaper than a recursive NodeVisitor on big files)."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.in_compare: set[int] = set()
        self.listed: set[int] = set()
        self.protocol_slots: set[int] = set()
        self.http_imported = False
        self.verify_false: list[tuple[ast.AST, ast.AST, str]] = []
        self.span_start: dict[int, int] = {}
        self.wrap_socket_names: set[str] = set()
        self.cert_none_aliases: set[str] = set()  # from ssl import CERT_NONE as NOCHECK
        self.unpacked_into: dict[int, tuple[ast.Call, str]] = {}  # f(**{...}): the call
        self.name_calls: list[ast.Call] = []
        self.payload: set[int] = set()  # dicts sent as data=/json=/params=/headers=

    def hit(self, check: str, node: ast.AST, end: ast.AST | None = None) -> None:
        line = getattr(node, "lineno", 1)
        last = getattr(end or node, "end_lineno", None) or line
        # The enclosing construct (a multi-line call, an assignment) starts here: a suppression
        # comment on that line covers the finding too.
        start = self.span_start.get(id(node), getattr(end, "lineno", line) if end else line)
        column = getattr(node, "col_offset", 0) + 1
        self.hits.append(Hit(check, line, column, min(start, line), max(last, line)))

    def run(self, tree: ast.AST) -> None:
        dispatch = {
            ast.Attribute: self._attribute,
            ast.Name: self._name,
            ast.Call: self._call,
            ast.Assign: self._assign,
            ast.AnnAssign: self._annassign,
            ast.ImportFrom: self._import_from,
            ast.Compare: self._compare,
            ast.IfExp: self._ifexp,
            ast.Dict: self._dict,
            ast.List: self._sequence,
            ast.Tuple: self._sequence,
            ast.Set: self._sequence,
            ast.Import: self._import,
            ast.FunctionDef: self._function,
            ast.AsyncFunctionDef: self._function,
        }
        for node in ast.walk(tree):
            handler = dispatch.get(type(node))
            if handler is not None:
                handler(node)
        for call in self.name_calls:  # `from ssl import wrap_socket` may come after its use
            func = call.func
            if isinstance(func, ast.Name) and func.id in self.wrap_socket_names:
                self._wrap_socket(call)
        for node, end, func_name in self.verify_false:
            # A dict on its own counts only in files that import an HTTP client.
            if (
                self.http_imported
                or func_name in HTTP_CALLS
                or (not isinstance(end, ast.Dict) and _looks_http(end))
            ):
                self.hit("verify_false", node, end)

    # -- structure (ast.walk is breadth-first: parents are seen before their children)
    def _compare(self, node: ast.AST) -> None:
        self.in_compare.update(id(sub) for sub in ast.walk(node))

    def _ifexp(self, node: ast.AST) -> None:
        assert isinstance(node, ast.IfExp)
        branch = _server_branch(node)
        if branch is not None:  # the server's mode: it does not verify clients by design
            self.listed.update(id(sub) for sub in ast.walk(branch))

    def _sequence(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.List, ast.Tuple, ast.Set))
        for element in node.elts:
            self.listed.update(id(sub) for sub in ast.walk(element))

    def _mark_protocol_slot(self, node: ast.AST) -> None:
        self.protocol_slots.update(id(sub) for sub in ast.walk(node))

    def _function(self, node: ast.AST) -> None:
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self._mark_protocol_slot(default)
                for sub in ast.walk(default):
                    self.span_start[id(sub)] = node.lineno

    def _import(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Import)
        if any(_is_http_module(alias.name) for alias in node.names):
            self.http_imported = True

    def _import_from(self, node: ast.AST) -> None:
        assert isinstance(node, ast.ImportFrom)
        module = node.module or ""
        if _is_http_module(module) or any(
            _is_http_module(f"{module}.{alias.name}") for alias in node.names
        ):  # from google.auth.transport import requests
            self.http_imported = True
        for alias in node.names:
            if alias.name == "_create_unverified_context":
                self.hit("unverified_context", node)
            if node.module == "ssl" and alias.name == "wrap_socket":
                self.wrap_socket_names.add(alias.asname or alias.name)
            if alias.name in NO_VERIFY_MODES and alias.asname:
                self.cert_none_aliases.add(alias.asname)

    # -- names and attributes
    def _attribute(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Attribute)
        self._name_use(node.attr, node, node.value)

    def _name(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Name)
        if isinstance(node.ctx, ast.Load):
            name = "CERT_NONE" if node.id in self.cert_none_aliases else node.id
            self._name_use(name, node, None)

    def _name_use(self, name: str, node: ast.AST, base: ast.AST | None) -> None:
        if name == "_create_unverified_context":
            self.hit("unverified_context", node)
            return
        if id(node) in self.in_compare:
            return  # `if ctx.verify_mode == ssl.CERT_NONE:` checks, it does not disable
        if name in NO_VERIFY_MODES:
            if id(node) not in self.listed:  # {"none": ssl.CERT_NONE, ...} tables name modes
                self.hit("cert_none", node)
        elif id(node) not in self.protocol_slots:
            return
        elif name in OBSOLETE_PROTOCOLS:
            self.hit("obsolete_protocol", node)
        elif name in OBSOLETE_TLS_VERSIONS and base is not None:
            base_name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if base_name == "TLSVersion":
                self.hit("obsolete_protocol", node)

    # -- calls
    def _call(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Call)
        name = _func_name(node)
        for keyword in node.keywords:
            self._keyword(node, name, keyword)
        if name in PROTOCOL_CALLS and node.args:
            self._mark_protocol_slot(node.args[0])
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "wrap_socket":
            if isinstance(func.value, ast.Name) and func.value.id == "ssl":
                self._wrap_socket(node)
        elif isinstance(func, ast.Name) and func.id == name:
            self.name_calls.append(node)
        if name in ENV_SETTERS and len(node.args) >= 2:
            self._env(node.args[0], node.args[1])
            if name == "setdefault" and _const(node.args[0]) == "verify":
                self._kwargs_default(node)

    def _kwargs_default(self, call: ast.Call) -> None:
        """`kwargs.setdefault("verify", False)`: a default for the keyword arguments passed on."""
        func = call.func
        on_environ = isinstance(func, ast.Attribute) and _is_environ(func.value)
        if isinstance(func, ast.Attribute) and not on_environ and _is_falsy_flag(call.args[1]):
            self.verify_false.append((call.args[0], call, ""))

    def _wrap_socket(self, call: ast.Call) -> None:
        if not _wrap_socket_checked(call):
            self.hit("wrap_socket", call, call)

    def _keyword(self, call: ast.Call, name: str, keyword: ast.keyword) -> None:
        arg = keyword.arg
        value = keyword.value
        if arg is None:
            if isinstance(value, ast.Dict):  # f(**{"verify": False}): judged with the call
                self.unpacked_into[id(value)] = (call, name)
            return
        if arg in PROTOCOL_KEYWORDS:
            self._mark_protocol_slot(value)
        if arg in PAYLOAD_KEYWORDS:  # requests.post(url, json={"verify": False}): data
            self.payload.update(id(sub) for sub in ast.walk(value) if isinstance(sub, ast.Dict))
        if arg == "verify" and _is_falsy_flag(value):
            if not _not_tls_verify(call, name):
                self.verify_false.append((keyword, call, name))
        elif arg in ("check_hostname", "assert_hostname") and _is_false(value):
            self.hit("check_hostname", keyword, call)
        elif _is_false(value) and (
            arg in VERIFY_OFF_KEYWORDS or (arg == "ssl" and name in AIOHTTP_SSL_CALLS)
        ):
            self.hit("ssl_false", keyword, call)
        elif arg in CERT_REQS_KEYWORDS and _names_no_verify(value):
            self.hit("cert_none", keyword, call)
        elif arg in ENV_VARIABLES:
            constant = _env_const(value)
            if constant is not _MISSING and env_value_disables(arg, constant):
                self.hit("env_disables", keyword, call)

    # -- assignments and literals
    def _assign(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Assign)
        for target in node.targets:
            self._assignment(target, node.value, node)

    def _annassign(self, node: ast.AST) -> None:
        assert isinstance(node, ast.AnnAssign)
        if node.value is not None:
            self._assignment(node.target, node.value, node)

    def _assignment(self, target: ast.AST, value: ast.AST, node: ast.AST) -> None:
        target_name = _target_name(target)
        if target_name in PROTOCOL_TARGETS:
            self._mark_protocol_slot(value)
        if target_name in NO_VERIFY_MODES:  # VERIFY_NONE = SSL.VERIFY_NONE names the mode
            self.listed.update(id(sub) for sub in ast.walk(value))
        elif target_name in CERT_REQS_KEYWORDS and _names_no_verify(value):
            # conn.cert_reqs = "CERT_NONE", pool_kwargs["cert_reqs"] = "CERT_NONE"
            self.hit("cert_none", target, node)
        if isinstance(target, ast.Attribute) and target.attr == "verify_mode" and _is_zero(value):
            self.hit("cert_none", target, node)  # ctx.verify_mode = 0 is CERT_NONE
        if isinstance(target, ast.Attribute) and target.attr == "verify":
            if _is_falsy_flag(value):
                self.verify_false.append((target, node, _base_name(target.value)))
        elif isinstance(target, ast.Attribute) and _is_false(value):
            if target.attr == "check_hostname":
                self.hit("check_hostname", target, node)
            elif target.attr in VERIFY_OFF_KEYWORDS:
                self.hit("ssl_false", target, node)
        elif (
            isinstance(target, ast.Attribute)
            and target.attr == "check_hostname"
            and isinstance(value, ast.Constant)
            and value.value == 0
        ):
            self.hit("check_hostname", target, node)
        if isinstance(target, ast.Subscript) and _is_environ(target.value):
            self._env(target.slice, value)
        elif (
            isinstance(target, ast.Subscript)
            and _const(target.slice) == "verify"
            and _is_falsy_flag(value)
        ):  # options["verify"] = False, later passed as **options
            self.verify_false.append((target, node, ""))

    def _dict(self, node: ast.AST) -> None:
        assert isinstance(node, ast.Dict)
        for key, value in zip(node.keys, node.values, strict=False):
            if _const(key) == "verify" and _is_falsy_flag(value) and id(node) not in self.payload:
                # {"verify": False}: keyword arguments kept in a dict (f(**options),
                # options.update({...})); judged like the keyword, or with the call it is
                # unpacked into.
                call, name = self.unpacked_into.get(id(node), (node, ""))
                assert key is not None
                self.verify_false.append((key, call, name))
            if key is not None:
                self._env(key, value)
                self.listed.update(id(sub) for sub in ast.walk(key))
            if _const(key) not in CERT_REQS_KEYS:  # {"cert_reqs": CERT_NONE} is a setting
                self.listed.update(id(sub) for sub in ast.walk(value))

    def _env(self, key: ast.AST, value: ast.AST) -> None:
        name = _const(key)
        if not isinstance(name, str) or name not in ENV_VARIABLES:
            return
        constant = _env_const(value)
        if constant is not _MISSING and env_value_disables(name, constant):
            self.hit("env_disables", key, value)


def check_source(source: bytes | str) -> Iterator[Hit] | None:
    """Hits for every check, or None when the source does not parse as Python 3."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    checker = _Checker()
    try:
        checker.run(tree)
    except RecursionError:
        return None
    return iter(sorted(checker.hits, key=lambda h: (h.line, h.column)))
