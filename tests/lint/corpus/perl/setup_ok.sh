#!/bin/sh
export PERL_LWP_SSL_CA_FILE=/etc/ssl/company-bundle.pem
export PERL_LWP_SSL_VERIFY_HOSTNAME=1
echo "PERL_LWP_SSL_VERIFY_HOSTNAME=0 turns checks off"
unset PERL_LWP_SSL_VERIFY_HOSTNAME
