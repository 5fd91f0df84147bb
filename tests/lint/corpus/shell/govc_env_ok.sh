#!/bin/sh
# The vCenter CA is given; the switch is off, unset or only read (openshift/release style).
export GOVC_TLS_CA_CERTS=/etc/pki/vcenter-ca.pem
export GOVC_INSECURE=false
unset GOVC_INSECURE
if [ "$GOVC_INSECURE" = "1" ]; then echo "Insecure vCenter Cert" >&2; exit 1; fi
