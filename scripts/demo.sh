#!/usr/bin/env bash
# The README's first command (`make demo`): reproduce TLS inspection on loopback and detect it.
#
# Starts the tlsdoctor lab (local HTTPS sites + the real mitmproxy re-signing them with a
# Zscaler-named CA, bank.test on the no-decrypt list) in a temporary state dir, runs
# `tlsdoctor detect` against it, shows the verdict, and always stops the lab again.
# Loopback only: needs no network. `make demo` puts the project's venv first on PATH.
set -euo pipefail

if ! command -v tlsdoctor >/dev/null 2>&1; then
    echo "demo: tlsdoctor is not on PATH (run it with: make demo)" >&2
    exit 2
fi

state_dir="$(mktemp -d "${TMPDIR:-/tmp}/tlsdoctor-demo.XXXXXX")"
export TLSDOCTOR_LAB_DIR="$state_dir"
cleanup() {
    tlsdoctor lab stop >/dev/null 2>&1 || true
    rm -rf "$state_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section() { printf '\n== %s ==\n' "$1"; }

section "1. Start the lab: three sites, a Zscaler-style inspection proxy, bank.test not decrypted"
tlsdoctor lab start --vendor zscaler --bypass bank.test

section "2. tlsdoctor detect --lab   (probes site1.test, site2.test, bank.test through the proxy)"
set +e
tlsdoctor detect --lab
rc=$?
set -e
# detect exits 1 when it finds interception: that is the expected outcome here.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    echo "demo: detect failed with exit code $rc" >&2
    exit "$rc"
fi
verdict="$(tlsdoctor detect --lab --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])' || true)"
printf '\nVerdict: %s (expected: partial; site1/site2 re-signed by "Zscaler Root CA", bank.test untouched)\n' "$verdict"

if command -v curl >/dev/null 2>&1; then
    proxy="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["proxy_url"])' "$state_dir/state.json")"
    section "3. What a client sees (curl through the proxy, verification on)"
    echo "\$ curl --cacert lab-public-root.pem https://site1.test/   # trusts only the public roots"
    env -u CURL_CA_BUNDLE -u SSL_CERT_FILE HTTPS_PROXY="$proxy" NO_PROXY= \
        curl -sS --max-time 10 --cacert "$state_dir/public-root.pem" https://site1.test/ 2>&1 | head -1 || true
    echo "\$ curl --cacert inspection-ca.pem https://site1.test/     # trusts the inspection CA"
    env -u CURL_CA_BUNDLE -u SSL_CERT_FILE HTTPS_PROXY="$proxy" NO_PROXY= \
        curl -sS --max-time 10 --cacert "$state_dir/inspection-ca.pem" https://site1.test/ 2>&1 | head -1 || true
fi

section "4. Stop the lab"
tlsdoctor lab stop
trap - EXIT
rm -rf "$state_dir"
