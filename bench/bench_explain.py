"""Benchmark: `tlsdoctor explain --file` on a big generated log vs `grep -E -i -c` in the same run.

    python -m bench explain                       # 1 GB log (default)
    TLSDOCTOR_BENCH_EXPLAIN_MB=100 python -m bench explain
    python bench/bench_explain.py --mb 100 --keep

The log holds ordinary application lines (HTTP 200/404/500, timeouts, DNS failures, retries,
stack traces), 1 % near misses that hold an anchor without being a failure ("SSL handshake
completed", "certificate ... renewed") and a few hundred TLS failures from several tools.
grep gets the catalog's own signature patterns (converted to POSIX ERE), so both
programs answer the same question. Goal: explain at least 1/3 of grep's throughput, with flat
memory (peak RSS reported for each child process).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENV_SIZE = "TLSDOCTOR_BENCH_EXPLAIN_MB"
GOAL_RATIO = 1 / 3

ORDINARY = [
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z INFO  http GET /api/v1/items/{n} 200 {ms}ms user={n}",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z WARN  http GET /static/app.{n}.js 404 3ms",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z ERROR http POST /api/v1/orders 500 Internal Server "
    "Error upstream=orders-{n}",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z ERROR db: connection to 10.0.{s}.{ms} timed out "
    "after 30000 ms (attempt {n})",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z ERROR resolver: getaddrinfo ENOTFOUND "
    "service-{n}.internal",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z INFO  worker-{s} job {n} finished in {ms} ms",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z DEBUG cache miss key=session:{n} ttl=3600",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z ERROR open /var/lib/app/{n}.lock: permission denied",
    "    at com.example.service.OrderService.process(OrderService.java:{ms})",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z WARN  retrying request id={n} after "
    "ECONNRESET (network unreachable)",
]

# Lines that hold a prefilter anchor but are no TLS failure: the matcher has to look at each
# one closely, so their density drives its cost. One line in NEAR_MISS_EVERY.
NEAR_MISS = [
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z INFO  SSL handshake completed with "
    "api.partner.example (TLSv1.3)",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z INFO  certificate for shop.example renewed, "
    "valid until 2027-02-{s:02d}",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z DEBUG javax.net.ssl session resumed id={n}",
    "2026-11-25T03:{m:02d}:{s:02d}.{ms:03d}Z INFO  order {n}407 shipped",
]
NEAR_MISS_EVERY = 100

TLS_ERRORS = [
    "curl: (60) SSL certificate problem: self-signed certificate in certificate chain",
    "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
    "unable to get local issuer certificate (_ssl.c:1006)",
    "npm ERR! code UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "javax.net.ssl.SSLHandshakeException: PKIX path building failed: "
    "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid "
    "certification path to requested target",
    'Get "https://proxy.golang.org/x": tls: failed to verify certificate: x509: certificate '
    "signed by unknown authority",
    "fatal: unable to access 'https://github.com/x/y.git/': server certificate verification "
    "failed. CAfile: none CRLfile: none",
    "  Caused by: invalid peer certificate: UnknownIssuer",
    "curl: (60) SSL: no alternative certificate subject name matches target host name "
    "'api.example.com'",
]
TLS_EVERY_MB = 0.33  # about 330 TLS errors per GB

# A verbose TLS debug log (curl -v, javax.net.debug=ssl): nearly every line holds an anchor by
# chance, so here the cost per candidate line, not the prefilter's passes, sets the throughput.
DEBUG_LINES = [
    "javax.net.ssl|DEBUG|01|main|2026-11-25 03:12:34.567 UTC|SSLSocketImpl.java:{n}|Produced "
    "ClientHello handshake message",
    "javax.net.ssl|DEBUG|01|main|2026-11-25 03:12:34.567 UTC|CertificateMessage.java:{n}|"
    "Consuming server Certificate handshake message (",
    '  "certificate" : {{ "version": "v3", "serial number": "{n}",',
    "* TLSv1.3 (IN), TLS handshake, Certificate (11):",
    "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384 / X25519 / id-ecPublicKey",
    "*  server certificate verification OK",
    "2026-11-25T03:12:34Z INFO request {n} ok 200",
]
DEBUG_SHARE = 10  # the debug log is this many times smaller than the main one


def generate(path: Path, megabytes: int, debug: bool = False) -> int:
    """Write the log (``debug``: the verbose TLS debug one); return how many TLS error lines
    it holds."""
    chunk_lines: list[str] = []
    n = size = 0
    while size < (1 << 20):
        if debug:
            template = DEBUG_LINES[n % len(DEBUG_LINES)]
        elif n % NEAR_MISS_EVERY == 0:
            template = NEAR_MISS[(n // NEAR_MISS_EVERY) % len(NEAR_MISS)]
        else:
            template = ORDINARY[n % len(ORDINARY)]
        line = template.format(m=n % 60, s=(n * 7) % 60, ms=(n * 13) % 1000, n=n * 7919 % 100000)
        chunk_lines.append(line)
        size += len(line) + 1
        n += 1
    chunk = ("\n".join(chunk_lines) + "\n").encode()
    inserted = 0
    every = max(1, round(1 / TLS_EVERY_MB))
    with path.open("wb") as out:
        for mb in range(megabytes):
            out.write(chunk)
            if mb % every == 0:
                out.write((TLS_ERRORS[inserted % len(TLS_ERRORS)] + "\n").encode())
                inserted += 1
    return inserted


def grep_patterns() -> list[str]:
    """The catalog's signature patterns, converted from Python re to POSIX ERE."""
    from tlsdoctor.core.explain import catalog

    patterns = []
    for sig in catalog().signatures:
        ere = sig.regex.pattern
        ere = re.sub(r"\(\?P<\w+>", "(", ere)
        ere = ere.replace("(?:", "(")
        ere = ere.replace(r"\d", "[0-9]")
        patterns.append(ere)
    return patterns


def measure(cmd: list[str]) -> tuple[float, int, str]:
    """Run ``cmd`` under a tiny Python helper that reports the child's own peak RSS."""
    helper = (
        "import resource,subprocess,sys,time,json;t=time.perf_counter();"
        "p=subprocess.run(sys.argv[1:],capture_output=True);"
        "e=time.perf_counter()-t;"
        "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print(json.dumps({'s':e,'rss':r,'rc':p.returncode,"
        "'out':p.stdout.decode(errors='replace')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", helper, *cmd], capture_output=True, text=True, check=True
    )
    data = json.loads(result.stdout)
    return float(data["s"]), int(data["rss"]), str(data["out"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=int(os.environ.get(ENV_SIZE, "1024")))
    parser.add_argument("--keep", action="store_true", help="keep the generated log")
    args = parser.parse_args(argv if argv is not None else [])
    grep = shutil.which("grep")
    tlsdoctor = shutil.which("tlsdoctor") or str(Path(sys.executable).parent / "tlsdoctor")
    folder = Path(tempfile.mkdtemp(prefix="tlsdoctor-bench-explain-"))
    try:
        log = folder / "app.log"
        started = time.perf_counter()
        inserted = generate(log, args.mb)
        size = log.stat().st_size
        print(
            f"generated {size / 1e6:.0f} MB with {inserted} TLS errors "
            f"in {time.perf_counter() - started:.1f} s"
        )
        patterns = folder / "patterns.ere"
        patterns.write_text("\n".join(grep_patterns()) + "\n")
        subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)  # warm cache
        status = 0
        grep_s = grep_count = None
        if grep:
            grep_s, grep_rss, out = measure([grep, "-E", "-i", "-c", "-f", str(patterns), str(log)])
            grep_count = out.strip().splitlines()[-1] if out.strip() else "?"
            print(
                f"grep -E -i -c ({len(grep_patterns())} patterns): {grep_s:.2f} s, "
                f"{size / 1e6 / grep_s:.0f} MB/s, {grep_count} matching lines, "
                f"peak RSS {grep_rss / 1024:.0f} MiB"
            )
        ex_s, ex_rss, found, total = run_explain(tlsdoctor, log)
        print(
            f"tlsdoctor explain --file: {ex_s:.2f} s, {size / 1e6 / ex_s:.0f} MB/s, "
            f"{found} findings, {total} occurrences, peak RSS {ex_rss / 1024:.0f} MiB"
        )
        one_s, one_rss, _found, one_total = run_explain(tlsdoctor, log, "--jobs", "1")
        print(
            f"  the same with --jobs 1 (the prefilter in the one process): {one_s:.2f} s, "
            f"{size / 1e6 / one_s:.0f} MB/s, peak RSS {one_rss / 1024:.0f} MiB"
        )
        if total != inserted or one_total != inserted:
            print(f"MISMATCH: {inserted} TLS errors written, {total} and {one_total} reported")
            status = 1
        if grep_s:
            ratio = grep_s / ex_s
            verdict = "OK" if ratio >= GOAL_RATIO else "BELOW GOAL"
            print(
                f"throughput ratio explain/grep: {ratio:.2f} (goal >= {GOAL_RATIO:.2f}): {verdict}"
                f"; with --jobs 1: {grep_s / one_s:.2f}"
            )
            if ratio < GOAL_RATIO:
                status = 1
        if grep:
            bench_debug_log(folder, max(1, args.mb // DEBUG_SHARE), grep, tlsdoctor, patterns)
        if args.keep:
            print(f"kept {log}")
        return status
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def run_explain(tlsdoctor: str, log: Path, *options: str) -> tuple[float, int, int, int]:
    """Seconds, peak RSS (KiB), findings and occurrences of `explain --json --file LOG`."""
    seconds, rss, out = measure([tlsdoctor, "explain", "--json", *options, "--file", str(log)])
    findings = json.loads(out[out.index("{") :])["findings"] if "{" in out else []
    return seconds, rss, len(findings), sum(f["count"] for f in findings)


def bench_debug_log(
    folder: Path, megabytes: int, grep: str, tlsdoctor: str, patterns: Path
) -> None:
    """The same comparison on a verbose TLS debug log (no goal: shown for what it costs)."""
    log = folder / "debug.log"
    inserted = generate(log, megabytes, debug=True)
    size = log.stat().st_size
    subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)
    grep_s, _rss, _out = measure([grep, "-E", "-i", "-c", "-f", str(patterns), str(log)])
    ex_s, ex_rss, _found, total = run_explain(tlsdoctor, log)
    print(
        f"verbose TLS debug log, {size / 1e6:.0f} MB (nearly every line holds an anchor): "
        f"explain {size / 1e6 / ex_s:.0f} MB/s ({total} of {inserted} TLS errors, peak RSS "
        f"{ex_rss / 1024:.0f} MiB), grep {size / 1e6 / grep_s:.0f} MB/s: {grep_s / ex_s:.2f}"
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
