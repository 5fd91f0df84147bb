#!/bin/sh
# Shapes seen in public dotfiles and CI scripts (e.g. da-moon/.dotfiles env.d/hashi.sh).
export VAULT_SKIP_VERIFY="true"
export CONSUL_HTTP_SSL_VERIFY="false"
export NOMAD_SKIP_VERIFY=1
VAULT_SKIP_VERIFY=T vault status
CONSUL_HTTP_SSL_VERIFY=0 consul members
