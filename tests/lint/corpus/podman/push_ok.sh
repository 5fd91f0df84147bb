#!/bin/sh
set -eu
# --tls-verify=false was needed before the registry's CA was installed
podman login --tls-verify=true --cert-dir /etc/containers/certs.d/registry.internal.example.com registry.internal.example.com
podman push registry.internal.example.com/app:1.0
skopeo copy --src-tls-verify=true docker://registry.internal.example.com/a docker://quay.io/b
echo "never use --tls-verify=false"
