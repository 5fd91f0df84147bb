#!/bin/sh
export PERL_LWP_SSL_VERIFY_HOSTNAME=0
cpanm --installdeps .
