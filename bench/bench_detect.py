"""detect on 50 lab hosts with a 100 ms handshake delay, against one probe and `openssl s_client`.

Also: `tlsdoctor --version` start-up against bare `python -c pass`.
Goals: 50 hosts in at most 1.5x one delayed handshake; start-up at most 4x bare Python.
Run: ``python -m bench detect`` (starts and stops its own loopback lab; needs the lab extra).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HOSTS = 50
DELAY_MS = 100
DETECT_GOAL = 1.5
STARTUP_GOAL = 4.0
REPEAT = 15


def timed(action: Callable[[], object], repeat: int, settle: float = 0.0) -> float:
    """Median wall time of ``repeat`` runs, in seconds; ``settle`` s of quiet before each."""
    samples = []
    for _ in range(repeat):
        time.sleep(settle)
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), to show where the time goes."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# The benchmark lab: mitmproxy answers CONNECT and mints the leaf from the SNI (lazy upstream:
# the site is reached, and verified, only when data flows, which a probe never sends) and signs
# with an EC P-256 CA. The lab's defaults (eager upstream, RSA 2048 CA) are measured too.
FAST_LAB: dict[str, Any] = {"lazy_upstream": True, "ca_key": "ec"}
DEFAULT_LAB: dict[str, Any] = {}
# Quiet before each timed run, as between two detect commands: the interceptor has finished
# closing the last run's 50 connections (back to back, that work lands in the next run).
SETTLE = 0.1


def bench_detect(
    lab_options: dict[str, Any], extra: bool, via_socks5: bool = False
) -> dict[str, float | None]:
    """Figures for one lab; ``extra`` adds the direct and `openssl s_client` runs.

    ``via_socks5``: the probes go through the lab's SOCKS5 listener (socks5h://) instead of its
    HTTP proxy (same mitmproxy process, same interception and delay).
    """
    if via_socks5:
        lab_options = {**lab_options, "socks5": True}
    from tlsdoctor.core.detect import detect
    from tlsdoctor.core.probe import Target, probe, probe_many
    from tlsdoctor.core.trust import RootStore
    from tlsdoctor.lab.control import Lab

    state_dir = Path(tempfile.mkdtemp(prefix="tlsdoctor-bench-"))
    state = Lab.start(
        state_dir, exit_with_parent=True, handshake_delay_ms=DELAY_MS, sites=HOSTS, **lab_options
    )
    try:
        hosts = state.intercepted[:HOSTS]
        proxy = state.socks_url if via_socks5 else state.proxy_url
        assert proxy is not None
        roots = str(state.public_root)
        no_os = RootStore("os", None, ())

        def one() -> None:
            result = probe(hosts[0], 443, proxy=proxy, use_env_proxy=False)
            assert result.ok, result.error

        answered: list[tuple[float, float]] = []  # per run: first and last host done, in s

        def all_hosts() -> None:
            done: list[float] = []
            started = time.perf_counter()
            report = detect(
                hosts,
                proxy=proxy,
                use_env_proxy=False,
                roots_path=roots,
                os_store=no_os,
                progress=lambda _result: done.append(time.perf_counter() - started),
            )
            assert report.verdict == "intercepted", report.verdict
            assert len(report.hosts) == HOSTS
            answered.append((min(done), max(done)))

        def direct() -> None:
            targets = [Target("127.0.0.1", state.sites[h]) for h in hosts]
            assert all(r.ok for r in probe_many(targets, use_env_proxy=False))

        one()  # warm up the client (imports, certifi); mints the first host's leaf only
        figures: dict[str, float | None] = {"cold": timed(all_hosts, 1)}  # 49 leaves to sign
        proxy_pid = next((p.pid for p in state.processes if p.role == "proxy"), None)
        cpu_before = cpu_seconds(proxy_pid) if proxy_pid else None
        answered.clear()
        figures["detect"] = timed(all_hosts, REPEAT, SETTLE)
        figures["first_done"] = statistics.median(first for first, _last in answered)
        figures["last_done"] = statistics.median(last for _first, last in answered)
        cpu_after = cpu_seconds(proxy_pid) if proxy_pid else None
        if cpu_before is not None and cpu_after is not None:
            figures["proxy_cpu"] = (cpu_after - cpu_before) / REPEAT
        figures["one"] = timed(one, REPEAT, SETTLE)
        if extra:
            figures["direct"] = timed(direct, 3, SETTLE)
            figures["openssl"] = bench_openssl(hosts, state.proxy_port)
    finally:
        Lab.stop(state_dir)
        shutil.rmtree(state_dir, ignore_errors=True)
    return figures


def _delayed_servers(conn: Any, cert_file: str, key_file: str) -> None:
    """Child process: HOSTS TLS servers that wait DELAY_MS before each handshake."""
    import socket
    import ssl
    import threading

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)

    def answer(client: socket.socket) -> None:
        time.sleep(DELAY_MS / 1000)
        try:
            with context.wrap_socket(client, server_side=True) as tls:
                tls.recv(1)
        except OSError:
            pass

    def serve(listener: socket.socket) -> None:
        while True:
            client, _ = listener.accept()
            threading.Thread(target=answer, args=(client,), daemon=True).start()

    ports = []
    for _ in range(HOSTS):
        listener = socket.create_server(("127.0.0.1", 0), backlog=16)
        ports.append(listener.getsockname()[1])
        threading.Thread(target=serve, args=(listener,), daemon=True).start()
    conn.send(ports)
    conn.recv()  # until the parent is done


def bench_without_interceptor() -> tuple[float, float]:
    """The client's own ceiling: HOSTS loopback TLS servers that each wait 100 ms to answer.

    Same delay, no interceptor, servers in a separate process: what detect's concurrency does
    when the network, not one proxy process, is the slow part. Returns (one probe, detect).
    """
    import multiprocessing

    from tlsdoctor.core.detect import detect
    from tlsdoctor.core.probe import Target, probe
    from tlsdoctor.core.trust import RootStore
    from tlsdoctor.lab import pki

    root_key, key = pki.ec_key(), pki.ec_key()
    root = pki.make_ca(pki.parse_name("CN=tlsdoctor bench root"), root_key)
    cert = pki.make_leaf(["bench.test"], key, root, root_key)
    folder = Path(tempfile.mkdtemp(prefix="tlsdoctor-bench-"))
    cert_file = pki.write_public(folder / "cert.pem", pki.cert_pem(cert))
    key_file = pki.write_secret(folder / "key.pem", pki.key_pem(key))
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=_delayed_servers, args=(child, str(cert_file), str(key_file)), daemon=True
    )
    server.start()
    try:
        targets = [Target("127.0.0.1", port) for port in parent.recv()]
        no_os = RootStore("os", None, ())

        def one() -> None:
            assert probe("127.0.0.1", targets[0].port, use_env_proxy=False).ok

        def all_hosts() -> None:
            report = detect(targets, use_env_proxy=False, os_store=no_os)
            assert all(h.chain for h in report.hosts)

        one()
        all_hosts()
        return timed(one, 5, SETTLE), timed(all_hosts, 5, SETTLE)
    finally:
        parent.send("done")
        server.join(5)
        if server.is_alive():
            server.terminate()
        shutil.rmtree(folder, ignore_errors=True)


def bench_openssl(hosts: list[str], proxy_port: int) -> float | None:
    """A sequential loop of `openssl s_client` through the same proxy (what a script would do)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    started = time.perf_counter()
    for host in hosts:
        subprocess.run(
            [
                openssl,
                "s_client",
                "-connect",
                f"{host}:443",
                "-proxy",
                f"127.0.0.1:{proxy_port}",
                "-servername",
                host,
                "-showcerts",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )
    return time.perf_counter() - started


def bench_startup() -> tuple[float, float]:
    script = shutil.which("tlsdoctor", path=str(Path(sys.executable).parent)) or "tlsdoctor"

    def version() -> None:
        subprocess.run([script, "--version"], check=True, capture_output=True)

    def bare() -> None:
        subprocess.run([sys.executable, "-c", "pass"], check=True, capture_output=True)

    version()
    bare()
    # Interleaved, so that load from other processes hits both sides alike.
    versions, bares = [], []
    for _ in range(25):
        versions.append(timed(version, 1))
        bares.append(timed(bare, 1))
    return statistics.median(versions), statistics.median(bares)


def main() -> int:
    figures = bench_detect(FAST_LAB, extra=True)
    one_probe, detect_all = figures["one"] or 0.0, figures["detect"] or 0.0
    print("lab: --lazy-upstream --ca-key ec (leaf minted from the SNI; EC P-256 inspection CA)")
    print(f"one delayed probe ({DELAY_MS} ms delay):   {one_probe * 1000:8.1f} ms")
    print(f"detect, {HOSTS} hosts through the lab:  {detect_all * 1000:8.1f} ms")
    ratio = detect_all / one_probe
    print(f"  ratio detect/one probe:           {ratio:8.2f}x  (goal <= {DETECT_GOAL}x)")
    print(f"  (median of {REPEAT}, {SETTLE:g} s apart; the leaf cache is warm: the cold run below")
    print("   signed every leaf)")
    first_done, last_done = figures["first_done"] or 0.0, figures["last_done"] or 0.0
    print(
        f"  hosts done between:               {first_done * 1000:8.1f} and "
        f"{last_done * 1000:.1f} ms after the start (one probe: {one_probe * 1000:.1f} ms)"
    )
    cold = figures["cold"] or 0.0
    print(f"  cold leaf cache, first run:       {cold * 1000:8.1f} ms ({cold / one_probe:.2f}x)")
    if figures.get("proxy_cpu") is not None:
        cpu = figures["proxy_cpu"] or 0.0
        print(f"  interceptor CPU per detect run:   {cpu * 1000:8.1f} ms (mitmproxy, one process)")
    if figures.get("direct") is not None:
        direct = figures["direct"] or 0.0
        print(
            f"client alone, {HOSTS} direct handshakes: {direct * 1000:8.1f} ms (no proxy, no delay)"
        )
    openssl = figures.get("openssl")
    if openssl is not None:
        print(f"openssl s_client loop, {HOSTS} hosts:   {openssl * 1000:8.1f} ms")
        print(f"  detect is faster by:              {openssl / detect_all:8.1f}x")
    socks = bench_detect(FAST_LAB, extra=False, via_socks5=True)
    socks_one, socks_all = socks["one"] or 0.0, socks["detect"] or 0.0
    print(
        f"same lab through its SOCKS5 listener: one probe {socks_one * 1000:6.1f} ms, "
        f"detect {socks_all * 1000:6.1f} ms: {socks_all / socks_one:5.2f}x"
    )
    if socks.get("proxy_cpu") is not None:
        print(
            f"  interceptor CPU per detect run:   {(socks['proxy_cpu'] or 0.0) * 1000:8.1f} ms "
            "(no HTTP layer under the tunnel)"
        )
    default = bench_detect(DEFAULT_LAB, extra=False)
    default_one, default_all = default["one"] or 0.0, default["detect"] or 0.0
    print(
        f"default lab (eager upstream, RSA CA): one probe {default_one * 1000:6.1f} ms, "
        f"detect {default_all * 1000:6.1f} ms: {default_all / default_one:5.2f}x"
    )
    alone_one, alone_all = bench_without_interceptor()
    print(f"without interceptor: one delayed probe {alone_one * 1000:6.1f} ms,")
    print(
        f"  detect on {HOSTS} delayed servers {alone_all * 1000:6.1f} ms: "
        f"{alone_all / alone_one:5.2f}x  (the client's own ceiling)"
    )
    version, bare = bench_startup()
    startup = version / bare
    print(f"tlsdoctor --version:                {version * 1000:8.1f} ms")
    print(f"python -c pass:                     {bare * 1000:8.1f} ms")
    print(f"  ratio start-up/bare python:       {startup:8.2f}x  (goal <= {STARTUP_GOAL}x)")
    return 0 if ratio <= DETECT_GOAL and startup <= STARTUP_GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
