"""The lab's interceptor (a child process): the real mitmproxy with a small addon.

Run as ``python -m tlsdoctor.lab.proxy STATE_DIR TOKEN``. This is the only module that imports
mitmproxy. The addon

- maps the lab's names (site1.test, ...) to their servers on 127.0.0.1 and refuses anything else
  (the lab never leaves loopback);
- passes the look-alikes, the special endpoints and the --bypass names through untouched
  (``ClientHelloData.ignore_connection``), everything with --no-intercept;
- delays intercepted handshakes (asynchronously) with --handshake-delay-ms;
- with --lazy-upstream, refuses CONNECT to non-lab names itself (mitmproxy answers CONNECT
  before it connects anywhere in that mode), and never intercepts them through SOCKS5 (answered
  before anything is reached too);
- with --socks5, listens as a SOCKS5 proxy too (the same addons apply to both listeners);
- writes the port each listener listens on to proxy.json once mitmproxy is listening.

mitmproxy itself verifies the lab sites against the lab's public root
(``ssl_verify_upstream_trusted_ca``) and signs with the CA file in its confdir: a key and one
certificate (leaf only is sent), or a key, an intermediate and more certificates (mitmproxy then
sends the chain it can build from that file).
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from mitmproxy import connection, ctx, http, master, options
from mitmproxy.addons import (
    block,
    core,
    disable_h2c,
    errorcheck,
    next_layer,
    proxyauth,
    proxyserver,
    termlog,
    tlsconfig,
)
from mitmproxy.proxy import server_hooks
from mitmproxy.tls import ClientHelloData, TlsData

from tlsdoctor.lab.sites import watch_parent
from tlsdoctor.lab.state import lab_name

LOOPBACK = ("127.0.0.1", "::1", "localhost")


class LabAddon:
    def __init__(self, config: dict[str, Any], ready_file: Path) -> None:
        self.routes: dict[str, int] = {lab_name(k): int(v) for k, v in config["routes"].items()}
        self.passthrough = {lab_name(h) for h in config["passthrough"]}
        self.no_intercept = bool(config["no_intercept"])
        self.delay = float(config["handshake_delay_ms"]) / 1000.0
        self.lazy = bool(config.get("lazy_upstream", False))
        # Lazy SOCKS5 answers before anything is reached; lazy CONNECT refuses in http_connect.
        self.refuse_at_hello = self.lazy and bool(config.get("socks5", False))
        self.ready_file = ready_file

    def _refused(self, host: str) -> bool:
        return lab_name(host) not in self.routes and host not in LOOPBACK

    def http_connect(self, flow: http.HTTPFlow) -> None:
        # Eager mode refuses in server_connect, before answering CONNECT; lazy mode answers
        # CONNECT without connecting, so the refusal has to happen here to stay early.
        host = str(flow.request.host)
        if self.lazy and self._refused(host):
            flow.response = http.Response.make(
                502, f"tlsdoctor lab: {host} is not a lab name (loopback only)"
            )

    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        server = data.server
        if not server.address:
            return
        host, _port = server.address[0], server.address[1]
        target = self.routes.get(lab_name(str(host)))
        if target is None:
            if str(host) not in LOOPBACK:
                server.error = f"tlsdoctor lab: {host} is not a lab name (loopback only)"
            return
        if server.sni is None:
            server.sni = lab_name(str(host))
        server.address = ("127.0.0.1", target)

    def _wanted_name(self, data: ClientHelloData) -> str | None:
        if data.client_hello.sni:
            return lab_name(data.client_hello.sni)
        server = data.context.server
        if server.sni:
            return lab_name(str(server.sni))
        return None

    def tls_clienthello(self, data: ClientHelloData) -> None:
        name = self._wanted_name(data)
        if self.no_intercept or name is None or name in self.passthrough:
            data.ignore_connection = True
        elif self.refuse_at_hello and self._refused_upstream(data.context.server.address):
            # Lazy SOCKS5 has answered before anything was reached: never mint a leaf for a
            # non-lab name; passed through, the connection meets server_connect's refusal.
            data.ignore_connection = True

    def _refused_upstream(self, address: tuple[str, int] | None) -> bool:
        return address is not None and self._refused(str(address[0]))

    async def tls_start_client(self, data: TlsData) -> None:
        if self.delay > 0:
            await asyncio.sleep(self.delay)

    def running(self) -> None:
        proxyserver = ctx.master.addons.get("proxyserver")  # type: ignore[no-untyped-call]
        ports = {s.mode.type_name: _listen_port(s.listen_addrs) for s in proxyserver.servers}
        ready: dict[str, Any] = {"port": ports["regular"], "pid": os.getpid()}
        if "socks5" in ports:
            ready["socks_port"] = ports["socks5"]
        tmp = self.ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(ready), encoding="utf-8")
        tmp.replace(self.ready_file)


def _listen_port(addrs: tuple[Any, ...]) -> int:
    ports = sorted({int(a[1]) for a in addrs if a[0] in ("127.0.0.1", "::1")})
    return ports[0] if ports else sorted({int(a[1]) for a in addrs})[0]


def listen_modes(socks5: bool) -> list[str]:
    """mitmproxy's mode specs: the HTTP proxy, and with --socks5 a SOCKS5 proxy too.

    mitmproxy refuses two modes with the same listen address, and 127.0.0.1:0 twice is the same:
    the SOCKS5 port is picked here the way mitmproxy picks one for port 0 (bind, read, close).
    """
    if not socks5:
        return ["regular"]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return ["regular", f"socks5@127.0.0.1:{port}"]


class IdleCollector:
    """Python's garbage collection between bursts of connections instead of inside them.

    mitmproxy's per-connection objects are cyclic (layers, contexts, tasks), so the collector runs
    every few hundred allocations, several times per 50-connection burst, and a full collection
    walked all of mitmproxy's start-up objects (about 115 ms, once in every eight bursts). Once
    listening, the start-up heap is frozen (never walked again), automatic collection waits for
    ``THRESHOLD`` allocations (still bounded under steady load), and the garbage is collected once
    no connection has begun for ``idle_seconds`` after the last one ended.
    """

    THRESHOLD = 100_000

    def __init__(self, idle_seconds: float = 0.05) -> None:
        self.idle_seconds = idle_seconds
        self.pending: asyncio.TimerHandle | None = None

    def running(self) -> None:
        settle_heap(self.THRESHOLD)

    def client_connected(self, _client: connection.Client) -> None:
        self._cancel()

    def client_disconnected(self, _client: connection.Client) -> None:
        self._cancel()
        self.pending = asyncio.get_running_loop().call_later(self.idle_seconds, self._collect)

    def done(self) -> None:
        self._cancel()

    def _collect(self) -> None:
        self.pending = None
        gc.collect()

    def _cancel(self) -> None:
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None


def settle_heap(threshold: int) -> None:
    """Freeze what exists now out of every later collection; collect young objects less often."""
    gc.collect()
    gc.freeze()
    _young, *older = gc.get_threshold()
    gc.set_threshold(threshold, *older)


class LabCredentials(proxyauth.Validator):
    """The one USER:PASS of --proxy-auth, compared as given.

    mitmproxy's own "USER:PASS" option reads a user name starting with "@" as an htpasswd file
    and one starting with "ldap" as an LDAP server: the lab sets "any" and checks the pair here.
    """

    def __init__(self, spec: str) -> None:
        self.username, _sep, self.password = spec.partition(":")

    def __call__(self, username: str, password: str) -> bool:
        user_ok = hmac.compare_digest(username.encode(), self.username.encode())
        return hmac.compare_digest(password.encode(), self.password.encode()) and user_ok


class AddonGroup:
    """The addons an intercepting proxy needs, as one entry of mitmproxy's addon chain.

    mitmproxy calls every entry of its chain for every event (a coroutine and an error guard
    each, about ten events per connection), and looks for hooks in an entry's ``addons`` too:
    one entry holding these ten costs less CPU per connection than ten entries. (The full
    default set, about 30 entries, cost several ms per connection.)
    """

    def __init__(self, *addons: object) -> None:
        self.addons = list(addons)


CONFIG_TIMEOUT = 60.0


async def read_config(state_dir: Path) -> dict[str, Any]:
    """The lab starts this process before it has made its certificates: wait for the config."""
    path = state_dir / "config.json"
    parent = os.getppid()
    deadline = time.monotonic() + CONFIG_TIMEOUT
    while not path.exists():
        if time.monotonic() > deadline or (os.getppid() != parent and parent != 1):
            raise SystemExit(f"tlsdoctor lab: no {path} appeared; giving up")
        await asyncio.sleep(0.02)
    config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return config


async def run(state_dir: Path) -> None:
    config = await read_config(state_dir)
    opts = options.Options(listen_host="127.0.0.1", listen_port=0)
    lab_master = master.Master(opts)
    auth = proxyauth.ProxyAuth()
    lab_master.addons.add(  # type: ignore[no-untyped-call]
        AddonGroup(
            core.Core(),
            block.Block(),
            auth,
            proxyserver.Proxyserver(),  # type: ignore[no-untyped-call]
            next_layer.NextLayer(),
            tlsconfig.TlsConfig(),
            disable_h2c.DisableH2C(),
            errorcheck.ErrorCheck(),
            termlog.TermLog(),
            IdleCollector(),  # before LabAddon: the heap is settled when the lab says it is ready
            LabAddon(config, state_dir / "proxy.json"),
        )
    )
    settings: dict[str, Any] = {
        "confdir": config["confdir"],
        "ssl_verify_upstream_trusted_ca": config["public_root"],
        "termlog_verbosity": "warn",
        # lazy: answer CONNECT and mint the leaf from the SNI, reach (and verify) the site
        # only when the client sends data. Eager (default) is what inspection products do.
        "connection_strategy": "lazy" if config.get("lazy_upstream") else "eager",
        "upstream_cert": True,
        "mode": listen_modes(bool(config.get("socks5"))),
    }
    if config.get("proxy_auth"):
        settings["proxyauth"] = "any"  # turns authentication on; the validator below checks
    lab_master.options.update(**settings)  # type: ignore[no-untyped-call]
    if config.get("proxy_auth"):
        auth.validator = LabCredentials(config["proxy_auth"])
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, lab_master.shutdown)
    watcher = asyncio.ensure_future(watch_parent(config.get("watch_parent"), lab_master.shutdown))
    await lab_master.run()
    watcher.cancel()


def main(argv: list[str]) -> int:
    asyncio.run(run(Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
