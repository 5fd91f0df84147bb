#!/usr/bin/env bash
# The twin of yarn_env.sh: the checks stay on and the CA is given.
set -e
export npm_config_strict_ssl=true
export npm_config_cafile=/etc/ssl/company.pem
export yarn_strict_ssl=true
export yarn_cafile=/etc/ssl/company.pem
YARN_ENABLE_STRICT_SSL=true YARN_HTTPS_CA_FILE_PATH=/etc/ssl/company.pem yarn install --immutable
