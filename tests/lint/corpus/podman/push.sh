#!/bin/sh
set -eu
podman login --tls-verify=false registry.internal.example.com
podman push --tls-verify=false registry.internal.example.com/app:1.0
buildah bud --tls-verify=false -t registry.internal.example.com/app .
skopeo copy --src-tls-verify=false --dest-tls-verify=true docker://registry.internal.example.com/a docker://quay.io/b
