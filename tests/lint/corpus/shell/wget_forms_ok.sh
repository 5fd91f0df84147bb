#!/bin/sh
# The twin of wget_forms.sh: the same commands with the checks on and a CA given.
sudo wget -e check_certificate=on -e ca_certificate=/etc/ssl/company.pem -q -O /usr/sbin/tool https://www.example.com/tool
echo ca_certificate = /etc/ssl/company.pem > $HOME/.wgetrc
printf 'use_proxy = on\ncheck_certificate = on\n' >> /etc/wgetrc
echo "never write check_certificate = off in a wgetrc" >&2
