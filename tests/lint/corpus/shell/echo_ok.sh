#!/bin/sh
# Messages that mention insecure switches are printed, not run.
echo "If the download fails behind the proxy, do not use curl -k: run tlsdoctor fix"
printf '%s\n' "never export NODE_TLS_REJECT_UNAUTHORIZED=0 to get past the proxy" >&2
echo 'wget --no-check-certificate hides the real problem' > /dev/null
curl -fsSL https://example.com/install.sh -o install.sh
echo done; echo "curl -k is not needed any more" && exit 0
