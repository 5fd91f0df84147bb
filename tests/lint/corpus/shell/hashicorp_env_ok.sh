#!/bin/sh
# Verification stays on: the CA is given, the switch is off, unset or only read.
export VAULT_CACERT="$HOME/certs/company-ca.pem"
export VAULT_SKIP_VERIFY=false
export NOMAD_SKIP_VERIFY=0
export CONSUL_HTTP_SSL_VERIFY=true
unset VAULT_SKIP_VERIFY NOMAD_SKIP_VERIFY
if [ "$VAULT_SKIP_VERIFY" = "true" ]; then
  echo "VAULT_SKIP_VERIFY is set: unset it and set VAULT_CACERT" >&2
fi
if [ "${CONSUL_HTTP_SSL_VERIFY}" = "false" ]; then exit 1; fi
