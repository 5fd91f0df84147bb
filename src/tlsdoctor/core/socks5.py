"""SOCKS5 (RFC 1928) with user name and password (RFC 1929): what a client sends, what it reads.

Only the bytes: core.probe moves them over its socket and turns these errors into probe errors.
A probe uses the CONNECT command only, and offers "no authentication" or, when the proxy URL
holds credentials, "user name/password" as well.
"""

from __future__ import annotations

import ipaddress
import struct

from tlsdoctor.i18n import N_

VERSION = 0x05
NO_AUTHENTICATION = 0x00
USER_PASSWORD = 0x02
NO_ACCEPTABLE_METHOD = 0xFF
_CONNECT = 0x01
_AUTH_VERSION = 0x01  # of the user name/password sub-negotiation
_ATYP_IPV4, _ATYP_DOMAIN, _ATYP_IPV6 = 0x01, 0x03, 0x04
_ADDRESS_LENGTHS = {_ATYP_IPV4: 4, _ATYP_IPV6: 16}
REPLY_HEAD = 5  # VER REP RSV ATYP and the first address byte: enough to know the reply's length
MAX_FIELD = 255  # bytes in a user name, a password or a host name

# RFC 1928 section 6, as curl words them.
REPLY_MEANINGS: dict[int, str] = {
    0x01: N_("general SOCKS server failure"),
    0x02: N_("connection not allowed by ruleset"),
    0x03: N_("network unreachable"),
    0x04: N_("host unreachable"),
    0x05: N_("connection refused"),
    0x06: N_("TTL expired"),
    0x07: N_("command not supported"),
    0x08: N_("address type not supported"),
}
# Replies that say the proxy works and the host is the problem (as HTTP's 502 and 504).
HOST_UNREACHABLE = frozenset({0x03, 0x04, 0x05})
HOST_TIMED_OUT = frozenset({0x06})


class Socks5Error(Exception):
    """The proxy's answer ends the SOCKS5 exchange."""


class NotSocks5(Socks5Error):
    def __init__(self, answer: bytes) -> None:
        super().__init__(answer)
        self.answer = answer


class NoAcceptableMethod(Socks5Error):
    """The proxy wants an authentication method the probe did not offer (or cannot speak)."""


class CredentialsRejected(Socks5Error):
    pass


class ConnectFailed(Socks5Error):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def greeting(with_credentials: bool) -> bytes:
    methods = [NO_AUTHENTICATION, USER_PASSWORD] if with_credentials else [NO_AUTHENTICATION]
    return bytes([VERSION, len(methods), *methods])


def chosen_method(answer: bytes) -> int:
    """The method of the proxy's two-byte answer to the greeting."""
    _check_version(answer, VERSION)
    method = answer[1]
    if method not in (NO_AUTHENTICATION, USER_PASSWORD):
        raise NoAcceptableMethod(method)
    return method


def credentials(username: str, password: str) -> bytes:
    user, secret = field_bytes(username), field_bytes(password)
    return bytes([_AUTH_VERSION, len(user)]) + user + bytes([len(secret)]) + secret


def field_bytes(text: str) -> bytes:
    """A user name or password as sent: UTF-8, at most 255 bytes (ValueError beyond)."""
    raw = text.encode("utf-8")
    if len(raw) > MAX_FIELD:
        raise ValueError(f"more than {MAX_FIELD} bytes")
    return raw


def check_credentials_answer(answer: bytes) -> None:
    if len(answer) < 2 or answer[0] != _AUTH_VERSION:
        raise NotSocks5(answer)
    if answer[1] != 0x00:
        raise CredentialsRejected(answer[1])


def connect_request(host: str, port: int) -> bytes:
    """CONNECT to ``host`` (an IP address, else an ASCII host name the proxy resolves)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        name = host.encode("ascii")
        if not 0 < len(name) <= MAX_FIELD:
            raise ValueError(f"a host name of 1-{MAX_FIELD} bytes, not {len(name)}") from None
        target = bytes([_ATYP_DOMAIN, len(name)]) + name
    else:
        kind = _ATYP_IPV4 if address.version == 4 else _ATYP_IPV6
        target = bytes([kind]) + address.packed
    return bytes([VERSION, _CONNECT, 0x00]) + target + struct.pack("!H", port)


def reply_length(head: bytes) -> int:
    """The whole reply's length from its first REPLY_HEAD bytes (the bound address varies)."""
    kind = head[3]
    if kind == _ATYP_DOMAIN:
        return 4 + 1 + head[4] + 2
    if kind in _ADDRESS_LENGTHS:
        return 4 + _ADDRESS_LENGTHS[kind] + 2
    raise NotSocks5(head)


def check_connect_reply(head: bytes) -> None:
    _check_version(head, VERSION)
    if head[1] != 0x00:
        raise ConnectFailed(head[1])


def _check_version(answer: bytes, version: int) -> None:
    if len(answer) < 2 or answer[0] != version:
        raise NotSocks5(answer)
