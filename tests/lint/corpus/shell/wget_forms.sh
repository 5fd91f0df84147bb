#!/bin/sh
# Real forms (search corpus): OpenTPCast's install script runs `wget -e check_certificate=off`,
# a container start script writes `check_certificate = off` into ~/.wgetrc with echo.
sudo wget -e check_certificate=off -q -O /usr/sbin/vhusbdtpcast https://www.virtualhere.com/sites/default/files/usbserver/vhusbdtpcast
echo check_certificate = off > $HOME/.wgetrc
printf 'use_proxy = on\ncheck_certificate = off\n' >> /etc/wgetrc
