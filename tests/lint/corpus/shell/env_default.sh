#!/bin/sh
# ${VAR:=value} assigns the value when the variable is unset.
: "${NODE_TLS_REJECT_UNAUTHORIZED:=0}"
: "${VAULT_SKIP_VERIFY:=true}"
export NODE_TLS_REJECT_UNAUTHORIZED VAULT_SKIP_VERIFY
